"""A splitter whose handle draws no grip until the pointer is on it.

Fusion paints a row of dots in the middle of every handle; between two panes that end in a
line of text (a table's "Type to search…" status, a form) the dots read as a stray ellipsis
after the text. The handle keeps its size and resize cursor, and shows itself on hover.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QEnterEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSplitter, QSplitterHandle, QWidget
from typing_extensions import override


class QuietSplitterHandle(QSplitterHandle):
    """Invisible at rest; a plain band in the palette's mid-light colour while hovered."""

    def __init__(self, orientation: Qt.Orientation, parent: QSplitter) -> None:
        super().__init__(orientation, parent)
        self.hovered = False

    @override
    def enterEvent(self, event: QEnterEvent) -> None:
        self.hovered = True
        self.update()
        super().enterEvent(event)

    @override
    def leaveEvent(self, event: QEvent) -> None:
        self.hovered = False
        self.update()
        super().leaveEvent(event)

    @override
    def paintEvent(self, event: QPaintEvent) -> None:
        if self.hovered:
            painter = QPainter(self)
            painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Midlight))


class QuietSplitter(QSplitter):
    """``QSplitter`` with ``QuietSplitterHandle`` handles."""

    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None) -> None:
        super().__init__(orientation, parent)

    @override
    def createHandle(self) -> QSplitterHandle:
        return QuietSplitterHandle(self.orientation(), self)
