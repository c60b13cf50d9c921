"""A whole session at DEBUG logging writes no secret to disk.

Signs in both ways (client credentials; interactive PKCE, then again with the refresh token),
looks a PIN card up with its PIN, redeems with the PIN, issues a physical card with a PIN and
shows a personal code unmasked to a privileged role — with the sandbox (its authlib provider
logs at DEBUG too) in the same process. Then every file under the log directory, the settings
directory and the data directory (journal, issue drafts) is scanned for the client secret, the
user's password, every access and refresh token, both PINs and the unmasked personal code."""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from posdesk.api.client import PosClient
from posdesk.api.credentials import Credentials
from posdesk.domain import GiftCardCodeType
from posdesk.logging_setup import setup_logging, teardown_logging
from posdesk.sandbox.security import DEMO_CLIENTS, DEMO_USERS
from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from posdesk.store.journal import Journal
from posdesk.ui.giftcards.money_dialogs import MoneyAction
from posdesk.ui.giftcards.tab import GiftCardsTab
from tests.api.helpers import FAST_RETRY, browser, interactive_profile, no_browser
from tests.e2e.giftcards.test_issue import fill_physical
from tests.helpers.giftcards import confirm, fresh_card, look_up, unique_code
from tests.helpers.scan import files_text
from tests.helpers.session import signed_in
from tests.helpers.waiting import settle

pytestmark = pytest.mark.asyncio


def access_token(client: PosClient) -> str:
    token = client._auth._token
    assert token is not None
    return token.access_token


def pin() -> str:
    """A PIN no timestamp or id in a file could contain by chance."""
    return str(uuid.uuid4().int)[:11]


async def test_no_secret_reaches_logs_settings_or_data(
    qtbot: QtBot,
    sandbox: SandboxServer,
    tmp_path: Path,
    isolated_qsettings: Path,
    request: pytest.FixtureRequest,
) -> None:
    log_dir, data_dir = tmp_path / "logs", tmp_path / "data"
    data_dir.mkdir()
    setup_logging("DEBUG", log_dir, stderr=False)
    request.addfinalizer(teardown_logging)
    logging.getLogger("authlib").setLevel(logging.DEBUG)
    secrets: dict[str, str] = {
        "client secret": DEMO_CLIENTS["posdesk-demo"].secret,
        "user password": DEMO_USERS["manager"].password,
    }

    # Interactive sign-in (authorization code + PKCE), then a second start on the refresh token.
    profile = interactive_profile(sandbox, "scan-pc")
    journal = Journal(data_dir / "interactive.sqlite3")
    client = await PosClient.connect(
        profile,
        open_browser=browser("manager", DEMO_USERS["manager"].password),
        journal=journal,
        retry=FAST_RETRY,
    )
    try:
        assert (await client.viewer()).subject == "manager"
        secrets["PKCE access token"] = access_token(client)
    finally:
        await client.aclose()
    first_refresh = Credentials().refresh_token(profile.name)
    assert first_refresh
    secrets["refresh token"] = first_refresh
    again = await PosClient.connect(
        profile, open_browser=no_browser, journal=journal, retry=FAST_RETRY
    )
    try:
        assert (await again.viewer()).subject == "manager"
        secrets["refreshed access token"] = access_token(again)
    finally:
        await again.aclose()
        journal.close()
    rotated = Credentials().refresh_token(profile.name)
    assert rotated not in (None, first_refresh)
    assert rotated is not None
    secrets["rotated refresh token"] = rotated

    # Client credentials, and the gift card work through the real Gift Cards tab.
    async with signed_in(sandbox, data_dir) as ctx:
        secrets["client credentials access token"] = access_token(ctx.client)
        assert ctx.viewer.can("ViewUnmaskedGiftCardCodes")
        card_pin = pin()
        secrets["card PIN"] = card_pin
        _card, code = await fresh_card(ctx.client, Decimal("30.00"), pin=card_pin)
        tab = GiftCardsTab(ctx)
        qtbot.addWidget(tab)
        tab.code_type.setCurrentIndex(tab.code_type.findData(GiftCardCodeType.PHYSICAL.value))
        tab.code_edit.setText(code)
        tab.pin_edit.setText(card_pin)  # look-up with the PIN typed in
        tab.lookup_button.click()
        await settle(tab)
        assert tab.target is not None
        tab.pin_edit.setText(card_pin)
        dialog = tab.open_money(MoneyAction.REDEEM)
        assert dialog is not None
        dialog.amount.setText("10")
        outcome = await confirm(dialog)
        assert outcome.done, dialog.result_label.text()
        await settle(tab)
        assert tab.view.balance_label.text() == "$20.00"

        issue_pin = pin()
        secrets["issue PIN"] = issue_pin
        issue = tab.open_issue()
        fill_physical(issue, unique_code(), "15", pin=issue_pin)
        issue.review_button.click()
        issue.start_button.click()
        await settle(issue)
        assert "Done" in issue.status_label.text(), issue.status_label.text()

        await look_up(tab, FIXTURES.gc_personal_code, GiftCardCodeType.PERSONAL)
        shown = [tab.view.codes_table.item(r, 1) for r in range(tab.view.codes_table.rowCount())]
        assert FIXTURES.gc_personal_code in [item.text() for item in shown if item]  # unmasked
        secrets["unmasked personal code"] = FIXTURES.gc_personal_code
        if ctx.client._auth._token is not None:
            secrets["latest access token"] = ctx.client._auth._token.access_token
        issue.close()

    for handler in logging.getLogger().handlers:
        handler.flush()
    log_text = files_text(log_dir)
    assert " DEBUG " in log_text  # the scan reads a real DEBUG log ...
    assert "authlib" in log_text or "posdesk.sandbox" in log_text  # ... with the provider in it
    assert list(data_dir.glob("*.sqlite3")), "the journal is part of the scan"
    written = {
        "log": log_text,
        "settings": files_text(isolated_qsettings),
        "data": files_text(data_dir),
    }
    leaks = [
        f"{what} in {where}"
        for what, secret in secrets.items()
        for where, text in written.items()
        if secret in text
    ]
    assert not leaks, leaks
