"""Where a tab's answers come from, said only when it matters.

Offline (the POS server cannot be reached) a clear strip: "Offline — local data as of 10:42",
in local time. Online, a list answered from the local mirror gets a small muted line
("From local data as of 10:42"); answers from the server get nothing. Never alarming: the
mirror is a cache that is a few minutes old at most while the server answers.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from posdesk.models.local_reads import as_of_text
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.widgets.paged_view import TintedFrame


def offline_text(context: SessionContext, entity: str | None = None) -> str:
    """ "Offline — local data as of 10:42" (the oldest ready entity when none is named)."""
    data = context.local_data
    when = data.as_of(entity) if data is not None else None
    return f"Offline — local data as of {as_of_text(when)}"


def offline_reason(context: SessionContext, needs: str) -> str:
    """Why a money action is off while offline, the same words on a tab (or menu) and in a
    dialog already open: "Offline — local data as of 10:42: the POS server cannot be
    reached. ``needs``"."""
    return f"{offline_text(context)}: the POS server cannot be reached. {needs}"


def is_offline(context: SessionContext) -> bool:
    return context.local_data is not None and not context.local_data.online


class LocalDataNote(TintedFrame):
    """One line above a list: the offline banner, or "from local data as of …" (muted).

    ``name`` prefixes the objectNames (``<name>LocalNote``, ``<name>LocalNoteText``)."""

    def __init__(
        self, context: SessionContext, entity: str, name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}LocalNote")
        self.context = context
        self.entity = entity
        self.from_local = False
        self.label = QLabel(self)
        self.label.setObjectName(f"{name}LocalNoteText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        layout.addWidget(self.label, 1)
        self.hide()
        data = context.local_data
        if data is not None:
            data.onlineChanged.connect(self.refresh)
            data.synced.connect(self.refresh)
        self.refresh()

    @property
    def offline(self) -> bool:
        return is_offline(self.context)

    def set_from_local(self, from_local: bool) -> None:
        """Where the list's last page came from (the tab tells after each page)."""
        self.from_local = from_local
        self.refresh()

    def refresh(self, *_: object) -> None:
        data = self.context.local_data
        if data is None or (data.online and not self.from_local):
            self.hide()
            return
        if not data.online:
            text = (
                f"{offline_text(self.context, self.entity)}. The POS server cannot be reached: "
                "read-only, money operations are off. posdesk reconnects by itself."
            )
            self.setFrameShape(TintedFrame.Shape.StyledPanel)
            self.tint("warning", 70)
            self.label.setEnabled(True)
        else:
            when = as_of_text(data.as_of(self.entity))
            text = f"From local data as of {when}."
            self.setFrameShape(TintedFrame.Shape.NoFrame)
            self.tint("muted", 0)
            self.label.setEnabled(False)  # muted: the palette's disabled text
        self.label.setText(text)
        self.setAccessibleName(text)
        self.show()
