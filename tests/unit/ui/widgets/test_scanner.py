"""ScanDetector: bursts ending in Enter are scans from any widget; human typing is not."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from posdesk.ui.widgets.scanner import ScanDetector


class FakeClock:
    """Key timestamps under test control: each key is ``step`` ms after the previous one."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.step = 5.0

    def __call__(self, event: QKeyEvent) -> float:
        self.now += self.step
        return self.now


class Scope(QWidget):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.lookup = QLineEdit()
        self.other = QLineEdit()
        self.button = QPushButton("Press")
        for w in (self.lookup, self.other, self.button):
            layout.addWidget(w)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def scope(qtbot: QtBot) -> Scope:
    widget = Scope()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def make_detector(scope: Scope, clock: FakeClock) -> tuple[ScanDetector, list[str]]:
    detector = ScanDetector(scope, max_gap_ms=40, min_length=4, clock=clock)
    codes: list[str] = []
    detector.scanned.connect(codes.append)
    return detector, codes


def burst(widget: QWidget, text: str) -> None:
    QTest.keyClicks(widget, text)
    QTest.keyClick(widget, Qt.Key.Key_Return)


def test_fast_burst_in_other_widget_is_a_scan_and_does_not_leak(
    qtbot: QtBot, scope: Scope, clock: FakeClock
) -> None:
    detector, codes = make_detector(scope, clock)
    assert detector.is_active()
    scope.other.setText("12")
    scope.other.setFocus()
    returns: list[bool] = []
    scope.other.returnPressed.connect(lambda: returns.append(True))
    burst(scope.other, "0123456789012")
    assert codes == ["0123456789012"]
    qtbot.wait(100)  # any stray flush timer would have replayed keys by now
    assert scope.other.text() == "12"
    assert returns == []  # the terminating Enter did not reach the field either


def test_slow_typing_reaches_the_field_and_is_not_a_scan(
    qtbot: QtBot, scope: Scope, clock: FakeClock
) -> None:
    _detector, codes = make_detector(scope, clock)
    scope.other.setFocus()
    returns: list[bool] = []
    scope.other.returnPressed.connect(lambda: returns.append(True))
    clock.step = 150.0  # a fast human
    burst(scope.other, "ABC-1001")
    assert codes == []
    assert scope.other.text() == "ABC-1001"  # held keys were replayed, in order
    assert returns == [True]


def test_short_fast_burst_is_typing(qtbot: QtBot, scope: Scope, clock: FakeClock) -> None:
    _detector, codes = make_detector(scope, clock)
    scope.other.setFocus()
    burst(scope.other, "ab")  # e.g. two rolled keys, then Enter
    assert codes == []
    assert scope.other.text() == "ab"


def test_fast_keys_without_enter_are_replayed_after_the_gap(
    qtbot: QtBot, scope: Scope, clock: FakeClock
) -> None:
    _detector, codes = make_detector(scope, clock)
    scope.other.setFocus()
    QTest.keyClicks(scope.other, "abcdef")
    assert scope.other.text() == ""  # still held: might be a scan
    qtbot.waitUntil(lambda: scope.other.text() == "abcdef", timeout=5000)
    assert codes == []


def test_non_printable_key_flushes_before_itself(
    qtbot: QtBot, scope: Scope, clock: FakeClock
) -> None:
    _detector, _codes = make_detector(scope, clock)
    scope.other.setFocus()
    QTest.keyClicks(scope.other, "abc")
    QTest.keyClick(scope.other, Qt.Key.Key_Home)
    QTest.keyClicks(scope.other, "X")
    clock.step = 500.0
    QTest.keyClick(scope.other, Qt.Key.Key_End)  # slow: flushes the held X
    assert scope.other.text() == "Xabc"


def test_pause_inside_burst_splits_it(qtbot: QtBot, scope: Scope, clock: FakeClock) -> None:
    _detector, codes = make_detector(scope, clock)
    scope.other.setFocus()
    QTest.keyClicks(scope.other, "12")
    clock.step = 300.0
    QTest.keyClicks(scope.other, "3")
    clock.step = 5.0
    QTest.keyClicks(scope.other, "4567")
    QTest.keyClick(scope.other, Qt.Key.Key_Return)
    # "12" was typing (replayed); "34567" came fast and ended in Enter: a scan.
    assert scope.other.text() == "12"
    assert codes == ["34567"]


def test_scan_with_focus_on_a_button(qtbot: QtBot, scope: Scope, clock: FakeClock) -> None:
    _detector, codes = make_detector(scope, clock)
    clicked: list[bool] = []
    scope.button.clicked.connect(lambda: clicked.append(True))
    scope.button.setFocus()
    burst(scope.button, "SKU 42")  # the space would otherwise press the button
    assert codes == ["SKU 42"]
    qtbot.wait(100)
    assert clicked == []


def test_ctrl_shortcuts_pass_through(qtbot: QtBot, scope: Scope, clock: FakeClock) -> None:
    _detector, _codes = make_detector(scope, clock)
    scope.other.setFocus()
    scope.other.setText("hello")
    QTest.keyClick(scope.other, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert scope.other.selectedText() == "hello"


def test_inactive_while_hidden_and_for_other_windows(
    qtbot: QtBot, scope: Scope, clock: FakeClock
) -> None:
    detector, codes = make_detector(scope, clock)
    other_window = QLineEdit()
    qtbot.addWidget(other_window)
    other_window.show()
    other_window.setFocus()
    burst(other_window, "99999")
    assert codes == []
    assert other_window.text() == "99999"
    scope.hide()
    assert not detector.is_active()
    scope.other.setFocus()
    burst(scope.other, "88888")
    assert codes == []
    scope.show()
    assert detector.is_active()
    scope.other.setFocus()
    burst(scope.other, "77777")
    assert codes == ["77777"]


def test_line_feed_suffix_ends_a_scan_too(qtbot: QtBot, scope: Scope, clock: FakeClock) -> None:
    """Some scanners are set up to end codes with LF (X11 delivers key 0x0a, text "\\n")."""
    _detector, codes = make_detector(scope, clock)
    scope.other.setFocus()
    QTest.keyClicks(scope.other, "4006381333931")
    for etype in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(
            scope.other, QKeyEvent(etype, 0x0A, Qt.KeyboardModifier.NoModifier, "\n")
        )
    assert codes == ["4006381333931"]
    assert scope.other.text() == ""
