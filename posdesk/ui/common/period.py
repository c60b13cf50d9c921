"""The period a user picks: a preset ("This month", "Last 30 days", …) or two typed local
dates (inclusive). Shared by the Sales filter bar and the Reports filters, so both read
dates the same way (``DateField`` + ``date_range.parse_date``) and offer the same presets.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from posdesk.models.date_range import DateRange, Preset, preset_range
from posdesk.ui.common.tables import DateField

#: What the Sales tab offers (all dates included: a sale list has no natural period).
SALES_PRESETS: tuple[Preset, ...] = (
    Preset.TODAY,
    Preset.YESTERDAY,
    Preset.THIS_WEEK,
    Preset.LAST_7_DAYS,
    Preset.LAST_30_DAYS,
    Preset.THIS_MONTH,
    Preset.ALL,
    Preset.CUSTOM,
)


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class PeriodField(QWidget):
    """Preset combo, From and To date fields, and a hint line for dates that are not dates.

    Object names are ``<prefix>Preset``, ``<prefix>FromDate``, ``<prefix>ToDate`` and
    ``<prefix>DateHint``. ``changed`` fires when the period the user means changed.
    """

    changed = Signal()

    def __init__(
        self,
        prefix: str,
        tz: tzinfo,
        parent: QWidget | None = None,
        *,
        presets: Sequence[Preset] = SALES_PRESETS,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"{prefix}Period")
        self.tz = tz
        self.preset = QComboBox(self)
        self.preset.setObjectName(f"{prefix}Preset")
        self.preset.setAccessibleName("Period")
        for preset in presets:
            self.preset.addItem(preset.label, preset.value)
        self.from_date = DateField(f"{prefix}FromDate", "From date (inclusive)", self)
        self.to_date = DateField(f"{prefix}ToDate", "To date (inclusive)", self)
        self.date_hint = QLabel(self)
        self.date_hint.setObjectName(f"{prefix}DateHint")
        self.date_hint.setWordWrap(True)
        self.date_hint.hide()
        for edit in (self.from_date, self.to_date):
            edit.problemChanged.connect(self._show_date_problem)

        self.row = QHBoxLayout()
        self.row.setContentsMargins(0, 0, 0, 0)
        label = QLabel("&Period:", self)
        label.setBuddy(self.preset)
        self.row.addWidget(label)
        self.row.addWidget(self.preset)
        self.row.addWidget(self.from_date)
        self.row.addWidget(QLabel("to", self))
        self.row.addWidget(self.to_date)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(self.row)
        outer.addWidget(self.date_hint)

        self.preset.currentIndexChanged.connect(self._preset_changed)
        self.from_date.dateChanged.connect(self._dates_edited)
        self.to_date.dateChanged.connect(self._dates_edited)

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
        self.changed.emit()

    def dates(self) -> DateRange | None:
        if self.current_preset() is Preset.ALL:
            return None
        first, last = pydate(self.from_date.date()), pydate(self.to_date.date())
        return DateRange(min(first, last), max(first, last))

    def _set_dates(self, dates: DateRange) -> None:
        for edit, day in ((self.from_date, dates.first), (self.to_date, dates.last)):
            edit.blockSignals(True)
            edit.setDate(qdate(day))
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
        self.changed.emit()

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
        self.changed.emit()
