"""Amount parsing: what the cashier types becomes an exact Decimal or a clear sentence."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from posdesk.models.formatting import Formatter
from posdesk.ui.common.amount import (
    AmountError,
    AmountField,
    Separators,
    format_amount,
    parse_amount,
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


US = Formatter(QLocale("en_US"), "USD")


def test_format_amount_groups_and_signs() -> None:
    assert format_amount(Decimal("1234.5"), US) == "$1,234.50"
    assert format_amount(Decimal("-12.75"), US) == "-$12.75"
    assert format_amount(Decimal("0"), US) == "$0.00"
    assert format_amount(Decimal("-0.001"), US) == "$0.00"  # no "-$0.00"
    # Without a session (no server currency known) no sign is invented.
    assert format_amount(Decimal("-3"), Formatter(QLocale("en_US"))) == "-3.00"


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
    """The sign comes from the session's formatter (the server's currency): no global state."""
    euro = Formatter(QLocale("en_US"), "EUR")
    assert format_amount(Decimal("12.5"), euro) == "€12.50"
    assert parse_amount("€12", formatter=euro) == Decimal("12.00")
    franc = Formatter(QLocale("en_US"), "CHF")
    assert format_amount(Decimal("-3"), franc) == "-CHF\u00a03.00"
    assert parse_amount("CHF 3.10", formatter=franc) == Decimal("3.10")
    # Another session's formatter is untouched by the two above.
    assert format_amount(Decimal(1), US) == "$1.00"
    with pytest.raises(AmountError, match=r"at least \$5\.00"):
        parse_amount("4.99", minimum=Decimal("5"), formatter=US)
