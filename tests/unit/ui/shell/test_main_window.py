"""Main window frame: lazy tabs, placeholders, shortcuts, banners, status bar, restore."""

from __future__ import annotations

import importlib

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from posdesk.domain import Environment, Viewer
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.shell.errors import ErrorReporter
from posdesk.ui.shell.main_window import (
    TAB_FACTORIES,
    MainWindow,
    PlaceholderTab,
    TabSpec,
    load_factory,
)
from tests.helpers.fake_tab import FakeTab
from tests.helpers.session import session_context

SPECS = [
    TabSpec("&Fake", "tests.helpers.fake_tab:FakeTab", "fake"),
    TabSpec("&Missing", "posdesk.ui.no_such_tab:NoSuchTab", "missing"),
    TabSpec("&Broken", "tests.helpers.fake_tab:BrokenTab", "broken"),
]


def context(kind: str = "SANDBOX", reporter: ErrorReporter | None = None) -> SessionContext:
    return session_context(  # the frame never touches the client
        viewer=Viewer(name="Alex Manager", client_id="posdesk-desktop"),
        environment=Environment(name="posdesk sandbox", kind=kind, version="1.0"),
        profile_name="Demo",
        reporter=reporter,
    )


def window(qtbot: QtBot, specs: list[TabSpec] = SPECS) -> MainWindow:
    win = MainWindow(QSettings(), tabs=specs, reporter=ErrorReporter(show_dialogs=False))
    qtbot.addWidget(win)
    win.show()
    return win


def content(win: MainWindow, index: int) -> QWidget | None:
    return win.pages[index].content


def test_the_five_tabs_are_registered_in_one_list() -> None:
    assert [s.key for s in TAB_FACTORIES] == [
        "customers",
        "inventory",
        "sales",
        "giftcards",
        "reports",
    ]


@pytest.mark.parametrize("spec", TAB_FACTORIES, ids=lambda spec: spec.key)
def test_every_registered_tab_path_resolves_to_a_widget_class(spec: TabSpec) -> None:
    """A wrong path would silently become a placeholder tab at run time: catch it here."""
    module_name, _, attr = spec.factory.partition(":")
    factory = getattr(importlib.import_module(module_name), attr)
    assert isinstance(factory, type), spec.factory
    assert issubclass(factory, QWidget), spec.factory
    assert load_factory(spec) is factory


def test_tabs_are_built_lazily_with_placeholders(qtbot: QtBot) -> None:
    FakeTab.created = 0
    win = window(qtbot)
    ctx = context()
    win.set_session(ctx)
    assert FakeTab.created == 1
    assert content(win, 1) is None  # not imported until shown
    win.tabs.setCurrentIndex(1)
    assert isinstance(content(win, 1), PlaceholderTab)
    win.tabs.setCurrentIndex(2)
    assert isinstance(content(win, 2), PlaceholderTab)
    assert len(ctx.reporter.seen) == 1  # the broken tab went to the crash reporter


def test_shortcuts_switch_tabs_and_focus_search(qtbot: QtBot) -> None:
    win = window(qtbot)
    win.set_session(context())
    assert win.tab_actions[1].shortcut() == QKeySequence("Ctrl+2")
    win.tab_actions[1].trigger()
    assert win.tabs.currentIndex() == 1
    win.tab_actions[0].trigger()
    assert QKeySequence("F3") in win.focus_search_action.shortcuts()
    win.activateWindow()
    win.focus_search_action.trigger()
    tab = win.current_tab()
    assert isinstance(tab, FakeTab)
    assert tab.search.hasFocus() or QApplication.focusWidget() in (tab.search, None)


def test_status_bar_and_banner_show_the_sandbox(qtbot: QtBot) -> None:
    win = window(qtbot)
    win.set_session(context("SANDBOX"), demo=True)
    assert win.profile_label.text() == "Profile: Demo"
    assert "Sandbox" in win.environment_label.text()
    assert win.user_label.text() == "Signed in as Alex Manager"
    assert win.connection_label.text() == "● Connected"
    assert win.environment_banner.isVisible()
    assert "DEMO" in win.environment_banner.label.text()
    win.set_session(context("PRODUCTION"))
    assert not win.environment_banner.isVisible()
    win.set_session(context("TEST"))
    assert "TEST environment" in win.environment_banner.label.text()


def test_expired_sign_in_prompts_and_switching_sessions_rebuilds_tabs(qtbot: QtBot) -> None:
    win = window(qtbot)
    first = context()
    win.set_session(first)
    old_tab = win.current_tab()
    assert isinstance(old_tab, FakeTab)
    win.set_connection_state("expired")
    assert win.sign_in_bar.isVisible()
    with qtbot.waitSignal(win.signInRequested):
        win.sign_in_bar.button.click()
    win.set_session(context())
    assert old_tab.saved
    assert win.current_tab() is not old_tab
    assert not win.sign_in_bar.isVisible()


def test_geometry_and_last_tab_are_restored(qtbot: QtBot) -> None:
    win = window(qtbot)
    win.set_session(context())
    win.resize(700, 500)
    win.tabs.setCurrentIndex(1)
    win.close()
    again = window(qtbot)
    assert again.tabs.currentIndex() == 1
    assert again.size().width() == 700


def test_first_start_fills_most_of_the_screen(qtbot: QtBot) -> None:
    """No saved geometry (a new user): the window takes most of the screen, inside it."""
    win = window(qtbot)
    area = win.screen().availableGeometry()
    assert win.width() <= area.width()
    assert win.height() <= area.height()
    assert win.width() >= min(area.width(), 1180) * 0.9
    assert win.height() >= min(area.height(), 760) * 0.9
    assert area.contains(win.frameGeometry().topLeft())


def test_profiles_menu_emits_the_chosen_profile(qtbot: QtBot) -> None:
    win = window(qtbot)
    win.set_profiles(["Demo", "Store 12"], "Demo")
    actions = win.switch_menu.actions()
    assert [a.text() for a in actions] == ["Demo", "Store 12"]
    assert actions[0].isChecked()
    with qtbot.waitSignal(win.profileSwitchRequested) as blocker:
        actions[1].trigger()
    assert blocker.args == ["Store 12"]


def test_about_dialog_names_the_server(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QLabel

    from posdesk.ui.shell.about import AboutDialog

    dialog = AboutDialog(context())
    qtbot.addWidget(dialog)
    label = dialog.findChild(QLabel, "about:Environment")
    assert label is not None
    assert label.text() == "SANDBOX"


def test_banners_follow_a_palette_change(qtbot: QtBot) -> None:
    from PySide6.QtGui import QPalette

    from posdesk.ui.shell.theme import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = app.palette()
    win = window(qtbot)
    try:
        apply_theme(app, "light")
        win.set_session(context(), demo=True)
        light = win.environment_banner.palette().color(QPalette.ColorRole.Window)
        apply_theme(app, "dark")
        QApplication.processEvents()
        dark = win.environment_banner.palette().color(QPalette.ColorRole.Window)
        assert light != dark
        assert dark.name() == "#ffcc80"  # the dark palette's warning tone
        apply_theme(app, "light")
        QApplication.processEvents()
        assert win.environment_banner.palette().color(QPalette.ColorRole.Window) == light
    finally:
        app.setPalette(original)
