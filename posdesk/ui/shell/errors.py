"""Where failures go: expected API errors become a sentence, anything else the crash dialog.

The crash dialog is deduplicated by traceback signature (file, function and line of every
frame, not the message), the way Electrum's crash reporter does it: a bug that fires on every
row of a table opens one dialog, not a thousand.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from posdesk.api.errors import NotAuthenticated
from posdesk.models.paged import error_message as user_sentence
from posdesk.models.paged import is_expected

__all__ = ["CrashDialog", "ErrorReporter", "is_expected", "signature", "user_sentence"]

_log = logging.getLogger("posdesk.crash")


def signature(exc: BaseException) -> str:
    """A stable id for "the same bug": exception type plus where it was raised from."""
    frames = traceback.extract_tb(exc.__traceback__)
    parts = [type(exc).__qualname__] + [f"{f.filename}:{f.name}:{f.lineno}" for f in frames]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


class CrashDialog(QDialog):
    """Shows one unexpected error with its traceback (already in the log) and a copy button."""

    def __init__(self, exc: BaseException, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle("posdesk — unexpected error")
        self.setAccessibleName("Unexpected error")
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        layout = QVBoxLayout(self)
        intro = QLabel(
            "posdesk hit an unexpected error. Your data on the server is not affected by it. "
            "The details below are also in the log file; please send them to support."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        details = QPlainTextEdit(text)
        details.setObjectName("crashDetails")
        details.setAccessibleName("Error details")
        details.setReadOnly(True)
        details.setMinimumSize(560, 220)
        layout.addWidget(details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy details", QDialogButtonBox.ButtonRole.ActionRole)
        copy.setObjectName("crashCopyButton")
        copy.setAccessibleName("Copy error details")
        copy.clicked.connect(lambda: QApplication.clipboard().setText(text))
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("crashCloseButton")
        close.setAccessibleName("Close")
        layout.addWidget(buttons)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)


class ErrorReporter:
    """The app's single sink for failures; the main window owns one."""

    def __init__(self, parent: QWidget | None = None, *, show_dialogs: bool = True) -> None:
        self.parent = parent
        self.show_dialogs = show_dialogs
        self.seen: dict[str, int] = {}
        self.dialogs: list[CrashDialog] = []
        self.listeners: list[Callable[[BaseException], None]] = []
        """Told about every error the UI sees (the session watches for an expired sign-in)."""

    def observe(self, exc: BaseException) -> None:
        for listener in list(self.listeners):
            listener(exc)

    def unexpected(self, exc: BaseException) -> None:
        """Log it always; open the crash dialog only the first time this traceback is seen."""
        key = signature(exc)
        count = self.seen.get(key, 0) + 1
        self.seen[key] = count
        _log.error("Unexpected error [%s] (occurrence %d)", key, count, exc_info=exc)
        if count > 1 or not self.show_dialogs:
            return
        dialog = CrashDialog(exc, self.parent)
        self.dialogs.append(dialog)
        dialog.finished.connect(lambda _r: self.dialogs.remove(dialog))
        dialog.open()

    def excepthook(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        """``sys.excepthook`` replacement: exceptions escaping Qt slots land here."""
        self.unexpected(exc.with_traceback(tb))

    def report(self, exc: BaseException, what: str | None = None) -> None:
        """Expected errors: a plain message box; anything else: the crash dialog."""
        self.observe(exc)
        if not is_expected(exc):
            self.unexpected(exc)
            return
        details = getattr(exc, "details", "")
        _log.warning("%s: %s (%s)", what or "Operation failed", user_sentence(exc), details)
        if not self.show_dialogs or (isinstance(exc, NotAuthenticated) and self.listeners):
            return  # the window's "Sign in again" bar is the prompt
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            what or "posdesk",
            user_sentence(exc),
            QMessageBox.StandardButton.Ok,
            self.parent,
        )
        box.setObjectName("errorMessageBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
