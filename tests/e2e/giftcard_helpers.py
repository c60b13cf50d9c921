"""Shared set-up for the Gift Cards / purchase end-to-end tests: a real PosClient signed in to
the session sandbox as a demo principal, wrapped in the shell's SessionContext."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from posdesk.api.client import PosClient
from posdesk.api.credentials import Credentials
from posdesk.api.profile import ConnectionProfile
from posdesk.domain import GiftCard, GiftCardCodeType, GiftCardTransType
from posdesk.models.tasks import TaskOwner
from posdesk.sandbox.security import DEMO_CLIENTS
from posdesk.sandbox.server import SandboxServer
from posdesk.store.issue_drafts import IssueDraft, PaymentMethod
from posdesk.store.journal import Journal
from posdesk.ui.common.outcome import Outcome
from posdesk.ui.giftcards.tab import GiftCardsTab
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.shell.errors import ErrorReporter


@asynccontextmanager
async def signed_in(
    sandbox: SandboxServer, data_dir: Path, client_id: str = "posdesk-demo"
) -> AsyncIterator[SessionContext]:
    """A session as the shell builds it; the journal lives in ``data_dir`` (one "machine")."""
    assert sandbox.info is not None
    profile = ConnectionProfile(
        name=f"sandbox-{client_id}", base_url=sandbox.info.base_url, client_id=client_id
    )
    credentials = Credentials()
    credentials.set_client_secret(profile.name, DEMO_CLIENTS[client_id].secret)
    journal = Journal(data_dir / "journal.sqlite3")
    client = await PosClient.connect(
        profile, credentials=credentials, journal=journal, settle_delay=0.2
    )
    context = SessionContext(
        client=client,
        viewer=await client.viewer(),
        environment=await client.environment(),
        profile_name=profile.name,
        tasks=TaskOwner(),
        reporter=ErrorReporter(show_dialogs=False),
        extras={"issue_drafts_path": str(data_dir / "issue_drafts.json")},
    )
    try:
        yield context
    finally:
        context.tasks.cancel_all()
        await client.aclose()
        journal.close()


def cash_draft(code: str, amount: str) -> IssueDraft:
    """An issue of a physical card ``code`` paid cash, not started yet."""
    return IssueDraft.new(
        code_type=GiftCardCodeType.PHYSICAL,
        amount=Decimal(amount),
        payment_method=PaymentMethod.CASH,
        code=code,
        payment_note="cash",
    )


def unique_code(prefix: str = "GT") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10].upper()}"


async def fresh_card(
    client: PosClient, balance: Decimal = Decimal("25.00"), *, pin: str | None = None
) -> tuple[GiftCard, str]:
    """A new physical card of our own (the sandbox is shared by the whole test session)."""
    code = unique_code()
    card = await client.giftcard_add(physical_code=code, physical_pin=pin)
    if balance:
        await client.giftcard_transaction(
            code, GiftCardCodeType.PHYSICAL, GiftCardTransType.ADD, balance, pin=pin
        )
    return card, code


async def card_tab(
    qtbot: QtBot, ctx: SessionContext, balance: Decimal, *, pin: str | None = None
) -> tuple[GiftCardsTab, str]:
    """A Gift Cards tab showing a fresh physical card of ``balance``; returns (tab, code)."""
    _card, code = await fresh_card(ctx.client, balance, pin=pin)
    tab = GiftCardsTab(ctx)
    qtbot.addWidget(tab)
    tab.code_type.setCurrentIndex(tab.code_type.findData(GiftCardCodeType.PHYSICAL.value))
    tab.code_edit.setText(code)
    tab.lookup_button.click()
    await settle(tab)
    assert tab.target is not None
    return tab, code


async def confirm(dialog: Any) -> Outcome:
    """Review → Confirm on a money dialog, wait for it, return its outcome."""
    dialog.next_button.click()
    dialog.confirm_button.click()
    await settle(dialog)
    outcome: Outcome | None = dialog.outcome
    assert outcome is not None
    return outcome


def lose_answer_then_server(sandbox: SandboxServer, dialog: Any) -> None:
    """The next mutation commits but its answer is lost, and the look-up that follows fails
    too (the server goes down as the client starts checking): the outcome stays unknown."""
    sandbox.faults.drop_next_mutations = 1
    checking = dialog.checking

    def server_goes_down() -> None:
        sandbox.faults.error_rate = 1.0
        checking()

    dialog.checking = server_goes_down


async def until(condition: Callable[[], Any], limit_s: float = 10.0) -> None:
    """Poll ``condition`` while the qasync loop keeps running (never qtbot.wait in async)."""
    deadline = asyncio.get_running_loop().time() + limit_s
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def settle(obj: Any) -> None:
    """Await the object's current task (tab look-up/refresh, dialog send) if any."""
    for _ in range(50):
        task = getattr(obj, "task", None)
        if task is None or task.done():
            return
        await task
