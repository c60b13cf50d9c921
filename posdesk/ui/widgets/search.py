"""A search field that asks the server only when the user pauses typing.

Server-side search resets a paged model; doing that on every keystroke would send a request
per letter and throw all but the last away. The field waits ``delay_ms`` after the last edit,
fires at once on Enter, and clears (and fires) on Escape.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget
from typing_extensions import override


class SearchLineEdit(QLineEdit):
    """Emits ``searchChanged(text)`` once typing settles (text stripped, "" = no filter)."""

    searchChanged = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        placeholder: str = "Search…",
        delay_ms: int = 300,
        object_name: str = "searchEdit",
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setPlaceholderText(placeholder)
        self.setAccessibleName(placeholder.rstrip("…. "))
        self.setClearButtonEnabled(True)
        self._last = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.commit)
        self.textEdited.connect(lambda _t: self._timer.start())
        # The clear button emits textChanged (not textEdited): treat it as an edit too.
        self.textChanged.connect(self._maybe_cleared)

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def _maybe_cleared(self, text: str) -> None:
        if not text and self._last:
            self.commit()

    def commit(self) -> None:
        """Fire now (if the text differs from the last search)."""
        self._timer.stop()
        text = self.text().strip()
        if text != self._last:
            self._last = text
            self.searchChanged.emit(text)

    @override
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.commit()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            self.commit()
            event.accept()
            return
        super().keyPressEvent(event)
