"""Every interactive widget of the shell has a stable objectName and an accessible name.

docs/testing.md lists these names: end-to-end tests and screen readers rely on them.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from posdesk.ui.shell.errors import ErrorReporter
from posdesk.ui.shell.main_window import MainWindow
from posdesk.ui.shell.profiles import ProfileStore
from posdesk.ui.shell.profiles_dialog import ProfilesDialog
from posdesk.ui.widgets.paged_view import PagedTableView
from posdesk.ui.widgets.search import SearchLineEdit
from tests.helpers.accessibility import unnamed


@pytest.mark.parametrize("factory", ["main_window", "profiles_dialog", "paged_view"])
def test_interactive_widgets_are_named(qtbot: QtBot, factory: str) -> None:
    root: QWidget
    if factory == "main_window":
        root = MainWindow(QSettings(), reporter=ErrorReporter(show_dialogs=False))
    elif factory == "profiles_dialog":
        root = ProfilesDialog(ProfileStore(QSettings()))
    else:
        root = PagedTableView("things")
        SearchLineEdit(root, object_name="thingsSearch")
    qtbot.addWidget(root)
    root.show()
    assert unnamed(root) == []
