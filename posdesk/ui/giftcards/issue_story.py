"""What an unfinished issue has been through, in words, and the flow's shared names.

No Qt: the Gift Cards tab words a saved draft with ``draft_story`` before any dialog exists.
"""

from __future__ import annotations

import html
from typing import NamedTuple

from posdesk.models.formatting import Formatter
from posdesk.store.issue_drafts import IssueDraft, IssueStep, PaymentMethod
from posdesk.store.journal import Journal, JournalState, terminal_reference

ISSUE_PERMISSIONS = ("CreateGiftCard", "GiftCardTransAdd")
TERMINAL_AUTH_PERMISSION = "MakeAuthTerminalPayment"
TERMINAL_SALE_PERMISSION = "MakeSaleTerminalPayment"
WAITING_ON_TERMINAL = "Waiting for customer on terminal…"
STEP_TITLES = ("Create the card", "Take the payment", "Fund the card")


class FlowStoppedError(Exception):
    """The flow stopped at a step; the message says why and what the user can do."""


class DraftStory(NamedTuple):
    """What an unfinished issue's customer has been through, in words."""

    text: str
    nothing_charged: bool  # only then may the draft be discarded


def payment_words(draft: IssueDraft) -> str:
    return {
        PaymentMethod.CASH: "cash",
        PaymentMethod.OTHER: f"other ({draft.payment_note or 'no note'})",
        PaymentMethod.TERMINAL: f"card on terminal {draft.terminal_id or ''}".strip(),
    }[draft.payment_method]


def draft_story(draft: IssueDraft, journal: Journal, formatter: Formatter) -> DraftStory:
    """Exactly what happened: nothing charged (stopped before the payment), paid but not
    funded, or a terminal payment nobody knows the outcome of. Never more alarming than
    true, never reassuring when money may have moved."""
    amount = formatter.money(draft.amount)
    card = "a card was created with no funds" if draft.card_id else "no card was created"
    if draft.step is IssueStep.PAID:
        return DraftStory(
            f"Paid {amount} by {html.escape(payment_words(draft))}, card not funded yet — "
            "resume so the customer gets the card.",
            False,
        )
    if draft.payment_method is PaymentMethod.TERMINAL:
        entry = journal.get(terminal_reference(draft.terminal_ref_no or draft.fund_ref_no))
        started = draft.terminal_payment_id or draft.terminal_continuation_id
        if started or (entry is not None and entry.state is not JournalState.FAILED):
            return DraftStory(
                f"A card payment of {amount} was started on terminal "
                f"{html.escape(draft.terminal_id or '')} and may have gone through; the card "
                "is not funded yet — resume it (posdesk checks the payment, it never charges "
                "twice).",
                False,
            )
    return DraftStory(f"Nothing was charged: it stopped before the payment ({card}).", True)
