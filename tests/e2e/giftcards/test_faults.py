"""Exactly once through the UI: a response lost after the server committed (the sandbox's
drop-after-commit fault) ends as "done" once, after reconciliation — never sent twice."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from posdesk.sandbox.server import SandboxServer
from posdesk.ui.common.outcome import OutcomeKind
from posdesk.ui.giftcards.money_dialogs import MoneyAction
from posdesk.ui.giftcards.tab import GiftCardsTab
from tests.helpers.giftcards import (
    card_tab,
    fresh_card,
    look_up,
    lose_answer_then_server,
)
from tests.helpers.session import signed_in
from tests.helpers.waiting import settle

pytestmark = pytest.mark.asyncio


async def test_top_up_with_lost_response_is_done_exactly_once(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        card, code = await fresh_card(ctx.client, Decimal("10.00"))
        tab = GiftCardsTab(ctx)
        qtbot.addWidget(tab)
        await look_up(tab, code)
        dialog = tab.open_money(MoneyAction.TOP_UP)
        assert dialog is not None
        dialog.amount.setText("15")
        dialog.next_button.click()
        sandbox.faults.drop_next_mutations = 1
        dialog.confirm_button.click()
        await settle(dialog)
        assert sandbox.faults.dropped == 1  # the server committed, the answer was lost
        assert dialog.outcome is not None
        assert dialog.outcome.kind is OutcomeKind.DONE
        entry = ctx.client.journal.get(dialog.reference)
        assert entry is not None
        assert str(entry.state) == "done"
        assert entry.attempts == 1  # sent once, never resent
        await settle(tab)
        assert tab.view.balance_label.text() == "$25.00"
        page = await ctx.client.giftcard_transactions(ref_no=dialog.reference)
        assert len(page.items) == 1
        assert page.items[0].giftcard_id == card.id


async def test_unknown_outcome_waits_in_pending_operations_until_reconciled(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """The answer is lost AND the server can't be asked right away: the operation stays
    "outcome unknown" in Pending operations; Reconcile now settles it as done, once."""
    async with signed_in(sandbox, tmp_path) as ctx:
        tab, _code = await card_tab(qtbot, ctx, Decimal("40.00"))
        dialog = tab.open_money(MoneyAction.REDEEM)
        assert dialog is not None
        dialog.amount.setText("12.50")
        dialog.next_button.click()
        lose_answer_then_server(sandbox, dialog)
        dialog.confirm_button.click()
        await settle(dialog)
        assert dialog.outcome is not None
        assert dialog.outcome.kind is OutcomeKind.UNKNOWN
        assert "do not repeat it" in dialog.result_label.text()
        await settle(tab)
        sandbox.faults.reset()
        panel = tab.pending
        panel.refresh()
        assert panel.table.rowCount() == 1
        assert panel.table.item(0, 3).text() == "Not confirmed yet — being checked"  # type: ignore[union-attr]
        assert "not settled" in panel.summary.text()
        panel.reconcile_button.click()
        await settle(panel)
        assert panel.table.rowCount() == 0
        assert "settled" in panel.summary.text()
        entry = ctx.client.journal.get(dialog.reference)
        assert entry is not None
        assert str(entry.state) == "done"
        await settle(tab)
        assert tab.view.balance_label.text() == "$27.50"
        page = await ctx.client.giftcard_transactions(ref_no=dialog.reference)
        assert len(page.items) == 1


async def test_needs_review_is_settled_by_a_manager(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """Where the server cannot be asked, the api marks the entry "needs review"; the panel
    lets a manager record what they found in the admin console — nothing is resent."""
    async with signed_in(sandbox, tmp_path) as ctx:
        journal = ctx.client.journal
        # What posdesk.api writes when a look-up is unavailable on the connected server:
        journal.record_intent(
            "RED-REVIEW1",
            profile=ctx.profile_name,
            kind="giftcard_trans",
            request={"ref_no": "RED-REVIEW1", "amount": "-4.00"},
            summary="Record USE -4.00 on gift card ••••0117 (ref RED-REVIEW1)",
        )
        journal.mark_needs_review("RED-REVIEW1", "look-up unavailable on this server")
        tab = GiftCardsTab(ctx)
        qtbot.addWidget(tab)
        panel = tab.pending
        assert panel.table.rowCount() == 1
        assert panel.table.item(0, 3).text() == "Needs review by a manager"  # type: ignore[union-attr]
        assert "need(s) a manager" in panel.summary.text()
        assert not panel.review_row.isHidden()
        assert not panel.happened_button.isEnabled()  # select the row first
        panel.table.selectRow(0)
        assert panel.not_happened_button.isEnabled()
        panel.not_happened_button.click()
        assert "Say what you checked" in panel.summary.text()
        panel.review_note.setText("Not in the admin console's transaction list")
        panel.not_happened_button.click()
        entry = journal.get("RED-REVIEW1")
        assert entry is not None
        assert str(entry.state) == "failed"
        assert "admin console" in (entry.error or "")
        assert panel.table.rowCount() == 0
        assert panel.review_row.isHidden()
