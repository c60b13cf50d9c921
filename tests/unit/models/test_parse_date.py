"""Typed dates (issue 12, item 5): the PC's short format, ISO, month names; nothing guessed."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QLocale

from posdesk.models.date_range import parse_date

US = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
GERMANY = QLocale(QLocale.Language.German, QLocale.Country.Germany)
JAPAN = QLocale(QLocale.Language.Japanese, QLocale.Country.Japan)
MARCH_1 = date(2024, 3, 1)


@pytest.mark.parametrize(
    "text",
    ["3/1/2024", "3/1/24", "03/01/2024", "2024-03-01", "2024/3/1", "Mar 1 2024",
     "March 1, 2024", "1 Mar 2024", "mar. 1 2024", " 3-1-2024 "],
)  # fmt: skip
def test_us_forms_of_march_first(text: str) -> None:
    assert parse_date(text, US) == MARCH_1


def test_numeric_order_follows_the_locale() -> None:
    assert parse_date("1.3.2024", GERMANY) == MARCH_1
    assert parse_date("1.3.24", GERMANY) == MARCH_1
    assert parse_date("1 März 2024", GERMANY) == MARCH_1
    assert parse_date("2024/03/01", JAPAN) == MARCH_1
    assert parse_date("2024-03-01", GERMANY) == MARCH_1


@pytest.mark.parametrize(
    "text", ["", "Mar", "3/1", "2/30/2024", "13/1/2024", "3/1/2024/5", "Foo 1 2024",
             "Mar Apr 2024", "3/1/20245", "yesterday"],
)  # fmt: skip
def test_not_a_date_is_none_never_a_guess(text: str) -> None:
    assert parse_date(text, US) is None


def test_two_digit_years_pick_the_nearest_century() -> None:
    assert parse_date("3/1/99", US) == date(1999, 3, 1)
    assert parse_date("3/1/05", US) == date(2005, 3, 1)
