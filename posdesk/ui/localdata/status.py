"""The status bar's local data line: first-sync progress, then a quiet "as of 10:42"."""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel

from posdesk.ui.localdata.words import status_text

if TYPE_CHECKING:
    from posdesk.models.local_data import LocalData


class LocalDataStatus(QObject):
    """Keeps ``label`` saying how the session's local data is doing (parented to the label's
    owner; a new session replaces it)."""

    def __init__(self, label: QLabel, local_data: LocalData, tz: tzinfo) -> None:
        super().__init__(label)
        self.label = label
        self.local_data = local_data
        self.tz = tz
        local_data.progressed.connect(self.update)
        local_data.synced.connect(self.update)
        self.update()

    def update(self, *_: object) -> None:
        data = self.local_data
        text = status_text(data.progress, self.tz, paused=data.paused, forgotten=data.forgotten)
        self.label.setText(text)
        self.label.setAccessibleDescription(text)

    def detach(self) -> None:
        """The session ended: stop listening, clear the line."""
        for signal in (self.local_data.progressed, self.local_data.synced):
            signal.disconnect(self.update)
        self.label.setText("")
        self.deleteLater()
