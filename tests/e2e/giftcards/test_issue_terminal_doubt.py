"""A terminal payment whose answer was lost: the issue flow never starts a second one."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from posdesk.sandbox.server import SandboxServer
from posdesk.store.issue_drafts import IssueStep, PaymentMethod
from posdesk.store.journal import terminal_reference
from posdesk.ui.giftcards.tab import GiftCardsTab
from tests.helpers.giftcards import unique_code
from tests.helpers.session import signed_in
from tests.helpers.waiting import settle

pytestmark = pytest.mark.asyncio


async def test_lost_terminal_answer_blocks_a_second_payment(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        tab = GiftCardsTab(ctx)
        qtbot.addWidget(tab)
        dialog = tab.open_issue()
        dialog.type_physical.setChecked(True)
        dialog.physical_code.setText(unique_code())
        dialog.amount.setText("40")
        dialog.pay_terminal.setChecked(True)
        dialog.terminal_id.setText("LANE-5")
        dialog.review_button.click()
        # giftcardAdd and the terminal start both commit, and both answers are lost: the card
        # is found by its code; the payment cannot be looked up
        sandbox.faults.drop_next_mutations = 2
        dialog.start_button.click()
        await settle(dialog)
        assert sandbox.faults.dropped == 2
        draft = dialog.draft
        assert draft is not None
        assert draft.step is IssueStep.CREATED
        status = dialog.status_label.text()
        assert "answer was lost" in status
        assert "do not repeat it" in status  # the runner's words for every lost answer
        assert "$40.00" in status
        assert "LANE-5" in status
        assert "will not start another payment" in status
        assert dialog.terminal_in_doubt()
        assert dialog.switch_cash_button.isHidden()  # no cash on top of a possible charge
        # shown in Pending operations, for a manager
        ref = terminal_reference(draft.terminal_ref_no or draft.fund_ref_no)
        assert [e.reference for e in tab.pending.entries] == [ref]
        assert str(tab.pending.entries[0].state) == "needs_review"
        cell = tab.pending.table.item(0, 1)
        assert cell is not None
        assert cell.text() == "Card hold of $40.00 on terminal LANE-5"
        # Continue: refused on this machine before anything is sent
        sandbox.faults.fail_next = 1  # any request now would fail and be counted
        assert not dialog.retry_button.isHidden()
        dialog.retry_button.click()
        await settle(dialog)
        assert sandbox.faults.failed == 0
        sandbox.faults.fail_next = 0
        assert "will not start another payment" in dialog.status_label.text()
        assert dialog.draft is not None
        assert dialog.draft.step is IssueStep.CREATED
        dialog.switch_to_cash()
        assert dialog.draft.payment_method is PaymentMethod.TERMINAL
