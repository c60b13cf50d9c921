"""The Query console (View › Query console, Ctrl+Shift+Q): ad-hoc read-only GraphQL.

A feature package: ``open_console(context, parent)`` is its only entry point for the shell.
One window per signed-in profile, kept in ``context.extras["query_console"]`` (a new sign-in
makes a new context, so a new console; the shell closes the old one).

objectNames (tests and accessibility; see docs/testing.md): ``queryConsole`` (the window),
``consoleToolbar``; actions ``consoleRunAction`` (Ctrl+Enter), ``consolePrettifyAction``,
``consoleLoadAllAction``, ``consoleCancelAction``, ``consoleExportAction``,
``consoleOpenAction``, ``consoleSaveFileAction``, ``consoleSaveQueryAction`` and their toolbar
buttons (``…Button``); ``consoleSaved``, ``consoleHistory`` (combos); ``consoleEditor``,
``consoleCompletionPopup``, ``consoleProblem``, ``consoleVariables``; ``consoleError``,
``consoleErrorText``, ``consoleRawErrorButton``, ``consoleRawError``; ``consoleResultTabs``,
``consoleResults*`` (a ``PagedTableView``: ``consoleResultsTable`` …), ``consoleRawJson``,
``consoleStatus``, ``consoleProgress``, ``consoleCancelButton``; ``consoleDocs``;
``consoleSubTableDialog`` with ``consoleSubTable*`` and ``consoleSubTableClose``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from posdesk.ui.shell.context import SessionContext


def open_console(context: SessionContext, parent: QWidget | None = None) -> QWidget:
    """Show this session's console (created on first use, raised afterwards)."""
    from posdesk.ui.console.window import ConsoleWindow

    window = context.extras.get("query_console")
    if not isinstance(window, ConsoleWindow):
        window = ConsoleWindow(context, parent)
        context.extras["query_console"] = window
    window.show()
    window.raise_()
    window.activateWindow()
    return window


def close_console(context: SessionContext | None) -> None:
    """Close the console of a session that ends (sign-out, profile switch, quit)."""
    window = context.extras.pop("query_console", None) if context is not None else None
    if isinstance(window, QWidget):
        window.close()
        window.deleteLater()
