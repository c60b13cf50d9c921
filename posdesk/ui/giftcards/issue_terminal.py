"""Issue a card, the terminal payment: start (AUTH, or SALE when the role may not
authorize) → follow continuations as slowly as the server asks → capture, every call through
``Runner.send``. A lost answer ends in the runner's words plus which terminal a manager must
check, and no second payment (nor cash) is taken for the issue until it is settled.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import time
from collections.abc import Awaitable, Callable

from PySide6.QtCore import Signal
from typing_extensions import override

from posdesk.api.errors import DuplicateReference, NotAuthorized, PosError
from posdesk.domain import TerminalOutcome, TerminalPaymentType
from posdesk.store.issue_drafts import IssueDraft, IssueStep, PaymentMethod
from posdesk.store.journal import JournalState, capture_reference, terminal_reference
from posdesk.ui.common.outcome import OutcomeKind, unconfirmed
from posdesk.ui.giftcards.issue_form import IssueForm
from posdesk.ui.giftcards.issue_story import WAITING_ON_TERMINAL, FlowStoppedError
from posdesk.ui.giftcards.money_dialogs import new_reference


class TerminalPayment(IssueForm):
    """The pay step of the issue flow (see the module docstring)."""

    paymentInDoubt = Signal(str)  # journal reference of a terminal payment with unknown outcome

    async def _pay(self, draft: IssueDraft) -> IssueDraft:
        if draft.payment_method is not PaymentMethod.TERMINAL:
            return self._save(draft.advance(IssueStep.PAID))
        payment_id = draft.terminal_payment_id
        if payment_id is None:
            if draft.terminal_continuation_id is not None:
                self.render_draft(draft, WAITING_ON_TERMINAL)
                outcome = await self._continue_terminal(draft.terminal_continuation_id)
            else:
                self.render_draft(draft, "Starting the payment on the terminal…")
                outcome = await self._start_terminal(draft)
            outcome = await self._follow(outcome)
            assert outcome.payment is not None
            if (outcome.payment.status or "").upper() != "AUTHORIZED":
                # a SALE is complete as soon as it is approved: nothing to capture
                return self._save(draft.advance(IssueStep.PAID, terminal_continuation_id=None))
            payment_id = outcome.payment.id
            draft = self._save(
                draft.advance(
                    IssueStep.CREATED, terminal_payment_id=payment_id, terminal_continuation_id=None
                )
            )
        self.render_draft(draft, "Capturing the card payment…")
        captured = await self._terminal_send(
            lambda: self.backend.terminal_capture(payment_id, draft.amount),
            capture_reference(payment_id),
        )
        if captured.error is not None and captured.error.code == "ALREADY_CAPTURED":
            # resumed after the capture went through but before it was written down
            return self._save(draft.advance(IssueStep.PAID, terminal_continuation_id=None))
        await self._follow(captured, capturing=True)
        return self._save(draft.advance(IssueStep.PAID, terminal_continuation_id=None))

    async def _start_terminal(self, draft: IssueDraft) -> TerminalOutcome:
        """Authorize (then capture once the card is safely on record); a server whose role
        model refuses AUTH to this user gets a one-step SALE instead — a refused start
        charged nothing, so trying the other kind is safe. A start whose answer was lost is
        never followed by another one: the client journals it and refuses the reference."""
        ref_no = draft.terminal_ref_no or draft.fund_ref_no

        async def start() -> TerminalOutcome:
            try:
                return await self.backend.terminal_start(
                    TerminalPaymentType.AUTH, draft.amount, draft.terminal_id or "", ref_no=ref_no
                )
            except NotAuthorized:
                return await self.backend.terminal_start(
                    TerminalPaymentType.SALE, draft.amount, draft.terminal_id or "", ref_no=ref_no
                )

        return await self._terminal_send(start, terminal_reference(ref_no))

    async def _continue_terminal(self, continuation_id: str) -> TerminalOutcome:
        """Ask how the terminal interaction went (safe to repeat), through the runner too."""
        return await self._terminal_send(
            lambda: self.backend.terminal_continue(continuation_id), None
        )

    async def _terminal_send(
        self, call: Callable[[], Awaitable[TerminalOutcome]], reference: str | None
    ) -> TerminalOutcome:
        """One terminal call through the runner: a lost answer ends in the runner's words plus
        which terminal a manager must check, and blocks any second payment for this issue."""
        assert self.draft is not None
        draft = self.draft
        outcome = await self.runner.send(
            self.backend,
            call,
            describe=lambda _answer: "",
            reference=reference,
            failed="Nothing was charged.",
            in_doubt=self._terminal_doubt(draft),
        )
        if outcome.kind is OutcomeKind.DONE:
            if isinstance(outcome.result, TerminalOutcome):
                return outcome.result
            # confirmed by reconciliation: asked again, the client answers from its journal
            # (a started payment, a capture or a continuation is never sent twice)
            return await call()
        self.outcome = outcome
        if outcome.kind is OutcomeKind.FAILED and not isinstance(outcome.error, DuplicateReference):
            raise FlowStoppedError(outcome.message)
        self.paymentInDoubt.emit(reference or getattr(outcome.error, "reference", ""))
        if isinstance(outcome.error, DuplicateReference):  # in doubt since an earlier try
            raise FlowStoppedError(self._in_doubt_text(draft))
        raise FlowStoppedError(outcome.message)

    def _terminal_doubt(self, draft: IssueDraft) -> str:
        """What else is true when a terminal answer was lost (after ``unconfirmed()``)."""
        terminal = html.escape(draft.terminal_id or "")
        if draft.terminal_payment_id is not None:
            return (
                f"The capture of the card payment on terminal {terminal} was not confirmed; "
                "Continue asks about the same payment again (it is captured at most once)."
            )
        ref_no = html.escape(draft.terminal_ref_no or draft.fund_ref_no)
        return (
            f"The terminal's answer was lost: the card may have been charged "
            f"{self.formatter.money(draft.amount)} on terminal {terminal}. posdesk will not "
            f"start another payment for this issue; a manager must check the terminal for "
            f"reference {ref_no}, then settle it under Pending operations."
        )

    def _in_doubt_text(self, draft: IssueDraft) -> str:
        reference = terminal_reference(draft.terminal_ref_no or draft.fund_ref_no)
        entry = self.backend.journal.get(reference)
        if entry is not None and entry.state is JournalState.DONE:
            return (
                "A manager recorded this card payment as taken. posdesk will not charge the "
                "card again; finish this issue with the POS admin console, or abandon it."
            )
        return f"{unconfirmed(reference, rechecked=False)} {self._terminal_doubt(draft)}"

    async def _follow(
        self, outcome: TerminalOutcome, *, capturing: bool = False
    ) -> TerminalOutcome:
        """Loop on continuations, waiting as long as the server asks (never faster)."""
        deadline = time.monotonic() + self.terminal_timeout_s
        while outcome.continuation is not None:
            continuation = outcome.continuation
            assert self.draft is not None
            self.draft = self._save(
                self.draft.advance(self.draft.step, terminal_continuation_id=continuation.id)
            )
            self.render_draft(
                self.draft,
                "Capturing the card payment…" if capturing else WAITING_ON_TERMINAL,
                waiting=not capturing,
            )
            if self.cancel_requested() or time.monotonic() >= deadline:
                timed_out = not self.cancel_requested()
                with contextlib.suppress(PosError):
                    await self.backend.terminal_cancel(continuation.id)
                self._save(self.draft.advance(self.draft.step, terminal_continuation_id=None))
                self._new_terminal_reference()
                if timed_out:
                    raise FlowStoppedError(
                        "The customer did not finish on the terminal in time; the payment was "
                        "cancelled. Nothing was charged. Try again or take another payment."
                    )
                raise FlowStoppedError("The payment was cancelled on request. Nothing was charged.")
            await asyncio.sleep(max(continuation.wait_ms, 50) / 1000)
            if self.cancel_requested():
                continue
            outcome = await self._continue_terminal(continuation.id)
        self.cancel_payment_button.setVisible(False)
        if outcome.error is not None:
            assert self.draft is not None
            self._save(self.draft.advance(self.draft.step, terminal_continuation_id=None))
            self._new_terminal_reference()
            reason = outcome.error.message or outcome.error.code or "declined"
            raise FlowStoppedError(
                f"The terminal declined the payment ({html.escape(reason)}). Nothing was charged. "
                "Try again, or use another payment."
            )
        if outcome.payment is None:
            raise FlowStoppedError("The terminal gave no answer. Nothing was charged.")
        return outcome

    def _new_terminal_reference(self) -> None:
        """A new attempt on the terminal gets a fresh reference (the old one is settled)."""
        assert self.draft is not None
        self._save(
            self.draft.advance(
                self.draft.step,
                terminal_ref_no=new_reference(f"{self.draft.fund_ref_no}-PAY"),
                terminal_payment_id=None,
            )
        )

    @override
    def switch_to_cash(self) -> None:
        """After a declined / abandoned terminal payment (nothing taken): pay cash instead."""
        draft = self.draft
        if draft is None or draft.terminal_payment_id is not None or self.terminal_in_doubt():
            return
        self.draft = self._save(
            draft.advance(
                draft.step,
                payment_method=PaymentMethod.CASH,
                payment_note="cash",
                terminal_id=None,
                terminal_ref_no=None,
                terminal_continuation_id=None,
            )
        )
        self.render_draft(self.draft, "Payment changed to cash. Press Continue when paid.")
        self._set_buttons(idle=True)
