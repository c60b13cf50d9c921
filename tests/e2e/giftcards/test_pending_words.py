"""Pending operations read as plain words built from the journal's structured fields."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from posdesk.api import errors
from posdesk.domain import GiftCardCodeType, GiftCardTransType, TerminalPaymentType
from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from posdesk.ui.giftcards.tab import GiftCardsTab
from tests.helpers.giftcards import fresh_card
from tests.helpers.session import signed_in

pytestmark = pytest.mark.asyncio


async def test_pending_operations_in_plain_words(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        client = ctx.client
        card, code = await fresh_card(client, Decimal("50.00"))
        for trans_type, amount in (
            (GiftCardTransType.ADD, Decimal("20.00")),
            (GiftCardTransType.USE, Decimal("-5.00")),
        ):
            sandbox.faults.fail_next = 2  # the write and then its look-up fail: outcome unknown
            with pytest.raises(errors.UnknownOutcome):
                await client.giftcard_transaction(
                    code, GiftCardCodeType.PHYSICAL, trans_type, amount, giftcard_id=card.id
                )
        sandbox.faults.drop_next_mutations = 1  # the terminal's answer is lost
        with pytest.raises(errors.NeedsReview):
            await client.terminal_start(TerminalPaymentType.SALE, Decimal("12.50"), "LANE-6")
        sandbox.faults.drop_next_mutations = 1
        with pytest.raises(errors.NeedsReview):
            await client.giftcard_add(
                add_personal_code=True, member_id=FIXTURES.card_owner_member_id
            )
        tab = GiftCardsTab(ctx)
        qtbot.addWidget(tab)
        tab.pending.refresh()
        table = tab.pending.table
        cells = [table.item(row, 1) for row in range(table.rowCount())]
        words = [cell.text() if cell is not None else "" for cell in cells]
        assert words == [
            f"Top-up of $20.00 on card ****{code[-4:]}",
            f"Payment of $5.00 from card ****{code[-4:]}",
            "Card payment of $12.50 on terminal LANE-6",
            f"New gift card with a personal code for member {FIXTURES.card_owner_member_id}",
        ]
        shown = " ".join(words)
        for raw in ("ADD", "USE", "SALE", "Record", code):
            assert raw not in shown
        entry = tab.pending.entries[0]
        assert entry.amount == Decimal("20.00")
        assert entry.card_last4 == code[-4:]
        assert entry.trans_type == "ADD"
