"""Exactly once through the UI: a response lost after the server committed (the sandbox's
drop-after-commit fault) ends as "done" once, after reconciliation — never sent twice."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from posdesk.ui.common.outcome import OutcomeKind
from posdesk.ui.giftcards.money_dialogs import MoneyAction
from posdesk.ui.giftcards.tab import GiftCardsTab
from posdesk.ui.sales.purchase import RecordPurchaseDialog
from posdesk.ui.shell.context import SessionContext
from tests.e2e.giftcard_helpers import (
    card_tab,
    fresh_card,
    lose_answer_then_server,
    settle,
    signed_in,
    unique_code,
)

pytestmark = pytest.mark.asyncio


async def open_card(tab: GiftCardsTab, code: str) -> None:
    tab.code_edit.setText(code)
    tab.lookup_button.click()
    await settle(tab)


async def test_top_up_with_lost_response_is_done_exactly_once(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        card, code = await fresh_card(ctx.client, Decimal("10.00"))
        tab = GiftCardsTab(ctx)
        qtbot.addWidget(tab)
        await open_card(tab, code)
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


async def reviewed_purchase(qtbot: QtBot, ctx: SessionContext) -> tuple[RecordPurchaseDialog, str]:
    """A filled-in purchase dialog on its confirmation step, with a fresh transaction id."""
    dialog = RecordPurchaseDialog(ctx.client, store_code="AUSTIN", viewer=ctx.viewer)
    qtbot.addWidget(dialog)
    tx_id = unique_code("ERP-")
    await fill_purchase(dialog, tx_id)
    dialog.review_button.click()
    return dialog, tx_id


async def fill_purchase(dialog: RecordPurchaseDialog, tx_id: str) -> None:
    dialog.transaction_id.setText(tx_id)
    dialog.store.setCurrentText("AUSTIN")
    dialog.member.setText(FIXTURES.card_owner_member_id)
    dialog.channel.setCurrentText("WEB")
    dialog.sku.setText(FIXTURES.ean_barcode)  # scanned barcode → the item's SKU
    dialog.find_button.click()
    await settle(dialog)
    assert dialog.sku.text() != FIXTURES.ean_barcode
    dialog.qty.setText("2")
    dialog.unit_price.setText("3.49")
    dialog.discount.setText("0.50")
    dialog.add_line_from_fields()
    dialog.sku.setText(FIXTURES.plain_sku)
    dialog.find_button.click()
    await settle(dialog)
    dialog.qty.setText("1")
    dialog.unit_price.setText("10")
    dialog.add_line_from_fields()
    dialog.tax.setText("1.25")


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
