"""Gift card test data and steps against the sandbox: fresh cards, cash issue drafts, a tab
showing a card, Review → Confirm on a money dialog, a lost answer followed by an outage."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from pytestqt.qtbot import QtBot

from posdesk.api.client import PosClient
from posdesk.domain import GiftCard, GiftCardCodeType, GiftCardTransType
from posdesk.sandbox.server import SandboxServer
from posdesk.store.issue_drafts import IssueDraft, PaymentMethod
from posdesk.ui.common.outcome import Outcome
from posdesk.ui.giftcards.tab import GiftCardsTab
from posdesk.ui.shell.context import SessionContext
from tests.helpers.waiting import settle


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
    await look_up(tab, code)
    assert tab.target is not None
    return tab, code


async def look_up(
    tab: GiftCardsTab, code: str, kind: GiftCardCodeType = GiftCardCodeType.PHYSICAL
) -> None:
    """Type ``code`` of ``kind`` into the look-up bar, press Look up, wait for the card."""
    tab.code_type.setCurrentIndex(tab.code_type.findData(kind.value))
    tab.code_edit.setText(code)
    tab.lookup_button.click()
    await settle(tab)


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
