"""Issue a card, the widgets: the details form, the review text, the progress page and the
buttons, and what they show for a draft. The flow (``issue.py``) and the terminal steps
(``issue_terminal.py``) build on this class; nothing here talks to the server.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
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

from posdesk.domain import GiftCard, GiftCardCodeType, Viewer
from posdesk.models.formatting import Formatter
from posdesk.store.issue_drafts import IssueDraft, IssueDraftStore, IssueStep, PaymentMethod
from posdesk.store.journal import JournalState, terminal_reference
from posdesk.ui.common.amount import AmountField, error_css
from posdesk.ui.common.operation_dialog import OperationDialog
from posdesk.ui.giftcards.issue_story import (
    STEP_TITLES,
    TERMINAL_AUTH_PERMISSION,
    TERMINAL_SALE_PERMISSION,
    draft_story,
)
from posdesk.ui.giftcards.slip import GiftCardSlip, print_slip, save_slip_as

if TYPE_CHECKING:  # the UI never imports the HTTP layer at run time
    from posdesk.api.client import PosClient


class IssueForm(OperationDialog):
    """The issue wizard's pages and buttons; the flow's actions are hooks (``issue.py``)."""

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

        buttons = self._build_buttons()
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(self.error_label)
        layout.addWidget(self.offline_note)
        layout.addLayout(buttons)
        self._open(draft)

    def _build_buttons(self) -> QHBoxLayout:
        """Abandon on the left; the step's actions on the right (``_set_buttons`` shows them)."""
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
        for button in (self.print_slip_button, self.save_slip_button, self.back_button):
            buttons.addWidget(button)
        # what sends (or leads to it); Cancel payment stays on: it acts on a flow in flight
        sending = (self.switch_cash_button, self.review_button, self.start_button)
        buttons.addWidget(self.add_send_buttons(*sending, self.retry_button))
        buttons.addWidget(self.cancel_payment_button)
        buttons.addWidget(self.close_button)
        return buttons

    def _open(self, draft: IssueDraft | None) -> None:
        """A resumed draft opens on its progress, in ``draft_story``'s words; else the form."""
        if draft is not None:
            self.show_progress()
            self.resume_pin.setVisible(draft.has_pin)
            self.render_draft(
                draft,
                draft_story(draft, self.backend.journal, self.formatter).text
                + " Ready to continue where it stopped."
                + (" Enter the card's PIN if the server asks for it." if draft.has_pin else ""),
            )
            self._set_buttons(idle=True)
        else:
            self.show_details()

    # ------------------------------------------------------------------ hooks
    def start(self) -> None:
        """Run (or resume) the flow from the draft's step (``IssueCardDialog``)."""
        raise NotImplementedError

    def abandon(self) -> None:
        """Stop this issue for good (``IssueCardDialog``)."""
        raise NotImplementedError

    def switch_to_cash(self) -> None:
        """Take cash after a terminal payment that charged nothing (``TerminalPayment``)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ pages
    def _build_details(self) -> None:
        """Kind of card, its codes, the amount, the payment; and the review page."""
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
        self._build_payment_rows(page, form)
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

    def _build_payment_rows(self, page: QWidget, form: QFormLayout) -> None:
        """Cash / other (with a note) / terminal (with its id; off without the permission)."""
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

    def _save(self, draft: IssueDraft) -> IssueDraft:
        self.draft = self.drafts.save(draft)
        return self.draft

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
