"""Issue a gift card: create it, take the payment, fund it — one guided, resumable flow.

Each finished step is written to an :class:`IssueDraft` before the next one starts, so an
interrupted flow (app closed, network gone, terminal declined) resumes exactly where it
stopped: the card is never created twice, the customer never charged twice, and the funding
``ADD`` is sent once under the draft's reference (the journal reconciles it if its answer was
lost). The PIN lives only in the widget until the create call, then it is cleared.

This module is the flow (create → pay → fund, resumable); the widgets are ``issue_form.py``,
the terminal payment ``issue_terminal.py``, the words for a saved draft ``issue_story.py``.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

from PySide6.QtCore import Signal
from typing_extensions import override

from posdesk.api.errors import DuplicateReference, PosError, ValidationError
from posdesk.domain import GiftCard, GiftCardCode, GiftCardCodeType, GiftCardTransType
from posdesk.store.issue_drafts import IssueDraft, IssueStep, PaymentMethod
from posdesk.ui.common.outcome import Outcome, OutcomeKind, explain, reconcile_reference
from posdesk.ui.giftcards.card_view import mask_code
from posdesk.ui.giftcards.issue_story import (
    ISSUE_PERMISSIONS,
    WAITING_ON_TERMINAL,
    DraftStory,
    FlowStoppedError,
    draft_story,
    payment_words,
)
from posdesk.ui.giftcards.issue_terminal import TerminalPayment
from posdesk.ui.giftcards.money_dialogs import SOURCE_ID
from posdesk.ui.giftcards.slip import GiftCardSlip


class IssueCardDialog(TerminalPayment):
    """The issue wizard: details → confirm → progress (create, pay, fund) → done."""

    issued = Signal(object, object, object)  # GiftCardSlip, GiftCard, GiftCardCode

    @override
    def review(self) -> None:
        draft = self.validated_draft()
        if draft is None:
            return
        self.draft = draft
        card = {
            GiftCardCodeType.PHYSICAL: f"Physical card {mask_code(draft.code or '')}"
            + (" with PIN" if draft.has_pin else ""),
            GiftCardCodeType.PERSONAL: f"Personal card for member {draft.member_id}",
            GiftCardCodeType.EXTERNAL: f"External code {mask_code(draft.code or '')}",
        }[draft.code_type]
        pay = payment_words(draft)
        self.confirm_label.setText(
            f"Issue a <b>{html.escape(card)}</b><br>"
            f"and load <b>{self.formatter.money(draft.amount)}</b>, paid by {html.escape(pay)}.<br>"
            f"Resulting balance: <b>{self.formatter.money(draft.amount)}</b>"
            "<br><br>posdesk will 1. create the card, 2. take the payment, 3. fund the card. "
            "If anything interrupts it, it continues from where it stopped — the card is "
            "never created twice and the customer never charged twice."
        )
        self.pages.setCurrentWidget(self.confirm_page)
        self._set_buttons(idle=True, page="confirm")

    # ------------------------------------------------------------------ flow
    @override
    def start(self) -> None:
        """Run (or resume) the flow from the draft's step."""
        if self.draft is None or self.in_flight:
            return
        typed = self.pin.text() or self.resume_pin.text()
        if typed:
            self._pin = typed
        for field in (self.pin, self.pin_again, self.resume_pin):
            field.clear()
        # The PIN is never stored, so a resumed flow sends it only if the user typed it again;
        # a server that wants it for funding says so ("This card needs its PIN") and the
        # field stays there for the next try.
        self.resume_pin.setVisible(self.draft.has_pin and not self._pin)
        pin = self._pin
        if self.draft.step is IssueStep.STARTED:
            self.draft = self.drafts.save(self.draft)
        self.show_progress()
        self._set_buttons(idle=False)
        self.show_error(None)
        self._cancel_requested = False
        self.start_operation(self._run(pin), name="issue gift card")

    @override
    def confirm(self) -> None:
        """Issue's confirm is Start (create → pay → fund, resumable from the draft)."""
        self.start()

    @override
    def show_busy(self, text: str) -> None:
        if self.draft is not None:
            self.render_draft(self.draft, html.escape(text))

    async def _run(self, pin: str | None) -> None:
        assert self.draft is not None
        try:
            await self._run_steps(pin)
        except FlowStoppedError as stop:
            assert self.draft is not None
            self.render_draft(self.draft, f"<b>Stopped.</b> {stop}")
        except PosError as exc:
            assert self.draft is not None
            self.render_draft(self.draft, f"<b>Stopped.</b> {html.escape(explain(exc))}")
        finally:
            self._set_buttons(idle=True)

    async def _run_steps(self, pin: str | None) -> None:
        draft = self.draft
        assert draft is not None
        if draft.step is IssueStep.STARTED:
            self.render_draft(draft, "Creating the card…")
            draft = await self._create(draft, pin)
        if draft.step is IssueStep.CREATED:
            draft = await self._pay(draft)
        if draft.step is IssueStep.PAID:
            self.render_draft(draft, "Funding the card…")
            draft = await self._fund(draft, pin)

    async def _create(self, draft: IssueDraft, pin: str | None) -> IssueDraft:
        try:
            if draft.code_type is GiftCardCodeType.PHYSICAL:
                card = await self.backend.giftcard_add(physical_code=draft.code, physical_pin=pin)
            elif draft.code_type is GiftCardCodeType.PERSONAL:
                card = await self.backend.giftcard_add(
                    member_id=draft.member_id, add_personal_code=True
                )
            else:
                card = await self.backend.giftcard_add(external_code=draft.code)
        except ValidationError as exc:
            adopted = await self._adopt_created_card(draft, exc)
            if adopted is None:
                raise
            card = adopted
        self.card = card
        code = next((c for c in card.codes if c.code_type is draft.code_type), None)
        if code is None:
            raise FlowStoppedError("The server created the card but returned no code for it.")
        if draft.code_type is GiftCardCodeType.PERSONAL:
            # A personal code is a bearer secret generated by POS: kept in memory only.
            self._code = code.code
            draft = self._save(draft.advance(IssueStep.CREATED, card_id=card.id, code=None))
        else:
            draft = self._save(draft.advance(IssueStep.CREATED, card_id=card.id, code=code.code))
        if code.is_masked:
            raise FlowStoppedError(
                f"The card was created (id {html.escape(card.id)}), but your role may not see its "
                "personal code in full, so posdesk cannot fund it. No payment was taken. Ask a "
                "user with ViewUnmaskedGiftCardCodes to finish, or abandon this issue."
            )
        return draft

    async def _adopt_created_card(self, draft: IssueDraft, exc: ValidationError) -> GiftCard | None:
        """posdesk stopped while ``giftcardAdd`` was in flight, and the card was created: on
        resume the code is "already in use". Take that card over if it is still empty (no
        transactions), instead of failing or creating another."""
        if exc.data.get("ValidationType") != "UniqueCodeValidator" or not draft.code:
            return None
        card = await self.backend.giftcard(draft.code, draft.code_type)
        if card is None or (card.balance or 0) != 0:
            return None
        history = await self.backend.giftcard_transactions(giftcard_id=card.id, first=1)
        return None if history.items else card

    async def _full_code(self, draft: IssueDraft) -> str:
        """The code to fund with: the draft's, or (personal codes, never stored) the one in
        memory, or — after a restart — the card's own code read back by id."""
        if draft.code:
            return draft.code
        if self._code:
            return self._code
        card = await self.backend.giftcard_by_id(draft.card_id or "")
        code = (
            next(
                (c for c in card.codes if c.code_type is draft.code_type and not c.is_masked),
                None,
            )
            if card is not None
            else None
        )
        if code is None:
            raise FlowStoppedError(
                "posdesk cannot read this card's personal code back (it is never stored on this "
                "computer, and your role may not see it unmasked). No funds were added."
            )
        self._code = code.code
        return code.code

    async def _fund(self, draft: IssueDraft, pin: str | None) -> IssueDraft:
        code = await self._full_code(draft)

        def describe(tx: object) -> str:
            return "Funded."

        async def send() -> Outcome:
            return await self.runner.send(
                self.backend,
                lambda: self.backend.giftcard_transaction(
                    code,
                    draft.code_type,
                    GiftCardTransType.ADD,
                    draft.amount,
                    ref_no=draft.fund_ref_no,
                    source_id=SOURCE_ID,
                    pin=pin,
                    giftcard_id=draft.card_id,
                    on_checking=self.checking,
                ),
                reference=draft.fund_ref_no,
                describe=describe,
            )

        outcome = await send()
        if isinstance(outcome.error, DuplicateReference):
            # Resumed after the app closed mid-send: the journal has the reference, so settle
            # it by looking it up; only a confirmed "never happened" allows sending again.
            outcome = await reconcile_reference(self.backend, draft.fund_ref_no, describe)
            if outcome.kind is OutcomeKind.FAILED:
                outcome = await send()
        if outcome.kind is not OutcomeKind.DONE:
            raise FlowStoppedError(outcome.message)
        balance = getattr(outcome.result, "balance", None)
        card = await self.backend.giftcard(code, draft.code_type)
        if card is not None:
            self.card = card
            balance = card.balance
        self._pin = None
        draft = self._save(draft.advance(IssueStep.FUNDED, balance=balance))
        self.slip = GiftCardSlip(
            title="Gift card issued",
            code=code,
            balance=balance,
            amount=draft.amount,
            when=datetime.now(UTC),
            store=draft.store_code or "",
            currency=self.formatter.currency,
            payment=draft.payment_note
            if draft.payment_method is not PaymentMethod.TERMINAL
            else f"card on terminal {draft.terminal_id}",
            reference=draft.fund_ref_no,
        )
        self.render_draft(
            draft,
            f"<b>Done.</b> The card is issued with a balance of "
            f"<b>{self.formatter.money(balance) if balance is not None else 'unknown'}</b>.",
        )
        if self.card is not None:
            self.issued.emit(self.slip, self.card, GiftCardCode(draft.code_type, code))
        return draft

    @override
    def abandon(self) -> None:
        if self.draft is None or self.in_flight:
            return
        self.drafts.discard(self.draft.draft_id)
        self.draft = None
        self.reject()


__all__ = [
    "ISSUE_PERMISSIONS",
    "WAITING_ON_TERMINAL",
    "DraftStory",
    "IssueCardDialog",
    "draft_story",
]
