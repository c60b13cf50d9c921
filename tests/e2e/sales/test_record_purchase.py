"""Record purchase end to end against the sandbox: totals checked to the cent, a duplicate
refused, and a lost answer recorded exactly once — reconciled before anything is resent."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from posdesk.sandbox.server import SandboxServer
from posdesk.ui.common.outcome import OutcomeKind
from posdesk.ui.giftcards.tab import GiftCardsTab
from posdesk.ui.sales.purchase import RecordPurchaseDialog
from tests.helpers.giftcards import lose_answer_then_server, unique_code
from tests.helpers.purchases import fill_purchase, reviewed_purchase
from tests.helpers.session import signed_in
from tests.helpers.waiting import settle

pytestmark = pytest.mark.asyncio


async def test_record_purchase_totals_checked_and_duplicate_refused(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        dialog = RecordPurchaseDialog(ctx.client, store_code="AUSTIN", viewer=ctx.viewer)
        qtbot.addWidget(dialog)
        tx_id = unique_code("ERP-")
        await fill_purchase(dialog, tx_id)
        assert [line.ext_price for line in dialog.lines] == [Decimal("6.48"), Decimal("10.00")]
        totals = dialog.totals()
        assert totals.sub_total == Decimal("16.48")
        assert totals.pay_amount == Decimal("17.73")
        dialog.paid.setText("17.37")  # a typo on the source document is caught
        dialog.review_button.click()
        assert "do not add up" in dialog.message.text()
        dialog.paid.setText("17.73")
        dialog.review_button.click()
        assert not dialog.confirm_button.isHidden()
        dialog.confirm_button.click()
        await settle(dialog)
        assert dialog.outcome_kind is OutcomeKind.DONE
        assert "Recorded" in dialog.message.text()
        page = await ctx.client.purchases(tx_id)
        assert [p.pay_amount for p in page.items] == [Decimal("17.73")]

        again = RecordPurchaseDialog(ctx.client, store_code="AUSTIN", viewer=ctx.viewer)
        qtbot.addWidget(again)
        await fill_purchase(again, tx_id)
        again.review_button.click()
        assert "already recorded from this computer" in again.message.text()
        assert again.confirm_button.isHidden()
        assert len((await ctx.client.purchases(tx_id)).items) == 1


async def test_purchase_with_lost_response_is_recorded_exactly_once(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        dialog, tx_id = await reviewed_purchase(qtbot, ctx)
        sandbox.faults.drop_next_mutations = 1
        dialog.confirm_button.click()
        await settle(dialog)
        assert sandbox.faults.dropped == 1
        assert dialog.outcome_kind is OutcomeKind.DONE, dialog.message.text()
        entry = ctx.client.journal.get(tx_id)
        assert entry is not None
        assert str(entry.state) == "done"
        assert entry.attempts == 1
        assert len((await ctx.client.purchases(tx_id)).items) == 1
        # Pressing Review again never resends: the id is known here.
        dialog.review_button.show()
        dialog.review_button.click()
        assert "already recorded" in dialog.message.text()
        assert len((await ctx.client.purchases(tx_id)).items) == 1


async def test_purchase_without_permission_is_explained(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path, "demo-clerk") as ctx:
        dialog = RecordPurchaseDialog(ctx.client, viewer=ctx.viewer)
        qtbot.addWidget(dialog)
        assert not dialog.review_button.isEnabled()
        assert "AddPurchase" in dialog.message.text()


async def test_purchase_unknown_outcome_is_reconciled_before_any_resend(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        dialog, tx_id = await reviewed_purchase(qtbot, ctx)
        lose_answer_then_server(sandbox, dialog)
        dialog.confirm_button.click()
        await settle(dialog)
        assert dialog.outcome_kind is OutcomeKind.UNKNOWN, dialog.message.text()
        sandbox.faults.reset()
        # Trying again is refused until the outcome is known: nothing is resent.
        dialog.review_button.click()
        assert "not settled yet" in dialog.message.text()
        assert dialog.confirm_button.isHidden()
        # Reconcile (as Pending operations' "Reconcile now" does): it was recorded, once.
        tab = GiftCardsTab(ctx)
        qtbot.addWidget(tab)
        assert [e.reference for e in tab.pending.entries] == [tx_id]
        tab.pending.reconcile_button.click()
        await settle(tab.pending)
        assert tab.pending.entries == []
        entry = ctx.client.journal.get(tx_id)
        assert entry is not None
        assert str(entry.state) == "done"
        dialog.review_button.click()
        assert "already recorded from this computer" in dialog.message.text()
        assert len((await ctx.client.purchases(tx_id)).items) == 1
