"""Scenes of the Gift Cards tab: a card with history, the issue flow, the terminal wait and
pending operations (a top-up whose answer was lost while the server was unreachable)."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import uuid
from pathlib import Path

from PySide6.QtWidgets import QWidget

from posdesk.domain import GiftCardCodeType
from posdesk.sandbox.graphql_api import TERMINAL_TIMEOUT
from posdesk.sandbox.seed import FIXTURES
from posdesk.ui.giftcards.issue import WAITING_ON_TERMINAL
from posdesk.ui.giftcards.money_dialogs import MoneyAction
from posdesk.ui.giftcards.tab import GiftCardsTab
from shots import Scene, ShotContext

_DRAFTS = Path(tempfile.mkdtemp(prefix="posdesk-shots-drafts-")) / "issue_drafts.json"


async def _tab(ctx: ShotContext) -> GiftCardsTab:
    # Issue drafts of the screenshot run stay out of the user's data directory.
    if ctx.window.context is not None:
        ctx.window.context.extras["issue_drafts_path"] = str(_DRAFTS)
    tab = await ctx.show_tab("giftcards")
    assert isinstance(tab, GiftCardsTab)
    return tab


async def _look_up(ctx: ShotContext, tab: GiftCardsTab, code: str) -> None:
    tab.code_type.setCurrentIndex(tab.code_type.findData(GiftCardCodeType.PHYSICAL.value))
    tab.code_edit.setText(code)
    task = tab.lookup()
    if task is not None:
        await task
    await ctx.settle(0.2)


async def card_with_history(ctx: ShotContext) -> QWidget | None:
    tab = await _tab(ctx)
    await _look_up(ctx, tab, FIXTURES.gc_history_code)
    tab.view.trans_table.selectRow(1)
    await ctx.settle()
    return None


async def issue_flow(ctx: ShotContext) -> QWidget | None:
    tab = await _tab(ctx)
    dialog = tab.open_issue()
    dialog.type_physical.setChecked(True)
    dialog.physical_code.setText("GC50311427")
    dialog.pin.setText("8642")
    dialog.pin_again.setText("8642")
    dialog.amount.setText("50.00")
    dialog.pay_other.setChecked(True)
    dialog.payment_note.setText("cheque 1042")
    dialog.resize(560, dialog.sizeHint().height())
    await ctx.settle(0.3)
    return dialog


async def terminal_waiting(ctx: ShotContext) -> QWidget | None:
    tab = await _tab(ctx)
    dialog = tab.open_issue()
    dialog.type_physical.setChecked(True)
    dialog.physical_code.setText(f"GC{uuid.uuid4().int % 10**10:010d}")
    dialog.amount.setText("75.00")
    dialog.pay_terminal.setChecked(True)
    dialog.terminal_id.setText(TERMINAL_TIMEOUT)  # the simulated customer never taps
    dialog.review_button.click()
    dialog.start_button.click()
    await ctx.wait_until(lambda: WAITING_ON_TERMINAL in dialog.status_label.text())
    # Freeze the wait for the picture: stop polling here (the runner's processEvents must not
    # re-enter a running flow) and release the simulated terminal.
    assert dialog.task is not None
    assert dialog.draft is not None
    continuation = dialog.draft.terminal_continuation_id
    dialog.task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await dialog.task
    if continuation:
        await ctx.client.terminal_cancel(continuation)
    # show it as it looked while waiting (the flow's own last frame)
    dialog._set_buttons(idle=False)
    dialog.render_draft(dialog.draft, WAITING_ON_TERMINAL, waiting=True)
    dialog.resize(560, 300)
    await ctx.settle(0.3)
    return dialog


async def pending_operations(ctx: ShotContext) -> QWidget | None:
    tab = await _tab(ctx)
    for draft in tab.drafts.unfinished():  # left by the terminal scene
        tab.drafts.discard(draft.draft_id)
    tab.update_resume()
    await _look_up(ctx, tab, FIXTURES.gc_physical_code)
    faults = ctx.controller.demo.server.faults
    dialog = tab.open_money(MoneyAction.TOP_UP)
    assert dialog is not None
    dialog.amount.setText("20")
    dialog.next_button.click()
    faults.drop_next_mutations = 1
    checking = dialog.checking

    def unreachable() -> None:
        faults.error_rate = 1.0
        checking()

    dialog.checking = unreachable  # type: ignore[method-assign]
    dialog.confirm_button.click()
    await ctx.wait_until(lambda: dialog.task is not None and dialog.task.done())
    faults.reset()
    dialog.close()
    refreshed = tab.refresh()
    if refreshed is not None:
        await refreshed
    tab.pending.refresh()
    await ctx.settle()
    return None


async def record_purchase(ctx: ShotContext) -> QWidget | None:
    from posdesk.ui.sales.purchase import RecordPurchaseDialog

    dialog = ctx.window.record_purchase()
    assert isinstance(dialog, RecordPurchaseDialog)
    if dialog.task is not None:
        await dialog.task
    dialog.transaction_id.setText("ERP-INV-000781")
    dialog.store.setCurrentText("AUSTIN")
    dialog.channel.setCurrentText("WEB")
    dialog.pay_method.setCurrentText("CARD")
    dialog.member.setText(FIXTURES.card_owner_member_id)
    for sku, qty, price in ((FIXTURES.plain_sku, "2", "3.49"), (FIXTURES.ean_barcode, "1", "")):
        dialog.sku.setText(sku)
        task = dialog.find_item()
        if task is not None:
            await task
        dialog.qty.setText(qty)
        if price:
            dialog.unit_price.setText(price)
        dialog.add_line_from_fields()
    dialog.tax.setText("0.84")
    dialog.review_button.click()
    await ctx.settle(0.3)
    return dialog


SCENES = [
    Scene("giftcards-card", card_with_history),
    Scene("giftcards-issue", issue_flow, (1280, 800)),
    Scene("giftcards-terminal", terminal_waiting),
    Scene("giftcards-pending", pending_operations),
    Scene("record-purchase", record_purchase),
]
