"""Sales tab: sale history for any period, store and register, with a receipt-style detail.

Filters are turned into one server query (see ``posdesk.models.sales_query``); the table pages
through the answer, the summary strip adds up what is loaded (and says when that is not
everything), the detail pane loads one full sale (lines, tenders) when a row is picked.

Long module: filter bar, summary strip, list and detail of one screen, sharing its state.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from posdesk.api.errors import PosError
from posdesk.domain import Location, Sale
from posdesk.models.date_range import DateRange, Preset, preset_range
from posdesk.models.formatting import format_money, plural
from posdesk.models.paged import PagedTableModel
from posdesk.models.sales import SalesSummary, SummaryTracker, sale_columns
from posdesk.models.sales_query import SalesQuery, sales_fetch
from posdesk.ui.common.locations import load_locations
from posdesk.ui.common.runner import Runner
from posdesk.ui.common.tables import (
    DateField,
    GuardedTable,
    fit_columns,
    sale_samples,
    session_zone,
)
from posdesk.ui.sales.detail import SaleDetailView
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.widgets.splitter import QuietSplitter

_log = logging.getLogger(__name__)

VIEW_SALES = "ViewSales"
#: Newest sales first across all dates: never an empty first screen, and as fast as a day.
DEFAULT_PRESET = Preset.ALL
_ALL = ""
#: "Load all" asks first when the period is longer than this (or has no dates).
LOAD_ALL_ASK_DAYS = 92


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class _EnterLineEdit(QLineEdit):
    """A filter field: Enter applies the filters now."""

    def __init__(self, placeholder: str, name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setAccessibleName(placeholder)
        self.setObjectName(name)
        self.setClearButtonEnabled(True)


class SalesFilterBar(QWidget):
    """Period (preset or custom inclusive dates), customer, location, register, tran no."""

    def __init__(self, tz: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("salesFilters")
        self.tz = tz
        self.preset = QComboBox(self)
        self.preset.setObjectName("salesPreset")
        self.preset.setAccessibleName("Period")
        for preset in Preset:
            self.preset.addItem(preset.label, preset.value)
        self.from_date = DateField("salesFromDate", "From date (inclusive)", self)
        self.to_date = DateField("salesToDate", "To date (inclusive)", self)
        self.date_hint = QLabel(self)
        self.date_hint.setObjectName("salesDateHint")
        self.date_hint.setWordWrap(True)
        self.date_hint.hide()
        for edit in (self.from_date, self.to_date):
            edit.problemChanged.connect(self._show_date_problem)
        self.customer = _EnterLineEdit("Customer id", "salesCustomer", self)
        self.location = QComboBox(self)
        self.location.setObjectName("salesLocation")
        self.location.setAccessibleName("Location")
        self.location.addItem("All locations", _ALL)
        self.location.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.register = QComboBox(self)
        self.register.setObjectName("salesRegister")
        self.register.setAccessibleName("Register")
        self.register.addItem("All registers", _ALL)
        self.register.setMinimumContentsLength(8)
        self.tran_no = _EnterLineEdit("Transaction no", "salesTranNo", self)
        self.search_button = QPushButton("Search", self)
        self.search_button.setObjectName("salesSearchButton")
        self.export_button = QPushButton("Export CSV…", self)
        self.export_button.setObjectName("salesExportButton")
        self.export_button.setToolTip("Export every sale matching the filters (all pages)")

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        layout = QHBoxLayout()
        outer.addLayout(layout)
        outer.addWidget(self.date_hint)
        period = QLabel("&Period:", self)
        period.setBuddy(self.preset)
        layout.addWidget(period)
        layout.addWidget(self.preset)
        layout.addWidget(self.from_date)
        layout.addWidget(QLabel("to", self))
        layout.addWidget(self.to_date)
        layout.addSpacing(8)
        for widget in (self.customer, self.location, self.register, self.tran_no):
            layout.addWidget(widget, 1 if isinstance(widget, QLineEdit) else 0)
        layout.addWidget(self.search_button)
        layout.addWidget(self.export_button)

        self.locations: dict[str, Location] = {}
        self.preset.currentIndexChanged.connect(self._preset_changed)
        self.from_date.dateChanged.connect(self._dates_edited)
        self.to_date.dateChanged.connect(self._dates_edited)
        self.location.currentIndexChanged.connect(self._location_changed)
        self.set_preset(DEFAULT_PRESET)

    # ----------------------------------------------------------------- period

    def today(self) -> date:
        return datetime.now(self.tz).date()

    def current_preset(self) -> Preset:
        return Preset(self.preset.currentData())

    def set_preset(self, preset: Preset) -> None:
        self.preset.setCurrentIndex(self.preset.findData(preset.value))
        self._preset_changed()

    def set_range(self, dates: DateRange | None) -> None:
        """A custom period (``None`` = all dates)."""
        if dates is None:
            self.set_preset(Preset.ALL)
            return
        self._set_dates(dates)
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(self.preset.findData(Preset.CUSTOM.value))
        self.preset.blockSignals(False)
        self._update_dates_enabled()

    def dates(self) -> DateRange | None:
        if self.current_preset() is Preset.ALL:
            return None
        first, last = _pydate(self.from_date.date()), _pydate(self.to_date.date())
        return DateRange(min(first, last), max(first, last))

    def _set_dates(self, dates: DateRange) -> None:
        for edit, day in ((self.from_date, dates.first), (self.to_date, dates.last)):
            edit.blockSignals(True)
            edit.setDate(_qdate(day))
            edit.blockSignals(False)

    def _preset_changed(self, *_: object) -> None:
        """A preset fills the dates; "All dates" empties them; "Custom" starts from the dates
        that were showing, or this month after "All dates" (never an arbitrary default)."""
        preset = self.current_preset()
        if preset is Preset.ALL:
            for edit in (self.from_date, self.to_date):
                edit.blockSignals(True)
                edit.setDate(QDate())
                edit.blockSignals(False)
        elif preset is Preset.CUSTOM:
            if not (self.from_date.date().isValid() and self.to_date.date().isValid()):
                found = preset_range(Preset.THIS_MONTH, self.today())
                assert found is not None
                self._set_dates(found)
        else:
            found = preset_range(preset, self.today())
            assert found is not None
            self._set_dates(found)
        self._show_date_problem()
        self._update_dates_enabled()

    def _show_date_problem(self, *_: object) -> None:
        """Inline hint under the bar while a typed date is not a date (cleared when fixed)."""
        problems = [e.problem for e in (self.from_date, self.to_date) if e.problem]
        enabled = self.current_preset() is not Preset.ALL
        self.date_hint.setText(" ".join(problems) if enabled else "")
        self.date_hint.setVisible(bool(problems) and enabled)

    def _update_dates_enabled(self) -> None:
        enabled = self.current_preset() is not Preset.ALL
        self.from_date.setEnabled(enabled)
        self.to_date.setEnabled(enabled)

    def _dates_edited(self, *_: object) -> None:
        if self.from_date.date() > self.to_date.date():
            sender = self.sender()
            other = self.to_date if sender is self.from_date else self.from_date
            other.blockSignals(True)
            other.setDate((self.from_date if sender is self.from_date else self.to_date).date())
            other.blockSignals(False)
        if self.current_preset() is not Preset.CUSTOM:
            self.preset.blockSignals(True)
            self.preset.setCurrentIndex(self.preset.findData(Preset.CUSTOM.value))
            self.preset.blockSignals(False)

    # ------------------------------------------------------- location/register

    def set_locations(self, locations: list[Location]) -> None:
        self.locations = {loc.code: loc for loc in locations}
        current = self.location.currentData()
        self.location.blockSignals(True)
        self.location.clear()
        self.location.addItem("All locations", _ALL)
        for loc in sorted(locations, key=lambda loc: loc.code):
            label = f"{loc.code} – {loc.name}" if loc.name else loc.code
            self.location.addItem(label, loc.code)
        self.location.setCurrentIndex(max(0, self.location.findData(current)))
        self.location.blockSignals(False)
        self._location_changed()

    def _location_changed(self, *_: object) -> None:
        code = self.location.currentData() or ""
        registers = self.locations[code].registers if code in self.locations else ()
        current = self.register.currentData()
        self.register.blockSignals(True)
        self.register.clear()
        self.register.addItem("All registers", _ALL)
        for register in registers:
            self.register.addItem(register, register)
        self.register.setCurrentIndex(max(0, self.register.findData(current)))
        self.register.blockSignals(False)
        self.register.setEnabled(bool(registers) and self.location.isEnabled())

    def set_extended(self, extended: bool) -> None:
        """Without the server's sale filters only customer and dates can be applied."""
        why = "" if extended else "This POS server cannot filter sales by this field."
        for widget in (self.location, self.register, self.tran_no):
            widget.setEnabled(extended)
            widget.setToolTip(why)
        self._location_changed()

    def set_location(self, code: str | None) -> None:
        self.location.setCurrentIndex(max(0, self.location.findData(code or _ALL)))

    def set_register(self, code: str | None) -> None:
        self.register.setCurrentIndex(max(0, self.register.findData(code or _ALL)))

    # ------------------------------------------------------------------ query

    def query(self) -> SalesQuery:
        def text(edit: QLineEdit) -> str | None:
            return edit.text().strip() or None if edit.isEnabled() else None

        def choice(combo: QComboBox) -> str | None:
            return combo.currentData() or None if combo.isEnabled() else None

        return SalesQuery(
            dates=self.dates(),
            customer_id=text(self.customer),
            location_code=choice(self.location),
            register_code=choice(self.register),
            tran_no=text(self.tran_no),
        )


class SummaryStrip(QWidget):
    """Count, total and average ticket of the loaded sales; "Load all" when more exist."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("salesSummary")
        self.label = QLabel(self)
        self.label.setObjectName("salesSummaryText")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note = QLabel(self)
        self.note.setObjectName("salesSummaryNote")
        self.load_all = QPushButton("Load all", self)
        self.load_all.setObjectName("salesLoadAll")
        self.load_all.setToolTip("Load every page so the totals cover the whole filter")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.note, 1)
        layout.addWidget(self.load_all)

    def show_summary(
        self,
        summary: SalesSummary,
        currency: str | None,
        locale: Any,
        loading_all: bool,
        empty: str = "",
    ) -> None:
        if summary.count == 0:
            self.label.setText(empty)
            self.note.setText("")
            self.load_all.hide()
            return
        average = summary.average
        avg_text = format_money(average, locale, currency) if average is not None else "—"
        count, noun = plural(summary.count, "sale").split(" ", 1)
        self.label.setText(
            f"<b>{count}</b> {noun} · total <b>"
            f"{format_money(summary.total, locale, currency)}</b> · average ticket "
            f"<b>{avg_text}</b>"
        )
        if summary.complete:
            self.note.setText("")
            self.load_all.hide()
        else:
            self.note.setText(
                "Loading all pages…" if loading_all else "— loaded pages only; more sales match."
            )
            self.load_all.setVisible(True)
            self.load_all.setText("Stop" if loading_all else "Load all")


class SalesTab(QWidget):
    """Sale history: filters, paged table with summary, and the selected sale's detail."""

    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        """Long: builds the widget tree top to bottom, one block per row (splitting scatters it)."""
        super().__init__(parent)
        self.setObjectName("salesTab")
        self.context = context
        self.runner = Runner(self)
        self.client = context.client
        self.tz = session_zone(context)
        self.currency = context.environment.currency
        self.extended = "sale_search" in self.client.features

        self.filters = SalesFilterBar(self.tz, self)
        self.filters.set_extended(self.extended)
        self.summary_strip = SummaryStrip(self)
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

        self.tracker = SummaryTracker(self.model)
        self.last_query: SalesQuery | None = None
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

        self.tracker.changed.connect(self._show_summary)
        self.table.set_model(self.model, load=False)
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
        for combo in (self.filters.preset, self.filters.location, self.filters.register):
            combo.activated.connect(lambda *_: self._apply_timer.start())
        for edit in (self.filters.from_date, self.filters.to_date):
            edit.editingFinished.connect(self._apply_timer.start)
        self.setTabOrder(self.filters.export_button, self.view.table)

        self._restore_state()
        if not self.table.denied:
            self._load_locations()
            self.search()

    # ----------------------------------------------------------------- search

    def search(self) -> None:
        """Apply the filters now (new server query, rows start from zero)."""
        self._apply_timer.stop()
        if self.table.denied:
            return
        self._cancel_load_all()
        query = self.filters.query()
        self.last_query = query
        self.model.set_fetch(sales_fetch(self.client, query, self.tz))

    def _apply_if_changed(self) -> None:
        """A filter widget was changed (or merely left): ask the server only if it matters."""
        if self.filters.query() != self.last_query:
            self.search()

    def show_customer_sales(self, customer_id: str) -> None:
        """Everything one customer bought (used by the Customers tab)."""
        self.filters.customer.setText(customer_id)
        self.filters.tran_no.clear()
        self.filters.set_location(None)
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
            try:
                sale = await self.client.sale(sale_id)
            except asyncio.CancelledError:
                raise
            except PosError as exc:
                if generation == self._detail_generation:
                    self.detail.show_message(exc.user_message)
                return
            if generation == self._detail_generation:
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
