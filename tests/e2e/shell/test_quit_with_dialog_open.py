"""Quitting posdesk ends within seconds: with a money dialog open (Issue a card…, Top-up) or
closed in the same turn, online or offline (the reconnect probe slowed down as when a read
found no server, or still due). Found by a screenshot scene: closing Issue a card… asks the
local data for a pass now, and the quit's cancel landing in that same turn was swallowed by
``asyncio.wait_for`` (Python < 3.12), so the sync loop ran on and ``aclose()`` waited for good."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from posdesk.api.profile import ConnectionProfile
from posdesk.app.session import SessionController
from posdesk.mirror import Mirror, MirrorSettings, MirrorSync
from posdesk.sandbox.security import DEMO_CLIENTS
from posdesk.sandbox.server import SandboxServer
from posdesk.ui.common.operation_dialog import OperationDialog
from posdesk.ui.giftcards.issue import IssueCardDialog
from posdesk.ui.giftcards.money_dialogs import MoneyAction, TransactionDialog
from posdesk.ui.giftcards.tab import GiftCardsTab
from posdesk.ui.shell.errors import ErrorReporter
from posdesk.ui.shell.main_window import MainWindow
from posdesk.ui.shell.profiles import ProfileStore
from tests.api.helpers import base_url, connect
from tests.e2e.shell.test_local_data_tabs import open_local_data
from tests.helpers.giftcards import fresh_card, look_up
from tests.helpers.waiting import wait_until

#: What "within a few seconds" means here (a busy 2-core machine included).
QUIT_WITHIN = 15.0


async def open_dialog(
    window: MainWindow, controller: SessionController, kind: str
) -> OperationDialog:
    """The Gift Cards tab's ``kind`` dialog ("issue" or "top-up"), an amount typed in."""
    cards = window.open_tab("giftcards")
    assert isinstance(cards, GiftCardsTab)
    if kind == "issue":
        issue = cards.open_issue()
        assert isinstance(issue, IssueCardDialog)
        issue.amount.setText("25.00")
        return issue
    assert controller.client is not None
    _card, code = await fresh_card(controller.client, Decimal("20.00"))
    await look_up(cards, code)
    top_up = cards.open_money(MoneyAction.TOP_UP)
    assert isinstance(top_up, TransactionDialog)
    top_up.amount.edit.setText("12.34")
    return top_up


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("kind", "offline", "probe_interval", "cancel_first"),
    [
        ("issue", True, 3600.0, True),  # as scripts/shots/offline.py goes offline
        ("issue", True, 3600.0, False),
        ("issue", True, 0.3, True),  # a reconnect probe due while quitting
        ("issue", False, None, True),
        ("issue", False, None, False),
        ("top-up", True, 3600.0, True),
        ("top-up", True, 3600.0, False),
    ],
)
async def test_quit_with_a_money_dialog_open_ends_within_seconds(
    qtbot: QtBot,
    sandbox: SandboxServer,
    tmp_path: Path,
    kind: str,
    offline: bool,
    probe_interval: float | None,
    cancel_first: bool,
) -> None:
    """``cancel_first``: the dialog is closed (Cancel) in the same turn as the quit, as the
    screenshot runner does; closing Issue a card… asks the local data for a pass now."""
    window = MainWindow(QSettings(), reporter=ErrorReporter(show_dialogs=False))
    qtbot.addWidget(window)
    window.show()
    controller = SessionController(
        window, ProfileStore(QSettings()), reporter=window.reporter, data_dir=tmp_path
    )
    controller.store.save(
        ConnectionProfile("manager", base_url(sandbox), "client_credentials", "demo-manager"),
        secret=DEMO_CLIENTS["demo-manager"].secret,
    )
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    quit_on_close = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)  # as run(): closing the window ends run(), not Qt
    try:
        await controller.start("manager")
        local_data = controller.local_data
        assert local_data is not None
        dialog = await open_dialog(window, controller, kind)
        assert dialog.isVisible()
        if offline:
            assert probe_interval is not None
            local_data.probe_interval = probe_interval
            local_data.set_online(False)
            assert not dialog.send_row.isEnabled()
        await asyncio.sleep(0.5)  # a probe (0.3 s) has its turn before the quit
        started = asyncio.get_running_loop().time()
        if cancel_first:
            dialog.close()
        window.close()  # what run() does on quit, in its order
        await asyncio.wait_for(controller.aclose(), QUIT_WITHIN)
        window.set_session(None)
        assert asyncio.get_running_loop().time() - started < QUIT_WITHIN
    finally:
        await asyncio.wait_for(controller.aclose(), QUIT_WITHIN)
        app.setQuitOnLastWindowClosed(quit_on_close)


def left_running(name: str) -> list[asyncio.Task[object]]:
    """Tasks called ``name`` that are still not done (cancelled here, for the next test)."""
    alive = [t for t in asyncio.all_tasks() if t.get_name() == name and not t.done()]
    for task in alive:
        task.cancel()
    return alive


@pytest.mark.asyncio
async def test_local_data_closes_when_woken_in_the_same_turn(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    """A pass asked for (a dialog closed, back online) just as the session ends: the sync
    loop's task ends with the close instead of running on (and ``aclose()`` waiting)."""
    client = await connect(sandbox, tmp_path)
    local_data = await open_local_data(client, tmp_path)
    try:
        local_data.start(3600.0)
        passes: list[bool] = []
        local_data.synced.connect(lambda: passes.append(True))
        await wait_until(lambda: bool(passes), 60)  # the first pass: the loop waits for its wake
        await asyncio.sleep(0.1)
        started = asyncio.get_running_loop().time()
        local_data.sync_now()
        await asyncio.wait_for(local_data.aclose(), QUIT_WITHIN)
        assert asyncio.get_running_loop().time() - started < QUIT_WITHIN / 3
        assert left_running("local data sync") == []
    finally:
        left_running("local data sync")
        await local_data.aclose()
        await client.aclose()


@pytest.mark.asyncio
async def test_mirror_sync_run_stops_when_woken_in_the_same_turn(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    """The same for ``MirrorSync.run()``: cancelled right after ``sync_now()``, it stops."""
    client = await connect(sandbox, tmp_path)
    mirror = await Mirror.open(tmp_path / "mirror.sqlite3")
    sync = MirrorSync(client, mirror, MirrorSettings(page_size=500))
    forever = asyncio.ensure_future(sync.run(interval=3600))
    try:
        await wait_until(lambda: sync.progress["giftcard"].last_synced is not None, 60)
        await asyncio.sleep(0.1)
        sync.sync_now()
        forever.cancel()
        await asyncio.wait([forever], timeout=QUIT_WITHIN / 3)
        assert forever.cancelled()
    finally:
        forever.cancel()
        await asyncio.wait([forever], timeout=QUIT_WITHIN)
        await mirror.close()
        await client.aclose()
