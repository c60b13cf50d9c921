"""Sent means unknown, for every journaled operation the UI offers, through the one runner.

Each operation is sent once; the sandbox commits it, drops the answer
(``FaultConfig(drop_next_mutations=1)``), and fails the look-up that follows (the server goes
down as posdesk starts checking). Every dialog must then end in the same truthful words from
the runner: not confirmed, waiting in Pending operations, do not repeat it — never "nothing
was changed". The terminal adds which terminal a manager must check (its other guarantees:
test_issue_terminal_doubt.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from posdesk.domain import GiftCardCodeType, GiftCardTransType
from posdesk.sandbox.server import SandboxServer
from posdesk.store.issue_drafts import IssueStep, PaymentMethod
from posdesk.ui.common.outcome import OutcomeKind
from posdesk.ui.giftcards.money_dialogs import MoneyAction, SettleAction, SettleDialog
from posdesk.ui.giftcards.tab import GiftCardsTab
from posdesk.ui.shell.context import SessionContext
from tests.helpers.giftcards import (
    card_tab,
    cash_draft,
    fresh_card,
    lose_answer_then_server,
    unique_code,
)
from tests.helpers.purchases import reviewed_purchase
from tests.helpers.session import signed_in
from tests.helpers.waiting import settle

pytestmark = pytest.mark.asyncio

Sent = tuple[Any, Callable[[], str]]  # the dialog (already told to send) and its words


async def money(
    qtbot: QtBot, ctx: SessionContext, action: MoneyAction, *, authorize: bool = False
) -> Any:
    tab, _code = await card_tab(qtbot, ctx, Decimal("30.00"))
    dialog = tab.open_money(action)
    assert dialog is not None
    dialog.amount.setText("5")
    dialog.reason.setText("lost-answer test")
    dialog.authorize.setChecked(authorize)
    dialog.next_button.click()
    return dialog, dialog.confirm_button.click, dialog.result_label.text


async def settle_auth(qtbot: QtBot, ctx: SessionContext, action: SettleAction) -> Any:
    tab, code = await card_tab(qtbot, ctx, Decimal("30.00"))
    assert tab.target is not None
    tx = await ctx.client.giftcard_transaction(
        code,
        GiftCardCodeType.PHYSICAL,
        GiftCardTransType.USE,
        Decimal("-4.00"),
        ref_no=unique_code("AUTH-"),
        authorize=True,
    )
    dialog = SettleDialog(ctx.client, tab.target, tx, action, parent=tab)
    return dialog, dialog.confirm_button.click, dialog.result_label.text


async def edit_codes(qtbot: QtBot, ctx: SessionContext) -> Any:
    tab, _code = await card_tab(qtbot, ctx, Decimal("10.00"))
    dialog = tab.open_edit()
    assert dialog is not None
    dialog.new_external.setText(unique_code("EXT-"))
    dialog.apply_button.click()  # Review…
    return dialog, dialog.apply_button.click, dialog.message.text


async def record_purchase(qtbot: QtBot, ctx: SessionContext) -> Any:
    dialog, _tx_id = await reviewed_purchase(qtbot, ctx)
    return dialog, dialog.confirm_button.click, dialog.message.text


async def issue(qtbot: QtBot, ctx: SessionContext) -> Any:
    """Resume an issue whose card exists and was paid cash: the next mutation is the fund."""
    card, code = await fresh_card(ctx.client, Decimal(0))
    tab = GiftCardsTab(ctx)
    qtbot.addWidget(tab)
    draft = tab.drafts.save(
        cash_draft(code, "20").advance(IssueStep.CREATED, card_id=card.id, code=code)
    )
    dialog = tab.open_issue(draft)
    return dialog, dialog.start, dialog.status_label.text


async def terminal(qtbot: QtBot, ctx: SessionContext) -> Any:
    """Resume an issue whose card exists, paid on a terminal: the next mutation is the start."""
    card, code = await fresh_card(ctx.client, Decimal(0))
    tab = GiftCardsTab(ctx)
    qtbot.addWidget(tab)
    draft = tab.drafts.save(
        cash_draft(code, "20").advance(
            IssueStep.CREATED,
            card_id=card.id,
            code=code,
            payment_method=PaymentMethod.TERMINAL,
            payment_note=None,
            terminal_id="LANE-1",
        )
    )
    dialog = tab.open_issue(draft)
    return dialog, dialog.start, dialog.status_label.text


OPERATIONS: dict[str, Callable[[QtBot, SessionContext], Awaitable[Any]]] = {
    "top up": lambda q, c: money(q, c, MoneyAction.TOP_UP),
    "redeem": lambda q, c: money(q, c, MoneyAction.REDEEM),
    "adjust": lambda q, c: money(q, c, MoneyAction.ADJUST),
    "authorize": lambda q, c: money(q, c, MoneyAction.REDEEM, authorize=True),
    "capture": lambda q, c: settle_auth(q, c, SettleAction.CAPTURE),
    "cancel": lambda q, c: settle_auth(q, c, SettleAction.CANCEL),
    "edit codes": edit_codes,
    "record purchase": record_purchase,
    "issue": issue,
    "terminal": terminal,
}


@pytest.mark.parametrize("operation", list(OPERATIONS))
async def test_a_lost_answer_ends_in_the_same_truthful_words(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path, operation: str
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        dialog, send, words = await OPERATIONS[operation](qtbot, ctx)
        lose_answer_then_server(sandbox, dialog)
        send()
        assert dialog.in_flight  # sent through the runner: the dialog cannot be walked away from
        dialog.reject()
        await settle(dialog)
        assert sandbox.faults.dropped == 1  # the server committed; the answer was lost
        sandbox.faults.reset()
        text = words()
        assert "do not repeat it" in text, text
        assert "Pending operations" in text, text
        assert "Nothing was changed" not in text
        assert "Not changed" not in text
        # a lost terminal start cannot be looked up: a manager checks the terminal
        unsettled = OutcomeKind.NEEDS_REVIEW if operation == "terminal" else OutcomeKind.UNKNOWN
        if operation != "issue":  # the issue flow words it as its "Stopped." step
            assert dialog.outcome is not None
            assert dialog.outcome.kind is unsettled
        pending = [e for e in ctx.client.journal.entries() if str(e.state) != "done"]
        assert len(pending) == 1, pending  # journaled once, now pending; never resent
        assert str(pending[0].state) == unsettled.lower()
        assert pending[0].attempts == 1
