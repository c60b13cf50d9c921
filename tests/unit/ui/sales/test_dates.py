"""Sales period dates (issue 12, items 4 and 5): "Custom" starts from what was showing, and
the date fields take typed dates with an inline hint for text that is not one."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from posdesk.models.date_range import DateRange, Preset
from posdesk.ui.common.tables import DateField
from posdesk.ui.sales.filters import SalesFilterBar
from tests.helpers.dates import type_date, us_locale

__all__ = ["us_locale"]  # the fixture

CHICAGO = ZoneInfo("America/Chicago")


pytestmark = pytest.mark.usefixtures("us_locale")


def bar(qtbot: QtBot) -> SalesFilterBar:
    widget = SalesFilterBar(CHICAGO)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def choose(filters: SalesFilterBar, preset: Preset) -> None:
    """As a user does: pick the entry in the combo (activated + currentIndexChanged)."""
    index = filters.preset.findData(preset.value)
    filters.preset.setCurrentIndex(index)
    filters.preset.activated.emit(index)


def type_into(qtbot: QtBot, field: DateField, text: str) -> None:
    type_date(field.edit, text)


def test_custom_after_all_dates_starts_this_month_not_2000(qtbot: QtBot) -> None:
    filters = bar(qtbot)  # a fresh bar: the default period is "All dates"
    assert filters.current_preset() is Preset.ALL
    assert filters.from_date.edit.text() == ""  # nothing pretends to be a period
    choose(filters, Preset.CUSTOM)
    today = datetime.now(CHICAGO).date()
    assert filters.dates() == DateRange(today.replace(day=1), today)
    assert filters.from_date.isEnabled()
    assert "2000" not in filters.from_date.edit.text()


def test_custom_after_a_preset_keeps_the_range_that_was_showing(qtbot: QtBot) -> None:
    filters = bar(qtbot)
    choose(filters, Preset.LAST_7_DAYS)
    showing = filters.dates()
    choose(filters, Preset.CUSTOM)
    assert filters.dates() == showing
    choose(filters, Preset.ALL)
    choose(filters, Preset.CUSTOM)
    today = datetime.now(CHICAGO).date()
    assert filters.dates() == DateRange(today.replace(day=1), today)


def test_typed_dates_in_short_iso_and_month_forms(qtbot: QtBot) -> None:
    filters = bar(qtbot)
    choose(filters, Preset.CUSTOM)
    type_into(qtbot, filters.from_date, "3/1/2024")
    type_into(qtbot, filters.to_date, "2024-03-31")
    assert filters.dates() == DateRange(date(2024, 3, 1), date(2024, 3, 31))
    assert filters.from_date.edit.text() == "Mar 1, 2024"  # shown in the app's format
    type_into(qtbot, filters.to_date, "Mar 15 2024")
    assert filters.dates() == DateRange(date(2024, 3, 1), date(2024, 3, 15))
    assert filters.date_hint.isHidden()


def test_typing_a_date_switches_a_preset_to_custom(qtbot: QtBot) -> None:
    filters = bar(qtbot)
    choose(filters, Preset.THIS_MONTH)
    type_into(qtbot, filters.from_date, "1/2/2024")
    assert filters.current_preset() is Preset.CUSTOM
    assert filters.dates() is not None
    assert filters.dates().first == date(2024, 1, 2)  # type: ignore[union-attr]


def test_invalid_text_keeps_the_previous_date_and_says_so_inline(qtbot: QtBot) -> None:
    filters = bar(qtbot)
    filters.set_range(DateRange(date(2024, 3, 1), date(2024, 3, 31)))
    type_into(qtbot, filters.from_date, "3/45/2024")
    assert filters.dates() == DateRange(date(2024, 3, 1), date(2024, 3, 31))
    assert filters.date_hint.isVisible()
    hint = filters.date_hint.text()
    assert "“3/45/2024” is not a date" in hint
    assert "Mar 1, 2024" in hint  # the date still in use
    assert filters.from_date.edit.text() == "3/45/2024"  # the typing is not thrown away
    type_into(qtbot, filters.from_date, "3/4/2024")  # fixed: the hint goes
    assert filters.date_hint.isHidden()
    assert filters.dates() == DateRange(date(2024, 3, 4), date(2024, 3, 31))


def test_the_calendar_button_picks_a_date(qtbot: QtBot) -> None:
    filters = bar(qtbot)
    filters.set_range(DateRange(date(2024, 3, 1), date(2024, 3, 31)))
    finished: list[bool] = []
    filters.to_date.editingFinished.connect(lambda: finished.append(True))
    QTest.mouseClick(filters.to_date.button, Qt.MouseButton.LeftButton)
    assert filters.to_date.calendar.isVisible()
    assert filters.to_date.calendar.selectedDate() == QDate(2024, 3, 31)
    filters.to_date.calendar.setSelectedDate(QDate(2024, 3, 20))
    filters.to_date.calendar.activated.emit(QDate(2024, 3, 20))
    assert not filters.to_date.calendar.isVisible()
    assert filters.dates() == DateRange(date(2024, 3, 1), date(2024, 3, 20))
    assert finished == [True]
