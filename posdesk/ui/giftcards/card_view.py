"""Read-only view of one gift card: balance, owner, codes and transaction history.

Codes follow the masking rule: a masked code stays masked, and a digital (personal/external)
code is masked here too unless the signed-in role holds ``ViewUnmaskedGiftCardCodes`` — the
server should already have masked it; the UI does not rely on that.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from posdesk.domain import (
    GiftCard,
    GiftCardCode,
    GiftCardCodeType,
    GiftCardTransaction,
    GiftCardTransStatus,
    GiftCardTransType,
)
from posdesk.domain import mask_code as mask_code  # the gift card screens import it from here
from posdesk.models.formatting import Formatter, app_locale, format_datetime
from posdesk.ui.common.tables import read_only_item, simple_table

VIEW_UNMASKED = "ViewUnmaskedGiftCardCodes"

CODE_TYPE_LABELS = {
    GiftCardCodeType.PHYSICAL: "Physical",
    GiftCardCodeType.PERSONAL: "Personal",
    GiftCardCodeType.EXTERNAL: "External",
}
TRANS_TYPE_LABELS = {
    GiftCardTransType.ADD: "Add funds",
    GiftCardTransType.USE: "Redeem",
    GiftCardTransType.ADJUST: "Adjustment",
    GiftCardTransType.EXTERNAL: "External",
    GiftCardTransType.IMPORT: "Import",
}
STATUS_LABELS = {
    GiftCardTransStatus.AUTHORIZED: "Authorized",
    GiftCardTransStatus.COMPLETED: "Completed",
    GiftCardTransStatus.CANCELLED: "Cancelled",
}


def display_code(code: GiftCardCode, *, can_unmask: bool) -> str:
    """The text to show for a code under the masking rule."""
    if code.is_masked:
        return code.code if "•" in code.code or "*" in code.code else mask_code(code.code)
    if code.code_type is not GiftCardCodeType.PHYSICAL and not can_unmask:
        return mask_code(code.code)
    return code.code


def local_time(value: datetime | None) -> str:
    """A UTC datetime in the machine's time zone, in the app's one date-time format."""
    if value is None:
        return ""
    return format_datetime(value, app_locale())


class GiftCardView(QWidget):
    """Shows one card. Emits ``ownerActivated(member_id)`` when the owner link is clicked."""

    ownerActivated = Signal(str)
    TRANS_HEADERS = ("Date", "Type", "Amount", "Status", "Source", "Ref no")

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        can_unmask: bool = False,
        formatter: Formatter | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("giftCardView")
        self.formatter = formatter or Formatter()
        self.can_unmask = can_unmask
        self.card: GiftCard | None = None
        self.transactions: tuple[GiftCardTransaction, ...] = ()

        self.balance_label = QLabel("—", self)
        self.balance_label.setObjectName("giftCardBalance")
        self.balance_label.setAccessibleName("Balance")
        font = self.balance_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.balance_label.setFont(font)
        self.owner_label = QLabel("—", self)
        self.owner_label.setObjectName("giftCardOwner")
        self.owner_label.setAccessibleName("Owner")
        self.owner_label.setTextFormat(Qt.TextFormat.RichText)
        self.owner_label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.owner_label.linkActivated.connect(self._on_owner_link)
        self.card_id_label = QLabel("—", self)
        self.card_id_label.setObjectName("giftCardId")
        self.card_id_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        summary = QGroupBox("Card", self)
        form = QFormLayout(summary)
        form.addRow("Balance available:", self.balance_label)
        form.addRow("Owner:", self.owner_label)
        form.addRow("Card id:", self.card_id_label)

        codes_box = QGroupBox("Codes", self)
        self.codes_table = simple_table(
            "giftCardCodes", ("Type", "Code", "Expires", "PIN"), codes_box, "Card codes"
        )
        self.codes_table.setMaximumHeight(96)
        QVBoxLayout(codes_box).addWidget(self.codes_table)

        trans_box = QGroupBox("Transactions", self)
        self.trans_table = simple_table(
            "giftCardTransactions", self.TRANS_HEADERS, trans_box, "Card transactions"
        )
        self.empty_label = QLabel("No transactions on this card yet.", trans_box)
        self.empty_label.setObjectName("giftCardNoTransactions")
        trans_layout = QVBoxLayout(trans_box)
        trans_layout.addWidget(self.trans_table)
        trans_layout.addWidget(self.empty_label)
        self.empty_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(summary)
        layout.addWidget(codes_box)
        layout.addWidget(trans_box, 1)

    def _on_owner_link(self, href: str) -> None:
        if href.startswith("member:"):
            self.ownerActivated.emit(href.removeprefix("member:"))

    def set_card(
        self, card: GiftCard | None, transactions: Sequence[GiftCardTransaction] = ()
    ) -> None:
        """Show ``card`` (None clears the view) with its history, newest first."""
        self.card = card
        self.transactions = tuple(
            sorted(
                transactions,
                key=lambda t: (t.created_on is not None, t.created_on or datetime.min, t.id),
                reverse=True,
            )
        )
        if card is None:
            self.balance_label.setText("—")
            self.owner_label.setText("—")
            self.card_id_label.setText("—")
            self.codes_table.setRowCount(0)
            self.trans_table.setRowCount(0)
            self.empty_label.hide()
            return
        self.balance_label.setText(
            self.formatter.money(card.balance) if card.balance is not None else "not shown"
        )
        if card.member_id:
            self.owner_label.setText(
                f'Member <a href="member:{card.member_id}">{card.member_id}</a>'
            )
            self.owner_label.setToolTip("Open this member in the Customers tab")
        else:
            self.owner_label.setText("No owner (bearer card)")
            self.owner_label.setToolTip("")
        self.card_id_label.setText(card.id)
        self._fill_codes(card.codes)
        self._fill_transactions()

    def _fill_codes(self, codes: Sequence[GiftCardCode]) -> None:
        self.codes_table.setRowCount(len(codes))
        for row, code in enumerate(codes):
            expiry = local_time(code.expires_on) if code.expires_on else "never"
            if code.expires_on is not None and code.expires_on <= datetime.now(
                code.expires_on.tzinfo
            ):
                expiry += " (expired)"
            pin = {True: "yes", False: "no", None: ""}[code.has_pin]
            shown = display_code(code, can_unmask=self.can_unmask)
            code_item = read_only_item(shown, data=code.code_type.value)
            if shown != code.code or code.is_masked:
                code_item.setToolTip("Masked: your role may not see this code in full.")
            self.codes_table.setItem(row, 0, read_only_item(CODE_TYPE_LABELS[code.code_type]))
            self.codes_table.setItem(row, 1, code_item)
            self.codes_table.setItem(row, 2, read_only_item(expiry))
            self.codes_table.setItem(row, 3, read_only_item(pin))

    def _fill_transactions(self) -> None:
        rows = self.transactions
        self.trans_table.setRowCount(len(rows))
        self.empty_label.setVisible(not rows)
        for row, tx in enumerate(rows):
            amount = self.formatter.money(tx.amount) if tx.amount is not None else ""
            self.trans_table.setItem(row, 0, read_only_item(local_time(tx.created_on), data=tx.id))
            self.trans_table.setItem(
                row,
                1,
                read_only_item(TRANS_TYPE_LABELS.get(tx.trans_type, "") if tx.trans_type else ""),
            )
            self.trans_table.setItem(row, 2, read_only_item(amount, align_right=True))
            self.trans_table.setItem(
                row, 3, read_only_item(STATUS_LABELS.get(tx.status, "") if tx.status else "")
            )
            self.trans_table.setItem(row, 4, read_only_item(tx.source_id or ""))
            self.trans_table.setItem(row, 5, read_only_item(tx.ref_no or ""))

    def selected_transaction(self) -> GiftCardTransaction | None:
        rows = self.trans_table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.transactions[rows[0].row()]

    def balance(self) -> Decimal | None:
        return self.card.balance if self.card else None
