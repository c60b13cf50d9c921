"""Record a purchase made elsewhere (``purchaseAdd``) — exactly once from this machine.

The server accepts duplicate ``transactionId`` values, so the guard is local: the operation
journal refuses an id already recorded here, and an answer lost in transit is reconciled by
looking the id up before anything could be resent. Totals are computed from the lines and
checked against what the user says was paid, all in ``Decimal``.

The widgets are ``purchase_form.py``; the figures (pure functions) ``purchase_totals.py``.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QLineEdit,
    QWidget,
)
from typing_extensions import override

from posdesk.api.errors import PosError
from posdesk.domain import Purchase, PurchaseDraft, PurchaseLine, Viewer
from posdesk.models.formatting import Formatter, format_datetime, plural
from posdesk.store.journal import JournalState
from posdesk.ui.common.amount import (
    CENT,
    AmountError,
    error_color,
    error_css,
    parse_amount,
    parse_quantity,
)
from posdesk.ui.common.locations import load_locations
from posdesk.ui.common.outcome import Outcome, explain
from posdesk.ui.common.tables import read_only_item
from posdesk.ui.sales.purchase_form import PurchaseForm
from posdesk.ui.sales.purchase_totals import (
    MAX_PURCHASE,
    LineError,
    Totals,
    compute_totals,
    extended,
)

if TYPE_CHECKING:  # the UI never imports the HTTP layer at run time
    from posdesk.api.client import PosClient

PURCHASE_PERMISSION = "AddPurchase"


class RecordPurchaseDialog(PurchaseForm):
    """Header + lines → review → send once through the journal."""

    recorded = Signal(object)  # Purchase | None (None: confirmed by reconciliation)

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
        super().__init__(
            backend, store_code=store_code, stores=stores, parent=parent, formatter=formatter
        )
        self.sku.returnPressed.connect(self.find_item)
        self.find_button.clicked.connect(self.find_item)
        self.add_line_button.clicked.connect(self.add_line_from_fields)
        self.remove_line_button.clicked.connect(self.remove_selected_line)
        for edit in (self.sale_discount, self.tax):
            edit.textChanged.connect(self.update_totals)
        self.review_button.clicked.connect(self.review)
        self.confirm_button.clicked.connect(self.confirm)
        self.close_button.clicked.connect(self.reject)
        self.transaction_id.textChanged.connect(self._edited)
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
    local_data = getattr(context, "local_data", None)
    if local_data is not None:  # posdesk wrote to the server: the local data catches up now
        dialog.finishedOperation.connect(lambda _outcome: local_data.sync_now())
    dialog.open()
    dialog.load_stores()
    return dialog
