"""Issue a gift card: create it, take the payment, fund it — one guided, resumable flow.

Each finished step is written to an :class:`IssueDraft` before the next one starts, so an
interrupted flow (app closed, network gone, terminal declined) resumes exactly where it
stopped: the card is never created twice, the customer never charged twice, and the funding
``ADD`` is sent once under the draft's reference (the journal reconciles it if its answer was
lost). The PIN lives only in the widget until the create call, then it is cleared.

Long module: the resumable create → pay (terminal protocol) → fund flow reads in one place.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from posdesk.api.errors import (
    DuplicateReference,
    NeedsReview,
    NotAuthorized,
    PosError,
    UnknownOutcome,
    ValidationError,
)
from posdesk.domain import (
    GiftCard,
    GiftCardCode,
    GiftCardCodeType,
    GiftCardTransType,
    TerminalOutcome,
    TerminalPaymentType,
    Viewer,
)
from posdesk.models.formatting import Formatter
from posdesk.store.issue_drafts import IssueDraft, IssueDraftStore, IssueStep, PaymentMethod
from posdesk.store.journal import Journal, JournalState, terminal_reference
from posdesk.ui.common.amount import AmountField, error_css
from posdesk.ui.common.operation_dialog import OperationDialog
from posdesk.ui.common.outcome import (
    Outcome,
    OutcomeKind,
    explain,
    reconcile_reference,
)
from posdesk.ui.giftcards.card_view import mask_code
from posdesk.ui.giftcards.money_dialogs import SOURCE_ID, new_reference
from posdesk.ui.giftcards.slip import GiftCardSlip, print_slip, save_slip_as

if TYPE_CHECKING:  # the UI never imports the HTTP layer at run time
    from posdesk.api.client import PosClient

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


class IssueCardDialog(OperationDialog):
    """The issue wizard: details → confirm → progress (create, pay, fund) → done."""

    issued = Signal(object, object, object)  # GiftCardSlip, GiftCard, GiftCardCode
    paymentInDoubt = Signal(str)  # journal reference of a terminal payment with unknown outcome

    def __init__(
        self,
        backend: PosClient,
        drafts: IssueDraftStore,
        *,
        store_code: str | None = None,
        draft: IssueDraft | None = None,
        viewer: Viewer | None = None,
        terminal_timeout_s: float = 180.0,
        parent: QWidget | None = None,
        formatter: Formatter | None = None,
    ) -> None:
        """Long: builds the widget tree top to bottom, one block per row (splitting scatters it)."""
        super().__init__(backend, parent)
        self.formatter = formatter or Formatter()
        self.setObjectName("issueCardDialog")
        self.setWindowTitle("Issue a gift card")
        self.setMinimumWidth(480)
        self.drafts = drafts
        self.store_code = store_code
        self.draft = draft
        self.terminal_timeout_s = terminal_timeout_s
        self.viewer = viewer or Viewer()
        self._pin: str | None = None  # in memory only, until the card is funded
        self._code: str | None = None  # a personal code: in memory only, never in the draft
        self.card: GiftCard | None = None
        self.slip: GiftCardSlip | None = None
        self._cancel_requested = False

        self.pages = QStackedWidget(self)
        self._build_details()
        self._build_progress()
        self.error_label = QLabel(self)
        self.error_label.setObjectName("issueError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        self.back_button = QPushButton("Back", self)
        self.back_button.setObjectName("issueBack")
        self.review_button = QPushButton("Review…", self)
        self.review_button.setObjectName("issueReview")
        self.start_button = QPushButton("Issue card", self)
        self.start_button.setObjectName("issueStart")
        self.retry_button = QPushButton("Try again", self)
        self.retry_button.setObjectName("issueRetry")
        self.cancel_payment_button = QPushButton("Cancel payment", self)
        self.cancel_payment_button.setObjectName("issueCancelPayment")
        self.abandon_button = QPushButton("Abandon", self)
        self.abandon_button.setObjectName("issueAbandon")
        self.abandon_button.setToolTip(
            "Stop this issue for good. A card already created stays on the server with no funds."
        )
        self.close_button = QPushButton("Close", self)
        self.close_button.setObjectName("issueClose")
        self.switch_cash_button = QPushButton("Take cash instead", self)
        self.switch_cash_button.setObjectName("issueSwitchCash")
        self.switch_cash_button.setToolTip(
            "The terminal payment did not go through: record a cash payment instead."
        )
        self.switch_cash_button.clicked.connect(self.switch_to_cash)
        self.print_slip_button = QPushButton("Print slip…", self)
        self.print_slip_button.setObjectName("issuePrintSlip")
        self.save_slip_button = QPushButton("Save slip as PDF…", self)
        self.save_slip_button.setObjectName("issueSaveSlip")
        self.print_slip_button.clicked.connect(self.print_slip)
        self.save_slip_button.clicked.connect(self.save_slip)
        self.back_button.clicked.connect(self.show_details)
        self.review_button.clicked.connect(self.review)
        self.start_button.clicked.connect(self.start)
        self.retry_button.clicked.connect(self.start)
        self.cancel_payment_button.clicked.connect(self.cancel_payment)
        self.abandon_button.clicked.connect(self.abandon)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.abandon_button)
        buttons.addStretch(1)
        for button in (
            self.switch_cash_button,
            self.print_slip_button,
            self.save_slip_button,
            self.back_button,
            self.review_button,
            self.start_button,
            self.retry_button,
            self.cancel_payment_button,
            self.close_button,
        ):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        if draft is not None:
            self.show_progress()
            self.resume_pin.setVisible(draft.has_pin)
            self.render_draft(
                draft,
                draft_story(draft, backend.journal, self.formatter).text
                + " Ready to continue where it stopped."
                + (" Enter the card's PIN if the server asks for it." if draft.has_pin else ""),
            )
            self._set_buttons(idle=True)
        else:
            self.show_details()

    # ------------------------------------------------------------------ pages
    def _build_details(self) -> None:
        """Long: builds the widget tree top to bottom, one block per row (splitting scatters it)."""
        page = QWidget(self)
        page.setObjectName("issueDetailsPage")
        form = QFormLayout(page)
        self.type_physical = QRadioButton("Physical card (printed code)", page)
        self.type_physical.setObjectName("issueTypePhysical")
        self.type_personal = QRadioButton("Personal card for a member", page)
        self.type_personal.setObjectName("issueTypePersonal")
        self.type_external = QRadioButton("External code (another system's)", page)
        self.type_external.setObjectName("issueTypeExternal")
        self.type_physical.setChecked(True)
        types = QButtonGroup(self)
        kinds = QVBoxLayout()
        for radio in (self.type_physical, self.type_personal, self.type_external):
            types.addButton(radio)
            kinds.addWidget(radio)
            radio.toggled.connect(self._update_fields)
        form.addRow("Kind:", kinds)
        self.physical_code = QLineEdit(page)
        self.physical_code.setObjectName("issuePhysicalCode")
        self.physical_code.setAccessibleName("Physical card code")
        self.pin = QLineEdit(page)
        self.pin.setObjectName("issuePin")
        self.pin.setAccessibleName("PIN")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText("optional scratch-off PIN")
        self.pin_again = QLineEdit(page)
        self.pin_again.setObjectName("issuePinAgain")
        self.pin_again.setAccessibleName("PIN again")
        self.pin_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.member_id = QLineEdit(page)
        self.member_id.setObjectName("issueMemberId")
        self.member_id.setAccessibleName("Member id")
        self.external_code = QLineEdit(page)
        self.external_code.setObjectName("issueExternalCode")
        self.external_code.setAccessibleName("External code")
        self.amount = AmountField(page, object_name="issueAmount", formatter=self.formatter)
        form.addRow("Card code:", self.physical_code)
        form.addRow("PIN:", self.pin)
        form.addRow("PIN again:", self.pin_again)
        form.addRow("Member id:", self.member_id)
        form.addRow("External code:", self.external_code)
        form.addRow("Amount:", self.amount)
        self.pay_cash = QRadioButton("Cash", page)
        self.pay_cash.setObjectName("issuePayCash")
        self.pay_other = QRadioButton("Other (note)", page)
        self.pay_other.setObjectName("issuePayOther")
        self.pay_terminal = QRadioButton("Card on terminal", page)
        self.pay_terminal.setObjectName("issuePayTerminal")
        self.pay_cash.setChecked(True)
        if self.viewer.permissions and not (
            self.viewer.can(TERMINAL_AUTH_PERMISSION) or self.viewer.can(TERMINAL_SALE_PERMISSION)
        ):
            self.pay_terminal.setEnabled(False)
            self.pay_terminal.setToolTip(
                f"Your role lacks {TERMINAL_SALE_PERMISSION}: card payments on the terminal "
                "are not available."
            )
        pays = QButtonGroup(self)
        pay_row = QHBoxLayout()
        for radio in (self.pay_cash, self.pay_other, self.pay_terminal):
            pays.addButton(radio)
            pay_row.addWidget(radio)
            radio.toggled.connect(self._update_fields)
        form.addRow("Payment:", pay_row)
        self.payment_note = QLineEdit(page)
        self.payment_note.setObjectName("issuePaymentNote")
        self.payment_note.setAccessibleName("Payment note")
        self.payment_note.setPlaceholderText("e.g. cheque 1042, voucher, account")
        self.terminal_id = QLineEdit("LANE-1", page)
        self.terminal_id.setObjectName("issueTerminalId")
        self.terminal_id.setAccessibleName("Terminal id")
        form.addRow("Note:", self.payment_note)
        form.addRow("Terminal:", self.terminal_id)
        self._form = form
        self.confirm_label = QLabel(page)
        self.confirm_label.setObjectName("issueSummary")
        self.confirm_label.setWordWrap(True)
        self.confirm_label.setTextFormat(Qt.TextFormat.RichText)
        self.details_page = page
        self.confirm_page = QWidget(self)
        QVBoxLayout(self.confirm_page).addWidget(self.confirm_label)
        self.pages.addWidget(page)
        self.pages.addWidget(self.confirm_page)
        self._update_fields()

    def _build_progress(self) -> None:
        page = QWidget(self)
        page.setObjectName("issueProgressPage")
        layout = QVBoxLayout(page)
        self.step_labels: list[QLabel] = []
        for index, title in enumerate(STEP_TITLES):
            label = QLabel(f"○  {index + 1}. {title}", page)
            label.setObjectName(f"issueStep{index + 1}")
            label.setTextFormat(Qt.TextFormat.RichText)
            self.step_labels.append(label)
            layout.addWidget(label)
        self.status_label = QLabel(page)
        self.status_label.setObjectName("issueStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.RichText)
        font = self.status_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.status_label.setFont(font)
        self.resume_pin = QLineEdit(page)
        self.resume_pin.setObjectName("issueResumePin")
        self.resume_pin.setAccessibleName("Card PIN")
        self.resume_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.resume_pin.setPlaceholderText("The card's PIN (if the server asks for it)")
        self.resume_pin.hide()
        layout.addWidget(self.resume_pin)
        layout.addSpacing(8)
        layout.addWidget(self.status_label)
        self.busy = QProgressBar(page)
        self.busy.setObjectName("issueBusy")
        self.busy.setRange(0, 0)  # indeterminate: the server or the customer decides
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(8)
        self.busy.hide()
        layout.addWidget(self.busy)
        layout.addStretch(1)
        self.progress_page = page
        self.pages.addWidget(page)

    def _row_visible(self, widget: QWidget, visible: bool) -> None:
        self._form.setRowVisible(widget, visible)

    def _update_fields(self) -> None:
        physical = self.type_physical.isChecked()
        self._row_visible(self.physical_code, physical)
        self._row_visible(self.pin, physical)
        self._row_visible(self.pin_again, physical)
        self._row_visible(self.member_id, self.type_personal.isChecked())
        self._row_visible(self.external_code, self.type_external.isChecked())
        self._row_visible(self.payment_note, self.pay_other.isChecked())
        self._row_visible(self.terminal_id, self.pay_terminal.isChecked())

    def _set_buttons(self, *, idle: bool, page: str = "progress") -> None:
        details = page == "details"
        confirm = page == "confirm"
        self.back_button.setVisible(confirm)
        self.review_button.setVisible(details)
        self.start_button.setVisible(confirm)
        in_progress = page == "progress"
        finished = self.draft is not None and self.draft.finished
        self.retry_button.setVisible(in_progress and idle and not finished)
        self.retry_button.setText(
            "Continue" if self.draft and self.draft.step is not IssueStep.STARTED else "Try again"
        )
        self.abandon_button.setVisible(in_progress and idle and not finished)
        draft = self.draft
        self.switch_cash_button.setVisible(
            in_progress
            and idle
            and draft is not None
            and draft.step is IssueStep.CREATED
            and draft.payment_method is PaymentMethod.TERMINAL
            and draft.terminal_payment_id is None
            and not self.terminal_in_doubt()
        )
        self.cancel_payment_button.setVisible(False)
        self.close_button.setEnabled(idle)
        self.close_button.setText("Close" if in_progress else "Cancel")
        self.busy.setVisible(in_progress and not idle)
        self.print_slip_button.setVisible(finished and self.slip is not None)
        self.save_slip_button.setVisible(finished and self.slip is not None)

    def show_details(self) -> None:
        self.pages.setCurrentWidget(self.details_page)
        self._set_buttons(idle=True, page="details")

    def show_progress(self) -> None:
        self.pages.setCurrentWidget(self.progress_page)

    def show_error(self, text: str | None) -> None:
        self.error_label.setStyleSheet(error_css(self))
        self.error_label.setText(text or "")
        self.error_label.setVisible(bool(text))

    # --------------------------------------------------------------- validation
    def code_type(self) -> GiftCardCodeType:
        if self.type_personal.isChecked():
            return GiftCardCodeType.PERSONAL
        if self.type_external.isChecked():
            return GiftCardCodeType.EXTERNAL
        return GiftCardCodeType.PHYSICAL

    def payment_method(self) -> PaymentMethod:
        if self.pay_other.isChecked():
            return PaymentMethod.OTHER
        if self.pay_terminal.isChecked():
            return PaymentMethod.TERMINAL
        return PaymentMethod.CASH

    def validated_draft(self) -> IssueDraft | None:
        kind = self.code_type()
        code: str | None = None
        member: str | None = None
        problems: list[str] = []
        if kind is GiftCardCodeType.PHYSICAL:
            code = self.physical_code.text().strip()
            if not code:
                problems.append("Enter the code printed on the card.")
            if self.pin.text() != self.pin_again.text():
                problems.append("The two PIN entries differ.")
        elif kind is GiftCardCodeType.PERSONAL:
            member = self.member_id.text().strip()
            if not member:
                problems.append("A personal card needs the member id of its owner.")
        else:
            code = self.external_code.text().strip()
            if not code:
                problems.append("Enter the external code.")
        amount = self.amount.validate()
        if amount is None:
            problems.append(self.amount.error() or "Enter an amount.")
        method = self.payment_method()
        note = self.payment_note.text().strip() or None
        if method is PaymentMethod.OTHER and not note:
            problems.append("Say how the customer paid (the note is kept with the record).")
        terminal = self.terminal_id.text().strip() or None
        if method is PaymentMethod.TERMINAL and not terminal:
            problems.append("Enter the terminal id.")
        if problems or amount is None:
            self.show_error(" ".join(problems))
            return None
        self.show_error(None)
        return IssueDraft.new(
            code_type=kind,
            amount=amount,
            payment_method=method,
            code=code,
            member_id=member,
            payment_note=note if method is not PaymentMethod.CASH else "cash",
            terminal_id=terminal if method is PaymentMethod.TERMINAL else None,
            store_code=self.store_code,
            has_pin=bool(self.pin.text()),
        )

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

    def _save(self, draft: IssueDraft) -> IssueDraft:
        self.draft = self.drafts.save(draft)
        return self.draft

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

    async def _pay(self, draft: IssueDraft) -> IssueDraft:
        if draft.payment_method is not PaymentMethod.TERMINAL:
            return self._save(draft.advance(IssueStep.PAID))
        payment_id = draft.terminal_payment_id
        if payment_id is None:
            if draft.terminal_continuation_id is not None:
                self.render_draft(draft, WAITING_ON_TERMINAL)
                outcome = await self.backend.terminal_continue(draft.terminal_continuation_id)
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
        captured = await self.backend.terminal_capture(payment_id, draft.amount)
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
        try:
            try:
                return await self.backend.terminal_start(
                    TerminalPaymentType.AUTH, draft.amount, draft.terminal_id or "", ref_no=ref_no
                )
            except NotAuthorized:
                return await self.backend.terminal_start(
                    TerminalPaymentType.SALE, draft.amount, draft.terminal_id or "", ref_no=ref_no
                )
        except (NeedsReview, UnknownOutcome, DuplicateReference) as exc:
            reference = terminal_reference(ref_no)
            if exc.reference != reference:
                raise
            self.paymentInDoubt.emit(reference)
            raise FlowStoppedError(self._in_doubt_text(draft, ref_no)) from exc

    def _in_doubt_text(self, draft: IssueDraft, ref_no: str) -> str:
        entry = self.backend.journal.get(terminal_reference(ref_no))
        if entry is not None and entry.state is JournalState.DONE:
            return (
                "A manager recorded this card payment as taken. posdesk will not charge the "
                "card again; finish this issue with the POS admin console, or abandon it."
            )
        return (
            f"The terminal's answer was lost: the card may have been charged "
            f"{self.formatter.money(draft.amount)} on terminal "
            f"{html.escape(draft.terminal_id or '')}. posdesk will not start another payment "
            f"for this issue. A manager must check the terminal for reference "
            f"{html.escape(ref_no)}, then settle it under Pending operations."
        )

    def terminal_in_doubt(self) -> bool:
        """Whether this issue's terminal payment has an outcome nobody knows yet (then no
        second payment of any kind may be taken for it)."""
        draft = self.draft
        if draft is None or draft.payment_method is not PaymentMethod.TERMINAL:
            return False
        entry = self.backend.journal.get(
            terminal_reference(draft.terminal_ref_no or draft.fund_ref_no)
        )
        return entry is not None and entry.state in (
            JournalState.SENT,
            JournalState.UNKNOWN,
            JournalState.NEEDS_REVIEW,
        )

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
            outcome = await self.backend.terminal_continue(continuation.id)
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

    def print_slip(self) -> None:
        if self.slip is not None:
            print_slip(self.slip, self)

    def save_slip(self) -> None:
        if self.slip is not None:
            save_slip_as(self.slip, self)

    def cancel_requested(self) -> bool:
        return self._cancel_requested

    def cancel_payment(self) -> None:
        self._cancel_requested = True
        self.cancel_payment_button.setEnabled(False)
        self.status_label.setText("Cancelling the payment on the terminal…")

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

    # ------------------------------------------------------------------ display
    def render_draft(self, draft: IssueDraft, status: str, *, waiting: bool = False) -> None:
        order = [IssueStep.STARTED, IssueStep.CREATED, IssueStep.PAID, IssueStep.FUNDED]
        reached = order.index(draft.step)
        for index, label in enumerate(self.step_labels):
            done = reached > index
            mark = "✔" if done else "○"
            extra = ""
            if index == 0 and draft.card_id:
                extra = f" — card {html.escape(draft.card_id)}"
            if index == 1:
                extra = {
                    PaymentMethod.CASH: " — cash",
                    PaymentMethod.OTHER: f" — {html.escape(draft.payment_note or '')}",
                    PaymentMethod.TERMINAL: f" — terminal {html.escape(draft.terminal_id or '')}",
                }[draft.payment_method]
            if index == 2:
                extra = f" — {self.formatter.money(draft.amount)}"
            text = f"{mark}  {index + 1}. {STEP_TITLES[index]}{extra}"
            label.setText(f"<b>{text}</b>" if reached == index else text)
        self.status_label.setText(status)
        self.cancel_payment_button.setVisible(waiting)
        self.cancel_payment_button.setEnabled(waiting and not self._cancel_requested)

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
