"""The strips above the tabs: the non-production banner and the sign-in prompt."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from posdesk.domain import Environment
from posdesk.ui.widgets.paged_view import TintedFrame


class EnvironmentBanner(TintedFrame):
    """A strip above the tabs that says loudly when this is not the production server."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("environmentBanner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        self.label = QLabel(self)
        self.label.setObjectName("environmentBannerText")
        layout.addWidget(self.label, 1)
        self.hide()

    def show_for(self, environment: Environment | None, *, demo: bool) -> None:
        if demo:
            text = "DEMO — local sandbox with made-up data. Nothing you do here is real."
        elif environment is not None and not environment.is_production:
            kind = (environment.kind or "test").upper()
            name = environment.name or "this server"
            text = f"{kind} environment ({name}) — not the production POS."
        else:
            self.hide()
            return
        self.label.setText(text)
        self.setAccessibleName(text)
        self.tint("warning", 70)
        font = self.label.font()
        font.setBold(True)
        self.label.setFont(font)
        self.show()


class SignInBar(QFrame):
    """Shown when the sign-in expired or failed: a sentence and a button, never a traceback."""

    signInRequested = Signal()
    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInBar")
        self.action = "sign_in"
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        self.label = QLabel(self)
        self.label.setObjectName("signInBarText")
        self.label.setWordWrap(True)
        layout.addWidget(self.label, 1)
        self.button = QPushButton("Sign in again", self)
        self.button.setObjectName("signInAgainButton")
        self.button.setAccessibleName("Sign in again")
        self.button.clicked.connect(self._clicked)
        layout.addWidget(self.button)
        self.hide()

    def _clicked(self) -> None:
        if self.action == "cancel":
            self.cancelRequested.emit()
        else:
            self.signInRequested.emit()

    def prompt(self, text: str, button: str = "Sign in again", *, action: str = "sign_in") -> None:
        """Show ``text`` with a button that signs in again (or, ``action="cancel"``, cancels)."""
        self.action = action
        self.button.setText(button)
        self.button.setAccessibleName(button)
        self.label.setText(text)
        self.setAccessibleName(text)
        self.show()
