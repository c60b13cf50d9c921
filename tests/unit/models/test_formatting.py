"""Decimal display never goes through float and follows the locale's separators."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QLocale

from posdesk.models.formatting import (
    Formatter,
    Kind,
    app_locale,
    export_value,
    format_clock,
    format_date,
    format_datetime,
    format_decimal,
    format_value,
    plural,
)

EN = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
DE = QLocale(QLocale.Language.German, QLocale.Country.Germany)


@pytest.mark.parametrize(
    ("value", "places", "en", "de"),
    [
        (Decimal("1234567.891"), 2, "1,234,567.89", "1.234.567,89"),
        (Decimal("0.005"), 2, "0.00", "0,00"),  # half-even, not float's 0.01/0.00 lottery
        (Decimal("-12.5"), 2, "-12.50", "-12,50"),
        (Decimal("-0.001"), 2, "0.00", "0,00"),  # no negative zero
        (Decimal("100"), None, "100", "100"),
        (Decimal("2.500"), None, "2.5", "2,5"),
        (Decimal("1E+3"), None, "1,000", "1.000"),
        (Decimal("0.1") + Decimal("0.2"), 2, "0.30", "0,30"),
    ],
)
def test_format_decimal(value: Decimal, places: int | None, en: str, de: str) -> None:
    assert format_decimal(value, EN, places) == en
    assert format_decimal(value, DE, places) == de


def test_money_with_a_huge_amount_keeps_every_digit() -> None:
    assert format_value(Decimal("12345678901234567.89"), Kind.MONEY, EN) == (
        "12,345,678,901,234,567.89"
    )


def test_dates_and_empty_cells() -> None:
    assert format_value(None, Kind.MONEY, EN) == ""
    assert "2026" in format_value(date(2026, 3, 4), Kind.DATE, EN) or "26" in format_value(
        date(2026, 3, 4), Kind.DATE, EN
    )
    text = format_value(datetime(2026, 3, 4, 12, 0, tzinfo=UTC), Kind.DATETIME, EN)
    assert ":" in text


def test_export_is_exact_and_locale_free() -> None:
    assert export_value(Decimal("1E+3")) == "1000"
    assert export_value(Decimal("0.10")) == "0.10"
    assert export_value(datetime(2026, 3, 4, 1, 2, 3, tzinfo=UTC)) == "2026-03-04T01:02:03+00:00"
    assert export_value(None) == ""


US = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
GERMANY = QLocale(QLocale.Language.German, QLocale.Country.Germany)
BRITAIN = QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
CANADA = QLocale(QLocale.Language.English, QLocale.Country.Canada)


def test_money_uses_the_server_currency_where_the_locale_puts_it() -> None:
    us = Formatter(US, "USD")
    assert us.money(Decimal("12.5")) == "$12.50"
    assert us.money(Decimal("-12.5")) == "-$12.50"  # a minus, never accounting "($12.50)"
    assert us.money(Decimal("1234567.891")) == "$1,234,567.89"
    assert us.money(Decimal("-0.001")) == "$0.00"
    assert us.value(Decimal("3"), Kind.MONEY) == "$3.00"
    # The server's currency, not the PC's: a German PC on a US server shows dollars.
    assert Formatter(GERMANY, "USD").money(Decimal("-1234.5")) == "-1.234,50\u00a0$"
    assert Formatter(GERMANY, "EUR").money(Decimal("2")) == "2,00\u00a0€"
    # Unknown symbol: the ISO code, spaced.
    assert Formatter(US, "CHF").money(Decimal("3")) == "CHF\u00a03.00"
    # No currency known: the number alone.
    assert Formatter(US).money(Decimal("3")) == "3.00"


def test_money_never_goes_through_float() -> None:
    amount = Decimal("90071992547409.93")  # float would give ...409.94 or ...409.92
    assert Formatter(US, "USD").money(amount) == "$90,071,992,547,409.93"


def test_one_unambiguous_date_format_per_locale() -> None:
    day = date(2024, 6, 7)
    assert format_date(day, US) == "Jun 7, 2024"
    assert format_date(day, BRITAIN) == "7 Jun 2024"
    assert format_date(day, CANADA) == "2024-06-07"  # year-first locales get ISO
    # The C locale's numeric "7 06 2024" is never used.
    assert format_date(day, QLocale.c()) == "7 Jun 2024"
    chicago = ZoneInfo("America/Chicago")
    instant = datetime(2024, 6, 7, 18, 23, tzinfo=UTC)
    assert format_datetime(instant, US, chicago) == "Jun 7, 2024 1:23 PM"
    assert format_datetime(instant, BRITAIN, chicago) == "7 Jun 2024 13:23"
    # A DATE column of an instant shows the local date (01:30 UTC is the evening before).
    late = datetime(2024, 6, 8, 1, 30, tzinfo=UTC)
    assert format_date(late, US, chicago) == "Jun 7, 2024"


def test_app_locale_replaces_the_c_locale() -> None:
    previous = QLocale()
    try:
        QLocale.setDefault(QLocale.c())
        assert app_locale().name() == "en_US"
        QLocale.setDefault(GERMANY)
        assert app_locale().name() == "de_DE"
    finally:
        QLocale.setDefault(previous)


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "0 rows"), (1, "1 row"), (2, "2 rows"), (1204, "1,204 rows")],
)
def test_plural(count: int, text: str) -> None:
    assert plural(count, "row") == text
    assert plural(1, "sale") == "1 sale"
    assert plural(2, "entry", "entries") == "2 entries"


def test_a_recent_moment_reads_in_the_locales_clock() -> None:
    moment = datetime(2026, 12, 5, 22, 25, tzinfo=UTC)
    same_day = datetime(2026, 12, 5, 23, 0, tzinfo=UTC)
    us, germany = QLocale("en_US"), QLocale("de_DE")
    assert format_clock(moment, us, UTC, same_day) == "10:25 PM"
    assert format_clock(moment, germany, UTC, same_day) == "22:25"
    next_day = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    assert format_clock(moment, us, UTC, next_day) == "Dec 5, 2026 10:25 PM"
    assert format_clock(moment, germany, UTC, next_day) == format_datetime(moment, germany, UTC)
