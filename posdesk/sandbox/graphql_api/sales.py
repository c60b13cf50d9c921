"""Sales: ``sale`` (by id, customer, dates, times, store, register, transaction number;
since/until) and the nested ``Sale.lines`` / ``Sale.tenders``.

``fromDate``/``toDate`` compare the UTC date of ``saleDate`` (from inclusive, to exclusive);
``fromTime``/``toTime`` take instants with an offset for local-day queries. Sales are ordered
by id (``newestFirst`` reverses).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from ariadne import ObjectType, QueryType
from ariadne.types import SchemaBindable
from graphql import GraphQLResolveInfo

from posdesk.sandbox.db import Database
from posdesk.sandbox.graphql_api.paging import Query, list_or_sync, row_id
from posdesk.sandbox.graphql_api.permissions import VIEW_SALES, require
from posdesk.sandbox.graphql_api.scalars import instant, money


def _sale(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "register_code": row["register"],
        "tran_no": row["tran_no"],
        "customer_id": row["customer_id"],
        "sale_date": instant(row["sale_ts"]),
        "location_code": row["location"],
        "customer_name": row["customer_name"],
        "item_count": Decimal(row["item_count"]),
        "sub_total": money(row["sub_total"]),
        "discount_amount": money(row["discount"]),
        "tax_amount": money(row["tax"]),
        "total": money(row["total"]),
        "_detail": row["detail"],
    }


def _sale_lines(obj: dict[str, Any], info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    detail = json.loads(obj["_detail"])
    return [
        {
            "line_number": ln,
            "sku": sku,
            "description": desc,
            "quantity": Decimal(qty),
            "unit_price": money(price),
            "discount_amount": money(disc),
            "ext_price": money(ext),
            "tax_amount": money(tax),
            "serial_lot_no": serial,
        }
        for ln, sku, desc, qty, price, disc, ext, tax, serial in detail["l"]
    ]


def _sale_tenders(obj: dict[str, Any], info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    detail = json.loads(obj["_detail"])
    return [
        {"tender_type": kind, "description": desc, "amount": money(amount), "reference": ref}
        for kind, desc, amount, ref in detail["t"]
    ]


class _Resolvers:
    """Sale resolvers bound to one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def sale(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> dict[str, Any]:
        require(info, VIEW_SALES)
        q = Query([], [])
        if kw.get("id") is not None:
            q.add("id = ?", row_id(kw["id"]))
        if kw.get("customer_id") is not None:
            q.add("customer_id = ?", kw["customer_id"])
        for arg, op in (("from_date", ">="), ("to_date", "<")):
            if kw.get(arg) is not None:
                day: date = kw[arg]
                q.add(
                    f"sale_ts {op} ?",
                    int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()),
                )
        for arg, op in (("from_time", ">="), ("to_time", "<")):
            if kw.get(arg) is not None:
                q.add(f"sale_ts {op} ?", int(kw[arg].timestamp()))
        for arg, column in (
            ("location_code", "location"),
            ("register_code", "register"),
            ("tran_no", "tran_no"),
        ):
            if kw.get(arg) is not None:
                q.add(f"{column} = ?", kw[arg])
        order = "id DESC" if kw.get("newest_first") else "id"
        return list_or_sync(self.db, "sale", "sale", q, kw, order, _sale, "id")


def bindables(db: Database) -> list[SchemaBindable]:
    """The sale resolvers over ``db``."""
    api = _Resolvers(db)
    query = QueryType()
    query.set_field("sale", api.sale)
    sale = ObjectType("Sale")
    sale.set_field("lines", _sale_lines)
    sale.set_field("tenders", _sale_tenders)
    return [query, sale]
