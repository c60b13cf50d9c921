"""Local data in the whole shell (session controller + main window) against the sandbox: the
status bar line during and after the first sync, View › Local data…, a store-bound principal
sees only its own rows, Forget / profile removal delete that profile's mirror files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from posdesk.api.profile import ConnectionProfile
from posdesk.app.session import SessionController
from posdesk.sandbox.security import DEMO_CLIENTS, DEMO_STORE_LOCATION
from posdesk.sandbox.server import SandboxServer
from posdesk.ui.localdata.panel import LocalDataPanel
from posdesk.ui.shell.main_window import MainWindow
from posdesk.ui.shell.profiles_dialog import ProfilesDialog
from tests.api.helpers import base_url
from tests.e2e.shell.test_session import make_shell
from tests.helpers.waiting import wait_until


@pytest.fixture(autouse=True)
def keep_app_running() -> Iterator[None]:
    """The panel is a top-level window: closing it must not quit the tests' QApplication."""
    quit_on_close = QApplication.quitOnLastWindowClosed()
    QApplication.setQuitOnLastWindowClosed(False)
    yield
    QApplication.setQuitOnLastWindowClosed(quit_on_close)


def save(controller: SessionController, sandbox: SandboxServer, name: str, client: str) -> None:
    controller.store.save(
        ConnectionProfile(name, base_url(sandbox), "client_credentials", client),
        secret=DEMO_CLIENTS[client].secret,
    )


def status_line(window: MainWindow) -> str:
    label = window.findChild(QLabel, "statusLocalData")
    assert isinstance(label, QLabel)
    return label.text()


@pytest.mark.asyncio
async def test_status_bar_shows_the_first_sync_then_as_of_and_the_menu_opens_the_panel(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    window, controller = make_shell(qtbot, tmp_path, None)
    save(controller, sandbox, "owner", "demo-owner")
    sandbox.faults.latency_ms = 10
    lines: list[str] = []
    try:
        await controller.start("owner")
        local_data = controller.local_data
        assert local_data is not None
        local_data.progressed.connect(lambda _p: lines.append(status_line(window)))
        passes: list[bool] = []
        local_data.synced.connect(lambda: passes.append(True))
        await wait_until(lambda: bool(passes), 60)
        copying = [t for t in lines if t.startswith("Copying the store's data to this PC: ")]
        assert copying
        assert any("so far" in t for t in copying)
        assert status_line(window).startswith("Local data as of ")

        window.local_data_action.trigger()
        assert window.local_data_action.objectName() == "localDataAction"
        context = window.context
        assert context is not None
        panel = context.extras.get("local_data_panel")
        assert isinstance(panel, LocalDataPanel)
        assert panel.isVisible()
        await wait_until(lambda: panel.row_counts()["customer"] > 0, 10)
        await controller.sign_out()
        assert status_line(window) == ""
        assert "local_data_panel" not in context.extras  # the session's panel ends with it
    finally:
        await controller.aclose()


@pytest.mark.asyncio
async def test_a_store_bound_principals_panel_shows_only_its_rows(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    window, controller = make_shell(qtbot, tmp_path, None)
    save(controller, sandbox, "manager", "demo-manager")
    try:
        await controller.start("manager")
        local_data = controller.local_data
        assert local_data is not None
        passes: list[bool] = []
        local_data.synced.connect(lambda: passes.append(True))
        await wait_until(lambda: bool(passes), 60)
        panel = window.open_local_data()
        assert isinstance(panel, LocalDataPanel)
        await wait_until(lambda: panel.row_counts()["customer"] > 0, 10)
        homes = await local_data.mirror.read(
            lambda c: {r[0] for r in c.execute("SELECT DISTINCT home_location_code FROM customer")}
        )
        assert homes == {DEMO_STORE_LOCATION}
        status = await local_data.mirror.status()
        assert panel.row_counts()["customer"] == status["customer"].rows
        assert "only part of them" in panel.state_of("customer")
    finally:
        await controller.aclose()


@pytest.mark.asyncio
async def test_forget_in_the_profiles_dialog_and_profile_removal_delete_the_mirror_files(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    _window, controller = make_shell(qtbot, tmp_path, None)
    save(controller, sandbox, "clerk", "demo-clerk")
    save(controller, sandbox, "owner", "demo-owner")
    try:
        await controller.start("clerk")
        clerk = controller.local_data
        assert clerk is not None
        clerk_file = clerk.mirror.path
        await controller.open_profile("owner")  # the clerk's file stays, closed
        owner = controller.local_data
        assert owner is not None
        owner_file = owner.mirror.path
        assert clerk_file != owner_file
        assert clerk_file.is_file()
        assert owner_file.is_file()
        assert controller.store.scope_keys("clerk") == [clerk_file.parent.name]

        dialog = controller.show_profiles()
        assert isinstance(dialog, ProfilesDialog)
        task = dialog.remove_profile("clerk")  # not the open session: the file goes
        assert task is not None
        await task
        assert not clerk_file.exists()
        assert "and the copy of its data on this PC" in dialog.result_label.text()
        assert (clerk_file.parent / "journal.sqlite3").is_file()  # money history stays

        task = dialog.forget_local_data("owner")  # the open session's own file
        assert task is not None
        await task
        assert not owner_file.exists()
        assert owner.forgotten
        assert "Forgot the local data of owner" in dialog.result_label.text()
        dialog.reject()
    finally:
        await controller.aclose()
