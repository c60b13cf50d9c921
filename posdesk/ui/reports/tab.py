"""The Reports tab: pick a report, set its filters, read the KPI cards, the chart and the
table of the same numbers; export CSV, print or save a one-page PDF.

Reports read the local mirror (``context.local_data``), never the server page by page: no
mirror or no finished sync yet is an empty state that says so, not an error. Refresh asks
the mirror to sync now; every finished pass (``synced``) recomputes what is on screen.
"""

from __future__ import annotations

import csv
from datetime import date, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QComboBox, QFileDialog, QListWidgetItem, QWidget
from typing_extensions import override

from posdesk.models.date_range import DateRange, Preset
from posdesk.reports.model import ReportFilters, ReportResult
from posdesk.reports.stock import warehouses
from posdesk.ui.common.runner import Runner
from posdesk.ui.common.tables import TZ_EXTRA, session_zone
from posdesk.ui.reports.cells import csv_rows
from posdesk.ui.reports.comparisons import (
    card_details,
    card_short,
    comparison_table,
    highlights,
)
from posdesk.ui.reports.source import ReportInfo, ReportSource, default_source
from posdesk.ui.reports.tab_layout import ReportsLayout, table_width
from posdesk.ui.shell.context import SessionContext

_ALL = ""
NOT_SYNCED = (
    "Reports are computed from this PC's local copy of the store's data, and it has not "
    "finished its first sync yet. They appear here as soon as it has."
)
NO_MIRROR = (
    "Reports need the local copy of the store's data, and there is none for this session "
    "(it could not be opened). Everything else in posdesk works from the server."
)

#: The note of a result without rows (the report itself said nothing about why)
EMPTY_RESULT = (
    "Nothing to show for these filters: the local data has no rows for this period, store "
    "or register."
)

DEFAULT_PRESET = Preset.THIS_MONTH


def tenant_zone(context: SessionContext) -> tzinfo:
    """The zone reports read local dates in: a test's override, else the server's own
    (``environment.time_zone``), else this PC's."""
    if TZ_EXTRA not in context.extras and context.environment.time_zone:
        try:
            return ZoneInfo(context.environment.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return session_zone(context)


class ReportsTab(QWidget):
    """See the module docstring; ``source`` is ``posdesk.reports`` unless a test gives one."""

    def __init__(
        self,
        context: SessionContext,
        parent: QWidget | None = None,
        *,
        source: ReportSource | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reportsTab")
        self.context = context
        self.tz = tenant_zone(context)
        self.source = source or default_source()
        self.runner = Runner(self, on_error=lambda exc: context.report(exc, "compute the report"))
        self.ui = ReportsLayout(self, context.formatter, self.tz)
        self.result: ReportResult | None = None
        self._split_for: str | None = None  # the report the figures were split for
        self._split_by_hand = False  # the manager dragged the splitter since
        self._table_width = 0  # what the shown result's table needs
        self.reports: dict[str, ReportInfo] = {}
        for info in self.source.reports:
            item = QListWidgetItem(info.title, self.ui.list)
            item.setData(Qt.ItemDataRole.UserRole, info.key)
            item.setToolTip(info.description)
            self.reports[info.key] = info
        self.ui.fit_list()
        self.ui.store.addItem("All stores", _ALL)
        self.ui.register.addItem("All registers", _ALL)
        self.ui.warehouse.addItem("All warehouses", _ALL)
        self.locations: dict[str, tuple[str, ...]] = {}
        self.pending: dict[str, str] = {}  # saved store / register / warehouse until loaded
        self._restore_state()

        self.ui.list.currentItemChanged.connect(lambda *_: self.recompute())
        self.ui.period.changed.connect(self.recompute)
        self.ui.store.currentIndexChanged.connect(self._store_changed)
        self.ui.register.currentIndexChanged.connect(lambda *_: self.recompute())
        self.ui.warehouse.currentIndexChanged.connect(lambda *_: self.recompute())
        for spin in (self.ui.top_n, self.ui.dormant, self.ui.open_auth):
            spin.valueChanged.connect(lambda *_: self.recompute())
        self.ui.figures.splitterMoved.connect(lambda *_: self._dragged())
        self.ui.figures.installEventFilter(self)
        self.ui.refresh.clicked.connect(self.refresh)
        self.ui.export.clicked.connect(self._ask_export)
        self.ui.pdf.clicked.connect(self._ask_pdf)
        self.ui.print_button.clicked.connect(self.print_report)
        local = context.local_data
        if local is not None:
            local.synced.connect(self._synced)
        saved = self.pending.pop("report", "")
        if saved in self.reports:
            self.select_report(saved)
        elif self.ui.list.count():
            self.ui.list.setCurrentRow(0)
        else:
            self.recompute()

    # ------------------------------------------------------------------ state

    @property
    def task(self) -> object:
        return self.runner.task

    def current_key(self) -> str | None:
        row = self.ui.list.currentRow()
        return str(self.ui.list.item(row).data(Qt.ItemDataRole.UserRole)) if row >= 0 else None

    def filters(self) -> ReportFilters:
        dates = self.ui.period.dates()
        today = self.ui.period.today()
        first, last = (dates.first, dates.last) if dates else (today, today)
        store = self.ui.store.currentData() or ""
        register = self.ui.register.currentData() or ""
        warehouse = self.ui.warehouse.currentData() or ""
        return ReportFilters(
            first_day=first,
            last_day=last,
            stores=frozenset({store} if store and self.ui.store.isEnabled() else ()),
            registers=frozenset({register} if register and self.ui.register.isEnabled() else ()),
            top_n=self.ui.top_n.value(),
            dormant_months=self.ui.dormant.value(),
            open_auth_days=self.ui.open_auth.value(),
            warehouse=warehouse if warehouse and self.ui.warehouse.isEnabled() else None,
        )

    def select_report(self, key: str) -> None:
        for row in range(self.ui.list.count()):
            if self.ui.list.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.ui.list.setCurrentRow(row)
                return
        raise KeyError(key)

    # ------------------------------------------------------------------ work

    def recompute(self) -> None:
        """Compute the chosen report for the filters now (a newer request wins). Its filters
        show at once: all of them at a time would widen the window past 1366 pixels."""
        self._show_filters(self.reports.get(self.current_key() or ""))
        self.runner.start(self._compute(), name="report", replace=True)

    def refresh(self) -> None:
        """F5 / Refresh: ask the mirror to sync now; ``synced`` recomputes."""
        local = self.context.local_data
        if local is None:
            self.recompute()
            return
        self.ui.status.setText("Syncing local data…")
        self.ui.status.show()
        local.sync_now()

    def reload(self) -> None:
        self.refresh()

    def _synced(self) -> None:
        self.ui.status.setText("")
        self.ui.status.hide()
        self.recompute()

    async def _compute(self) -> None:
        key = self.current_key()
        info = self.reports.get(key or "")
        self.ui.title.setText(info.title if info else "Reports")
        self.ui.description.setText(info.description if info else "")
        self._show_filters(info)
        local = self.context.local_data
        if local is None:
            self._empty(NO_MIRROR)
            return
        if local.as_of() is None:
            self._empty(NOT_SYNCED)
            return
        if not self.locations:
            await self._load_locations()
        if key is None:
            self._empty("Choose a report on the left.")
            return
        result = await self.source.run(local.mirror, key, self.filters(), self.tz)
        self.show_result(result)

    def _show_filters(self, info: ReportInfo | None) -> None:
        """Enable (and show) only the filters the report uses (``ReportInfo`` flags)."""
        flags = (
            (self.ui.period, info is None or info.period),
            (self.ui.store, info is not None and info.stores),
            (self.ui.register, info is not None and info.registers),
            (self.ui.warehouse, info is not None and info.warehouse),
            (self.ui.top_n, info is not None and info.top_n),
            (self.ui.dormant, info is not None and info.giftcard_options),
            (self.ui.open_auth, info is not None and info.giftcard_options),
        )
        for widget, used in flags:
            widget.setEnabled(used)
            widget.setVisible(used)

    async def _load_locations(self) -> None:
        local = self.context.local_data
        assert local is not None
        found = await local.mirror.locations()
        codes = await local.mirror.read(warehouses)
        self.locations = {loc.code: loc.registers for loc in found}
        names = {loc.code: loc.name for loc in found}
        self.ui.store.blockSignals(True)
        self.ui.warehouse.blockSignals(True)
        for loc in sorted(found, key=lambda loc: loc.code):
            self.ui.store.addItem(f"{loc.code} – {loc.name}" if loc.name else loc.code, loc.code)
        for code in codes:
            name = names.get(code)
            self.ui.warehouse.addItem(f"{code} – {name}" if name else code, code)
        _choose(self.ui.store, self.pending.pop("store", ""))
        _choose(self.ui.warehouse, self.pending.pop("warehouse", ""))
        self.ui.store.blockSignals(False)
        self.ui.warehouse.blockSignals(False)
        self._fill_registers()
        _choose(self.ui.register, self.pending.pop("register", ""))

    def _store_changed(self, *_: object) -> None:
        self._fill_registers()
        self.recompute()

    def _fill_registers(self) -> None:
        registers = self.locations.get(self.ui.store.currentData() or "", ())
        self.ui.register.blockSignals(True)
        self.ui.register.clear()
        self.ui.register.addItem("All registers", _ALL)
        for register in registers:
            self.ui.register.addItem(register, register)
        self.ui.register.blockSignals(False)

    # ------------------------------------------------------------------ settings

    def _restore_state(self) -> None:
        """The report and filters chosen last time on this server + principal; store,
        register and warehouse wait in ``pending`` until the mirror's lists are loaded."""
        settings = self.context.settings()
        try:
            preset = Preset(str(settings.value("reports/preset", DEFAULT_PRESET.value)))
        except ValueError:
            preset = DEFAULT_PRESET
        first, last = settings.value("reports/from"), settings.value("reports/to")
        if preset is Preset.CUSTOM and first and last:
            try:
                self.ui.period.set_range(
                    DateRange(date.fromisoformat(str(first)), date.fromisoformat(str(last)))
                )
            except ValueError:
                self.ui.period.set_preset(DEFAULT_PRESET)
        else:
            self.ui.period.set_preset(preset)
        for spin, key in (
            (self.ui.top_n, "top_n"),
            (self.ui.dormant, "dormant_months"),
            (self.ui.open_auth, "open_auth_days"),
        ):
            value = str(settings.value(f"reports/{key}", ""))
            if value.isdigit():
                spin.setValue(int(value))
        for key in ("report", "store", "register", "warehouse"):
            self.pending[key] = str(settings.value(f"reports/{key}", "") or "")

    def save_state(self) -> None:
        """Remember the chosen report and its filters (per scope, restored on start)."""
        settings = self.context.settings()
        settings.setValue("reports/report", self.current_key() or "")
        settings.setValue("reports/preset", self.ui.period.current_preset().value)
        dates = self.ui.period.dates()
        if dates is not None:
            settings.setValue("reports/from", dates.first.isoformat())
            settings.setValue("reports/to", dates.last.isoformat())
        for key, combo in (
            ("store", self.ui.store),
            ("register", self.ui.register),
            ("warehouse", self.ui.warehouse),
        ):
            settings.setValue(f"reports/{key}", self.pending.get(key, combo.currentData() or ""))
        settings.setValue("reports/top_n", self.ui.top_n.value())
        settings.setValue("reports/dormant_months", self.ui.dormant.value())
        settings.setValue("reports/open_auth_days", self.ui.open_auth.value())

    # ------------------------------------------------------------------ showing

    def _empty(self, text: str) -> None:
        self.result = None
        self.ui.model.set_result(None)
        self.ui.empty.setText(text)
        self.ui.stack.setCurrentWidget(self.ui.empty)
        self.ui.notes.setText("")
        self.ui.notes.hide()
        self.ui.comparison_model.set_result(None)
        self.ui.comparisons.hide()
        self.ui.as_of.setText("")
        for button in (self.ui.export, self.ui.print_button, self.ui.pdf):
            button.setEnabled(False)

    def as_of_text(self, result: ReportResult) -> str:
        if result.as_of is None:
            return "Local data: not synced yet"
        return f"Local data as of {self.context.formatter.datetime(result.as_of, self.tz)}"

    def show_result(self, result: ReportResult) -> None:
        """Cards, chart and table of one result (the same numbers in each)."""
        self.result = result
        self.ui.title.setText(result.title)
        self.ui.as_of.setText(self.as_of_text(result))
        notes = result.notes or (() if result.rows else (EMPTY_RESULT,))
        self.ui.notes.setText("Note: " + " ".join(notes) if notes else "")
        self.ui.notes.setVisible(bool(notes))
        self.ui.set_cards(
            highlights(result, self.context.formatter),
            tuple(card_details(c, self.context.formatter) for c in result.comparisons),
            tuple(card_short(c, self.context.formatter) for c in result.comparisons),
        )
        compared = comparison_table(result, self.context.formatter)
        self.ui.comparison_model.set_result(compared)
        self.ui.comparisons.setVisible(compared is not None)
        if compared is not None:
            self.ui.comparisons.setFixedHeight(
                self.ui.comparisons.horizontalHeader().height()
                + self.ui.comparisons.verticalHeader().length()
                + 2 * self.ui.comparisons.frameWidth()
            )
            # as wide as its columns (no empty white band across the window)
            self.ui.comparisons.setMaximumWidth(table_width(self.ui.comparisons, scroll=False))
        self.ui.chart.set_spec(result.chart, result.title)
        self.ui.chart.setVisible(bool(result.chart.series or result.chart.grid))
        self.ui.model.set_result(result)
        self._table_width = table_width(self.ui.table)
        self.ui.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.ui.stack.setCurrentWidget(self.ui.body)
        self._split_figures()
        for button in (self.ui.export, self.ui.print_button, self.ui.pdf):
            button.setEnabled(True)

    def _split_figures(self) -> None:
        """Chart and table side by side: the table as wide as its columns need (between a
        third and three quarters), the chart the rest. Half each gave the overview's eight
        columns a sideways scroll bar at 1366 pixels; the chart's size hint alone squeezes
        the money columns. Done for each result shown and when the figures are resized,
        unless the manager dragged the splitter since the report was chosen."""
        width = self.ui.figures.width()
        key = self.result.key if self.result is not None else None
        if key is None or width <= 100:
            return
        if key != self._split_for:
            self._split_for, self._split_by_hand = key, False
        elif self._split_by_hand:
            return
        table = min(max(self._table_width, width // 3), width * 3 // 4)
        self.ui.figures.setSizes([width - self.ui.figures.handleWidth() - table, table])

    def _dragged(self) -> None:
        self._split_by_hand = True

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The figures' splitter resized (the window, or the layout once a result shows)."""
        if watched is self.ui.figures and event.type() == QEvent.Type.Resize:
            self._split_figures()
        return super().eventFilter(watched, event)

    @override
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.result is not None:
            self._split_figures()

    # ------------------------------------------------------------------ output

    def export_to(self, path: Path) -> int:
        """The table as CSV (rows in the order shown, totals last); returns data rows."""
        assert self.result is not None
        rows = csv_rows(self.result, self.ui.model.rows)
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(rows)
        return len(rows) - 1

    def write_pdf(self, path: Path) -> None:
        from posdesk.ui.reports.printing import write_pdf

        assert self.result is not None
        write_pdf(path, self.ui.chart, self.ui.model, self.as_of_text(self.result))

    def _ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export report", "report.csv", "CSV (*.csv)")
        if path:
            count = self.export_to(Path(path))
            self.context.show_status(f"Exported {count} rows to {path}")

    def _ask_pdf(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save report as PDF", "report.pdf", "PDF (*.pdf)"
        )
        if path:
            self.write_pdf(Path(path))
            self.context.show_status(f"Saved {path}")

    def print_report(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        from posdesk.ui.reports.printing import paint_report

        if self.result is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setObjectName("reportsPrintDialog")
        if dialog.exec():
            paint_report(printer, self.ui.chart, self.ui.model, self.as_of_text(self.result))


def _choose(combo: QComboBox, data: str) -> None:
    """Select the entry whose data is ``data`` (a saved choice), if it is still there."""
    index = combo.findData(data) if data else -1
    if index >= 0:
        combo.setCurrentIndex(index)
