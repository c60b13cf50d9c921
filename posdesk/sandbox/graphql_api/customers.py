"""Customers: ``customer`` (by id, member id, search words; since/until).

A principal bound to a location sees only customers whose home location is that location
(``limitedByPermission`` tells when others were hidden).
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from typing import Any

from ariadne import QueryType
from ariadne.types import SchemaBindable
from graphql import GraphQLResolveInfo

from posdesk.sandbox.db import Database
from posdesk.sandbox.graphql_api.paging import Query, list_or_sync
from posdesk.sandbox.graphql_api.permissions import VIEW_CUSTOMERS, require
from posdesk.sandbox.graphql_api.scalars import address, instant
from posdesk.sandbox.graphql_api.search import token_filter


def _customer(row: sqlite3.Row) -> dict[str, Any]:
    phone = None
    if row["phone_raw"] or row["phone_norm"]:
        phone = {"raw": row["phone_raw"], "norm": row["phone_norm"]}
    return {
        "id": row["id"],
        "member_id": row["member_id"],
        "status": row["status"],
        "full_name": row["full_name"],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "email": row["email"],
        "phone": phone,
        "address": address(row),
        "home_location_code": row["home_location"],
        "created_on": instant(row["created_on"]),
        "member_since": instant(row["member_since"]),
        "loyalty_points": Decimal(row["loyalty_points"] or 0),
    }


class _Resolvers:
    """Customer resolvers bound to one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def customer(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> dict[str, Any]:
        principal = require(info, VIEW_CUSTOMERS)
        q = Query([], [])
        if kw.get("id") is not None:
            q.add("id = ?", kw["id"])
        if kw.get("member_id") is not None:
            q.add("member_id = ?", kw["member_id"])
        token_filter(self.db, q, "customer_token", "customer.rid", kw.get("search"))
        limited = False
        home = principal.location_code
        if home is not None:
            hidden = self.db.query_one(
                f"SELECT 1 FROM customer WHERE {q.sql} AND home_location IS NOT ? LIMIT 1",
                [*q.params, home],
            )
            limited = hidden is not None
            q.add("home_location = ?", home)
        result = list_or_sync(self.db, "customer", "customer", q, kw, "rid", _customer, "rid")
        result["limited_by_permission"] = limited
        return result


def bindables(db: Database) -> list[SchemaBindable]:
    """The customer resolvers over ``db``."""
    api = _Resolvers(db)
    query = QueryType()
    query.set_field("customer", api.customer)
    return [query]
