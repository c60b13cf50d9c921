"""Sales tab: sale history for any period, store and register, with a receipt-style detail.

Filters are turned into one query (see ``posdesk.models.sales_query``): the local mirror's once
its sales are ready (every filter, plus time of day, on any server), else the server's; offline
the mirror answers under the ``salesLocalNote`` banner. The table pages through the answer,
the summary strip adds up what is loaded (and says when that is not everything), the detail
pane loads one full sale (lines, tenders) when a row is picked.

The filter bar and summary strip are ``filters.py``; the receipt view is ``detail.py``.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from posdesk.api.errors import PosError
from posdesk.domain import Sale
from posdesk.models import local_reads
from posdesk.models.date_range import DateRange, Preset
from posdesk.models.paged import PagedTableModel
from posdesk.models.sales import SalesSummary, SummaryTracker, sale_columns
from posdesk.models.sales_query import SalesQuery, sales_fetch
from posdesk.ui.common.local_note import LocalDataNote
from posdesk.ui.common.locations import load_locations
from posdesk.ui.common.runner import Runner
from posdesk.ui.common.tables import (
    GuardedTable,
    fit_columns,
    sale_samples,
    session_zone,
)
from posdesk.ui.sales.detail import SaleDetailView
from posdesk.ui.sales.filters import DEFAULT_PRESET, SalesFilterBar, SummaryStrip
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.widgets.splitter import QuietSplitter

if TYPE_CHECKING:
    from posdesk.models.local_data import LocalData

_log = logging.getLogger(__name__)

VIEW_SALES = "ViewSales"
#: "Load all" asks first when the period is longer than this (or has no dates).
LOAD_ALL_ASK_DAYS = 92


class SalesTab(QWidget):
    """Sale history: filters, paged table with summary, and the selected sale's detail."""

    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("salesTab")
        self.context = context
        self.runner = Runner(self)
        self.client = context.client
        self.tz = session_zone(context)
        self.currency = context.environment.currency
        self.extended = "sale_search" in self.client.features

        self._build(context)

        self.tracker = SummaryTracker(self.model)
        self.last_query: SalesQuery | None = None
        self.fetch: local_reads.LocalFirst[Sale] | None = None
        self._load_all_task: asyncio.Task[None] | None = None
        self._detail_generation = 0
        self._detail_timer = QTimer(self)
        self._detail_timer.setSingleShot(True)
        self._detail_timer.setInterval(250)
        self._detail_timer.timeout.connect(self._open_current)
        self._apply_timer = QTimer(self)
        self._apply_timer.setSingleShot(True)
        self._apply_timer.setInterval(200)
        self._apply_timer.timeout.connect(self._apply_if_changed)

        self._wire(context)
        self._restore_state()
        if not self.table.denied:
            self._load_locations()
            self.search()
            if self.local_ready:
                self._local_data_changed()

    def _build(self, context: SessionContext) -> None:
        """Filter bar above; summary strip and sales table beside the sale's detail."""
        self.filters = SalesFilterBar(self.tz, self)
        self.filters.set_extended(self.extended, self.local_ready)
        self.summary_strip = SummaryStrip(self)
        self.note = LocalDataNote(context, "sale", "sales", self)
        self.table = GuardedTable(
            "sales",
            VIEW_SALES,
            "Sale history",
            context,
            empty_text="No sales match these filters. Try a longer period or fewer filters.",
            parent=self,
        )
        self.view = self.table.view
        self.model: PagedTableModel[Sale] = PagedTableModel(
            sale_columns(self.tz), None, formatter=context.formatter, parent=self
        )
        self.detail = SaleDetailView(self.tz, parent=self)
        self.detail.setObjectName("saleDetail")
        self.detail.currency = self.currency

        splitter = QuietSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("salesSplitter")
        left = QWidget(splitter)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.note)
        left_layout.addWidget(self.summary_strip)
        left_layout.addWidget(self.table, 1)
        splitter.addWidget(left)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.splitter = splitter

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filters)
        layout.addWidget(splitter, 1)

    def _wire(self, context: SessionContext) -> None:
        """Signals to behaviour; column widths that keep figures in view."""
        self.tracker.changed.connect(self._show_summary)
        self.table.set_model(self.model, load=False)
        self.model.pageLoaded.connect(self._page_loaded)
        if context.local_data is not None:
            context.local_data.synced.connect(self._local_data_changed)
            context.local_data.onlineChanged.connect(self._local_data_changed)
        # Nine columns: tight, and the customer's name is the elastic one, so the figures
        # and the sale id stay in view at 1366×768.
        fit_columns(
            self.view.table,
            sale_samples(context.formatter),
            padding=16,
            stretch=[c.key for c in self.model.columns].index("customer"),
        )
        selection = self.view.table.selectionModel()
        if selection is not None:
            selection.currentRowChanged.connect(lambda *_: self._detail_timer.start())
        self.view.rowActivated.connect(self._activated)
        self.summary_strip.load_all.clicked.connect(self._load_all_clicked)
        self.filters.search_button.clicked.connect(self.search)
        self.filters.export_button.clicked.connect(self.ask_export)
        self.filters.customer.returnPressed.connect(self.search)
        self.filters.tran_no.returnPressed.connect(self.search)
        for combo in (
            self.filters.preset,
            self.filters.location,
            self.filters.register,
            self.filters.time_of_day,
        ):
            combo.activated.connect(lambda *_: self._apply_timer.start())
        for edit in (self.filters.from_date, self.filters.to_date):
            edit.editingFinished.connect(self._apply_timer.start)
        self.setTabOrder(self.filters.export_button, self.view.table)

    # ----------------------------------------------------------------- search

    def search(self) -> None:
        """Apply the filters now (new server query, rows start from zero)."""
        self._apply_timer.stop()
        if self.table.denied:
            return
        self._cancel_load_all()
        query = self.filters.query()
        self.last_query = query
        fetch = sales_fetch(self.client, query, self.tz, self.context.local_data)
        self.fetch = fetch if isinstance(fetch, local_reads.LocalFirst) else None
        self.model.set_fetch(fetch)

    @property
    def local_ready(self) -> bool:
        local_data = self.context.local_data
        return local_data is not None and local_data.ready("sale")

    def _page_loaded(self, *_: object) -> None:
        self.note.set_from_local(self.fetch is not None and self.fetch.from_local)

    def _local_data_changed(self, *_: object) -> None:
        """The local sales became ready (filters the server lacks turn on, registers seen in
        them are offered) or the server went away (the list answers from the mirror)."""
        self.filters.set_extended(self.extended, self.local_ready)
        local_data = self.context.local_data
        if self.local_ready and local_data is not None:
            self.runner.spawn(self._load_mirror_registers(local_data), name="sales-registers")
        fetch = self.fetch
        if fetch is not None and fetch.uses_local() != fetch.from_local and not self.model.loading:
            self.search()

    async def _load_mirror_registers(self, local_data: LocalData) -> None:
        self.filters.set_mirror_registers(await local_reads.registers(local_data, None))

    def _apply_if_changed(self) -> None:
        """A filter widget was changed (or merely left): ask the server only if it matters."""
        if self.filters.query() != self.last_query:
            self.search()

    def show_customer_sales(self, customer_id: str) -> None:
        """Everything one customer bought (used by the Customers tab)."""
        self.filters.customer.setText(customer_id)
        self.filters.tran_no.clear()
        self.filters.set_location(None)
        self.filters.time_of_day.setCurrentIndex(0)
        self.filters.set_preset(Preset.ALL)
        self.search()

    def focus_search(self) -> None:
        self.filters.tran_no.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filters.tran_no.selectAll()

    def reload(self) -> None:
        self.search()

    # ---------------------------------------------------------------- summary

    def _show_summary(self) -> None:
        summary = self.tracker.summary
        loading_all = self._load_all_task is not None and not self._load_all_task.done()
        empty = ""
        model = self.model
        if summary.complete and model.error is None and self.last_query is not None:
            empty = f"<b>No sales</b> match these filters ({self.last_query.describe()})."
        self.summary_strip.show_summary(summary, self.currency, model.locale, loading_all, empty)

    @property
    def summary(self) -> SalesSummary:
        return self.tracker.summary

    def _load_all_clicked(self) -> None:
        """Loading years of history is the user's call: ask first when the period is long."""
        loading = self._load_all_task is not None and not self._load_all_task.done()
        query = self.last_query
        broad = query is not None and (
            (query.dates is None or query.dates.days > LOAD_ALL_ASK_DAYS)
            and not (query.customer_id or query.tran_no)
        )
        if not loading and broad:
            answer = QMessageBox.question(
                self,
                "Load all sales?",
                "This period may hold hundreds of thousands of sales. Loading them all takes a "
                "while and uses memory; you can stop at any time.\n\nLoad all?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.toggle_load_all()

    def toggle_load_all(self) -> None:
        if self._load_all_task is not None and not self._load_all_task.done():
            self._cancel_load_all()
            return
        self._load_all_task = self.runner.spawn(self._load_all(), name="sales-load-all")
        self._show_summary()

    def load_all(self) -> asyncio.Task[None]:
        """Start loading every page (returns the task, for tests)."""
        self.toggle_load_all()
        assert self._load_all_task is not None
        return self._load_all_task

    async def _load_all(self) -> None:
        try:
            await self.model.fetch_all()
        except asyncio.CancelledError:
            raise
        except PosError:
            pass  # the model keeps the error and the banner shows it with Retry
        finally:
            self._load_all_task = None
            self._show_summary()

    def _cancel_load_all(self) -> None:
        task, self._load_all_task = self._load_all_task, None
        if task is not None and not task.done():
            task.cancel()
            self.model.cancel()
        self._show_summary()

    # ----------------------------------------------------------------- detail

    def _open_current(self) -> None:
        sale = self.view.current_item()
        if isinstance(sale, Sale) and sale is not self.detail.sale:
            self.open_sale(sale.id)

    def _activated(self, sale: object) -> None:
        if isinstance(sale, Sale):
            self._detail_timer.stop()
            self.open_sale(sale.id)

    def show_sale(self, sale_id: str) -> asyncio.Task[None]:
        """Open one sale's detail by id (the Customers tab sends users here)."""
        return self.open_sale(sale_id)

    def open_sale(self, sale_id: str) -> asyncio.Task[None]:
        self._detail_generation += 1
        generation = self._detail_generation
        self.detail.show_message(f"Loading sale {sale_id}…")

        async def load() -> None:
            local_data = self.context.local_data
            mirror = local_data.mirror if local_data is not None else None
            try:  # the server's copy while it answers (the truth); the mirror's offline
                sale, _ = await local_reads.detail(
                    local_data,
                    lambda: self.client.sale(sale_id),
                    (lambda: mirror.sale(sale_id)) if mirror is not None else None,
                )
            except asyncio.CancelledError:
                raise
            except PosError as exc:
                if generation == self._detail_generation:
                    self.detail.show_message(exc.user_message)
                return
            if generation != self._detail_generation:
                return
            if sale is None:
                self.detail.show_message(f"Sale {sale_id} is not in the local data.")
            else:
                self.detail.set_sale(sale)

        return self.runner.start(load(), name="sale-detail", replace=True)

    # -------------------------------------------------------------- locations

    def _load_locations(self) -> None:
        async def load() -> None:
            try:
                locations = await load_locations(self.client)
            except PosError as exc:  # filters still work by typing; say why the list is empty
                _log.info("Locations unavailable: %s", exc)
                self.filters.location.setToolTip(f"Locations could not be loaded: {exc}")
                return
            self.filters.set_locations(locations)
            self.detail.location_names = {loc.code: loc.name for loc in locations if loc.name}

        self.locations_task = self.runner.spawn(load(), name="sales-locations")

    # ----------------------------------------------------------------- export

    def ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export sales to CSV", "sales.csv", "CSV files (*.csv)"
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> asyncio.Task[None]:
        """Every sale of the current filter (all pages, progress + Cancel) to ``path``."""
        return self.view.start_export(path, all_rows=True)

    # ---------------------------------------------------------------- settings

    def _restore_state(self) -> None:
        settings = self.context.settings()
        preset = settings.value("sales/preset", DEFAULT_PRESET.value)
        try:
            chosen = Preset(str(preset))
        except ValueError:
            chosen = DEFAULT_PRESET
        if chosen is Preset.CUSTOM:
            first = settings.value("sales/from")
            last = settings.value("sales/to")
            try:
                self.filters.set_range(
                    DateRange(date.fromisoformat(str(first)), date.fromisoformat(str(last)))
                )
            except (TypeError, ValueError):
                self.filters.set_preset(DEFAULT_PRESET)
        else:
            self.filters.set_preset(chosen)
        state = settings.value("sales/splitter")
        self._split_pending = state is None or not self.splitter.restoreState(state)
        self.view.restore_state(settings)

    def save_state(self) -> None:
        settings = self.context.settings()
        settings.setValue("sales/preset", self.filters.current_preset().value)
        dates = self.filters.dates()
        if dates is not None:
            settings.setValue("sales/from", dates.first.isoformat())
            settings.setValue("sales/to", dates.last.isoformat())
        settings.setValue("sales/splitter", self.splitter.saveState())
        self.view.save_state(settings)

    @override
    def showEvent(self, event: QShowEvent) -> None:
        """First show without a saved layout: give the table (9 columns) about 60 %."""
        super().showEvent(event)
        if self._split_pending and self.splitter.width() > 0:
            self._split_pending = False
            total = sum(self.splitter.sizes()) or self.splitter.width()
            self.splitter.setSizes([total * 62 // 100, total - total * 62 // 100])

    @override
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.view.table.hasFocus():
            self.search()
            event.accept()
            return
        super().keyPressEvent(event)
