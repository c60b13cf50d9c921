"""The table every tab shows: a view over a PagedTableModel with its banners built in.

Above the table an inline banner shows the model's error (with Retry) or that results are
limited by the role's permissions; below it a status line says "Loading…", "No results" or
how many rows are loaded. Ctrl+C copies the selected rows as tab-separated text (pastes into a
spreadsheet); the context menu also exports loaded or all rows to CSV.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QModelIndex,
    QPoint,
    QSettings,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QBrush, QColor, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from posdesk.models.formatting import plural
from posdesk.models.paged import PagedTableModel
from posdesk.models.tasks import TaskOwner
from posdesk.ui.shell.errors import ErrorReporter
from posdesk.ui.widgets.export import export_csv

#: Tone → (colour on a light palette, colour on a dark palette).
TONES: dict[str, tuple[str, str]] = {
    "danger": ("#b3261e", "#f2b8b5"),
    "warning": ("#8a5300", "#ffcc80"),
    "good": ("#1b6e20", "#a5d6a7"),
    "muted": ("#6b6b6b", "#a0a0a0"),
}


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def tone_color(tone: str, palette: QPalette) -> QColor | None:
    pair = TONES.get(tone)
    return QColor(pair[1] if is_dark(palette) else pair[0]) if pair else None


def ambient_palette() -> QPalette:
    """The application's palette: a tinted widget's own palette would make a light theme look
    dark on the next check, and parents may not have seen a theme change yet."""
    return QApplication.palette()


class TintedFrame(QFrame):
    """A strip whose background is a translucent tone, recomputed when the theme changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAutoFillBackground(True)
        self._tone: str | None = None
        self._alpha = 40
        self._tinting = False

    def tint(self, tone: str | None, alpha: int = 40) -> None:
        self._tone, self._alpha = tone, alpha
        self._apply_tint()

    def _apply_tint(self) -> None:
        if self._tone is None or self._tinting:
            return
        color = tone_color(self._tone, ambient_palette())
        if color is None:
            return
        color.setAlpha(self._alpha)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, color)
        self._tinting = True
        try:
            self.setPalette(palette)
        finally:
            self._tinting = False

    @override
    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_tint()


def tone_brushes(palette: QPalette) -> dict[str, QBrush]:
    """Text brushes for every tone on ``palette`` (light or dark), for a model's
    ``set_tone_styles``: the view colours tones without a Python delegate."""
    brushes = {}
    for tone in TONES:
        color = tone_color(tone, palette)
        if color is not None:
            brushes[tone] = QBrush(color)
    return brushes


class Banner(TintedFrame):
    """An inline message strip with an optional action button (Retry)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}Banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.label = QLabel(self)
        self.label.setObjectName(f"{name}BannerText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self.button = QPushButton("Retry", self)
        self.button.setObjectName(f"{name}RetryButton")
        self.button.setAccessibleName("Retry loading")
        layout.addWidget(self.button)
        self.kind = ""
        self.hide()

    def show_message(self, kind: str, text: str, *, action: bool) -> None:
        self.kind = kind
        self.label.setText(text)
        self.button.setVisible(action)
        self.tint("danger" if kind == "error" else "warning")
        self.setAccessibleName(text)
        self.show()

    def clear(self) -> None:
        self.kind = ""
        self.hide()


class PagedTableView(QWidget):
    """Table + banner + status line for a PagedTableModel. ``name`` prefixes objectNames."""

    rowActivated = Signal(object)  # the item behind the activated (double-clicked/Enter) row

    LIMITED_TEXT = (
        "Some results are hidden because your role lacks a permission. "
        "Ask an administrator if you need to see them."
    )

    def __init__(
        self,
        name: str,
        parent: QWidget | None = None,
        *,
        reporter: ErrorReporter | None = None,
        empty_text: str = "No results.",
        accessible_name: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}View")
        self.name = name
        self.reporter = reporter
        self.empty_text = empty_text
        self._model: PagedTableModel[Any] | None = None
        self._tasks = TaskOwner(self)
        self.last_export: asyncio.Task[None] | None = None

        self.banner = Banner(name, self)
        self.banner.button.clicked.connect(self.retry)
        self.table = QTableView(self)
        self.table.setObjectName(f"{name}Table")
        self.table.setAccessibleName(accessible_name or name)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.activated.connect(self._activated)
        vheader = self.table.verticalHeader()
        vheader.hide()
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(self.fontMetrics().height() + 10)
        hheader = self.table.horizontalHeader()
        hheader.setStretchLastSection(True)
        hheader.setSectionsMovable(True)
        hheader.setHighlightSections(False)
        self.status = QLabel(self)
        self.status.setObjectName(f"{name}Status")
        self.status.setAccessibleName("Table status")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)

        self.copy_action = QAction("&Copy rows", self)
        self.copy_action.setObjectName(f"{name}CopyAction")
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.triggered.connect(self.copy_selection)
        self.table.addAction(self.copy_action)
        self.export_loaded_action = QAction("Export loaded rows to CSV…", self)
        self.export_loaded_action.setObjectName(f"{name}ExportLoadedAction")
        self.export_loaded_action.triggered.connect(lambda: self.ask_export(all_rows=False))
        self.export_all_action = QAction("Export all rows to CSV…", self)
        self.export_all_action.setObjectName(f"{name}ExportAllAction")
        self.export_all_action.triggered.connect(lambda: self.ask_export(all_rows=True))

    # ----------------------------------------------------------------- model

    def model(self) -> PagedTableModel[Any] | None:
        return self._model

    def setModel(self, model: PagedTableModel[Any], *, load: bool = True) -> None:
        """Attach ``model`` (and start loading its first page unless ``load`` is false)."""
        self._model = model
        self.table.setModel(model)
        model.set_tone_styles(tone_brushes(ambient_palette()))
        model.loadingChanged.connect(self._update)
        model.errorChanged.connect(self._error_changed)
        model.limitedChanged.connect(self._update)
        model.modelReset.connect(self._update)
        model.rowsInserted.connect(self._update)
        self._update()
        if load and model.rowCount() == 0:
            model.fetchMore()

    @override
    def changeEvent(self, event: QEvent) -> None:
        """A theme switch (light ↔ dark) recolours the tones."""
        super().changeEvent(event)
        if self._model is not None and event.type() in (
            QEvent.Type.PaletteChange,
            QEvent.Type.ApplicationPaletteChange,
        ):
            self._model.set_tone_styles(tone_brushes(ambient_palette()))

    def current_item(self) -> Any | None:
        index = self.table.currentIndex()
        if self._model is None or not index.isValid():
            return None
        return self._model.item(index.row())

    def selected_rows(self) -> list[int]:
        selection = self.table.selectionModel()
        return sorted({i.row() for i in selection.selectedRows()})

    def retry(self) -> None:
        if self._model is not None:
            self._model.retry()

    def _activated(self, index: QModelIndex) -> None:
        if self._model is not None and index.isValid():
            self.rowActivated.emit(self._model.item(index.row()))

    def _error_changed(self, text: str) -> None:
        model = self._model
        if text and model is not None and model.error is not None and self.reporter is not None:
            self.reporter.observe(model.error)
        self._update()

    def _update(self, *_: object) -> None:
        model = self._model
        if model is None:
            return
        if model.error is not None:
            self.banner.show_message("error", model.error_text, action=True)
        elif model.limited_by_permission:
            self.banner.show_message("limited", self.LIMITED_TEXT, action=False)
        else:
            self.banner.clear()
        rows = model.rowCount()
        if model.loading:
            text = "Loading…" if rows == 0 else f"{plural(rows, 'row')} loaded · loading more…"
        elif model.error is not None:
            text = f"{plural(rows, 'row')} loaded" if rows else ""
        elif rows == 0:
            text = self.empty_text
        elif model.has_more:
            text = f"{plural(rows, 'row')} loaded · scroll for more"
        else:
            text = plural(rows, "row")
        self.status.setText(text)

    # ------------------------------------------------------------ copy/export

    def copy_selection(self) -> str:
        """Copy the selected rows (with a header line) as tab-separated text."""
        model = self._model
        rows = self.selected_rows()
        if model is None or not rows:
            return ""
        lines = ["\t".join(c.title for c in model.columns)]
        lines += ["\t".join(model.row_texts(r)) for r in rows]
        text = "\n".join(lines)
        QGuiApplication.clipboard().setText(text)
        return text

    def ask_export(self, *, all_rows: bool) -> None:
        """Ask where to save, then export in an owned task."""
        if self._model is None:
            return
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export to CSV", f"{self.name}.csv", "CSV files (*.csv)"
        )
        if path:
            self.start_export(Path(path), all_rows=all_rows)

    def start_export(
        self,
        path: Path,
        *,
        all_rows: bool,
        done: Callable[[int | None], None] | None = None,
    ) -> asyncio.Task[None]:
        """Export without asking (used by the menu after the file dialog, and by tests)."""
        assert self._model is not None
        model = self._model

        async def run() -> None:
            try:
                count = await export_csv(model, path, all_rows=all_rows, parent=self)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self.reporter is not None:
                    self.reporter.report(exc, "Export failed")
                    return
                raise
            if count is None:
                self.status.setText("Export cancelled.")
            else:
                self.status.setText(f"Exported {plural(count, 'row')} to {path.name}.")
            if done is not None:
                done(count)

        self.last_export = self._tasks.spawn(run(), name="csv-export")
        return self.last_export

    def _context_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        menu.setObjectName(f"{self.name}ContextMenu")
        menu.addAction(self.copy_action)
        menu.addSeparator()
        menu.addAction(self.export_loaded_action)
        menu.addAction(self.export_all_action)
        self.copy_action.setEnabled(bool(self.selected_rows()))
        menu.popup(self.table.viewport().mapToGlobal(pos))

    # -------------------------------------------------------------- settings

    def save_state(self, settings: QSettings) -> None:
        """Column order and widths, per table (under the tab's settings group)."""
        settings.setValue(f"{self.name}/header", self.table.horizontalHeader().saveState())

    def restore_state(self, settings: QSettings) -> None:
        state = settings.value(f"{self.name}/header")
        if isinstance(state, QByteArray):
            self.table.horizontalHeader().restoreState(state)
