"""Money dialogs on one card: top up (ADD), redeem (USE), adjust (ADJUST); capture / cancel.

Each dialog walks the same three pages: enter (validated before anything is sent), confirm
(card, amount, resulting balance in plain words), result (done / failed / checking…). The
reference (``refNo``) is made once per dialog, so pressing Confirm again after an unknown
outcome can never create a second transaction: the journal refuses a used reference and the
dialog reconciles instead of resending.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from posdesk.domain import (
    GiftCard,
    GiftCardCode,
    GiftCardCodeType,
    GiftCardTransaction,
    GiftCardTransStatus,
    GiftCardTransType,
)
from posdesk.models.formatting import Formatter
from posdesk.ui.common.amount import AmountField, error_css
from posdesk.ui.common.operation_dialog import OperationDialog
from posdesk.ui.common.outcome import Outcome, OutcomeKind
from posdesk.ui.giftcards.card_view import mask_code

if TYPE_CHECKING:  # the UI never imports the HTTP layer at run time
    from posdesk.api.client import PosClient

SOURCE_ID = "posdesk"


class MoneyAction(enum.StrEnum):
    TOP_UP = "TOP_UP"
    REDEEM = "REDEEM"
    ADJUST = "ADJUST"


ACTION_TITLES = {
    MoneyAction.TOP_UP: "Top up gift card",
    MoneyAction.REDEEM: "Redeem from gift card",
    MoneyAction.ADJUST: "Adjust gift card balance",
}
ACTION_TRANS_TYPE = {
    MoneyAction.TOP_UP: GiftCardTransType.ADD,
    MoneyAction.REDEEM: GiftCardTransType.USE,
    MoneyAction.ADJUST: GiftCardTransType.ADJUST,
}
ACTION_PERMISSION = {
    MoneyAction.TOP_UP: "GiftCardTransAdd",
    MoneyAction.REDEEM: "GiftCardTransUse",
    MoneyAction.ADJUST: "GiftCardTransAdjust",
}
TRANS_TYPE_PERMISSION = {
    GiftCardTransType.ADD: "GiftCardTransAdd",
    GiftCardTransType.USE: "GiftCardTransUse",
    GiftCardTransType.ADJUST: "GiftCardTransAdjust",
    GiftCardTransType.EXTERNAL: "GiftCardTransExternal",
    GiftCardTransType.IMPORT: "GiftCardTransImport",
}


def new_reference(prefix: str) -> str:
    """A reference unique to this operation (the journal key and the server's refNo)."""
    return f"{prefix}-{uuid.uuid4().hex[:12].upper()}"


def resulting_balance(
    balance: Decimal | None, signed_amount: Decimal, *, authorize: bool
) -> Decimal | None:
    """Available balance after the operation (REFERENCE §9.3: a spending authorization
    reserves at once; a crediting authorization only counts once captured)."""
    if balance is None:
        return None
    if authorize and signed_amount > 0:
        return balance
    return balance + signed_amount


@dataclass(frozen=True, slots=True)
class CardTarget:
    """The card and the code the transaction is made with."""

    card: GiftCard
    code: GiftCardCode

    @property
    def label(self) -> str:
        return f"{self.code.code_type.value.title()} card {mask_code(self.code.code)}"


class _PagedDialog(OperationDialog):
    """The ``OperationDialog`` flow on three pages: enter → confirm → result."""

    def __init__(self, backend: PosClient, title: str, parent: QWidget | None) -> None:
        super().__init__(backend, parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        self.pages = QStackedWidget(self)
        self.enter_page = QWidget(self)
        self.confirm_page = QWidget(self)
        self.result_page = QWidget(self)
        for page in (self.enter_page, self.confirm_page, self.result_page):
            self.pages.addWidget(page)
        self.confirm_label = QLabel(self.confirm_page)
        self.confirm_label.setObjectName("confirmSummary")
        self.confirm_label.setWordWrap(True)
        self.confirm_label.setTextFormat(Qt.TextFormat.RichText)
        QVBoxLayout(self.confirm_page).addWidget(self.confirm_label)
        self.result_label = QLabel(self.result_page)
        self.result_label.setObjectName("resultMessage")
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        QVBoxLayout(self.result_page).addWidget(self.result_label)

        self.error_label = QLabel(self)
        self.error_label.setObjectName("dialogError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        self.back_button = QPushButton("Back", self)
        self.back_button.setObjectName("backButton")
        self.next_button = QPushButton("Review…", self)
        self.next_button.setObjectName("reviewButton")
        self.next_button.setDefault(True)
        self.confirm_button = QPushButton("Confirm", self)
        self.confirm_button.setObjectName("confirmButton")
        self.close_button = QPushButton("Cancel", self)
        self.close_button.setObjectName("closeButton")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.add_send_buttons(self.next_button, self.confirm_button))
        buttons.addWidget(self.close_button)
        self.back_button.clicked.connect(self.show_enter)
        self.next_button.clicked.connect(self.review)
        self.confirm_button.clicked.connect(self.confirm)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(self.error_label)
        layout.addWidget(self.offline_note)
        layout.addLayout(buttons)
        self.show_enter()

    def show_error(self, message: str | None) -> None:
        self.error_label.setStyleSheet(error_css(self))
        self.error_label.setText(message or "")
        self.error_label.setVisible(bool(message))

    def show_enter(self) -> None:
        self.pages.setCurrentWidget(self.enter_page)
        self.back_button.hide()
        self.confirm_button.hide()
        self.next_button.show()
        self.next_button.setEnabled(True)
        self.close_button.setText("Cancel")

    def show_confirm(self, summary: str) -> None:
        self.show_error(None)
        self.confirm_label.setText(summary)
        self.pages.setCurrentWidget(self.confirm_page)
        self.back_button.show()
        self.next_button.hide()
        self.confirm_button.show()
        self.confirm_button.setEnabled(True)
        self.confirm_button.setFocus()

    @override
    def show_outcome(self, outcome: Outcome) -> None:
        self.result_label.setText(outcome.message)
        self.pages.setCurrentWidget(self.result_page)
        self.back_button.hide()
        self.next_button.hide()
        self.confirm_button.hide()
        self.close_button.setText("Close")
        self.close_button.setEnabled(True)

    @override
    def show_busy(self, text: str) -> None:
        self.result_label.setText(text)
        self.pages.setCurrentWidget(self.result_page)
        for button in (self.back_button, self.next_button, self.confirm_button):
            button.hide()
        self.close_button.setEnabled(False)


class TransactionDialog(_PagedDialog):
    """Top up / redeem / adjust one card, immediately or as an authorization."""

    def __init__(
        self,
        backend: PosClient,
        target: CardTarget,
        action: MoneyAction,
        *,
        pin: str = "",
        parent: QWidget | None = None,
        on_done: Callable[[Outcome], None] | None = None,
        formatter: Formatter | None = None,
    ) -> None:
        super().__init__(backend, ACTION_TITLES[action], parent)
        self.formatter = formatter or Formatter()
        self.setObjectName(f"giftCardDialog{action.value.title().replace('_', '')}")
        self.target = target
        self.action = action
        self.reference = new_reference({"TOP_UP": "TOP", "REDEEM": "RED", "ADJUST": "ADJ"}[action])
        if on_done is not None:
            self.finishedOperation.connect(on_done)

        form = QFormLayout(self.enter_page)
        card_label = QLabel(
            f"{target.label} — available {self.formatter.money(target.card.balance)}"
            if target.card.balance is not None
            else target.label,
            self.enter_page,
        )
        card_label.setObjectName("dialogCard")
        form.addRow("Card:", card_label)
        self.amount = AmountField(
            self.enter_page, object_name="dialogAmount", formatter=self.formatter
        )
        form.addRow("Amount:", self.amount)
        self.direction_add = QRadioButton("Add to the balance", self.enter_page)
        self.direction_add.setObjectName("adjustAdd")
        self.direction_remove = QRadioButton("Take from the balance", self.enter_page)
        self.direction_remove.setObjectName("adjustRemove")
        self.direction_add.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.direction_add)
        group.addButton(self.direction_remove)
        self.reason = QLineEdit(self.enter_page)
        self.reason.setObjectName("adjustReason")
        self.reason.setAccessibleName("Reason for the adjustment")
        self.reason.setPlaceholderText("Required: why the balance is corrected")
        self.reason.setMaxLength(60)
        if action is MoneyAction.ADJUST:
            direction = QHBoxLayout()
            direction.addWidget(self.direction_add)
            direction.addWidget(self.direction_remove)
            form.addRow("Direction:", direction)
            form.addRow("Reason:", self.reason)
        else:
            for widget in (self.direction_add, self.direction_remove, self.reason):
                widget.hide()
        self.pin = QLineEdit(self.enter_page)
        self.pin.setObjectName("dialogPin")
        self.pin.setAccessibleName("Card PIN")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setText(pin)
        if target.code.code_type is GiftCardCodeType.PHYSICAL:
            form.addRow("PIN:", self.pin)
        else:
            self.pin.hide()
        self.authorize = QCheckBox("Authorize only (capture or cancel later)", self.enter_page)
        self.authorize.setObjectName("authorizeOnly")
        form.addRow("", self.authorize)
        self.amount.setFocus()

    def signed_amount(self, amount: Decimal) -> Decimal:
        """The user types a positive amount; the sign follows the action (USE is negative)."""
        if self.action is MoneyAction.REDEEM:
            return -amount
        if self.action is MoneyAction.ADJUST and self.direction_remove.isChecked():
            return -amount
        return amount

    def validated(self) -> tuple[Decimal, str | None] | None:
        amount = self.amount.validate()
        if amount is None:
            self.show_error(self.amount.error())
            return None
        reason: str | None = None
        if self.action is MoneyAction.ADJUST:
            reason = self.reason.text().strip()
            if not reason:
                self.show_error("Give a reason for the adjustment (it is kept with the record).")
                self.reason.setFocus()
                return None
        signed = self.signed_amount(amount)
        balance = self.target.card.balance
        if signed < 0 and balance is not None and -signed > balance:
            self.show_error(
                f"Insufficient funds: the card has {self.formatter.money(balance)} available, "
                f"less than {self.formatter.money(-signed)}."
            )
            return None
        self.show_error(None)
        return signed, reason

    @override
    def review(self) -> None:
        checked = self.validated()
        if checked is None:
            return
        signed, reason = checked
        authorize = self.authorize.isChecked()
        after = resulting_balance(self.target.card.balance, signed, authorize=authorize)
        verb = {
            MoneyAction.TOP_UP: "Add",
            MoneyAction.REDEEM: "Redeem",
            MoneyAction.ADJUST: "Adjust by",
        }[self.action]
        shown = self.formatter.money(signed if self.action is MoneyAction.ADJUST else abs(signed))
        lines = [
            f"<b>{verb} {shown}</b> on {self.target.label}.",
            "Resulting balance: <b>"
            + (self.formatter.money(after) if after is not None else "unknown")
            + "</b>",
        ]
        if authorize:
            lines.append(
                "This is an <b>authorization</b>: "
                + (
                    "the funds are reserved now and taken when captured."
                    if signed < 0
                    else "the card is credited only when it is captured."
                )
            )
        if reason:
            lines.append(f"Reason: {reason}")
        lines.append(f"<small>Reference {self.reference}</small>")
        self.show_confirm("<br>".join(lines))

    @override
    def confirm(self) -> None:
        checked = self.validated()
        if checked is None:
            self.show_enter()
            return
        signed, reason = checked
        ref_no = f"{self.reference} {reason}" if reason else self.reference
        pin = self.pin.text() or None
        self.pin.clear()  # the PIN is used once and forgotten
        authorize = self.authorize.isChecked()
        target = self.target
        self.send(
            lambda: self.backend.giftcard_transaction(
                target.code.code,
                target.code.code_type,
                ACTION_TRANS_TYPE[self.action],
                signed,
                ref_no=ref_no,
                source_id=SOURCE_ID,
                pin=pin,
                authorize=authorize,
                on_checking=self.checking,
            ),
            reference=ref_no,
            describe=lambda tx: _describe_done(tx, authorize=authorize, formatter=self.formatter),
        )


def _balance_text(tx: GiftCardTransaction | None, formatter: Formatter) -> str:
    if tx is None or tx.balance is None:
        return "see the card"
    return formatter.money(tx.balance)


def _describe_done(tx: GiftCardTransaction | None, *, authorize: bool, formatter: Formatter) -> str:
    balance = _balance_text(tx, formatter)
    if tx is None:
        return f"<b>Done</b> (confirmed by checking with the server). Balance: {balance}."
    if authorize or tx.status is GiftCardTransStatus.AUTHORIZED:
        return (
            f"<b>Authorized.</b> Transaction {tx.id} waits for capture or cancel. "
            f"Available balance now: <b>{balance}</b>."
        )
    return f"<b>Done.</b> New balance: <b>{balance}</b>."


class SettleAction(enum.StrEnum):
    CAPTURE = "CAPTURE"
    CANCEL = "CANCEL"


class SettleDialog(_PagedDialog):
    """Capture or cancel an authorized transaction, after a confirmation."""

    def __init__(
        self,
        backend: PosClient,
        target: CardTarget,
        transaction: GiftCardTransaction,
        action: SettleAction,
        *,
        parent: QWidget | None = None,
        on_done: Callable[[Outcome], None] | None = None,
        formatter: Formatter | None = None,
    ) -> None:
        title = (
            "Capture authorization" if action is SettleAction.CAPTURE else "Cancel authorization"
        )
        super().__init__(backend, title, parent)
        self.formatter = formatter or Formatter()
        self.setObjectName(f"giftCardDialog{action.value.title()}")
        self.target = target
        self.transaction = transaction
        self.action = action
        if on_done is not None:
            self.finishedOperation.connect(on_done)
        amount = transaction.amount or Decimal(0)
        balance = target.card.balance
        if action is SettleAction.CAPTURE:
            after = balance + amount if balance is not None and amount > 0 else balance
            what = f"<b>Capture</b> the authorization of {self.formatter.money(amount)}"
        else:
            after = balance - amount if balance is not None and amount < 0 else balance
            what = f"<b>Cancel</b> the authorization of {self.formatter.money(amount)}"
        QVBoxLayout(self.enter_page).addWidget(QLabel("", self.enter_page))
        self.show_confirm(
            f"{what} (transaction {transaction.id}) on {target.label}.<br>"
            "Resulting balance: <b>"
            + (self.formatter.money(after) if after is not None else "unknown")
            + "</b>"
        )
        self.back_button.hide()

    @override
    def review(self) -> None:
        """Nothing to enter: the dialog opens on its confirmation page."""

    @override
    def confirm(self) -> None:
        tx = self.transaction
        capture = self.action is SettleAction.CAPTURE
        settle = self.backend.capture if capture else self.backend.cancel
        done = "Captured" if capture else "Cancelled"
        self.send(
            lambda: settle(tx, on_checking=self.checking),
            reference=f"{'capture' if capture else 'cancel'}:{tx.id}",
            describe=lambda tx: (
                f"<b>{done}.</b> Balance: <b>{_balance_text(tx, self.formatter)}</b>."
            ),
        )


__all__ = [
    "ACTION_PERMISSION",
    "CardTarget",
    "MoneyAction",
    "Outcome",
    "OutcomeKind",
    "SettleAction",
    "SettleDialog",
    "TransactionDialog",
    "resulting_balance",
]
