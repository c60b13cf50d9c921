"""A status line gives way on a small screen: it asks for its whole text, accepts less with
"…" (the whole text in its tooltip), and the main window's status bar no longer sets a minimum
width past 1366 px, whatever the lines say."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget
from pytestqt.qtbot import QtBot

from posdesk.ui.shell.main_window import MainWindow
from posdesk.ui.widgets.eliding_label import ElidingLabel

pytestmark = pytest.mark.gui

LONG = "Copying the store's data to this PC: 44% — sales 12,500 so far, gift card history 900…"


def test_it_asks_for_the_whole_text_and_elides_what_does_not_fit(qtbot: QtBot) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    layout = QHBoxLayout(holder)
    label = ElidingLabel(holder)
    layout.addWidget(label)
    label.setText(LONG)
    whole = label.fontMetrics().horizontalAdvance(LONG)
    assert label.sizeHint().width() >= whole
    assert label.minimumSizeHint().width() < whole // 3
    holder.resize(whole + 100, 40)
    holder.show()
    qtbot.waitUntil(lambda: label.width() >= whole)
    assert label.shown_text() == LONG
    assert label.toolTip() == ""
    holder.resize(whole // 2, 40)
    qtbot.waitUntil(lambda: label.width() < whole // 2 + 1)
    assert label.shown_text().endswith("…")
    assert LONG.startswith(label.shown_text()[:-1])
    assert label.text() == LONG  # what the code set, whatever is painted
    assert label.toolTip() == LONG
    holder.resize(whole + 100, 40)
    qtbot.waitUntil(lambda: label.shown_text() == LONG)
    alone = ElidingLabel()  # exactly the width it asks for: the whole text, not "…"
    qtbot.addWidget(alone)
    alone.setText("Local data as of 11:31 PM")
    alone.resize(alone.sizeHint())
    assert alone.shown_text() == "Local data as of 11:31 PM"


def test_long_status_lines_keep_the_window_within_a_1366_screen(qtbot: QtBot) -> None:
    window = MainWindow(QSettings())
    qtbot.addWidget(window)
    for name in ("statusProfile", "statusEnvironment", "statusUser", "statusLocalData"):
        label = window.findChild(QLabel, name)
        assert isinstance(label, ElidingLabel), name
        label.setText(LONG)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    assert window.minimumSizeHint().width() <= 1366
    assert window.width() <= 1366
    local = window.findChild(ElidingLabel, "statusLocalData")
    assert local is not None
    assert local.text() == LONG


def test_who_and_where_give_way_before_the_connection_and_the_local_data_line(
    qtbot: QtBot,
) -> None:
    window = MainWindow(QSettings())
    qtbot.addWidget(window)
    for name in ("statusProfile", "statusEnvironment", "statusUser"):
        label = window.findChild(ElidingLabel, name)
        assert label is not None
        label.setText(LONG)
    connection = window.findChild(ElidingLabel, "statusConnection")
    local = window.findChild(ElidingLabel, "statusLocalData")
    assert connection is not None
    assert local is not None
    connection.setText("● Connected")
    local.setText("Local data as of Dec 15, 2026 10:48 PM")
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    assert window.width() <= 1366
    assert connection.shown_text() == "● Connected"
    assert local.shown_text() == "Local data as of Dec 15, 2026 10:48 PM"
    user = window.findChild(ElidingLabel, "statusUser")
    assert user is not None
    assert user.shown_text().endswith("…")
