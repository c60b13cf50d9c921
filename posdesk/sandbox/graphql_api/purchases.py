"""Purchases (sandbox extension for reading): ``purchase`` by transaction id and the
``purchaseAdd`` mutation. Duplicates are recorded, as the real server does.

``purchaseAdd`` checks the whole input before it writes (one INSERT): header amounts are
money (:func:`.scalars.to_cents`), ``purchasedOn`` lies in 2000-01-01..2100-01-01, and every
line has ``lineNumber`` ≥ 1, a SKU, a quantity > 0 with at most 3 places, ``unitPrice`` and
discounts ≥ 0 with at most 2 places, and ``extPrice`` = ``unitPrice × quantity −
itemDiscountAmount`` within :data:`EXT_PRICE_TOLERANCE` (refund lines may carry it negated).
"""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from typing import Any

from ariadne import MutationType, QueryType
from ariadne.types import SchemaBindable
from graphql import GraphQLResolveInfo

from posdesk.sandbox.db import Database
from posdesk.sandbox.graphql_api.errors import pascal_case, validation
from posdesk.sandbox.graphql_api.paging import Query, offset_page
from posdesk.sandbox.graphql_api.permissions import (
    ADD_PURCHASE,
    VIEW_PURCHASES,
    require,
)
from posdesk.sandbox.graphql_api.scalars import instant, money, to_cents, to_epoch, to_quantity

MAX_LINES = 500
EXT_PRICE_TOLERANCE = Decimal("0.01")


def _check_line(line: dict[str, Any]) -> None:
    """One purchase line, consistent in itself (see the module docstring)."""
    if not line.get("sku"):
        raise validation("NotEmptyValidator", "Sku", "Every line needs a SKU.")
    if line.get("line_number", 0) < 1:
        raise validation("RangeValidator", "LineNumber", "lineNumber starts at 1.")
    quantity = to_quantity(line["quantity"], "Quantity")
    for name in ("unit_price", "item_discount_amount", "sale_discount_amount"):
        if to_cents(line[name], pascal_case(name)) < 0:
            raise validation("RangeValidator", pascal_case(name), f"{name} must be 0 or more.")
    to_cents(line["ext_price"], "ExtPrice")
    expected = line["unit_price"] * quantity - line["item_discount_amount"]
    ext = line["ext_price"]
    if abs(ext - expected) > EXT_PRICE_TOLERANCE and not (
        line.get("is_refund") and abs(ext + expected) <= EXT_PRICE_TOLERANCE
    ):
        raise validation(
            "ExtPriceValidator",
            "ExtPrice",
            f"extPrice {ext} is not unitPrice × quantity − itemDiscountAmount ({expected:.2f}).",
        )


def _purchase(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "transaction_id": row["transaction_id"],
        "store_code": row["store_code"],
        "purchased_on": instant(row["purchased_on"]),
        "pay_amount": money(row["pay_amount"]),
        "member_id": row["member_id"],
        "created_on": instant(row["created_on"]),
    }


class _Resolvers:
    """Purchase resolvers bound to one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def purchase(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> dict[str, Any]:
        require(info, VIEW_PURCHASES)
        q = Query([], [])
        if kw.get("transaction_id") is not None:
            q.add("transaction_id = ?", kw["transaction_id"])
        return offset_page(
            self.db,
            "SELECT * FROM purchase",
            q,
            "id",
            kw,
            _purchase,
            key="id",
        )

    def purchase_add(self, _: Any, info: GraphQLResolveInfo, add: Any = None) -> Any:
        require(info, ADD_PURCHASE)
        a = add or {}
        if not a.get("transaction_id"):
            raise validation("NotEmptyValidator", "TransactionId", "transactionId is required.")
        if not a.get("store_code"):
            raise validation("NotEmptyValidator", "StoreCode", "storeCode is required.")
        if self.db.query_one("SELECT 1 FROM location WHERE code = ?", (a["store_code"],)) is None:
            raise validation("LocationValidator", "StoreCode", "Unknown POS location code.")
        cents = to_cents(a["pay_amount"], "PayAmount")
        for name in (
            "sub_total",
            "tax_amount",
            "refund_amount",
            "sale_discount_amount",
            "item_discount_amount",
        ):
            to_cents(a[name], pascal_case(name))
        purchased_on = to_epoch(a["purchased_on"], "PurchasedOn")
        lines = a.get("line_items") or []
        if len(lines) > MAX_LINES:
            raise validation("RangeValidator", "LineItems", f"At most {MAX_LINES} lines.")
        for line in lines:
            _check_line(line)
        payload = json.dumps(
            a, default=lambda v: format(v, "f") if isinstance(v, Decimal) else v.isoformat()
        )
        now = self.db.now_ts()
        with self.db.transaction() as conn:  # duplicates are recorded, as the real server does
            cur = conn.execute(
                "INSERT INTO purchase(transaction_id, store_code, purchased_on, pay_amount, "
                "member_id, customer_id, email, created_on, payload) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    a["transaction_id"],
                    a["store_code"],
                    purchased_on,
                    cents,
                    a.get("member_id"),
                    a.get("customer_id"),
                    a.get("email"),
                    now,
                    payload,
                ),
            )
            purchase_id = cur.lastrowid
        row = self.db.query_one("SELECT * FROM purchase WHERE id = ?", (purchase_id,))
        assert row is not None
        return _purchase(row)


def bindables(db: Database) -> list[SchemaBindable]:
    """The purchase resolvers over ``db``."""
    api = _Resolvers(db)
    query = QueryType()
    query.set_field("purchase", api.purchase)
    mutation = MutationType()
    mutation.set_field("purchaseAdd", api.purchase_add)
    return [query, mutation]
