"""Decimal display never goes through float and follows the locale's separators."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from PySide6.QtCore import QLocale

from posdesk.models.formatting import Kind, export_value, format_decimal, format_value

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
