"""Issue a card end to end: create → pay (cash, note, terminal) → fund, resumable."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from posdesk.domain import GiftCardCodeType
from posdesk.sandbox.graphql_api import TERMINAL_FAST, TERMINAL_TIMEOUT
from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from posdesk.store.issue_drafts import IssueStep
from posdesk.ui.giftcards.issue import WAITING_ON_TERMINAL, IssueCardDialog
from posdesk.ui.giftcards.tab import GiftCardsTab
from posdesk.ui.shell.context import SessionContext
from tests.helpers.giftcards import cash_draft, unique_code
from tests.helpers.session import signed_in
from tests.helpers.waiting import settle, wait_until

pytestmark = pytest.mark.asyncio


def fill_physical(dialog: IssueCardDialog, code: str, amount: str, pin: str = "") -> None:
    dialog.type_physical.setChecked(True)
    dialog.physical_code.setText(code)
    dialog.pin.setText(pin)
    dialog.pin_again.setText(pin)
    dialog.amount.setText(amount)


def new_issue(qtbot: QtBot, ctx: SessionContext) -> tuple[GiftCardsTab, IssueCardDialog]:
    tab = GiftCardsTab(ctx)
    qtbot.addWidget(tab)
    return tab, tab.open_issue()


def start_personal_on_terminal(
    qtbot: QtBot, ctx: SessionContext, amount: str, terminal: str
) -> tuple[GiftCardsTab, IssueCardDialog]:
    """Issue a personal card for the fixture member, paid on ``terminal``; flow started."""
    tab, dialog = new_issue(qtbot, ctx)
    dialog.type_personal.setChecked(True)
    dialog.member_id.setText(FIXTURES.card_owner_member_id)
    dialog.amount.setText(amount)
    dialog.pay_terminal.setChecked(True)
    dialog.terminal_id.setText(terminal)
    dialog.review_button.click()
    dialog.start_button.click()
    return tab, dialog


async def card_transactions(tab: GiftCardsTab, code: str) -> list[tuple[str, str, str]]:
    card = await tab.backend.giftcard(code, GiftCardCodeType.PHYSICAL)
    assert card is not None
    page = await tab.backend.giftcard_transactions(giftcard_id=card.id)
    return [(str(t.trans_type), str(t.amount), t.ref_no or "") for t in page.items]


async def test_issue_physical_card_with_pin_paid_cash(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        tab, dialog = new_issue(qtbot, ctx)
        code = unique_code()
        fill_physical(dialog, code, "50", pin="9753")
        dialog.pin_again.setText("9999")
        dialog.review_button.click()
        assert "PIN entries differ" in dialog.error_label.text()
        dialog.pin_again.setText("9753")
        dialog.review_button.click()
        assert "$50.00" in dialog.confirm_label.text()
        assert code not in dialog.confirm_label.text()  # masked on screen too
        dialog.start_button.click()
        assert dialog.pin.text() == dialog.pin_again.text() == ""
        await settle(dialog)
        assert "Done" in dialog.status_label.text()
        assert dialog.draft is not None
        assert dialog.draft.step is IssueStep.FUNDED
        assert tab.drafts.unfinished() == []
        assert dialog.slip is not None
        assert dialog.slip.balance == Decimal("50.00")
        assert not dialog.save_slip_button.isHidden()
        assert dialog.retry_button.isHidden()
        await settle(tab)
        assert tab.view.balance_label.text() == "$50.00"
        assert [t[:2] for t in await card_transactions(tab, code)] == [("ADD", "50.00")]
        drafts_text = (tmp_path / "issue_drafts.json").read_text()
        assert "9753" not in drafts_text


async def test_issue_personal_card_on_fast_terminal(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        _tab, dialog = start_personal_on_terminal(qtbot, ctx, "20", TERMINAL_FAST)
        await settle(dialog)
        assert "Done" in dialog.status_label.text(), dialog.status_label.text()
        assert dialog.card is not None
        assert dialog.card.member_id == FIXTURES.card_owner_member_id
        assert dialog.card.balance == Decimal("20.00")


async def test_issue_other_payment_needs_a_note_and_external_code(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        _tab, dialog = new_issue(qtbot, ctx)
        dialog.type_external.setChecked(True)
        dialog.external_code.setText(unique_code("EXT-"))
        dialog.amount.setText("15.5")
        dialog.pay_other.setChecked(True)
        dialog.review_button.click()
        assert "how the customer paid" in dialog.error_label.text()
        dialog.payment_note.setText("cheque 1042")
        dialog.review_button.click()
        dialog.start_button.click()
        await settle(dialog)
        assert "$15.50" in dialog.status_label.text()
        assert "cheque 1042" in dialog.step_labels[1].text()


async def test_terminal_waiting_then_approved(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        _tab, dialog = new_issue(qtbot, ctx)
        fill_physical(dialog, unique_code(), "30")
        dialog.pay_terminal.setChecked(True)
        dialog.terminal_id.setText("LANE-2")
        dialog.review_button.click()
        dialog.start_button.click()
        await wait_until(lambda: WAITING_ON_TERMINAL in dialog.status_label.text())
        assert dialog.cancel_payment_button.isVisible()
        assert not dialog.close_button.isEnabled()  # no walking away mid-payment
        # authorized on the terminal, then captured (its own continuation), then funded
        await wait_until(lambda: "Capturing the card payment" in dialog.status_label.text())
        assert dialog.draft is not None
        assert dialog.draft.terminal_payment_id is not None
        await settle(dialog)
        assert "Done" in dialog.status_label.text(), dialog.status_label.text()


async def test_terminal_decline_charges_nothing_then_cash(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        tab, dialog = new_issue(qtbot, ctx)
        code = unique_code()
        fill_physical(dialog, code, "25.13")  # the simulator declines amounts ending in .13
        dialog.pay_terminal.setChecked(True)
        dialog.review_button.click()
        dialog.start_button.click()
        await settle(dialog)
        assert "declined" in dialog.status_label.text()
        assert "Nothing was charged" in dialog.status_label.text()
        assert dialog.draft is not None
        assert dialog.draft.step is IssueStep.CREATED  # the card exists, unfunded
        assert await card_transactions(tab, code) == []
        assert dialog.retry_button.isVisible()
        # Try again on the terminal: declined again, still exactly one card, no funds.
        dialog.retry_button.click()
        await settle(dialog)
        assert "declined" in dialog.status_label.text()
        assert len(tab.drafts.unfinished()) == 1
        # The customer pays cash instead: the same card is funded, once.
        assert not dialog.switch_cash_button.isHidden()
        dialog.switch_cash_button.click()
        assert "cash" in dialog.step_labels[1].text()
        dialog.retry_button.click()
        await settle(dialog)
        assert "Done" in dialog.status_label.text(), dialog.status_label.text()
        assert [t[:2] for t in await card_transactions(tab, code)] == [("ADD", "25.13")]
        assert tab.drafts.unfinished() == []


async def test_terminal_timeout_and_cancel(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        tab, dialog = new_issue(qtbot, ctx)
        dialog.terminal_timeout_s = 1.0
        code = unique_code()
        fill_physical(dialog, code, "40")
        dialog.pay_terminal.setChecked(True)
        dialog.terminal_id.setText(TERMINAL_TIMEOUT)
        dialog.review_button.click()
        dialog.start_button.click()
        await settle(dialog)
        assert "did not finish on the terminal in time" in dialog.status_label.text()
        assert await card_transactions(tab, code) == []
        # Again, and this time the operator presses Cancel while it waits.
        dialog.terminal_timeout_s = 60.0
        dialog.retry_button.click()
        await wait_until(lambda: dialog.cancel_payment_button.isVisible())
        dialog.cancel_payment_button.click()
        await settle(dialog)
        assert "cancelled on request" in dialog.status_label.text()
        assert await card_transactions(tab, code) == []


async def test_app_closed_between_create_and_fund_resumes_on_restart(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    code = unique_code()
    async with signed_in(sandbox, tmp_path) as ctx:
        tab, dialog = new_issue(qtbot, ctx)
        fill_physical(dialog, code, "60", pin="8642")
        dialog.pay_terminal.setChecked(True)
        dialog.terminal_id.setText("LANE-3")
        dialog.review_button.click()
        dialog.start_button.click()
        # The card is created and the customer is at the terminal — then the app dies.
        await wait_until(lambda: WAITING_ON_TERMINAL in dialog.status_label.text())
        assert dialog.task is not None
        dialog.task.cancel()
        await asyncio.gather(dialog.task, return_exceptions=True)
        saved = tab.drafts.unfinished()
        assert len(saved) == 1
        assert saved[0].step is IssueStep.CREATED
        assert saved[0].terminal_continuation_id is not None
        card_id = saved[0].card_id
        dialog.close()
        tab.close()

    # Restart: a new session on the same machine (same data dir).
    async with signed_in(sandbox, tmp_path) as ctx:
        tab = GiftCardsTab(ctx)
        qtbot.addWidget(tab)
        assert tab.resume_button.isVisibleTo(tab)
        assert "Unfinished card issue" in tab.resume_label.text()
        resumed = tab.resume_issue()
        assert resumed is not None
        dialog = resumed
        assert dialog.resume_pin.isVisibleTo(dialog)  # the PIN was never stored
        dialog.resume_pin.setText("8642")  # sent only because the user typed it again
        dialog.retry_button.click()
        assert dialog.resume_pin.text() == ""
        await settle(dialog)
        assert "Done" in dialog.status_label.text(), dialog.status_label.text()
        assert dialog.card is not None
        assert dialog.card.id == card_id  # the same card: never created twice
        assert dialog.card.balance == Decimal("60.00")
        assert [t[:2] for t in await card_transactions(tab, code)] == [("ADD", "60.00")]
        assert tab.drafts.unfinished() == []
        assert not tab.resume_button.isVisibleTo(tab)


async def test_issue_unavailable_without_create_permission(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path, "demo-sales") as ctx:
        tab = GiftCardsTab(ctx)
        qtbot.addWidget(tab)
        assert not tab.issue_button.isEnabled()
        assert "CreateGiftCard" in tab.issue_button.toolTip()


async def test_terminal_payment_unavailable_without_terminal_permission(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path, "demo-clerk") as ctx:
        assert ctx.viewer.can("CreateGiftCard")
        tab = GiftCardsTab(ctx)
        qtbot.addWidget(tab)
        assert tab.issue_button.isEnabled()
        dialog = tab.open_issue()
        assert not dialog.pay_terminal.isEnabled()
        assert "MakeSaleTerminalPayment" in dialog.pay_terminal.toolTip()


async def test_personal_code_never_stored_and_resume_reads_it_back(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        tab, dialog = start_personal_on_terminal(qtbot, ctx, "12", "LANE-4")
        await wait_until(lambda: WAITING_ON_TERMINAL in dialog.status_label.text())
        assert dialog.card is not None
        personal = next(c.code for c in dialog.card.codes if c.code_type.value == "PERSONAL")
        assert dialog.task is not None
        dialog.task.cancel()  # the app dies at the terminal
        await asyncio.gather(dialog.task, return_exceptions=True)
        assert personal not in (tmp_path / "issue_drafts.json").read_text()
        dialog.close()
        tab.close()

    async with signed_in(sandbox, tmp_path) as ctx:
        tab = GiftCardsTab(ctx)
        qtbot.addWidget(tab)
        resumed = tab.resume_issue()
        assert resumed is not None
        resumed.retry_button.click()
        await settle(resumed)
        assert "Done" in resumed.status_label.text(), resumed.status_label.text()
        card = await ctx.client.giftcard(personal, GiftCardCodeType.PERSONAL)
        assert card is not None
        assert card.balance == Decimal("12.00")


async def test_resume_after_create_was_lost_adopts_the_empty_card(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """posdesk died while giftcardAdd was in flight and the server had created the card: the
    resumed flow takes that (empty) card over instead of failing or making another."""
    async with signed_in(sandbox, tmp_path) as ctx:
        code = unique_code()
        tab = GiftCardsTab(ctx)
        qtbot.addWidget(tab)
        tab.drafts.save(cash_draft(code, "35"))
        created = await ctx.client.giftcard_add(physical_code=code)  # the lost create
        tab.update_resume()
        dialog = tab.resume_issue()
        assert dialog is not None
        dialog.retry_button.click()
        await settle(dialog)
        assert "Done" in dialog.status_label.text(), dialog.status_label.text()
        assert dialog.card is not None
        assert dialog.card.id == created.id
        assert dialog.card.balance == Decimal("35.00")

        # A code that belongs to a card in use is not taken over: plain words instead.
        tab.drafts.save(cash_draft(FIXTURES.gc_physical_code, "5"))
        other = tab.resume_issue()
        assert other is not None
        other.retry_button.click()
        await settle(other)
        assert "already used by another card" in other.status_label.text()
