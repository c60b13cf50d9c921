"""Record purchase, the widgets: header (transaction id, store, date, channel, order type,
pay method, customer), line entry and the lines table, totals, and the buttons.
``RecordPurchaseDialog`` (``purchase.py``) wires them to finding items, totals and sending;
the objectNames are listed in docs/testing.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from posdesk.domain import Purchase, PurchaseLine
from posdesk.models.formatting import Formatter, datetime_pattern
from posdesk.ui.common.amount import Separators
from posdesk.ui.common.operation_dialog import OperationDialog
from posdesk.ui.common.outcome import OutcomeKind
from posdesk.ui.common.tables import simple_table

if TYPE_CHECKING:  # the UI never imports the HTTP layer at run time
    from posdesk.api.client import PosClient

CHANNELS = ("", "WEB", "ERP", "PHONE", "MARKETPLACE", "STORE")
ORDER_TYPES = ("", "SALE", "SPECIAL_ORDER", "LAYAWAY", "PICKUP", "DELIVERY")
PAY_METHODS = ("", "CARD", "CASH", "INVOICE", "GIFTCARD", "OTHER")


class PurchaseForm(OperationDialog):
    """The widget tree only (signals are connected by ``RecordPurchaseDialog``)."""

    LINE_HEADERS = ("#", "SKU", "Description", "Qty", "UOM", "Unit price", "Discount", "Extended")

    def __init__(
        self,
        backend: PosClient,
        *,
        store_code: str | None = None,
        stores: Sequence[str] = (),
        parent: QWidget | None = None,
        formatter: Formatter | None = None,
    ) -> None:
        super().__init__(backend, parent)
        self.formatter = formatter or Formatter()
        self.setObjectName("recordPurchaseDialog")
        self.setWindowTitle("Record purchase")
        self.setMinimumWidth(760)
        self.lines: list[PurchaseLine] = []
        self.descriptions: list[str] = []
        self.separators = Separators.for_locale()
        self.purchase: Purchase | None = None
        self.outcome_kind: OutcomeKind | None = None

        header = self._build_header(store_code, stores)
        lines_box = self._build_lines()
        totals_box = self._build_totals()
        buttons = self._build_buttons()
        columns = QHBoxLayout()
        columns.addWidget(header, 1)
        columns.addWidget(totals_box, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(lines_box, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.offline_note)
        layout.addLayout(buttons)

    def _build_header(self, store_code: str | None, stores: Sequence[str]) -> QGroupBox:
        header = QGroupBox("Purchase", self)
        form = QFormLayout(header)
        self.transaction_id = QLineEdit(self)
        self.transaction_id.setObjectName("purchaseTransactionId")
        self.transaction_id.setAccessibleName("Transaction id")
        self.transaction_id.setPlaceholderText("the number in the source system, e.g. INV-000781")
        self.store = QComboBox(self)
        self.store.setObjectName("purchaseStore")
        self.store.setAccessibleName("Store")
        self.store.setEditable(True)
        for code in dict.fromkeys([*(c for c in [store_code] if c), *stores]):
            self.store.addItem(code)
        self.purchased_on = QDateTimeEdit(QDateTime.currentDateTime(), self)
        self.purchased_on.setObjectName("purchaseDate")
        self.purchased_on.setAccessibleName("Purchase date and time")
        self.purchased_on.setCalendarPopup(True)
        self.purchased_on.setDisplayFormat(datetime_pattern(self.formatter.locale))
        self.channel = self._combo("purchaseChannel", "Channel", CHANNELS)
        self.order_type = self._combo("purchaseOrderType", "Order type", ORDER_TYPES)
        self.pay_method = self._combo("purchasePayMethod", "Pay method", PAY_METHODS)
        self.member = QLineEdit(self)
        self.member.setObjectName("purchaseMember")
        self.member.setAccessibleName("Member id, customer id or e-mail")
        self.member.setPlaceholderText("member id, customer id or e-mail (for loyalty points)")
        form.addRow("Transaction id:", self.transaction_id)
        form.addRow("Store:", self.store)
        form.addRow("Date/time:", self.purchased_on)
        form.addRow("Channel:", self.channel)
        form.addRow("Order type:", self.order_type)
        form.addRow("Pay method:", self.pay_method)
        form.addRow("Customer:", self.member)
        return header

    def _build_lines(self) -> QGroupBox:
        lines_box = QGroupBox("Lines", self)
        grid = QGridLayout()
        self.sku = QLineEdit(self)
        self.sku.setObjectName("lineSku")
        self.sku.setAccessibleName("SKU or barcode")
        self.sku.setPlaceholderText("SKU or barcode")
        self.find_button = QPushButton("Find", self)
        self.find_button.setObjectName("lineFind")
        self.qty = QLineEdit("1", self)
        self.qty.setObjectName("lineQty")
        self.qty.setAccessibleName("Quantity")
        self.uom = QLineEdit("EA", self)
        self.uom.setObjectName("lineUom")
        self.uom.setAccessibleName("Unit of measure")
        self.unit_price = QLineEdit(self)
        self.unit_price.setObjectName("lineUnitPrice")
        self.unit_price.setAccessibleName("Unit price")
        self.discount = QLineEdit("0", self)
        self.discount.setObjectName("lineDiscount")
        self.discount.setAccessibleName("Line discount")
        self.add_line_button = QPushButton("Add line", self)
        self.add_line_button.setObjectName("lineAdd")
        self.remove_line_button = QPushButton("Remove line", self)
        self.remove_line_button.setObjectName("lineRemove")
        for col, (label, widget) in enumerate(
            (
                ("SKU", self.sku),
                ("", self.find_button),
                ("Qty", self.qty),
                ("UOM", self.uom),
                ("Unit price", self.unit_price),
                ("Discount", self.discount),
                ("", self.add_line_button),
            )
        ):
            grid.addWidget(QLabel(label, self), 0, col)
            grid.addWidget(widget, 1, col)
        self.item_label = QLabel(self)
        self.item_label.setObjectName("lineItem")
        self.lines_table = simple_table("purchaseLines", self.LINE_HEADERS, self, "Purchase lines")
        lines_header = self.lines_table.horizontalHeader()
        lines_header.setStretchLastSection(False)
        lines_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        box_layout = QVBoxLayout(lines_box)
        box_layout.addLayout(grid)
        box_layout.addWidget(self.item_label)
        box_layout.addWidget(self.lines_table)
        box_layout.addWidget(self.remove_line_button, 0, Qt.AlignmentFlag.AlignRight)
        return lines_box

    def _build_totals(self) -> QGroupBox:
        totals_box = QGroupBox("Totals", self)
        totals = QFormLayout(totals_box)
        self.sale_discount = QLineEdit("0", self)
        self.sale_discount.setObjectName("purchaseSaleDiscount")
        self.sale_discount.setAccessibleName("Sale discount")
        self.tax = QLineEdit("0", self)
        self.tax.setObjectName("purchaseTax")
        self.tax.setAccessibleName("Tax")
        self.paid = QLineEdit(self)
        self.paid.setObjectName("purchasePaid")
        self.paid.setAccessibleName("Amount paid, to check the total")
        self.paid.setPlaceholderText("optional: the total on the source document, to check")
        self.totals_label = QLabel(self)
        self.totals_label.setObjectName("purchaseTotals")
        self.totals_label.setTextFormat(Qt.TextFormat.RichText)
        totals.addRow("Sale discount:", self.sale_discount)
        totals.addRow("Tax:", self.tax)
        totals.addRow("Paid (check):", self.paid)
        totals.addRow("", self.totals_label)
        return totals_box

    def _build_buttons(self) -> QHBoxLayout:
        """The message line's buttons (the message itself sits above them)."""
        self.message = QLabel(self)
        self.message.setObjectName("purchaseMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.review_button = QPushButton("Review…", self)
        self.review_button.setObjectName("purchaseReview")
        self.confirm_button = QPushButton("Record purchase", self)
        self.confirm_button.setObjectName("purchaseConfirm")
        self.confirm_button.hide()
        self.close_button = QPushButton("Close", self)
        self.close_button.setObjectName("purchaseClose")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.add_send_buttons(self.review_button, self.confirm_button))
        buttons.addWidget(self.close_button)
        return buttons

    def _combo(self, name: str, accessible: str, values: Sequence[str]) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        combo.setEditable(True)
        combo.addItems(list(values))
        return combo
