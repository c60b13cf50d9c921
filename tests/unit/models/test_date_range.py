"""Date-range presets and their conversion to half-open API instants, across DST and month ends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from posdesk.models.date_range import DateRange, Preset, preset_range, start_of_day


def dates(preset: Preset, today: date) -> DateRange:
    found = preset_range(preset, today)
    assert found is not None
    return found


CHICAGO = ZoneInfo("America/Chicago")
LONDON = ZoneInfo("Europe/London")
SANTIAGO = ZoneInfo("America/Santiago")  # DST gap at local midnight


def test_presets_on_an_ordinary_wednesday() -> None:
    today = date(2026, 11, 25)  # Wednesday
    assert preset_range(Preset.TODAY, today) == DateRange(today, today)
    assert preset_range(Preset.YESTERDAY, today) == DateRange(
        date(2026, 11, 24), date(2026, 11, 24)
    )
    assert preset_range(Preset.THIS_WEEK, today) == DateRange(date(2026, 11, 23), today)
    assert preset_range(Preset.THIS_WEEK, today, week_starts_on=6) == DateRange(
        date(2026, 11, 22), today
    )
    assert dates(Preset.LAST_7_DAYS, today).days == 7
    assert preset_range(Preset.LAST_30_DAYS, today) == DateRange(date(2026, 10, 27), today)
    assert preset_range(Preset.THIS_MONTH, today) == DateRange(date(2026, 11, 1), today)


def test_report_presets_month_and_year() -> None:
    """Last month on January 15 is December of the year before; last year is whole."""
    today = date(2027, 1, 15)
    assert dates(Preset.LAST_MONTH, today) == DateRange(date(2026, 12, 1), date(2026, 12, 31))
    assert dates(Preset.LAST_MONTH, date(2024, 3, 31)) == DateRange(
        date(2024, 2, 1), date(2024, 2, 29)
    )
    assert dates(Preset.THIS_YEAR, today) == DateRange(date(2027, 1, 1), today)
    assert dates(Preset.LAST_YEAR, today).days == 365


def test_presets_across_month_and_year_ends() -> None:
    assert dates(Preset.YESTERDAY, date(2026, 3, 1)).first == date(2026, 2, 28)
    assert dates(Preset.YESTERDAY, date(2028, 3, 1)).first == date(2028, 2, 29)  # leap
    assert dates(Preset.YESTERDAY, date(2027, 1, 1)).first == date(2026, 12, 31)
    assert preset_range(Preset.THIS_MONTH, date(2026, 1, 1)) == DateRange(
        date(2026, 1, 1), date(2026, 1, 1)
    )
    assert dates(Preset.THIS_WEEK, date(2027, 1, 1)).first == date(2026, 12, 28)
    assert dates(Preset.LAST_30_DAYS, date(2026, 3, 1)).first == date(2026, 1, 31)


def test_week_start_on_the_start_day_is_just_today() -> None:
    monday = date(2026, 11, 23)
    assert preset_range(Preset.THIS_WEEK, monday) == DateRange(monday, monday)


def test_custom_has_no_preset_dates_and_all_has_none() -> None:
    with pytest.raises(ValueError, match="custom"):
        preset_range(Preset.CUSTOM, date(2026, 1, 1))
    assert preset_range(Preset.ALL, date(2026, 1, 1)) is None


def test_reversed_range_is_rejected() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        DateRange(date(2026, 1, 2), date(2026, 1, 1))


def test_instants_are_half_open_local_midnights_in_utc() -> None:
    start, end = DateRange(date(2026, 1, 31), date(2026, 1, 31)).instants(CHICAGO)
    assert start == datetime(2026, 1, 31, 6, tzinfo=UTC)
    assert end == datetime(2026, 2, 1, 6, tzinfo=UTC)
    assert start.tzinfo is UTC
    assert end.tzinfo is UTC


def test_month_end_range_covers_the_whole_last_day() -> None:
    feb = DateRange(date(2026, 2, 1), date(2026, 2, 28))
    start, end = feb.instants(CHICAGO)
    assert end - start == timedelta(days=28)
    last_minute = datetime(2026, 2, 28, 23, 59, tzinfo=CHICAGO)
    next_midnight = datetime(2026, 3, 1, 0, 0, tzinfo=CHICAGO)
    assert feb.contains(last_minute, CHICAGO)
    assert feb.contains(last_minute.astimezone(UTC), CHICAGO)
    assert not feb.contains(next_midnight.astimezone(UTC), CHICAGO)
    assert feb.contains(start, CHICAGO)
    assert not feb.contains(start - timedelta(microseconds=1), CHICAGO)


def test_spring_forward_day_is_23_hours() -> None:
    day = DateRange(date(2026, 3, 8), date(2026, 3, 8))  # US DST starts 02:00 local
    start, end = day.instants(CHICAGO)
    assert end - start == timedelta(hours=23)
    assert start == datetime(2026, 3, 8, 6, tzinfo=UTC)  # CST -6
    assert end == datetime(2026, 3, 9, 5, tzinfo=UTC)  # CDT -5
    assert day.contains(datetime(2026, 3, 8, 23, 59, tzinfo=CHICAGO), CHICAGO)
    assert not day.contains(datetime(2026, 3, 9, 0, 0, tzinfo=CHICAGO), CHICAGO)


def test_fall_back_day_is_25_hours() -> None:
    day = DateRange(date(2026, 10, 25), date(2026, 10, 25))  # EU DST ends 02:00 BST
    start, end = day.instants(LONDON)
    assert end - start == timedelta(hours=25)
    repeated_first = datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=0)
    repeated_second = datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=1)
    assert day.contains(repeated_first, LONDON)
    assert day.contains(repeated_second, LONDON)


def test_midnight_that_does_not_exist_starts_at_the_transition() -> None:
    # Chile springs forward at 24:00 on Saturday 2026-09-05: Sunday starts at 01:00 local.
    sunday = date(2026, 9, 6)
    start = start_of_day(sunday, SANTIAGO)
    assert start.astimezone(UTC) == datetime(2026, 9, 6, 4, tzinfo=UTC)
    assert start.astimezone(UTC).astimezone(SANTIAGO).hour == 1
    first, end = DateRange(sunday, sunday).instants(SANTIAGO)
    assert end - first == timedelta(hours=23)
    saturday_end = DateRange(date(2026, 9, 5), date(2026, 9, 5)).instants(SANTIAGO)[1]
    assert saturday_end == first  # consecutive days tile with no gap or overlap


def test_consecutive_days_tile_the_year_without_gaps() -> None:
    for tz in (CHICAGO, LONDON, SANTIAGO, ZoneInfo("Australia/Lord_Howe")):
        day = date(2026, 1, 1)
        previous_end = None
        while day.year == 2026:
            start, end = DateRange(day, day).instants(tz)
            assert previous_end is None or start == previous_end, (tz, day)
            assert timedelta(hours=22) <= end - start <= timedelta(hours=26)
            previous_end, day = end, day + timedelta(days=1)


def test_api_dates_and_widened_fallback() -> None:
    march = DateRange(date(2026, 3, 1), date(2026, 3, 31))
    assert march.api_dates() == (date(2026, 3, 1), date(2026, 4, 1))
    assert march.widened_api_dates() == (date(2026, 2, 28), date(2026, 4, 2))
    for tz in (ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Pacific/Pago_Pago")):  # +14 / -11
        start, end = march.instants(tz)
        lo, hi = march.widened_api_dates()
        assert lo <= start.date()
        assert (end - timedelta(microseconds=1)).date() < hi


def test_contains_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        DateRange(date(2026, 1, 1), date(2026, 1, 1)).contains(datetime(2026, 1, 1), CHICAGO)


def test_labels() -> None:
    assert DateRange(date(2026, 1, 1), date(2026, 1, 1)).label() == "Jan 1, 2026"
    assert "Jan 31, 2026" in DateRange(date(2026, 1, 1), date(2026, 1, 31)).label()
    assert Preset.LAST_7_DAYS.label == "Last 7 days"
