"""Typing dates in tests: a pinned US locale (so "3/1/2024" means March 1 on any machine)
and real key clicks into a date field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit


@pytest.fixture
def us_locale() -> Iterator[None]:
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(before)


def type_date(edit: QLineEdit, text: str) -> None:
    """Select what the field holds, type ``text`` key by key, press Enter."""
    edit.setFocus()
    edit.selectAll()
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key.Key_Return)
