"""Sign-in through the window against the sandbox: interactive (headless browser), failures,
token expiry while the window is open, and switching profiles without a restart."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from posdesk.api.credentials import Credentials
from posdesk.api.profile import ConnectionProfile
from posdesk.app.demo import Demo
from posdesk.app.session import SessionController
from posdesk.sandbox.security import DEMO_CLIENTS
from posdesk.sandbox.server import SandboxServer
from posdesk.ui.shell.errors import ErrorReporter
from posdesk.ui.shell.main_window import MainWindow, TabSpec
from posdesk.ui.shell.profiles import ProfileStore
from tests.api.helpers import base_url, browser
from tests.conftest import MemoryKeyring
from tests.helpers.probe_tab import CustomersProbeTab
from tests.helpers.scan import files_text
from tests.helpers.waiting import wait_until

PROBE = [TabSpec("&Customers", "tests.helpers.probe_tab:CustomersProbeTab", "customers")]


def make_shell(
    qtbot: QtBot,
    tmp_path: Path,
    opener: Callable[[str], object] | None,
    *,
    tabs: list[TabSpec] = PROBE,
    demo: Demo | None = None,
) -> tuple[MainWindow, SessionController]:
    reporter = ErrorReporter(show_dialogs=False)
    window = MainWindow(QSettings(), tabs=tabs, reporter=reporter)
    qtbot.addWidget(window)
    window.show()
    controller = SessionController(
        window,
        ProfileStore(QSettings()),
        reporter=reporter,
        demo=demo,
        open_browser=opener,
        data_dir=tmp_path,
        sign_in_timeout=10,
    )
    return window, controller


def probe(window: MainWindow) -> CustomersProbeTab:
    tab = window.current_tab()
    assert isinstance(tab, CustomersProbeTab)
    return tab


@pytest.mark.asyncio
async def test_interactive_sign_in_through_the_window(
    qtbot: QtBot,
    sandbox: SandboxServer,
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    isolated_qsettings: Path,
) -> None:
    opened: list[str] = []
    window, controller = make_shell(qtbot, tmp_path, browser("owner", "owner-pass", opened=opened))
    controller.store.save(ConnectionProfile("Store PC", base_url(sandbox), "interactive"))
    try:
        await controller.start("Store PC")
        assert len(opened) == 1
        assert opened[0].startswith(base_url(sandbox) + "/authorize?")
        assert window.connection_label.text() == "● Connected"
        assert window.user_label.text().startswith("Signed in as ")
        assert window.profile_label.text() == "Profile: Store PC"
        tab = probe(window)
        await wait_until(lambda: tab.model.rowCount() > 0 or tab.model.error, 10)
        assert tab.model.error is None, (tab.model.error_text, tab.model.error)
        refresh = memory_keyring.secrets[("posdesk", "Store PC:refresh_token")]
        assert refresh
        assert refresh not in files_text(isolated_qsettings)
        assert controller.store.last_used == "Store PC"
    finally:
        await controller.aclose()
    assert controller.client is None


@pytest.mark.asyncio
async def test_cancelled_sign_in_shows_a_prompt_not_a_traceback(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    window, controller = make_shell(qtbot, tmp_path, browser(action="cancel"))
    controller.store.save(ConnectionProfile("Store PC", base_url(sandbox), "interactive"))
    try:
        await controller.start("Store PC")
        assert controller.client is None
        assert window.sign_in_bar.isVisible()
        assert "cancelled" in window.sign_in_bar.label.text()
        assert window.connection_label.text() == "Sign-in expired"
        assert controller.reporter.seen == {}  # nothing went to the crash dialog
        # "Sign in again" with a working browser completes the sign-in.
        controller.open_browser = browser("owner", "owner-pass")
        window.sign_in_bar.button.click()
        await wait_until(lambda: controller.client is not None)
        assert not window.sign_in_bar.isVisible()
    finally:
        await controller.aclose()


@pytest.mark.asyncio
async def test_token_expiry_while_the_window_is_open(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    sandbox.token_lifetime = 2
    window, controller = make_shell(qtbot, tmp_path, browser("owner", "owner-pass"))
    profile = ConnectionProfile("Store PC", base_url(sandbox), "interactive")
    controller.store.save(profile)
    try:
        await controller.start("Store PC")
        tab = probe(window)
        await wait_until(lambda: tab.model.rowCount() > 0)
        # Expired access token + valid refresh token: renewed silently.
        await asyncio.sleep(2.2)
        window.reload_current()
        await wait_until(lambda: tab.model.rowCount() > 0 and not tab.model.loading)
        assert tab.model.error is None
        assert not window.sign_in_bar.isVisible()
        # Refresh token revoked (signed out elsewhere) and the access token expires.
        Credentials().set_refresh_token(profile.name, "revoked")
        await asyncio.sleep(2.2)
        window.reload_current()
        await wait_until(lambda: tab.model.error is not None)
        assert "sign-in" in tab.model.error_text.lower()
        assert tab.view.banner.isVisible()
        await wait_until(window.sign_in_bar.isVisible)
        assert window.connection_label.text() == "Sign-in expired"
        # Sign in again from the prompt: the tab loads again.
        window.sign_in_bar.button.click()
        await wait_until(lambda: window.connection_label.text() == "● Connected")
        await wait_until(lambda: probe(window).model.rowCount() > 0)
        assert probe(window).model.error is None
    finally:
        await controller.aclose()


@pytest.mark.asyncio
async def test_switching_profiles_without_restart(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    window, controller = make_shell(qtbot, tmp_path, browser("owner", "owner-pass"))
    store = controller.store
    for client_id in ("demo-clerk", "posdesk-demo"):
        store.save(
            ConnectionProfile(client_id, base_url(sandbox), "client_credentials", client_id),
            secret=DEMO_CLIENTS[client_id].secret,
        )
    try:
        await controller.start("demo-clerk")
        first = controller.client
        assert window.user_label.text()
        assert [a.text() for a in window.switch_menu.actions()] == ["demo-clerk", "posdesk-demo"]
        window.switch_menu.actions()[1].trigger()
        await wait_until(lambda: controller.client is not first and controller.client is not None)
        assert window.profile_label.text() == "Profile: posdesk-demo"
        assert first is not None
        await wait_until(
            lambda: first._http.is_closed
        )  # the old connection is closed (after its sync)
        assert window.switch_menu.actions()[1].isChecked()
        # A profile that cannot connect keeps the current session working.
        store.save(
            ConnectionProfile("broken", base_url(sandbox), "client_credentials", "demo-clerk"),
            secret="wrong-secret",
        )
        current = controller.client
        await controller.open_profile("broken")
        assert controller.client is current
        assert "Could not switch to broken" in window.statusBar().currentMessage()
    finally:
        await controller.aclose()


@pytest.mark.asyncio
async def test_profiles_dialog_test_connection_in_plain_words(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    window, controller = make_shell(qtbot, tmp_path, browser("owner", "owner-pass"))
    controller.store.save(
        ConnectionProfile("Clerk", base_url(sandbox), "client_credentials", "demo-clerk"),
        secret=DEMO_CLIENTS["demo-clerk"].secret,
    )
    try:
        dialog = controller.show_profiles()
        qtbot.addWidget(dialog)
        task = dialog.start_test()
        assert task is not None
        assert dialog.result_label.text() == "Testing the connection…"
        await task
        text = dialog.result_label.text()
        assert text.startswith("Connected to posdesk sandbox")
        assert "a sandbox server" in text
        assert "Signed in as" in text
        assert "available on this server" in text
        # A wrong secret typed into the form (not saved) fails in plain words.
        dialog.secret_edit.setText("not-the-secret")
        task = dialog.start_test()
        assert task is not None
        await task
        assert dialog.result_label.text().startswith("The connection test failed: ")
        assert "Traceback" not in dialog.result_label.text()
        assert controller.store.has_secret("Clerk")  # the test saved nothing
        # Connect from the dialog switches the window to that profile.
        dialog.secret_edit.clear()
        dialog.connect_button.click()
        await wait_until(lambda: controller.profile is not None)
        assert window.profile_label.text() == "Profile: Clerk"
    finally:
        await controller.aclose()


@pytest.mark.asyncio
async def test_waiting_for_the_browser_can_be_cancelled(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    opened: list[str] = []

    def browser_left_open(url: str) -> None:
        opened.append(url)  # the user never finishes signing in

    window, controller = make_shell(qtbot, tmp_path, browser_left_open)
    controller.store.save(ConnectionProfile("Store PC", base_url(sandbox), "interactive"))
    try:
        start = controller.spawn(controller.start("Store PC"))
        await wait_until(lambda: opened and window.sign_in_bar.isVisible())
        assert window.connection_label.text() == "Signing in…"
        assert window.sign_in_bar.button.text() == "Cancel"
        window.sign_in_bar.button.click()
        await asyncio.wait_for(start, 5)
        assert controller.client is None
        assert "cancelled" in window.sign_in_bar.label.text()
        assert window.sign_in_bar.button.text() == "Sign in again"
        assert controller.reporter.seen == {}
        # Sign in again, this time finishing in the browser.
        controller.open_browser = browser("owner", "owner-pass")
        window.sign_in_bar.button.click()
        await wait_until(lambda: controller.client is not None)
        assert window.connection_label.text() == "● Connected"
    finally:
        await controller.aclose()


@pytest.mark.asyncio
async def test_signing_in_opens_and_syncs_the_local_mirror(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """After sign-in the session's mirror (servers/<key>/mirror.sqlite3) syncs in the
    background and says so; sign-out stops it and closes the file."""
    window, controller = make_shell(qtbot, tmp_path, None)
    controller.store.save(
        ConnectionProfile("clerk", base_url(sandbox), "client_credentials", "demo-clerk"),
        secret=DEMO_CLIENTS["demo-clerk"].secret,
    )
    try:
        await controller.start("clerk")
        context = window.context
        assert context is not None
        local_data = context.local_data
        assert local_data is not None
        assert context.local is not None
        assert (context.local.directory / "mirror.sqlite3").is_file()
        passes: list[bool] = []
        local_data.synced.connect(lambda: passes.append(True))
        await wait_until(lambda: bool(passes), 60)
        assert local_data.ready("customer")
        assert local_data.progress["customer"].rows > 0
        found = await local_data.mirror.customers("Daniels", first=5)
        assert any("Daniels" in (c.full_name or "") for c in found.items)
        await controller.sign_out()
        assert controller.local_data is None
    finally:
        await controller.aclose()
