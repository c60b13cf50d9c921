"""The one decimal parser: amounts and quantities follow the same strict rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from posdesk.ui.common.amount import AmountError, Separators, parse_amount, parse_quantity

GERMAN = Separators(decimal_point=",", group=".")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", "1"), ("2.5", "2.5"), ("0.125", "0.125"), ("1,234.5", "1234.5"), (" 12 ", "12")],
)
def test_quantities_parse_exactly(text: str, expected: str) -> None:
    value = parse_quantity(text)
    assert value == Decimal(expected)
    assert str(value) == expected  # as typed: never via float, never re-scaled


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1,2,3", "digit groups are misplaced"),
        ("12,34", "digit groups are misplaced"),
        ("", "Enter a quantity."),
        ("abc", "is not a quantity"),
        ("1.2.3", "more than one decimal separator"),
        ("-1", "Enter a positive quantity"),
        ("0", "must be more than zero"),
        ("1.2345", "at most three decimals"),
        ("١٢", "is not a quantity"),  # non-ASCII digits are refused, as for amounts
    ],
)
def test_quantities_are_refused_with_a_sentence(text: str, message: str) -> None:
    with pytest.raises(AmountError, match=message):
        parse_quantity(text)


@pytest.mark.parametrize("text", ["1,2,3", "12,34", "1.2.3", "-1", "abc", ""])
def test_amount_and_quantity_agree_on_what_is_not_a_number(text: str) -> None:
    """Before, ``parse_quantity("1,2,3")`` was 123 while ``parse_amount`` refused it."""
    with pytest.raises(AmountError):
        parse_amount(text)
    with pytest.raises(AmountError):
        parse_quantity(text)


def test_locale_separators_for_quantities() -> None:
    assert parse_quantity("1.234,5", GERMAN) == Decimal("1234.5")
    assert parse_amount("1.234,50", separators=GERMAN) == Decimal("1234.50")
    with pytest.raises(AmountError, match="digit groups are misplaced"):
        parse_quantity("1.2.3", GERMAN)


def test_amounts_keep_cents_and_quantities_keep_their_places() -> None:
    assert str(parse_amount("2.5")) == "2.50"
    assert str(parse_quantity("2.5")) == "2.5"
    assert parse_quantity("0.5", places=1) == Decimal("0.5")
    with pytest.raises(AmountError):
        parse_quantity("0.05", places=1)
