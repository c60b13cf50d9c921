"""A minimal tab honouring the shell's tab contract, for main-window tests."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from posdesk.ui.shell.context import SessionContext


class FakeTab(QWidget):
    created = 0

    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        FakeTab.created += 1
        self.context = context
        self.setObjectName("fakeTab")
        self.search = QLineEdit(self)
        self.search.setObjectName("fakeSearch")
        QVBoxLayout(self).addWidget(self.search)
        self.saved = False

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def save_state(self) -> None:
        self.saved = True


class BrokenTab(QWidget):
    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        raise RuntimeError("this tab is broken")
