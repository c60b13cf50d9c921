"""The Local data panel (View › Local data…): rows per entity, how fresh, how synced, errors
in plain words; Sync now, Pause/Resume, Forget local data; the scope setting; registers →
stores for servers whose sales carry no store.

The mirror is a cache, never the truth for money or stock: the panel says so and says where
the file is. After "Forget local data" nothing is copied again until the manager presses
Sync now (forgetting means forgetting; the next sign-in copies again).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from posdesk.mirror import ENTITIES, EntityStatus, SyncProgress
from posdesk.models.tasks import TaskOwner
from posdesk.ui.common.tables import session_zone
from posdesk.ui.localdata.registers import RegisterTable
from posdesk.ui.localdata.scope import save_scope
from posdesk.ui.localdata.words import MODE_WORDS, clock, entity_name, state_text
from posdesk.ui.shell.context import SessionContext

if TYPE_CHECKING:
    from posdesk.models.local_data import LocalData

COLUMNS = ("Data", "Rows", "Last synced", "Sync", "State")
#: How often row counts are re-read from the file while a sync runs.
REFRESH_MS = 400


class LocalDataPanel(QDialog):
    """One session's Local data panel (non-modal). ``refresh()`` re-reads the file."""

    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        """Long: the widget tree top to bottom, one block per group."""
        super().__init__(parent)
        self.setObjectName("localDataPanel")
        self.setWindowTitle("Local data")
        self.setAccessibleName("Local data")
        self.context = context
        self.local_data: LocalData | None = context.local_data
        self.tz = session_zone(context)
        self.tasks = TaskOwner(self)
        self.status: dict[str, EntityStatus] = {}
        self.stores: list[str] = []

        self.where = QLabel(self)
        self.where.setObjectName("localDataWhere")
        self.where.setAccessibleName("What local data is and where it is stored")
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.table = QTableWidget(len(ENTITIES), len(COLUMNS), self)
        self.table.setObjectName("localDataTable")
        self.table.setAccessibleName("Local data per kind")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # read-only: no current cell
        row_height = self.fontMetrics().height() + 10
        self.table.verticalHeader().setDefaultSectionSize(row_height)
        self.table.setMinimumHeight(
            row_height * len(ENTITIES) + self.table.horizontalHeader().sizeHint().height() + 4
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        for row, entity in enumerate(ENTITIES):
            for column in range(len(COLUMNS)):
                item = QTableWidgetItem("")
                if column == 1:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
            self._cell(row, 0).setText(entity_name(entity).capitalize())

        self.message = QLabel(self)
        self.message.setObjectName("localDataMessage")
        self.message.setAccessibleName("Local data message")
        self.message.setWordWrap(True)

        self.sync_button = self._button("Sync now", "localDataSyncNow", self.sync_now)
        self.pause_button = self._button("Pause", "localDataPause", self.toggle_pause)
        self.forget_button = self._button("Forget local data…", "localDataForget", self._ask_forget)
        actions = QHBoxLayout()
        for button in (self.sync_button, self.pause_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.forget_button)

        scope_box = QGroupBox("Sales kept on this PC", self)
        scope_box.setObjectName("localDataScope")
        self.store_list = QListWidget(scope_box)
        self.store_list.setObjectName("localDataStores")
        self.store_list.setAccessibleName("Stores whose sales are kept")
        self.store_list.setMaximumHeight(row_height * 5)
        self.months = QSpinBox(scope_box)
        self.months.setObjectName("localDataMonths")
        self.months.setAccessibleName("Months of sales kept (0: all)")
        self.months.setRange(0, 240)
        self.months.setSpecialValueText("all months")
        self.months.setSuffix(" months")
        self.apply_button = self._button("Apply", "localDataApplyScope", self.apply_scope)
        months_row = QHBoxLayout()
        months_row.addWidget(QLabel("Keep", scope_box))
        months_row.addWidget(self.months)
        months_row.addStretch(1)
        months_row.addWidget(self.apply_button)
        scope_layout = QVBoxLayout(scope_box)
        scope_layout.addWidget(self.store_list)
        scope_layout.addLayout(months_row)

        register_box = QGroupBox("Registers → stores", self)
        register_box.setObjectName("localDataRegisterBox")
        self.registers = RegisterTable(register_box)
        self.save_registers_button = self._button(
            "Save store assignments", "localDataSaveRegisters", self.save_registers
        )
        register_layout = QVBoxLayout(register_box)
        register_layout.addWidget(self.registers.explanation)
        register_layout.addWidget(self.registers, 1)
        register_layout.addWidget(self.save_registers_button, 0, Qt.AlignmentFlag.AlignRight)

        self.close_button = self._button("Close", "localDataClose", self.close)
        lower = QHBoxLayout()
        lower.addWidget(scope_box, 1, Qt.AlignmentFlag.AlignTop)
        lower.addWidget(register_box, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.where)
        layout.addWidget(self.table)
        layout.addWidget(self.message)
        layout.addLayout(actions)
        layout.addLayout(lower, 1)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignRight)
        self.resize(900, 720)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._describe_where()
        if self.local_data is None:
            self._off(
                "Local data is off for this session: the file could not be opened. "
                "posdesk works from the server alone."
            )
            return
        self.local_data.progressed.connect(self._on_progress)
        self.local_data.synced.connect(self.refresh)
        self._show_scope_months()
        self._update_buttons()
        self.refresh()

    def detach(self) -> None:
        """The session ends: stop listening to its local data, stop the timer and tasks
        before the widget is deleted (nothing may reach a half-destroyed panel)."""
        self._timer.stop()
        self.tasks.cancel_all()
        if self.local_data is not None:
            self.local_data.progressed.disconnect(self._on_progress)
            self.local_data.synced.disconnect(self.refresh)
            self.local_data = None

    # ------------------------------------------------------------------ helpers

    def _button(self, text: str, name: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(text.rstrip("…"))
        button.setAutoDefault(False)
        button.clicked.connect(lambda _c=False: slot())
        return button

    def _cell(self, row: int, column: int) -> QTableWidgetItem:
        item = self.table.item(row, column)
        assert item is not None  # every cell is made in __init__
        return item

    def _describe_where(self) -> None:
        path = self.local_data.mirror.path if self.local_data is not None else None
        text = (
            f"A copy of this server's data on this PC ({self.context.where}), for instant "
            "search and for looking things up when the POS server is down. It is a cache: "
            "money and stock are always checked with the server."
        )
        if path is not None:
            text += f"\nStored in {path} (only your user account can read it)."
        self.where.setText(text)

    def _off(self, text: str) -> None:
        self.message.setText(text)
        for widget in (
            self.sync_button,
            self.pause_button,
            self.forget_button,
            self.apply_button,
            self.save_registers_button,
            self.store_list,
            self.months,
            self.registers,
        ):
            widget.setEnabled(False)

    def _update_buttons(self) -> None:
        data = self.local_data
        if data is None:
            return
        self.pause_button.setText("Resume" if data.paused else "Pause")
        self.pause_button.setAccessibleName(self.pause_button.text())
        self.pause_button.setEnabled(not data.forgotten)
        self.forget_button.setEnabled(not data.forgotten)
        for widget in (self.apply_button, self.registers):
            widget.setEnabled(not data.forgotten)
        self.save_registers_button.setEnabled(not data.forgotten and self.registers.editable())

    def _show_scope_months(self) -> None:
        assert self.local_data is not None
        self.months.setValue(self.local_data.sync.settings.sale_months or 0)

    # ------------------------------------------------------------------ reading

    def refresh(self) -> asyncio.Task[None] | None:
        """Re-read counts, stores and registers from the file (after a pass, while a sync
        runs, after a change). Returns the owned task (tests await it)."""
        if self.local_data is None:
            return None
        return self.tasks.spawn(self._load(), name="local data panel")

    async def _load(self) -> None:
        data = self.local_data
        assert data is not None
        if data.forgotten:
            self.status = {}
            self._fill()
            self.registers.fill([], [])
            return
        mirror = data.mirror
        try:
            status, locations, registers = await asyncio.gather(
                mirror.status(), mirror.locations(), mirror.register_stores()
            )
        except RuntimeError:  # the file was closed meanwhile (forgotten): forget() says so
            return
        if mirror is not data.mirror:
            return  # reopened meanwhile: the next refresh shows it
        self.status = status
        self.stores = [loc.code for loc in locations if (loc.kind or "").upper() != "WAREHOUSE"]
        self._fill()
        self._fill_stores()
        self.registers.fill(registers, self.stores)
        self.save_registers_button.setEnabled(self.registers.editable())

    def _fill(self) -> None:
        assert self.local_data is not None
        paused = self.local_data.paused
        for row, entity in enumerate(ENTITIES):
            progress = self.local_data.progress.get(entity, SyncProgress(entity))
            status = self.status.get(entity)
            rows = status.rows if status is not None else 0
            synced = progress.last_synced or (status.last_synced if status else None)
            mode = progress.mode or (status.mode if status else "")
            if progress.error is None and status is not None and status.error:
                progress = replace(progress, error=status.error)
            state = state_text(progress, paused=paused)
            if status is not None and status.limited and not progress.error:
                state += " (the server shows this sign-in only part of them)"
            texts = (
                f"{rows:,}",
                clock(synced, self.tz) if synced else "never",
                MODE_WORDS.get(mode, mode),
                state,
            )
            for column, text in enumerate(texts, start=1):
                self._cell(row, column).setText(text)

    def _fill_stores(self) -> None:
        assert self.local_data is not None
        chosen = self.local_data.sync.settings.sale_locations
        current = [self.store_list.item(i).text() for i in range(self.store_list.count())]
        if current == self.stores:
            return
        self.store_list.clear()
        for code in self.stores:
            item = QListWidgetItem(code, self.store_list)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = chosen is None or code in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def row_counts(self) -> dict[str, int]:
        """What the table shows per entity (tests compare it with ``mirror.status()``)."""
        return {
            entity: int(self._cell(row, 1).text().replace(",", "") or 0)
            for row, entity in enumerate(ENTITIES)
        }

    def state_of(self, entity: str) -> str:
        return self._cell(ENTITIES.index(entity), 4).text()

    def _on_progress(self, _progress: SyncProgress) -> None:
        self._fill()
        self._update_buttons()
        if not self._timer.isActive():
            self._timer.start()  # row counts from the file, at most every REFRESH_MS

    # ------------------------------------------------------------------ actions

    def sync_now(self) -> None:
        """A pass now; after Forget, a new empty file and the sync again."""
        data = self.local_data
        if data is None:
            return
        if data.forgotten:
            self.message.setText("Copying the store's data to this PC again…")
            self.tasks.spawn(self._reopen(), name="local data reopen")
            return
        if data.paused:
            data.resume()
        data.sync_now()
        self.message.setText("Syncing now…")
        self._update_buttons()

    async def _reopen(self) -> None:
        assert self.local_data is not None
        await self.local_data.reopen()
        self._update_buttons()
        self.refresh()

    def toggle_pause(self) -> None:
        data = self.local_data
        if data is None:
            return
        if data.paused:
            data.resume()
            self.message.setText("Resumed.")
        else:
            data.pause()
            self.message.setText(
                "Paused: the page being copied is finished, then nothing more until Resume."
            )
        self._update_buttons()
        self._fill()

    def _ask_forget(self) -> None:
        answer = QMessageBox.question(
            self,
            "Forget local data",
            "Delete the copy of this server's data from this PC? Searches go to the server "
            "until you press Sync now (or sign in again). Nothing on the server changes.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.tasks.spawn(self.forget(), name="local data forget")

    async def forget(self) -> None:
        """Delete the file (after the confirmation); the panel says what happened."""
        data = self.local_data
        if data is None:
            return
        path = data.mirror.path
        await data.forget()
        self.message.setText(
            f"Local data forgotten: {path.name} was deleted from this PC. Nothing is copied "
            "again until you press Sync now."
        )
        self._update_buttons()
        await self._load()

    def chosen_scope(self) -> tuple[frozenset[str] | None, int | None]:
        checked = frozenset(
            self.store_list.item(i).text()
            for i in range(self.store_list.count())
            if self.store_list.item(i).checkState() == Qt.CheckState.Checked
        )
        stores = None if checked == frozenset(self.stores) else checked
        return stores, self.months.value() or None

    def apply_scope(self) -> None:
        """Save the scope for this server + principal and sync the sales again under it."""
        data = self.local_data
        if data is None:
            return
        stores, months = self.chosen_scope()
        if stores is not None and not stores:
            self.message.setText("Pick at least one store whose sales to keep.")
            return
        scope = replace(data.sync.settings, sale_locations=stores, sale_months=months)
        if scope == data.sync.settings:
            self.message.setText("Nothing changed.")
            return
        save_scope(self.context.settings(), scope)
        data.apply_settings(scope)
        which = "every store" if stores is None else ", ".join(sorted(stores))
        span = "all months" if months is None else f"the last {months} months"
        self.message.setText(
            f"Keeping the sales of {which}, {span}. The sales are being copied again."
        )

    def save_registers(self) -> asyncio.Task[None] | None:
        """The manager's register → store choices (suggestions confirmed as shown)."""
        data = self.local_data
        if data is None or data.forgotten:
            return None
        changes = self.registers.changes()
        if not changes:
            self.message.setText("No register assignments to save.")
            return None

        async def save() -> None:
            for register, store in changes:
                await data.mirror.assign_register(register, store)
            self.message.setText(
                f"Saved the store of {len(changes)} register(s). Store filters and reports "
                "use them now."
            )
            data.sync_now()  # a store-bound scope depends on them
            await self._load()

        return self.tasks.spawn(save(), name="local data registers")
