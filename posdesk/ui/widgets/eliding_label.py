"""A one-line label that gives way: it asks for its whole text's width but accepts less,
showing "…" at the end and the whole text as its tooltip.

The status bar's permanent labels (profile, server, user, connection, local data) asked for
their whole widths, so a long first-sync line ("Copying the store's data to this PC: 44% —
sales 12,500 so far…") pushed the main window's minimum width past a 1366-px screen.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget
from typing_extensions import override

#: The narrowest it gets by default: a few characters and the ellipsis.
MIN_CHARACTERS = 8


class ElidingLabel(QLabel):
    """``text()`` is the whole text; what is painted is elided to the width it got."""

    def __init__(self, parent: QWidget | None = None, *, least: int = MIN_CHARACTERS) -> None:
        """``least``: characters it keeps however small the window (a line that matters more
        keeps more, so the others give way first)."""
        super().__init__(parent)
        self._whole = ""
        self.least = least

    @override
    def setText(self, text: str) -> None:
        self._whole = text
        self._fit()
        self.updateGeometry()

    @override
    def text(self) -> str:
        return self._whole

    def shown_text(self) -> str:
        """What is on screen (elided when the label got less than it asked for)."""
        return super().text()

    @override
    def sizeHint(self) -> QSize:
        margins = self.contentsMargins()
        # + 2: elidedText measures in fractions and would cut a text exactly its own width
        width = self.fontMetrics().horizontalAdvance(self._whole) + 2 * self.margin() + 2
        return QSize(width + margins.left() + margins.right(), super().sizeHint().height())

    @override
    def minimumSizeHint(self) -> QSize:
        margins = self.contentsMargins()
        least = self.fontMetrics().averageCharWidth() * self.least + 2 * self.margin()
        hint = self.sizeHint()
        return QSize(min(hint.width(), least + margins.left() + margins.right()), hint.height())

    @override
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        room = self.contentsRect().width() - 2 * self.margin()
        shown = self.fontMetrics().elidedText(self._whole, Qt.TextElideMode.ElideRight, room)
        super().setText(shown)
        self.setToolTip(self._whole if shown != self._whole else "")
