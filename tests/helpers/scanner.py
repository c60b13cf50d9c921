"""A simulated keyboard-wedge scanner for tests and benchmarks.

Key events carry window-system timestamps a few ms apart, as a real scanner's do, so the
``ScanDetector`` sees a scan however long the test process itself waits for a CPU (QTest's
key events have no timestamp, and a busy machine could stretch their gaps past the limit).
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

KEY_GAP_MS = 4
_clock = itertools.count(1_000_000, 10_000)  # every burst starts well after the last one


def _send(widget: QWidget, key: int, text: str, stamp: int) -> None:
    for etype in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        event = QKeyEvent(etype, key, Qt.KeyboardModifier.NoModifier, text)
        event.setTimestamp(stamp)
        QApplication.sendEvent(widget, event)


def scan(widget: QWidget, code: str) -> None:
    """Type ``code`` into ``widget`` (whatever has the focus) as a scanner does, then Enter."""
    stamp = next(_clock)
    for char in code:
        _send(widget, ord(char.upper()), char, stamp)
        stamp += KEY_GAP_MS
    _send(widget, Qt.Key.Key_Return.value, "\r", stamp)
