"""Every journaled operation ends in one of: done, failed (nothing happened), or checking →
done / still checking / not found after waiting / needs review. This module turns API results
and errors into those plain outcomes. Once a request was sent, a missing answer is never
worded as "nothing happened": it stays in Pending operations until the server shows it or the
grace period is over.
"""

from __future__ import annotations

import enum
import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from posdesk.api.errors import (
    PosError,
    ValidationError,
)
from posdesk.store.journal import JournalState

if TYPE_CHECKING:  # the UI never imports the HTTP layer at run time
    from posdesk.api.client import PosClient

T = TypeVar("T")

# Plain words for the POS's VALIDATION errors, by ``extensions.data`` ValidationType (and
# Property where the type alone is ambiguous). Never by message text.
_BY_TYPE: dict[str, str] = {
    "PinValidator": "Wrong PIN. Ask the customer to enter it again.",
    "ExpiredCodeValidator": "This code has expired and can no longer be used.",
    "InsufficientFundsValidator": "Insufficient funds: the card's available balance is too low.",
    "TransStatusValidator": "This authorization was already captured or cancelled.",
    "UniqueCodeValidator": "This code is already used by another card.",
    "MemberValidator": "No member has this member id.",
    "OwnerValidator": "A card's owner cannot be changed.",
    "AmbiguousCodeValidator": "This code exists for several code types: choose the code type.",
    "LocationValidator": "The store code is not a POS location.",
    "ScalePrecisionValidator": "Use at most two decimal places.",
}
_BY_TYPE_AND_FIELD: dict[tuple[str, str], str] = {
    ("NotEmptyValidator", "Pin"): "This card needs its PIN.",
    ("NotFoundValidator", "Code"): "No gift card has this code (or your role may not see it).",
    ("NotFoundValidator", "Id"): "The card or transaction no longer exists.",
    ("NotEmptyValidator", "Member"): "A personal card needs the member id of its owner.",
}


def explain(exc: BaseException) -> str:
    """One sentence for the user; branch on the error class and its data, never on message."""
    if isinstance(exc, ValidationError):
        kind = str(exc.data.get("ValidationType") or "")
        field = exc.field or ""
        return _BY_TYPE_AND_FIELD.get((kind, field)) or _BY_TYPE.get(kind) or exc.user_message
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


def unconfirmed(reference: str, *, rechecked: bool = True) -> str:
    """The one sentence every lost answer ends in (then, maybe, what is special about it):
    not confirmed, waiting in Pending operations, do not repeat it — never "nothing
    happened". ``rechecked=False`` when only a person can settle it (a terminal payment)."""
    return (
        f"<b>Not confirmed yet.</b> posdesk could not confirm whether reference "
        f"{html.escape(reference)} went through — it is in <i>Pending operations</i>"
        + (" and is checked again on its own" if rechecked else "")
        + "; do not repeat it."
    )


CHECKING = "Checking whether it went through… (the server did not confirm; nothing is resent)"


async def reconcile_reference(
    backend: PosClient,
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
    state = entry.state if entry is not None else JournalState.UNKNOWN
    if state is JournalState.DONE:
        return Outcome(OutcomeKind.DONE, describe(None), error=original)
    if state is JournalState.FAILED:  # only a request that never left (see posdesk.store.journal)
        return Outcome(
            OutcomeKind.FAILED,
            f"<b>Not done.</b> Reference {ref} was never sent to the server, so nothing was "
            "changed. You may try again.",
            error=original,
        )
    if state is JournalState.NOT_FOUND:
        return Outcome(
            OutcomeKind.UNKNOWN,
            f"<b>Not found after waiting.</b> The server still has no record of reference "
            f"{ref}. You may do it again as a new operation (it gets a new reference); "
            "posdesk keeps watching the old one and tells you if it goes through late.",
            error=original,
        )
    if state is JournalState.LATE:
        return Outcome(
            OutcomeKind.DONE,
            f"<b>Went through late.</b> Reference {ref} reached the server after posdesk had "
            "stopped waiting. If it was done again, it may have happened twice: see "
            "<i>Pending operations</i>.",
            error=original,
        )
    if state is JournalState.NEEDS_REVIEW:
        return Outcome(
            OutcomeKind.NEEDS_REVIEW,
            f"<b>Needs review.</b> posdesk cannot check reference {ref} on this server. "
            "A manager must check it in the POS admin console before anything is repeated.",
            error=original,
        )
    return Outcome(OutcomeKind.UNKNOWN, unconfirmed(reference), error=original)
