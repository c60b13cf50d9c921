"""Purchases (sandbox extension for reading): ``purchase`` by transaction id and the
``purchaseAdd`` mutation. Duplicates are recorded, as the real server does.
"""

from __future__ import annotations

import json
import re
import sqlite3
from decimal import Decimal
from typing import Any

from ariadne import MutationType, QueryType
from ariadne.types import SchemaBindable
from graphql import GraphQLResolveInfo

from posdesk.sandbox.db import Database
from posdesk.sandbox.graphql_api.errors import pascal, validation
from posdesk.sandbox.graphql_api.paging import Query, offset_page
from posdesk.sandbox.graphql_api.permissions import (
    ADD_PURCHASE,
    VIEW_PURCHASES,
    require,
)
from posdesk.sandbox.graphql_api.scalars import instant, money, to_cents


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
            to_cents(a[name], pascal(re.sub(r"_(\w)", lambda m: m[1].upper(), name)))
        for line in a.get("line_items") or []:
            if not line.get("sku"):
                raise validation("NotEmptyValidator", "Sku", "Every line needs a SKU.")
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
                    int(a["purchased_on"].timestamp()),
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
