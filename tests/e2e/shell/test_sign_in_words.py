"""A mistyped or rotated client secret reads as what it is — in Test connection, when
connecting and mid-session — and never offers "Sign in again", which cannot fix it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from posdesk.api.auth import TokenSet
from posdesk.api.profile import ConnectionProfile
from posdesk.sandbox.security import DEMO_CLIENTS
from posdesk.sandbox.server import SandboxServer
from tests.api.helpers import base_url, browser
from tests.e2e.shell.test_session import make_shell, probe
from tests.helpers.waiting import wait_until

WRONG_SECRET = "The POS server did not accept the client id or client secret."


@pytest.mark.asyncio
async def test_wrong_secret_in_test_connection_and_connect(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    window, controller = make_shell(qtbot, tmp_path, browser("owner", "owner-pass"))
    controller.store.save(
        ConnectionProfile("Clerk", base_url(sandbox), "client_credentials", "demo-clerk"),
        secret="a-typo-in-the-secret",
    )
    try:
        dialog = controller.show_profiles()
        qtbot.addWidget(dialog)
        task = dialog.start_test()
        assert task is not None
        await task
        text = dialog.result_label.text()
        assert text.startswith("The connection test failed: " + WRONG_SECRET), text
        assert "expired" not in text
        # Connecting says the same, and offers "Try again" (after fixing the profile),
        # not the "Sign-in expired" state.
        await controller.open_profile("Clerk")
        assert controller.client is None
        assert window.connection_label.text() == "Connection problem"
        assert WRONG_SECRET in window.sign_in_bar.label.text()
        assert window.sign_in_bar.button.text() == "Try again"
    finally:
        await controller.aclose()


@pytest.mark.asyncio
async def test_secret_rotated_while_the_window_is_open(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    window, controller = make_shell(qtbot, tmp_path, browser("owner", "owner-pass"))
    controller.store.save(
        ConnectionProfile("Clerk", base_url(sandbox), "client_credentials", "demo-clerk"),
        secret=DEMO_CLIENTS["demo-clerk"].secret,
    )
    try:
        await controller.start("Clerk")
        tab = probe(window)
        await wait_until(lambda: tab.model.rowCount() > 0)
        assert sandbox.provider is not None
        sandbox.provider.rotate_client_secret("demo-clerk", "rotated-by-the-admin")
        assert controller.client is not None
        controller.client._auth.set_token(TokenSet("stale", renew_at=0.0))  # renewal due
        window.reload_current()
        await wait_until(lambda: tab.model.error is not None)
        assert tab.model.error_text.startswith(WRONG_SECRET)
        await wait_until(window.sign_in_bar.isVisible)
        assert window.connection_label.text() == "Connection problem"
        assert "Sign-in expired" not in window.connection_label.text()
        assert WRONG_SECRET in window.sign_in_bar.label.text()
        assert controller.reporter.seen == {}  # nothing went to the crash dialog
    finally:
        await controller.aclose()
