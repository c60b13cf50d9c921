"""Record a purchase made elsewhere (``purchaseAdd``) — exactly once from this machine.

The server accepts duplicate ``transactionId`` values, so the guard is local: the operation
journal refuses an id already recorded here, and an answer lost in transit is reconciled by
looking the id up before anything could be resent. Totals are computed from the lines and
checked against what the user says was paid, all in ``Decimal``.

Long module: header, line entry, totals and sending of one dialog (totals are pure functions).
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDateTime, Qt, Signal
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
from typing_extensions import override

from posdesk.api.errors import PosError
from posdesk.domain import Purchase, PurchaseDraft, PurchaseLine, Viewer
from posdesk.models.formatting import Formatter, datetime_pattern, format_datetime, plural
from posdesk.store.journal import JournalState
from posdesk.ui.common.amount import (
    CENT,
    AmountError,
    Separators,
    error_color,
    error_css,
    parse_amount,
    parse_quantity,
)
from posdesk.ui.common.locations import load_locations
from posdesk.ui.common.operation_dialog import OperationDialog
from posdesk.ui.common.outcome import Outcome, OutcomeKind, explain
from posdesk.ui.common.tables import read_only_item, simple_table

if TYPE_CHECKING:  # the UI never imports the HTTP layer at run time
    from posdesk.api.client import PosClient

PURCHASE_PERMISSION = "AddPurchase"
MAX_PURCHASE = Decimal("1000000.00")
CHANNELS = ("", "WEB", "ERP", "PHONE", "MARKETPLACE", "STORE")
ORDER_TYPES = ("", "SALE", "SPECIAL_ORDER", "LAYAWAY", "PICKUP", "DELIVERY")
PAY_METHODS = ("", "CARD", "CASH", "INVOICE", "GIFTCARD", "OTHER")


class LineError(ValueError):
    """A line field is not acceptable; the message is for the user."""


def extended(quantity: Decimal, unit_price: Decimal, discount: Decimal) -> Decimal:
    """Extended price of a line: quantity × price − discount, to the cent (half-even)."""
    return (quantity * unit_price - discount).quantize(CENT)


@dataclass(frozen=True, slots=True)
class Totals:
    sub_total: Decimal
    item_discount: Decimal
    sale_discount: Decimal
    tax: Decimal
    pay_amount: Decimal


def compute_totals(
    lines: Sequence[PurchaseLine], *, sale_discount: Decimal, tax: Decimal
) -> Totals:
    """Header totals from the lines: sub total is the sum of extended prices (after item
    discounts); pay amount = sub total − sale discount + tax."""
    sub_total = sum((line.ext_price for line in lines), Decimal("0.00"))
    item_discount = sum((line.item_discount_amount for line in lines), Decimal("0.00"))
    return Totals(
        sub_total=sub_total,
        item_discount=item_discount,
        sale_discount=sale_discount,
        tax=tax,
        pay_amount=(sub_total - sale_discount + tax).quantize(CENT),
    )


class RecordPurchaseDialog(OperationDialog):
    """Header + lines → review → send once through the journal."""

    recorded = Signal(object)  # Purchase | None (None: confirmed by reconciliation)
    LINE_HEADERS = ("#", "SKU", "Description", "Qty", "UOM", "Unit price", "Discount", "Extended")

    def __init__(
        self,
        backend: PosClient,
        *,
        store_code: str | None = None,
        stores: Sequence[str] = (),
        viewer: Viewer | None = None,
        parent: QWidget | None = None,
        formatter: Formatter | None = None,
    ) -> None:
        """Long: builds the widget tree top to bottom, one block per row (splitting scatters it)."""
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
        self.sku.returnPressed.connect(self.find_item)
        self.find_button.clicked.connect(self.find_item)
        self.add_line_button.clicked.connect(self.add_line_from_fields)
        self.remove_line_button.clicked.connect(self.remove_selected_line)

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
        for edit in (self.sale_discount, self.tax):
            edit.textChanged.connect(self.update_totals)

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
        self.review_button.clicked.connect(self.review)
        self.confirm_button.clicked.connect(self.confirm)
        self.close_button.clicked.connect(self.reject)
        self.transaction_id.textChanged.connect(self._edited)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.review_button)
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.close_button)

        columns = QHBoxLayout()
        columns.addWidget(header, 1)
        columns.addWidget(totals_box, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(lines_box, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.update_totals()
        viewer = viewer or Viewer()
        if viewer.permissions and not viewer.can(PURCHASE_PERMISSION):
            self.show_message(
                f"Your role lacks the permission {PURCHASE_PERMISSION}: you can prepare the "
                "purchase but not record it. Ask an administrator.",
                error=True,
            )
            self.review_button.setEnabled(False)
            self.review_button.setToolTip(f"Needs the {PURCHASE_PERMISSION} permission.")

    def load_stores(self) -> asyncio.Task[Any]:
        """Fill the store list from the server's POS locations (keeps what the user typed)."""
        return self.runner.start(self._load_stores(), name="purchase stores")

    async def _load_stores(self) -> None:
        try:
            locations = await load_locations(self.backend)
        except PosError:
            return  # the user can still type a location code
        current = self.store.currentText()
        known = {self.store.itemText(i) for i in range(self.store.count())}
        for location in locations:
            if location.code not in known:
                self.store.addItem(location.code)
                index = self.store.count() - 1
                self.store.setItemData(index, location.name, Qt.ItemDataRole.ToolTipRole)
        self.store.setCurrentText(current)

    def _combo(self, name: str, accessible: str, values: Sequence[str]) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        combo.setEditable(True)
        combo.addItems(list(values))
        return combo

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(error_css(self, error))

    def _edited(self) -> None:
        self.confirm_button.hide()
        self.review_button.show()

    # ------------------------------------------------------------------ lines
    def find_item(self) -> asyncio.Task[Any] | None:
        code = self.sku.text().strip()
        if not code:
            return None
        return self.runner.start(self._find(code), name="purchase item", replace=True)

    async def _find(self, code: str) -> None:
        self.item_label.setText("Looking up…")
        try:
            item = await self.backend.lookup_item(code)
        except PosError as exc:
            self.item_label.setText(explain(exc))
            return
        if item is None:
            self.item_label.setText(f"No item has the SKU or barcode “{code}”.")
            return
        self.sku.setText(item.sku)
        self.uom.setText(item.sale_uom or item.stock_uom or "EA")
        store = self.store.currentText().strip()
        prices = [w for w in item.warehouses if w.base_price is not None]
        price = next((w.base_price for w in prices if w.warehouse_code == store), None)
        if price is None and prices:
            price = prices[0].base_price
        if price is not None:
            self.unit_price.setText(f"{price.quantize(CENT)}")
        self.item_label.setText(f"{item.sku}: {item.name or ''}")
        self._found_name = item.name or ""
        self.qty.setFocus()
        self.qty.selectAll()

    def add_line_from_fields(self) -> PurchaseLine | None:
        try:
            line = self._line_from_fields()
        except (LineError, AmountError) as exc:
            self.show_message(str(exc), error=True)
            return None
        self.lines.append(line)
        self.descriptions.append(getattr(self, "_found_name", ""))
        self._found_name = ""
        self.sku.clear()
        self.qty.setText("1")
        self.unit_price.clear()
        self.discount.setText("0")
        self.item_label.clear()
        self.show_message("")
        self.refresh_lines()
        self.sku.setFocus()
        return line

    def _line_from_fields(self) -> PurchaseLine:
        sku = self.sku.text().strip()
        if not sku:
            raise LineError("Enter the SKU of the line (Find looks it up).")
        qty = parse_quantity(self.qty.text(), self.separators)
        uom = self.uom.text().strip() or "EA"
        price = parse_amount(
            self.unit_price.text(),
            separators=self.separators,
            minimum=Decimal(0),
            maximum=MAX_PURCHASE,
            formatter=self.formatter,
        )
        discount = parse_amount(
            self.discount.text() or "0",
            separators=self.separators,
            minimum=Decimal(0),
            maximum=MAX_PURCHASE,
            formatter=self.formatter,
        )
        ext = extended(qty, price, discount)
        if ext < 0:
            raise LineError("The discount is larger than the line's price.")
        return PurchaseLine(
            line_number=len(self.lines) + 1,
            sku=sku,
            quantity=qty,
            unit_price=price,
            ext_price=ext,
            uom=uom,
            item_discount_amount=discount,
        )

    def remove_selected_line(self) -> None:
        rows = self.lines_table.selectionModel().selectedRows()
        if not rows:
            return
        index = rows[0].row()
        del self.lines[index]
        del self.descriptions[index]
        self.lines = [
            PurchaseLine(
                line_number=n + 1,
                sku=line.sku,
                quantity=line.quantity,
                unit_price=line.unit_price,
                ext_price=line.ext_price,
                uom=line.uom,
                item_discount_amount=line.item_discount_amount,
            )
            for n, line in enumerate(self.lines)
        ]
        self.refresh_lines()

    def refresh_lines(self) -> None:
        self.lines_table.setRowCount(len(self.lines))
        for row, (line, name) in enumerate(zip(self.lines, self.descriptions, strict=True)):
            values = (
                str(line.line_number),
                line.sku,
                name,
                f"{line.quantity.normalize():f}",
                line.uom,
                self._amount_text(line.unit_price),
                self._amount_text(line.item_discount_amount),
                self._amount_text(line.ext_price),
            )
            for col, value in enumerate(values):
                self.lines_table.setItem(
                    row, col, read_only_item(value, align_right=col in (3, 5, 6, 7))
                )
        self._edited()
        self.update_totals()

    # ------------------------------------------------------------------ totals
    def _money(self, edit: QLineEdit, what: str) -> Decimal:
        try:
            return parse_amount(
                edit.text() or "0",
                separators=self.separators,
                minimum=Decimal(0),
                maximum=MAX_PURCHASE,
                formatter=self.formatter,
            )
        except AmountError as exc:
            raise LineError(f"{what}: {exc}") from None

    def totals(self) -> Totals:
        return compute_totals(
            self.lines,
            sale_discount=self._money(self.sale_discount, "Sale discount"),
            tax=self._money(self.tax, "Tax"),
        )

    def update_totals(self) -> None:
        try:
            t = self.totals()
        except LineError as exc:
            self.totals_label.setText(
                f"<span style='color:{error_color(self)}'>{html.escape(str(exc))}</span>"
            )
            return
        self.totals_label.setText(
            f"Sub total {self._amount_text(t.sub_total)} (item discounts "
            f"{self._amount_text(t.item_discount)})<br>"
            f"<b>Pay amount {self._amount_text(t.pay_amount)}</b>"
        )
        self._edited()

    # ------------------------------------------------------------------ send
    def draft(self) -> PurchaseDraft:
        """The validated purchase, or LineError with what to fix."""
        tx_id = self.transaction_id.text().strip()
        if not tx_id:
            raise LineError("Enter the transaction id from the source system.")
        store = self.store.currentText().strip()
        if not store:
            raise LineError("Choose the store (a POS location code).")
        if not self.lines:
            raise LineError("Add at least one line.")
        t = self.totals()
        if t.pay_amount < 0:
            raise LineError("The sale discount is larger than the lines' total.")
        if self.paid.text().strip():
            paid = self._money(self.paid, "Paid")
            if paid != t.pay_amount:
                raise LineError(
                    f"The totals do not add up: the lines give {self._amount_text(t.pay_amount)} "
                    f"but the document says {self._amount_text(paid)}. Check the lines, discount "
                    "and tax."
                )
        who = self.member.text().strip() or None
        member_id = customer_id = email = None
        if who and "@" in who:
            email = who
        elif who and who.isdigit() and len(who) > 12:
            customer_id = who
        else:
            member_id = who
        local = self.purchased_on.dateTime().toPython()
        assert isinstance(local, datetime)
        return PurchaseDraft(
            transaction_id=tx_id,
            store_code=store,
            purchased_on=local.astimezone().astimezone(UTC),
            pay_amount=t.pay_amount,
            sub_total=t.sub_total,
            tax_amount=t.tax,
            lines=tuple(self.lines),
            sale_discount_amount=t.sale_discount,
            item_discount_amount=t.item_discount,
            channel=self.channel.currentText().strip() or None,
            order_type=self.order_type.currentText().strip() or None,
            pay_method=self.pay_method.currentText().strip() or None,
            member_id=member_id,
            customer_id=customer_id,
            email=email,
        )

    def _already_recorded(self, tx_id: str) -> str | None:
        entry = self.backend.journal.get(tx_id)
        if entry is None or entry.state is JournalState.FAILED:
            return None
        state = entry.state
        when = format_datetime(entry.created_at, self.formatter.locale)
        if state is JournalState.DONE:
            return (
                f"Transaction {html.escape(tx_id)} was already recorded from this computer "
                f"on {when}. It is not sent twice."
            )
        if state is JournalState.NOT_FOUND:
            return (
                f"Transaction {html.escape(tx_id)} was sent from this computer on {when} and the "
                "server still had no record of it after waiting. To record it again, give it a "
                "new transaction id; posdesk keeps watching the old one."
            )
        if state is JournalState.LATE:
            return (
                f"Transaction {html.escape(tx_id)} went through late (sent from this computer "
                f"on {when}); see Pending operations. It is not sent twice."
            )
        return (
            f"Transaction {html.escape(tx_id)} was sent from this computer on {when} and its "
            "outcome is not settled yet (posdesk keeps checking it). Use <i>Reconcile now</i> "
            "in Pending operations; "
            "it is not sent again until then."
        )

    @override
    def review(self) -> None:
        try:
            draft = self.draft()
        except LineError as exc:
            self.show_message(html.escape(str(exc)), error=True)
            return
        refused = self._already_recorded(draft.transaction_id)
        if refused:
            self.show_message(refused, error=True)
            return
        who = draft.member_id or draft.customer_id or draft.email or "no customer"
        self.show_message(
            f"Record <b>{html.escape(draft.transaction_id)}</b> at "
            f"{html.escape(draft.store_code)}: {plural(len(draft.lines), 'line')}, pay amount "
            f"<b>{self._amount_text(draft.pay_amount)}</b>, for {html.escape(who)}. "
            "Press <b>Record purchase</b> to send it (once)."
        )
        self.review_button.hide()
        self.confirm_button.show()
        self.confirm_button.setFocus()

    @override
    def confirm(self) -> asyncio.Task[Any] | None:
        try:
            draft = self.draft()
        except LineError as exc:
            self.show_message(html.escape(str(exc)), error=True)
            self._edited()
            return None
        refused = self._already_recorded(draft.transaction_id)
        if refused:
            self.show_message(refused, error=True)
            self._edited()
            return None

        def describe(purchase: Purchase | None) -> str:
            return (
                f"<b>Recorded.</b> Purchase {html.escape(draft.transaction_id)} for "
                f"{self._amount_text(draft.pay_amount)}"
                + (f" (server id {html.escape(purchase.id)})." if purchase else ".")
            )

        return self.send(
            lambda: self.backend.purchase_add(draft, on_checking=self.checking),
            reference=draft.transaction_id,
            describe=describe,
        )

    @override
    def set_sending(self, sending: bool) -> None:
        self.confirm_button.setEnabled(not sending)
        self.close_button.setEnabled(not sending)

    @override
    def show_busy(self, text: str) -> None:
        self.show_message(html.escape(text))

    @override
    def show_outcome(self, outcome: Outcome) -> None:
        self.outcome_kind = outcome.kind
        self.show_message(outcome.message, error=not outcome.done)
        if outcome.done:
            self.purchase = outcome.result
            self.confirm_button.hide()
            self.review_button.hide()
            self.recorded.emit(outcome.result)
        else:
            self._edited()

    def _amount_text(self, amount: Decimal) -> str:
        return self.formatter.money(amount)


def open_record_purchase(context: Any, parent: QWidget | None = None) -> RecordPurchaseDialog:
    """Sales › Record purchase… from the shell: a non-modal dialog on the session's client."""
    dialog = RecordPurchaseDialog(
        context.client,
        formatter=context.formatter,
        store_code=context.viewer.location_code,
        viewer=context.viewer,
        parent=parent,
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    dialog.load_stores()
    return dialog
