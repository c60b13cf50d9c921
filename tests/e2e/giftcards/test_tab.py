"""Gift Cards tab end to end against the sandbox: look-up, redeem, top up, adjust,
authorize → capture / cancel, and every refusal explained in plain words."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from posdesk.domain import GiftCardCodeType, GiftCardTransType
from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from posdesk.ui.common.outcome import OutcomeKind
from posdesk.ui.giftcards.money_dialogs import MoneyAction, SettleAction
from posdesk.ui.giftcards.tab import GiftCardsTab
from tests.helpers.giftcards import card_tab, confirm, fresh_card, look_up
from tests.helpers.session import signed_in
from tests.helpers.waiting import settle, wait_until

pytestmark = pytest.mark.asyncio


def column(table: QTableWidget, col: int) -> list[str]:
    return [table.item(r, col).text() for r in range(table.rowCount())]  # type: ignore[union-attr]


async def test_lookup_shows_card_codes_and_history(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        tab = GiftCardsTab(ctx)
        qtbot.addWidget(tab)
        await look_up(tab, FIXTURES.gc_history_code, GiftCardCodeType.PHYSICAL)
        assert tab.view.balance_label.text() == "$35.00"
        statuses = column(tab.view.trans_table, 3)
        assert {"Completed", "Authorized", "Cancelled"} <= set(statuses)
        assert FIXTURES.gc_history_ref_no in column(tab.view.trans_table, 5)
        assert FIXTURES.gc_history_source_id in column(tab.view.trans_table, 4)
        assert column(tab.view.codes_table, 1) == [FIXTURES.gc_history_code]
        # a scanner burst looks a code up too
        tab.on_scan(FIXTURES.gc_physical_code)
        await settle(tab)
        assert tab.target is not None
        assert tab.target.card.id == FIXTURES.gc_physical_id
        # unknown code: a sentence, not a crash
        await look_up(tab, FIXTURES.unknown_code, GiftCardCodeType.PHYSICAL)
        assert "No physical gift card has the code" in tab.message.text()
        assert tab.target is None


async def test_a_newer_look_up_wins_over_a_refresh_still_in_flight(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """A refresh of the previous card that answers late must not put that card back on
    screen over the card just looked up (seen under load: the wrong card looked current)."""
    async with signed_in(sandbox, tmp_path) as ctx:
        tab = GiftCardsTab(ctx)
        qtbot.addWidget(tab)
        await look_up(tab, FIXTURES.gc_history_code, GiftCardCodeType.PHYSICAL)
        stale = tab.refresh()
        assert stale is not None
        await look_up(tab, FIXTURES.gc_physical_code, GiftCardCodeType.PHYSICAL)
        await asyncio.wait([stale])
        assert stale.cancelled()
        assert tab.target is not None
        assert tab.target.card.id == FIXTURES.gc_physical_id
        assert column(tab.view.codes_table, 1) == [FIXTURES.gc_physical_code]


async def test_personal_code_stays_masked_without_permission(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path, "demo-owner") as ctx:
        assert not ctx.viewer.can("ViewUnmaskedGiftCardCodes")
        tab = GiftCardsTab(ctx)
        qtbot.addWidget(tab)
        await look_up(tab, FIXTURES.gc_personal_code, GiftCardCodeType.PERSONAL)
        shown = column(tab.view.codes_table, 1)
        assert FIXTURES.gc_personal_code not in shown
        assert any(text.endswith(FIXTURES.gc_personal_code[-4:]) for text in shown)
        assert "member:" in tab.view.owner_label.text()


async def test_redeem_top_up_adjust_immediately(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        tab, _code = await card_tab(qtbot, ctx, Decimal("25.00"))

        redeem = tab.open_money(MoneyAction.REDEEM)
        assert redeem is not None
        redeem.amount.setText("12.75")  # the user types a positive amount
        redeem.next_button.click()
        assert "Resulting balance: <b>$12.25</b>" in redeem.confirm_label.text()
        redeem.confirm_button.click()
        await settle(redeem)
        assert redeem.outcome is not None
        assert redeem.outcome.kind is OutcomeKind.DONE
        assert "$12.25" in redeem.result_label.text()
        await settle(tab)
        assert tab.view.balance_label.text() == "$12.25"
        assert column(tab.view.trans_table, 2)[0] == "-$12.75"

        top_up = tab.open_money(MoneyAction.TOP_UP)
        assert top_up is not None
        top_up.amount.setText("1,000")
        top_up.next_button.click()
        top_up.confirm_button.click()
        await settle(top_up)
        await settle(tab)
        assert tab.view.balance_label.text() == "$1,012.25"
        assert tab.last_slip is not None
        assert tab.last_slip.balance == Decimal("1012.25")

        adjust = tab.open_money(MoneyAction.ADJUST)
        assert adjust is not None
        adjust.amount.setText("2.25")
        adjust.direction_remove.setChecked(True)
        adjust.next_button.click()
        assert "reason" in adjust.error_label.text().lower()  # a reason is required
        adjust.reason.setText("damaged card fee")
        adjust.next_button.click()
        adjust.confirm_button.click()
        await settle(adjust)
        await settle(tab)
        assert tab.view.balance_label.text() == "$1,010.00"
        assert any("damaged card fee" in ref for ref in column(tab.view.trans_table, 5))


async def test_amount_validated_before_sending(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        tab, _code = await card_tab(qtbot, ctx, Decimal("5.00"))
        dialog = tab.open_money(MoneyAction.REDEEM)
        assert dialog is not None
        for text, words in (("abc", "not an amount"), ("1.234", "two decimal"), ("-3", "positive")):
            dialog.amount.setText(text)
            dialog.next_button.click()
            assert words in dialog.error_label.text()
            assert dialog.pages.currentWidget() is dialog.enter_page
        dialog.amount.setText("6")  # more than the balance: refused before sending
        dialog.next_button.click()
        assert "Insufficient funds" in dialog.error_label.text()
        # nothing was sent: the journal holds only the ADD that funded the card
        journal = ctx.client.journal
        kinds = [e.request.get("trans_type") for e in journal.entries(kind="giftcard_trans")]
        assert kinds == ["ADD"]


async def test_wrong_pin_and_pin_cleared(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        tab, code = await card_tab(qtbot, ctx, Decimal("30.00"), pin="2468")
        tab.pin_edit.setText("1234")
        QTest.keyClicks(tab.code_edit, "9")  # typing another code forgets the PIN
        assert tab.pin_edit.text() == ""
        tab.code_edit.setText(code)
        tab.pin_edit.setText("1111")
        dialog = tab.open_money(MoneyAction.REDEEM)
        assert dialog is not None
        assert tab.pin_edit.text() == ""  # handed to the dialog, gone from the tab
        dialog.amount.setText("10")
        dialog.next_button.click()
        dialog.confirm_button.click()
        assert dialog.pin.text() == ""  # used once, then forgotten
        await settle(dialog)
        assert dialog.outcome is not None
        assert dialog.outcome.kind is OutcomeKind.FAILED
        assert "Wrong PIN" in dialog.result_label.text()
        await settle(tab)
        assert tab.view.balance_label.text() == "$30.00"

        dialog = tab.open_money(MoneyAction.REDEEM)
        assert dialog is not None
        dialog.amount.setText("10")
        dialog.pin.setText("2468")
        outcome = await confirm(dialog)
        assert outcome.done
        await settle(tab)
        assert tab.view.balance_label.text() == "$20.00"


async def test_expired_code(qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        tab = GiftCardsTab(ctx)
        qtbot.addWidget(tab)
        await look_up(tab, FIXTURES.gc_expired_code, GiftCardCodeType.PHYSICAL)
        assert "expired" in tab.message.text()
        assert "expired" in column(tab.view.codes_table, 2)[0]
        dialog = tab.open_money(MoneyAction.TOP_UP)
        assert dialog is not None
        dialog.amount.setText("5")
        outcome = await confirm(dialog)
        assert outcome.kind is OutcomeKind.FAILED
        assert "expired" in dialog.result_label.text()


async def test_insufficient_funds_from_server(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """The balance changed elsewhere after the look-up: the server's refusal is explained."""
    async with signed_in(sandbox, tmp_path) as ctx:
        tab, code = await card_tab(qtbot, ctx, Decimal("25.00"))
        await ctx.client.giftcard_transaction(
            code, GiftCardCodeType.PHYSICAL, GiftCardTransType.USE, Decimal("-20.00")
        )
        dialog = tab.open_money(MoneyAction.REDEEM)
        assert dialog is not None
        dialog.amount.setText("10")
        outcome = await confirm(dialog)
        assert outcome.kind is OutcomeKind.FAILED
        assert "Insufficient funds" in dialog.result_label.text()
        await settle(tab)
        assert tab.view.balance_label.text() == "$5.00"


async def _authorize(tab: GiftCardsTab, amount: str) -> None:
    dialog = tab.open_money(MoneyAction.REDEEM)
    assert dialog is not None
    dialog.amount.setText(amount)
    dialog.authorize.setChecked(True)
    dialog.next_button.click()
    assert "authorization" in dialog.confirm_label.text()
    dialog.confirm_button.click()
    await settle(dialog)
    assert dialog.outcome is not None
    assert dialog.outcome.done
    await settle(tab)


async def test_authorize_capture_and_capture_twice(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        tab, _code = await card_tab(qtbot, ctx, Decimal("20.00"))
        await _authorize(tab, "8")
        assert tab.view.balance_label.text() == "$12.00"  # reserved at once
        assert not tab.capture_button.isEnabled()  # nothing selected yet
        tab.view.trans_table.selectRow(0)
        assert column(tab.view.trans_table, 3)[0] == "Authorized"
        assert tab.capture_button.isEnabled()
        authorized = tab.view.selected_transaction()
        capture = tab.open_settle(SettleAction.CAPTURE)
        assert capture is not None
        capture.confirm_button.click()
        await settle(capture)
        assert capture.outcome is not None
        assert capture.outcome.done
        await settle(tab)
        assert tab.view.balance_label.text() == "$12.00"  # captures don't move it again
        assert column(tab.view.trans_table, 3)[0] == "Completed"
        tab.view.trans_table.selectRow(0)
        assert not tab.capture_button.isEnabled()

        # Capture twice from this machine: refused locally, never sent again.
        assert authorized is not None
        assert tab.target is not None
        from posdesk.ui.giftcards.money_dialogs import SettleDialog

        again = SettleDialog(ctx.client, tab.target, authorized, SettleAction.CAPTURE)
        qtbot.addWidget(again)
        again.confirm_button.click()
        await settle(again)
        assert again.outcome is not None
        assert again.outcome.kind is OutcomeKind.FAILED
        assert "not sent twice" in again.result_label.text()

    # From another machine (own journal): the server refuses it, in plain words.
    async with signed_in(sandbox, tmp_path / "other-pc") as other:
        again = SettleDialog(other.client, tab.target, authorized, SettleAction.CAPTURE)
        qtbot.addWidget(again)
        again.confirm_button.click()
        await settle(again)
        assert again.outcome is not None
        assert again.outcome.kind is OutcomeKind.FAILED
        assert "already captured or cancelled" in again.result_label.text()


async def test_authorize_then_cancel_restores_funds(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        tab, _code = await card_tab(qtbot, ctx, Decimal("20.00"))
        await _authorize(tab, "7.50")
        assert tab.view.balance_label.text() == "$12.50"
        tab.view.trans_table.selectRow(0)
        cancel = tab.open_settle(SettleAction.CANCEL)
        assert cancel is not None
        assert "Resulting balance: <b>$20.00</b>" in cancel.confirm_label.text()
        cancel.confirm_button.click()
        await settle(cancel)
        assert cancel.outcome is not None
        assert cancel.outcome.done
        await settle(tab)
        assert tab.view.balance_label.text() == "$20.00"
        assert column(tab.view.trans_table, 3)[0] == "Cancelled"


async def test_role_without_permission(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path / "admin") as admin:
        _card, code = await fresh_card(admin.client, Decimal("20.00"))
    async with signed_in(sandbox, tmp_path, "demo-sales") as ctx:
        assert not ctx.viewer.can("GiftCardTransAdjust")
        tab = GiftCardsTab(ctx)
        qtbot.addWidget(tab)
        await look_up(tab, code, GiftCardCodeType.PHYSICAL)
        assert tab.redeem_button.isEnabled()
        assert not tab.adjust_button.isEnabled()
        assert "GiftCardTransAdjust" in tab.adjust_button.toolTip()
        assert not tab.issue_button.isEnabled()  # no CreateGiftCard
        assert not tab.edit_button.isEnabled()
        assert "EditGiftCard" in tab.why_label.text()
        assert "can move a card's funds" in tab.why_label.text()
        # Had the UI let it through, the server's refusal is explained too.
        assert tab.target is not None
        from posdesk.ui.giftcards.money_dialogs import TransactionDialog

        dialog = TransactionDialog(ctx.client, tab.target, MoneyAction.ADJUST)
        qtbot.addWidget(dialog)
        dialog.amount.setText("1")
        dialog.reason.setText("test")
        outcome = await confirm(dialog)
        assert outcome.kind is OutcomeKind.FAILED
        assert "lacks the permission GiftCardTransAdjust" in dialog.result_label.text()


async def test_edit_codes_with_edit_permission(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        assert ctx.viewer.can("EditGiftCard")
        tab, code = await card_tab(qtbot, ctx, Decimal("9.00"))
        assert tab.edit_button.isEnabled()
        dialog = tab.open_edit()
        assert dialog is not None
        new_code = code + "R"
        dialog.new_physical.setText(new_code)
        dialog.new_pin.setText("1122")
        dialog.apply_button.click()
        assert "old codes stop working" in dialog.message.text()  # confirm first
        dialog.apply_button.click()
        await settle(dialog)
        assert "Done" in dialog.message.text(), dialog.message.text()
        assert dialog.new_pin.text() == ""
        assert await ctx.client.giftcard(code, GiftCardCodeType.PHYSICAL) is None
        moved = await ctx.client.giftcard(new_code, GiftCardCodeType.PHYSICAL)
        assert moved is not None
        assert moved.balance == Decimal("9.00")
        # A code already used by another card is refused in plain words.
        dialog.new_physical.setText(FIXTURES.gc_physical_code)
        dialog.apply_button.click()
        dialog.apply_button.click()
        await settle(dialog)
        assert "already used by another card" in dialog.message.text()


async def test_scanner_burst_in_any_field_looks_the_card_up(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """A keyboard-wedge scan typed while the PIN field has focus never lands in it."""
    async with signed_in(sandbox, tmp_path) as ctx:
        tab = GiftCardsTab(ctx)
        qtbot.addWidget(tab)
        tab.show()
        tab.activateWindow()
        tab.pin_edit.setFocus()
        await wait_until(lambda: tab.window().focusWidget() is tab.pin_edit)
        QTest.keyClicks(tab.pin_edit, FIXTURES.gc_physical_code)
        QTest.keyClick(tab.pin_edit, Qt.Key.Key_Return)
        await wait_until(lambda: tab.task is not None)
        await settle(tab)
        assert tab.pin_edit.text() == ""
        assert tab.code_edit.text() == FIXTURES.gc_physical_code
        assert tab.target is not None
        assert tab.target.card.id == FIXTURES.gc_physical_id
