"""The Sales tab's filter bar (period preset or typed dates, customer, location, register,
tran no, time of day) and its summary strip; ``SalesTab`` (``tab.py``) turns them into queries.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from posdesk.domain import Location
from posdesk.models.date_range import DateRange, Preset
from posdesk.models.formatting import format_money, plural
from posdesk.models.sales import SalesSummary
from posdesk.models.sales_query import SalesQuery
from posdesk.ui.common.period import PeriodField

#: Newest sales first across all dates: never an empty first screen, and as fast as a day.
DEFAULT_PRESET = Preset.ALL
_ALL = ""

#: Time-of-day choices (local clock, half-open; the night wraps midnight). Only the local
#: mirror can apply them: no POS server filters sales by the hour.
TIMES_OF_DAY: tuple[tuple[str, tuple[time, time] | None], ...] = (
    ("Any time of day", None),
    ("Morning (6–11)", (time(6), time(11))),
    ("Midday (11–14)", (time(11), time(14))),
    ("Afternoon (14–17)", (time(14), time(17))),
    ("Evening (17–22)", (time(17), time(22))),
    ("Night (22–6)", (time(22), time(6))),
)
NEEDS_LOCAL = "Needs the local copy of sales, which is still being prepared."


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
        self.period = PeriodField("sales", tz, self)
        self.preset = self.period.preset
        self.from_date = self.period.from_date
        self.to_date = self.period.to_date
        self.date_hint = self.period.date_hint
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
        self.time_of_day = QComboBox(self)
        self.time_of_day.setObjectName("salesTimeOfDay")
        self.time_of_day.setAccessibleName("Time of day")
        for label, span in TIMES_OF_DAY:
            self.time_of_day.addItem(label, span)
        self.time_of_day.setEnabled(False)
        self.time_of_day.setToolTip(NEEDS_LOCAL)
        self.mirror_registers: list[str] = []
        self.search_button = QPushButton("Search", self)
        self.search_button.setObjectName("salesSearchButton")
        self.export_button = QPushButton("Export CSV…", self)
        self.export_button.setObjectName("salesExportButton")
        self.export_button.setToolTip("Export every sale matching the filters (all pages)")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.period)
        layout.addSpacing(8)
        for widget in (
            self.customer,
            self.location,
            self.register,
            self.tran_no,
            self.time_of_day,
        ):
            layout.addWidget(widget, 1 if isinstance(widget, QLineEdit) else 0)
        layout.addWidget(self.search_button)
        layout.addWidget(self.export_button)

        self.locations: dict[str, Location] = {}
        self.location.currentIndexChanged.connect(self._location_changed)
        self.set_preset(DEFAULT_PRESET)

    # ----------------------------------------------------------------- period

    def today(self) -> date:
        return self.period.today()

    def current_preset(self) -> Preset:
        return self.period.current_preset()

    def set_preset(self, preset: Preset) -> None:
        self.period.set_preset(preset)

    def set_range(self, dates: DateRange | None) -> None:
        """A custom period (``None`` = all dates)."""
        self.period.set_range(dates)

    def dates(self) -> DateRange | None:
        return self.period.dates()

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
        if not registers:  # a documented server's stores do not list their registers
            registers = tuple(self.mirror_registers)
        current = self.register.currentData()
        self.register.blockSignals(True)
        self.register.clear()
        self.register.addItem("All registers", _ALL)
        for register in registers:
            self.register.addItem(register, register)
        self.register.setCurrentIndex(max(0, self.register.findData(current)))
        self.register.blockSignals(False)
        self.register.setEnabled(bool(registers) and self.location.isEnabled())

    def set_extended(self, extended: bool, local_ready: bool = False) -> None:
        """Without the server's sale filters only customer and dates can be applied — unless
        the local copy of sales is ready: it applies every filter, and the time of day."""
        enabled = extended or local_ready
        why = "" if enabled else "This POS server cannot filter sales by this field."
        for widget in (self.location, self.register, self.tran_no):
            widget.setEnabled(enabled)
            widget.setToolTip(why)
        self.time_of_day.setEnabled(local_ready)
        self.time_of_day.setToolTip("" if local_ready else NEEDS_LOCAL)
        self._location_changed()

    def set_mirror_registers(self, registers: list[str]) -> None:
        """Registers seen in the local sales (the choices when the stores list none)."""
        self.mirror_registers = registers
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
            time_of_day=self.time_of_day.currentData() if self.time_of_day.isEnabled() else None,
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
