"""Purchases: ``purchaseAdd`` journaled by its ``transactionId`` and sent once (the server
accepts duplicates, so this machine refuses to send one it has already recorded), and the
look-up of a purchase by that id when its answer was lost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from posdesk.api import mapping
from posdesk.api.exactly_once import ExactlyOnce, lookup_rows
from posdesk.api.wire import wire_datetime, wire_decimal
from posdesk.domain import Purchase, PurchaseDraft
from posdesk.store.journal import JournalEntry, JournalKind


class Purchases(ExactlyOnce):
    """The purchase write of ``PosClient`` and its reconcile look-up."""

    async def purchase_add(
        self, draft: PurchaseDraft, *, on_checking: Callable[[], object] | None = None
    ) -> Purchase:
        """``purchaseAdd``, journaled by ``transactionId``: the server accepts duplicates,
        so this machine refuses to send one it has already recorded."""
        ref = draft.transaction_id
        add = _purchase_input(draft)
        summary = (
            f"Record purchase {ref} at {draft.store_code}, {wire_decimal(draft.pay_amount)} "
            f"on {wire_datetime(draft.purchased_on)}"
        )
        entry = await self._intent(ref, JournalKind.PURCHASE_ADD, add, summary)
        result = await self._journaled(entry, "purchase_add", {"add": add}, on_checking)
        return mapping.purchase(result)

    async def _lookup_purchase(self, entry: JournalEntry) -> Mapping[str, Any] | None:
        """A purchase by its transactionId (the entry's reference)."""
        env = await self._read(
            "purchase_lookup",
            {"transactionId": entry.reference, "skip": 0, "first": 10},
        )
        rows = lookup_rows(env, "Purchase")
        return dict(rows[0]) if rows else None


def _purchase_input(draft: PurchaseDraft) -> dict[str, Any]:
    add: dict[str, Any] = {
        "transactionId": draft.transaction_id,
        "storeCode": draft.store_code,
        "purchasedOn": wire_datetime(draft.purchased_on),
        "payAmount": wire_decimal(draft.pay_amount),
        "saleDiscountAmount": wire_decimal(draft.sale_discount_amount),
        "itemDiscountAmount": wire_decimal(draft.item_discount_amount),
        "subTotal": wire_decimal(draft.sub_total),
        "refundAmount": wire_decimal(draft.refund_amount),
        "taxAmount": wire_decimal(draft.tax_amount),
        "lineItems": [
            {
                "lineNumber": line.line_number,
                "sku": line.sku,
                "isRefund": line.is_refund,
                "unitPrice": wire_decimal(line.unit_price),
                "extPrice": wire_decimal(line.ext_price),
                "itemDiscountAmount": wire_decimal(line.item_discount_amount),
                "saleDiscountAmount": wire_decimal(line.sale_discount_amount),
                "quantity": wire_decimal(line.quantity),
                "uom": line.uom,
            }
            for line in draft.lines
        ],
    }
    optional = {
        "channel": draft.channel,
        "orderType": draft.order_type,
        "payMethod": draft.pay_method,
        "memberId": draft.member_id,
        "customerId": draft.customer_id,
        "email": draft.email,
    }
    add.update({k: v for k, v in optional.items() if v is not None})
    return add
