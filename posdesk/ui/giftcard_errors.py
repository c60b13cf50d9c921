"""Every money operation ends in one of: done, failed (nothing happened), or checking → done /
failed / needs review. This module turns API results and errors into those plain outcomes.
"""

from __future__ import annotations

import enum
import html
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from posdesk.api.errors import (
    DuplicateReference,
    NeedsReview,
    NotAuthorized,
    PosError,
    UnknownOutcome,
    ValidationError,
)
from posdesk.ui.giftcard_backend import GiftCardBackend

T = TypeVar("T")

# Plain words for the validation reasons the POS reports in ``extensions.data``. Keys are
# matched case-insensitively against the reason / validation type / property the server names.
_VALIDATION_WORDS: tuple[tuple[str, str], ...] = (
    ("pin", "The PIN is wrong or missing. Ask the customer to enter it again."),
    ("expired", "This code has expired and can no longer be used."),
    ("insufficient", "Insufficient funds: the card's available balance is too low."),
    ("balance", "Insufficient funds: the card's available balance is too low."),
    ("already", "This authorization was already captured or cancelled."),
    ("captured", "This authorization was already captured."),
    ("cancelled", "This authorization was cancelled and cannot be captured."),
    ("status", "This transaction is no longer waiting for capture."),
    ("notfound", "No gift card has this code (or your role may not see it)."),
    ("not found", "No gift card has this code (or your role may not see it)."),
    ("code", "The code was not accepted: check the code and its type."),
    ("amount", "The amount was not accepted for this kind of transaction."),
    ("member", "The member id was not accepted: check the customer's member number."),
)


def _data_words(data: Mapping[str, Any]) -> str:
    return " ".join(str(v) for v in data.values() if isinstance(v, str | int)).lower()


def explain(exc: BaseException) -> str:
    """One sentence for the user; branch on the error class and its data, never on message."""
    if isinstance(exc, ValidationError):
        words = _data_words(exc.data) + " " + (exc.field or "").lower()
        for key, sentence in _VALIDATION_WORDS:
            if key in words:
                return sentence
        return exc.user_message
    if isinstance(exc, NotAuthorized):
        return exc.user_message
    if isinstance(exc, PosError):
        return exc.user_message
    return "Something unexpected went wrong; the details are in the log."


class OutcomeKind(enum.StrEnum):
    DONE = "DONE"
    FAILED = "FAILED"
    NEEDS_REVIEW = "NEEDS_REVIEW"
    UNKNOWN = "UNKNOWN"  # still checking: the pending operations panel follows it up


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: OutcomeKind
    message: str
    result: Any = None
    error: BaseException | None = None

    @property
    def done(self) -> bool:
        return self.kind is OutcomeKind.DONE


CHECKING = "Checking whether it went through… (the server did not confirm; nothing is resent)"


async def run_money_operation(
    backend: GiftCardBackend,
    call: Callable[[], Awaitable[T]],
    *,
    reference: str,
    describe: Callable[[T | None], str],
    on_checking: Callable[[str], None] | None = None,
) -> Outcome:
    """Send once. On an unknown outcome, reconcile by reference before saying anything.

    ``describe(None)`` words a success confirmed by reconciliation (no response body).
    """
    try:
        result = await call()
    except UnknownOutcome as exc:
        if on_checking is not None:
            on_checking(CHECKING)
        return await reconcile_reference(backend, reference, describe, exc)
    except NeedsReview as exc:
        return Outcome(OutcomeKind.NEEDS_REVIEW, html.escape(exc.user_message), error=exc)
    except DuplicateReference as exc:
        return Outcome(OutcomeKind.FAILED, html.escape(exc.user_message), error=exc)
    except PosError as exc:
        return Outcome(
            OutcomeKind.FAILED,
            "<b>Not done.</b> " + html.escape(explain(exc)) + " Nothing was changed.",
            error=exc,
        )
    return Outcome(OutcomeKind.DONE, describe(result), result=result)


async def reconcile_reference(
    backend: GiftCardBackend,
    reference: str,
    describe: Callable[[T | None], str],
    original: BaseException | None = None,
) -> Outcome:
    """Let posdesk.api reconcile the journal, then report this reference's settled state."""
    ref = html.escape(reference)
    try:
        await backend.reconcile_pending()
    except PosError as exc:
        return Outcome(
            OutcomeKind.UNKNOWN,
            "<b>Still checking.</b> posdesk could not reach the server to check reference "
            f"{ref}. It stays in <i>Pending operations</i>; do not repeat it.",
            error=exc,
        )
    entry = backend.journal.get(reference)
    state = str(entry.state) if entry is not None else "unknown"
    if state == "done":
        return Outcome(OutcomeKind.DONE, describe(None), error=original)
    if state == "failed":
        return Outcome(
            OutcomeKind.FAILED,
            f"<b>Not done.</b> The server has no record of reference {ref}, so nothing was "
            "changed. You may try again.",
            error=original,
        )
    if state == "needs_review":
        return Outcome(
            OutcomeKind.NEEDS_REVIEW,
            f"<b>Needs review.</b> posdesk cannot check reference {ref} on this server. "
            "A manager must check it in the POS admin console before anything is repeated.",
            error=original,
        )
    return Outcome(
        OutcomeKind.UNKNOWN,
        f"<b>Still checking.</b> Reference {ref} is not settled yet. It stays in "
        "<i>Pending operations</i>; do not repeat it.",
        error=original,
    )
