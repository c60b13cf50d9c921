"""The query editor: highlighting, completion from the live schema, validation as you type.

Completion pops up while a name is typed (or on Ctrl+Space) with the fields, arguments or
enum values valid at the cursor (``schema_help.completions``). Validation runs 250 ms after
the last keystroke (graphql-core ``validate`` against the live schema): the first problem is
underlined with a wavy line and ``problemsChanged`` carries the messages for the window.
"""

from __future__ import annotations

from graphql import GraphQLSchema
from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFontDatabase, QKeyEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QAbstractItemView, QCompleter, QPlainTextEdit, QTextEdit, QWidget
from typing_extensions import override

from posdesk.ui.console.highlighter import GraphQLHighlighter
from posdesk.ui.console.schema_help import Problem, completions, describe_at, problems

VALIDATE_DELAY_MS = 250
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_POPUP_KEYS = frozenset(
    {
        Qt.Key.Key_Enter,
        Qt.Key.Key_Return,
        Qt.Key.Key_Escape,
        Qt.Key.Key_Tab,
        Qt.Key.Key_Backtab,
    }
)


def monospace(widget: QWidget) -> None:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    widget.setFont(font)


class QueryEditor(QPlainTextEdit):
    """GraphQL editor bound to a schema (which may arrive later, or never)."""

    problemsChanged = Signal(list)  # list[Problem]
    completionShown = Signal(int)  # number of candidates
    runRequested = Signal()
    docRequested = Signal(str)  # HTML for the name under the cursor ("" when none)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("consoleEditor")
        self.setAccessibleName("Query editor")
        monospace(self)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 2)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.schema: GraphQLSchema | None = None
        self.highlighter = GraphQLHighlighter(self.document())
        self.problems: list[Problem] = []

        self.completion_model = QStringListModel(self)
        self.completer = QCompleter(self.completion_model, self)
        self.completer.setWidget(self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setModelSorting(QCompleter.ModelSorting.UnsortedModel)
        popup = self.popup()
        popup.setObjectName("consoleCompletionPopup")
        popup.setAccessibleName("Completions")
        self.completer.activated.connect(self.insert_completion)

        self._validate_timer = QTimer(self)
        self._validate_timer.setSingleShot(True)
        self._validate_timer.setInterval(VALIDATE_DELAY_MS)
        self._validate_timer.timeout.connect(self.validate_now)
        self.textChanged.connect(self._validate_timer.start)
        self._doc_timer = QTimer(self)
        self._doc_timer.setSingleShot(True)
        self._doc_timer.setInterval(120)
        self._doc_timer.timeout.connect(self.describe_cursor)
        self.cursorPositionChanged.connect(self._doc_timer.start)

    def popup(self) -> QAbstractItemView:
        popup = self.completer.popup()
        assert popup is not None  # QCompleter always makes one
        return popup

    def set_schema(self, schema: GraphQLSchema | None) -> None:
        self.schema = schema
        self.validate_now()

    # ------------------------------------------------------------------ completion

    def complete_now(self) -> int:
        """Show the completions valid at the cursor; returns how many there are."""
        if self.schema is None:
            return 0
        cursor = self.textCursor()
        prefix, found = completions(self.schema, self.toPlainText(), cursor.position())
        popup = self.popup()
        if not found or (len(found) == 1 and found[0].text == prefix):
            popup.hide()
            return 0
        self.completion_model.setStringList([c.text for c in found])
        self.completer.setCompletionPrefix(prefix)
        rect = self.cursorRect()
        rect.setWidth(popup.sizeHintForColumn(0) + popup.verticalScrollBar().sizeHint().width() + 8)
        self.completer.complete(rect)
        popup.setCurrentIndex(self.completer.completionModel().index(0, 0))
        self.completionShown.emit(len(found))
        return len(found)

    def insert_completion(self, text: str) -> None:
        cursor = self.textCursor()
        prefix = self.completer.completionPrefix()
        cursor.movePosition(
            QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, len(prefix)
        )
        cursor.insertText(text)
        self.setTextCursor(cursor)

    @override
    def keyPressEvent(self, e: QKeyEvent) -> None:
        popup = self.popup()
        if popup.isVisible() and e.key() in _POPUP_KEYS:
            e.ignore()  # the completer's event filter takes these
            return
        control = bool(e.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if control and e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.runRequested.emit()
            return
        if control and e.key() == Qt.Key.Key_Space:
            self.complete_now()
            return
        super().keyPressEvent(e)
        typed = e.text()
        if typed and typed in _NAME_CHARS and not control:
            self.complete_now()
        elif popup.isVisible():
            popup.hide()

    # ------------------------------------------------------------------ validation

    def validate_now(self) -> list[Problem]:
        """Check the document now: underline the first problem, tell the window."""
        self._validate_timer.stop()
        self.problems = problems(self.schema, self.toPlainText())
        selections: list[QTextEdit.ExtraSelection] = []
        for problem in self.problems[:1]:
            selection = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(QColor("#d32f2f"))
            fmt.setToolTip(problem.message)
            selection.format = fmt
            cursor = QTextCursor(self.document())
            cursor.setPosition(min(problem.start, len(self.toPlainText())))
            cursor.setPosition(
                min(problem.end, len(self.toPlainText())), QTextCursor.MoveMode.KeepAnchor
            )
            selection.cursor = cursor
            selections.append(selection)
        self.setExtraSelections(selections)
        self.problemsChanged.emit(self.problems)
        return self.problems

    def underlined(self) -> list[tuple[int, int]]:
        """The underlined ranges (for tests and the accessibility summary)."""
        return [
            (s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in self.extraSelections()
        ]

    # ------------------------------------------------------------------ documentation

    def describe_cursor(self) -> str:
        if self.schema is None:
            return ""
        text = describe_at(self.schema, self.toPlainText(), self.textCursor().position()) or ""
        if text:
            self.docRequested.emit(text)
        return text
