"""Card-present terminal payments: start, follow continuations, capture, cancel.

A start or capture is journaled (``terminal:<refNo>``, ``terminal-capture:<paymentId>``)
and sent through the one send path; a lost answer is settled by the terminal's own
protocol — ask the last continuation again, or capture the same payment again (captured at
most once) — and never by starting a payment again: otherwise a manager checks the terminal.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from posdesk.api import mapping
from posdesk.api.errors import (
    DuplicateReference,
    FeatureUnavailable,
    InvalidResponseError,
    NeedsReview,
    NotAuthorized,
    PosError,
    UnknownOutcome,
)
from posdesk.api.exactly_once import ExactlyOnce, new_reference
from posdesk.api.transport import NotSent
from posdesk.api.wire import wire_decimal
from posdesk.domain import TerminalOutcome, TerminalPaymentType
from posdesk.store.journal import (
    TERMINAL_KINDS,
    UNRESOLVED,
    JournalEntry,
    JournalKind,
    JournalState,
    capture_reference,
    terminal_reference,
)


class Terminal(ExactlyOnce):
    """The terminal payment methods of ``PosClient``."""

    async def terminal_start(
        self,
        payment_type: TerminalPaymentType,
        amount: Decimal,
        terminal_id: str,
        *,
        ref_no: str | None = None,
    ) -> TerminalOutcome:
        """Start a card-present payment; loop on continuations with ``terminal_continue``.

        Journaled as ``terminal:<refNo>`` before it is sent. A lost answer is never followed by
        a second start (that could charge the card twice): the entry goes to needs_review
        with amount, terminal, refNo and time, and ``NeedsReview`` is raised; starting again
        under the same refNo raises ``DuplicateReference`` until a manager settles it."""
        ref_no = ref_no or new_reference("PT")
        payload = {
            "paymentType": payment_type.value,
            "amount": wire_decimal(amount),
            "terminalId": terminal_id,
            "refNo": ref_no,
        }
        request = {
            "payment_type": payment_type.value,
            "amount": wire_decimal(amount),
            "terminal_id": terminal_id,
            "ref_no": ref_no,
        }
        summary = (
            f"Terminal {payment_type.value} of {wire_decimal(amount)} on terminal {terminal_id} "
            f"(ref {ref_no})"
        )
        resumed = await self._resume_terminal(terminal_reference(ref_no))
        if resumed is not None:
            return resumed
        entry = await self._intent(
            terminal_reference(ref_no), JournalKind.TERMINAL_PAYMENT, request, summary
        )
        return await self._terminal_journaled(entry, "terminal_start", {"input": payload}, "start")

    async def terminal_continue(self, continuation_id: str) -> TerminalOutcome:
        """Ask how a pending terminal interaction went (safe to repeat: the server answers
        the same outcome again). Settles the journal entry that waits on it."""
        entry = self._waiting_on(continuation_id)
        variables = {"continuationId": continuation_id}
        if entry is None:
            result = await self._write_once("terminal_continue", variables)
            return mapping.terminal_outcome(_terminal(result, "continue"))
        return await self._terminal_journaled(entry, "terminal_continue", variables, "continue")

    async def terminal_capture(
        self, payment_id: str, amount: Decimal | None = None
    ) -> TerminalOutcome:
        """Capture an authorization, journaled as ``terminal-capture:<paymentId>``. A lost
        answer is settled by asking to capture the same payment again: an authorization is
        captured at most once (the server answers ``ALREADY_CAPTURED``)."""
        variables = {
            "paymentId": payment_id,
            "amount": wire_decimal(amount) if amount is not None else None,
        }
        request = {"payment_id": payment_id, "amount": variables["amount"]}
        summary = f"Capture terminal payment {payment_id}" + (
            f" for {variables['amount']}" if amount is not None else ""
        )
        ref = capture_reference(payment_id)
        resumed = await self._resume_terminal(ref)
        if resumed is not None:
            return resumed
        entry = await self._intent(ref, JournalKind.TERMINAL_CAPTURE, request, summary)
        return await self._terminal_journaled(entry, "terminal_capture", variables, "capture")

    async def _resume_terminal(self, ref: str) -> TerminalOutcome | None:
        """A start / capture asked again under a reference already journaled (the caller
        resumed after a restart): answer from the journal or by asking the server about the
        same payment — never a second one. None when the reference is free (new or failed)."""
        existing = self.journal.get(ref)
        if existing is None or existing.state is JournalState.FAILED:
            return None
        if existing.state is JournalState.DONE:
            if (existing.result or {}).get(
                "payment"
            ) or existing.kind == JournalKind.TERMINAL_CAPTURE:
                return mapping.terminal_outcome(existing.result or {})
            raise DuplicateReference(ref)  # settled by hand: the caller must not charge again
        if existing.state is JournalState.NEEDS_REVIEW or ref in self._in_flight:
            raise DuplicateReference(ref)
        state, wire = await self._reconcile_terminal(existing)
        if wire is not None:
            return mapping.terminal_outcome(wire)
        if state is JournalState.NEEDS_REVIEW:
            raise NeedsReview(ref, details="the terminal's earlier answer was lost")
        raise UnknownOutcome(ref, details="the terminal cannot be asked now")

    def _waiting_on(self, continuation_id: str) -> JournalEntry | None:
        """The unresolved terminal entry whose last answer was ``continuation_id``."""
        for kind in TERMINAL_KINDS:
            for entry in self.journal.entries(
                *UNRESOLVED, JournalState.NEEDS_REVIEW, profile=self.profile.name, kind=kind
            ):
                if _continuation_id(entry.result) == continuation_id:
                    return entry
        return None

    async def _terminal_journaled(
        self, entry: JournalEntry, feature: str, variables: Mapping[str, Any], field: str
    ) -> TerminalOutcome:
        """Send one terminal call for a journaled payment (the one send path) and settle the
        entry from the answer. Refusals and connection failures are confirmed failures;
        anything else is an unknown outcome, reconciled without ever starting a payment
        again."""

        def answered(entry: JournalEntry, wire: Mapping[str, Any]) -> TerminalOutcome:
            self._settle_terminal(entry, wire)
            return mapping.terminal_outcome(wire)

        async def unsettled(current: JournalEntry, exc: PosError) -> TerminalOutcome:
            state, settled = await self._reconcile_terminal(current)
            if settled is not None:  # the server told us after all
                return mapping.terminal_outcome(settled)
            if state is JournalState.NEEDS_REVIEW:
                raise NeedsReview(current.reference, details=exc.details) from exc
            raise UnknownOutcome(current.reference, details=exc.details) from exc

        return await self._send_once(
            entry,
            feature,
            variables,
            check=functools.partial(_terminal, field=field),
            answered=answered,
            unsettled=unsettled,
        )

    def _settle_terminal(self, entry: JournalEntry, wire: Mapping[str, Any]) -> JournalState:
        """Journal a terminal answer: a payment is done, an error failed (a capture that was
        already captured is done), a continuation keeps waiting."""
        ref = entry.reference
        journal = self.journal
        error = wire.get("error") or {}
        if wire.get("payment"):
            journal.mark_done(ref, wire)
            return JournalState.DONE
        if wire.get("continuation"):
            journal.mark_waiting(ref, wire)
            return JournalState.SENT
        if entry.kind == JournalKind.TERMINAL_CAPTURE and error.get("code") == "ALREADY_CAPTURED":
            journal.mark_done(ref, wire)
            return JournalState.DONE
        journal.mark_failed(ref, f"terminal: {error.get('code')} {error.get('message') or ''}")
        return JournalState.FAILED

    async def _reconcile_terminal(
        self, entry: JournalEntry
    ) -> tuple[JournalState, Mapping[str, Any] | None]:
        """Settle a terminal entry whose answer was lost, never by starting a payment again:
        ask the last known continuation; re-ask a capture of the same payment (captured at
        most once); otherwise a manager must check the terminal (needs_review)."""
        journal = self.journal
        ref = entry.reference
        continuation = _continuation_id(entry.result)
        try:
            if continuation is not None:
                data = await self._write("terminal_continue", {"continuationId": continuation})
                wire = _terminal(data, "continue")
            elif entry.kind == JournalKind.TERMINAL_CAPTURE:
                request = entry.request
                data = await self._write(
                    "terminal_capture",
                    {"paymentId": request["payment_id"], "amount": request.get("amount")},
                )
                wire = _terminal(data, "capture")
            else:
                request = entry.request
                journal.mark_needs_review(
                    ref,
                    f"The terminal's answer was lost: {request.get('payment_type')} of "
                    f"{request.get('amount')} on terminal {request.get('terminal_id')}, refNo "
                    f"{request.get('ref_no')}, sent {entry.created_at:%Y-%m-%d %H:%M:%S} UTC. "
                    "Check the terminal or the processor before charging the card again.",
                )
                return JournalState.NEEDS_REVIEW, None
        except NotSent as exc:
            journal.mark_unknown(ref, f"look-up failed: {exc.original.details}")
            return JournalState.UNKNOWN, None
        except (NotAuthorized, FeatureUnavailable) as exc:
            journal.mark_needs_review(ref, f"cannot ask the terminal: {exc.details}")
            return JournalState.NEEDS_REVIEW, None
        except PosError as exc:
            journal.mark_unknown(ref, f"look-up failed: {exc.details}")
            return JournalState.UNKNOWN, None
        return self._settle_terminal(entry, wire), wire

    async def terminal_finish(
        self,
        outcome: TerminalOutcome,
        *,
        give_up_after: float = 180.0,
        on_progress: Callable[[TerminalOutcome], object] | None = None,
    ) -> TerminalOutcome:
        """Follow continuations until a payment or an error, waiting as long as the server
        asks each time (never polling faster). After ``give_up_after`` seconds the pending
        interaction is cancelled and that outcome returned."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + give_up_after
        while outcome.continuation is not None:
            continuation = outcome.continuation
            if on_progress is not None:
                on_progress(outcome)
            if loop.time() + continuation.wait_ms / 1000 > deadline:
                return await self.terminal_cancel(continuation.id)
            await asyncio.sleep(max(continuation.wait_ms, 1) / 1000)
            outcome = await self.terminal_continue(continuation.id)
        return outcome

    async def terminal_cancel(self, continuation_id: str) -> TerminalOutcome:
        """Abandon a pending interaction. A cancelled payment is journaled as failed; one that
        finished first stays unresolved until its continuation is asked (then done)."""
        entry = self._waiting_on(continuation_id)
        result = await self._write_once("terminal_cancel", {"continuationId": continuation_id})
        wire = _terminal(result, "cancel")
        error = wire.get("error") or {}
        if entry is not None and error.get("code") == "CANCELLED":
            self.journal.mark_failed(entry.reference, "cancelled on the terminal")
        return mapping.terminal_outcome(wire)


def _terminal(result: Any, field: str) -> Mapping[str, Any]:
    """The terminal answer under ``field``, checked at the edge: it must map to exactly one
    outcome (a ``payment`` of ``"x"`` is refused here, before anything is journaled)."""
    if not isinstance(result, dict) or not isinstance(result.get(field), dict):
        raise InvalidResponseError(details=f"terminalPayment.{field}: no result")
    inner: Mapping[str, Any] = result[field]
    mapping.terminal_outcome(inner)
    return inner


def _continuation_id(result: Mapping[str, Any] | None) -> str | None:
    """The continuation a journaled terminal entry waits on (its last answer), if any."""
    continuation = (result or {}).get("continuation")
    if isinstance(continuation, dict) and continuation.get("id"):
        return str(continuation["id"])
    return None
