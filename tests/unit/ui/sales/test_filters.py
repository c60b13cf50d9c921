"""The Sales filter bar: presets ↔ custom dates, reversed dates, documented-server limits."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from posdesk.domain import Location
from posdesk.models.date_range import DateRange, Preset
from posdesk.ui.sales.filters import SalesFilterBar

CHICAGO = ZoneInfo("America/Chicago")


def bar(qtbot: QtBot) -> SalesFilterBar:
    widget = SalesFilterBar(CHICAGO)
    qtbot.addWidget(widget)
    return widget


def test_presets_fill_the_dates_in_the_local_zone(qtbot: QtBot) -> None:
    filters = bar(qtbot)
    today = datetime.now(CHICAGO).date()
    filters.set_preset(Preset.TODAY)
    assert filters.dates() == DateRange(today, today)
    filters.set_preset(Preset.THIS_MONTH)
    assert filters.dates() == DateRange(today.replace(day=1), today)
    filters.set_preset(Preset.ALL)
    assert filters.dates() is None
    assert not filters.from_date.isEnabled()
    assert filters.query().dates is None


def test_editing_a_date_switches_to_custom_and_keeps_order(qtbot: QtBot) -> None:
    filters = bar(qtbot)
    filters.set_range(DateRange(date(2024, 3, 1), date(2024, 3, 31)))
    assert filters.current_preset() is Preset.CUSTOM
    filters.set_preset(Preset.LAST_7_DAYS)
    filters.from_date.setDate(QDate(2024, 5, 10))
    assert filters.current_preset() is Preset.CUSTOM
    filters.to_date.setDate(QDate(2024, 5, 1))  # before the start: the start follows
    assert filters.dates() == DateRange(date(2024, 5, 1), date(2024, 5, 1))


def test_locations_registers_and_the_query(qtbot: QtBot) -> None:
    filters = bar(qtbot)
    filters.set_locations(
        [Location("AUSTIN", "Austin", registers=("AUS-1", "AUS-2")), Location("WEST", "West")]
    )
    assert not filters.register.isEnabled()  # no location chosen
    filters.set_location("AUSTIN")
    assert filters.register.isEnabled()
    assert filters.register.count() == 3
    filters.set_register("AUS-2")
    filters.tran_no.setText(" 000051 ")
    filters.customer.setText("04120387765512093344")
    query = filters.query()
    assert (query.location_code, query.register_code, query.tran_no) == (
        "AUSTIN",
        "AUS-2",
        "000051",
    )
    assert query.customer_id == "04120387765512093344"
    assert "location AUSTIN" in query.describe()


def test_a_documented_server_disables_the_extension_filters(qtbot: QtBot) -> None:
    filters = bar(qtbot)
    filters.set_locations([Location("AUSTIN", registers=("AUS-1",))])
    filters.set_location("AUSTIN")
    filters.tran_no.setText("000051")
    filters.set_extended(False)
    for widget in (filters.location, filters.register, filters.tran_no):
        assert not widget.isEnabled()
        assert "cannot filter" in widget.toolTip()
    query = filters.query()
    assert (query.location_code, query.register_code, query.tran_no) == (None, None, None)
    assert not query.needs_extension
