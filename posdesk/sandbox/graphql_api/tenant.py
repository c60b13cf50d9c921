"""The tenant and the caller: ``environment``, ``viewer`` (sandbox extension) and ``location``.

All three need authentication only.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ariadne import QueryType
from ariadne.types import SchemaBindable
from graphql import GraphQLResolveInfo

import posdesk
from posdesk.sandbox.db import Database
from posdesk.sandbox.graphql_api.paging import Query, offset_page
from posdesk.sandbox.graphql_api.permissions import principal_of
from posdesk.sandbox.graphql_api.scalars import address
from posdesk.sandbox.seed import TENANT_TIME_ZONE


class _Resolvers:
    """Tenant resolvers bound to one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def environment(self, _: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
        principal_of(info)
        return {
            "name": f"posdesk sandbox ({self.db.seed or 'empty'})",
            "tenant_type": "Cloud",
            "version": f"sandbox-{posdesk.__version__}",
            "kind": "SANDBOX",
            "currency": "USD",
            "time_zone": TENANT_TIME_ZONE,
        }

    def viewer(self, _: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
        p = principal_of(info)
        return {
            "subject": p.subject,
            "name": p.name,
            "client_id": p.client_id,
            "roles": list(p.roles),
            "permissions": sorted(p.permissions),
            "location_code": p.location_code,
        }

    def location(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> dict[str, Any]:
        principal_of(info)
        q = Query([], [])
        if kw.get("code") is not None:
            q.add("code = ?", kw["code"])

        def convert(row: sqlite3.Row) -> dict[str, Any]:
            return {
                "code": row["code"],
                "name": row["name"],
                "kind": row["kind"],
                "address": address(row),
                "time_zone": row["time_zone"],
                "registers": [r for r in (row["registers"] or "").split(",") if r],
            }

        return offset_page(self.db, "SELECT * FROM location", q, "sort", kw, convert)


def bindables(db: Database) -> list[SchemaBindable]:
    """The environment, viewer and location resolvers over ``db``."""
    api = _Resolvers(db)
    query = QueryType()
    query.set_field("environment", api.environment)
    query.set_field("viewer", api.viewer)
    query.set_field("location", api.location)
    return [query]
