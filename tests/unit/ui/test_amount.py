"""Amount parsing: what the cashier types becomes an exact Decimal or a clear sentence."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from posdesk.ui.amount import (
    AmountError,
    AmountField,
    Separators,
    format_amount,
    parse_amount,
    set_currency,
)

GERMAN = Separators(decimal_point=",", group=".")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", "12.00"),
        ("12.5", "12.50"),
        ("1,234.50", "1234.50"),
        ("  $25.00 ", "25.00"),
        ("+7", "7.00"),
        (".99", "0.99"),
        ("5000", "5000.00"),
        ("0.01", "0.01"),
    ],
)
def test_accepts_plain_amounts(text: str, expected: str) -> None:
    amount = parse_amount(text)
    assert amount == Decimal(expected)
    assert isinstance(amount, Decimal)
    assert str(amount) == expected  # exactly two places, never float noise


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter an amount"),
        ("abc", "is not an amount"),
        ("12.345", "two decimal places"),
        ("-5", "positive"),
        ("0", "more than zero"),
        ("0.00", "more than zero"),
        ("1,23.00", "groups are misplaced"),
        ("1.2.3", "more than one decimal"),
        ("5000.01", "must not exceed"),
        ("1e3", "is not an amount"),
        ("NaN", "is not an amount"),
        ("١٢", "is not an amount"),
    ],
)
def test_rejects_with_a_sentence(text: str, message: str) -> None:
    with pytest.raises(AmountError, match=message):
        parse_amount(text)


def test_locale_separators() -> None:
    assert parse_amount("1.234,50", separators=GERMAN) == Decimal("1234.50")
    with pytest.raises(AmountError, match="misplaced"):
        parse_amount("12.50", separators=GERMAN)


def test_limits_are_configurable() -> None:
    assert parse_amount("9000", maximum=Decimal("10000")) == Decimal("9000.00")
    with pytest.raises(AmountError, match="at least"):
        parse_amount("4.99", minimum=Decimal("5"))


def test_format_amount_groups_and_signs() -> None:
    assert format_amount(Decimal("1234.5")) == "$1,234.50"
    assert format_amount(Decimal("-12.75")) == "-$12.75"
    assert format_amount(Decimal("0")) == "$0.00"


def test_field_shows_reason_and_returns_decimal(qtbot: QtBot) -> None:
    field = AmountField(object_name="testAmount")
    qtbot.addWidget(field)
    field.show()
    field.separators = Separators()
    QTest.keyClicks(field.edit, "12.345")
    assert field.amount() is None
    assert field.error_label.isVisible()
    assert "two decimal places" in field.error_label.text()
    field.edit.clear()
    QTest.keyClicks(field.edit, "1,234.5")
    assert field.amount() == Decimal("1234.50")
    assert not field.error_label.isVisible()


def test_server_currency_is_shown() -> None:
    try:
        assert set_currency("EUR") == "€"
        assert format_amount(Decimal("12.5")) == "€12.50"
        assert parse_amount("€12") == Decimal("12.00")
        assert set_currency("CHF") == "CHF "
        assert format_amount(Decimal("-3")) == "-CHF 3.00"
        assert parse_amount("CHF 3.10") == Decimal("3.10")
    finally:
        set_currency(None)
    assert format_amount(Decimal(1)) == "$1.00"
