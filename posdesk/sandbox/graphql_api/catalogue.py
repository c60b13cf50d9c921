"""The product catalogue: ``product``, ``productSection``, ``productGroup``, ``productBanner``,
``productNotice``, ``productSortOption`` and the nested groups, notices and sections.

Catalogue reads need authentication only.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ariadne import ObjectType, QueryType
from ariadne.types import SchemaBindable
from graphql import GraphQLResolveInfo

from posdesk.sandbox.db import Database
from posdesk.sandbox.graphql_api.paging import Convert, Query, offset_page
from posdesk.sandbox.graphql_api.permissions import principal_of
from posdesk.sandbox.graphql_api.scalars import money


class _Resolvers:
    """Catalogue resolvers bound to one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def product(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> dict[str, Any]:
        principal_of(info)
        q = Query([], [])
        if kw.get("sku") is not None:
            q.add("sku = ?", kw["sku"])
        if kw.get("group_code") is not None:
            q.add(
                "sku IN (SELECT sku FROM product_group_member WHERE group_code = ?)",
                kw["group_code"],
            )

        def convert(row: sqlite3.Row) -> dict[str, Any]:
            return {
                "sku": row["sku"],
                "name": row["name"],
                "long_name": row["long_name"],
                "description": row["description"],
                "base_price": money(row["price"]),
            }

        return offset_page(self.db, "SELECT * FROM product", q, "sku", kw, convert)

    def product_groups(self, obj: dict[str, Any], info: GraphQLResolveInfo) -> Any:
        rows = self.db.query(
            "SELECT g.* FROM product_group_member m JOIN product_group g ON g.code = m.group_code "
            "WHERE m.sku = ? ORDER BY m.pos, g.code",
            (obj["sku"],),
        )
        return [self._group(r) for r in rows]

    def product_notices(self, obj: dict[str, Any], info: GraphQLResolveInfo) -> Any:
        rows = self.db.query(
            "SELECT n.* FROM product_notice_member m JOIN product_notice n "
            "ON n.code = m.notice_code WHERE m.sku = ? ORDER BY n.display_order, m.pos",
            (obj["sku"],),
        )
        return [dict(r) for r in rows]

    def _banner(self, code: str | None) -> dict[str, Any] | None:
        if code is None:
            return None
        row = self.db.query_one("SELECT * FROM product_banner WHERE code = ?", (code,))
        return None if row is None else dict(row)

    def _group(self, row: sqlite3.Row) -> dict[str, Any]:
        return {
            "code": row["code"],
            "name": row["name"],
            "display_order": row["display_order"],
            "banner": self._banner(row["banner"]),
        }

    def _section(self, row: sqlite3.Row) -> dict[str, Any]:
        return {
            "code": row["code"],
            "name": row["name"],
            "display_order": row["display_order"],
            "banner": self._banner(row["banner"]),
        }

    def group_sections(self, obj: dict[str, Any], info: GraphQLResolveInfo) -> Any:
        rows = self.db.query(
            "SELECT s.* FROM product_group_section gs JOIN product_section s "
            "ON s.code = gs.section_code WHERE gs.group_code = ? ORDER BY s.display_order, s.name",
            (obj["code"],),
        )
        return [self._section(r) for r in rows]

    def _simple(
        self,
        info: GraphQLResolveInfo,
        table: str,
        order: str,
        kw: dict[str, Any],
        convert: Convert,
        filters: dict[str, str],
    ) -> dict[str, Any]:
        principal_of(info)
        q = Query([], [])
        for arg, clause in filters.items():
            if kw.get(arg) is not None:
                q.add(clause, kw[arg])
        return offset_page(self.db, f"SELECT * FROM {table}", q, order, kw, convert)

    def product_section(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> Any:
        return self._simple(
            info, "product_section", "display_order, name", kw, self._section, {"code": "code = ?"}
        )

    def product_group(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> Any:
        return self._simple(
            info,
            "product_group",
            "display_order, name",
            kw,
            self._group,
            {
                "code": "code = ?",
                "section_code": "code IN (SELECT group_code FROM product_group_section "
                "WHERE section_code = ?)",
            },
        )

    def product_banner(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> Any:
        return self._simple(info, "product_banner", "code", kw, dict, {"code": "code = ?"})

    def product_notice(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> Any:
        return self._simple(
            info, "product_notice", "display_order, code", kw, dict, {"code": "code = ?"}
        )

    def product_sort_option(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> Any:
        return self._simple(info, "product_sort_option", "sort", kw, dict, {})


def bindables(db: Database) -> list[SchemaBindable]:
    """The catalogue resolvers over ``db``."""
    api = _Resolvers(db)
    query = QueryType()
    query.set_field("product", api.product)
    query.set_field("productBanner", api.product_banner)
    query.set_field("productGroup", api.product_group)
    query.set_field("productNotice", api.product_notice)
    query.set_field("productSection", api.product_section)
    query.set_field("productSortOption", api.product_sort_option)
    product = ObjectType("Product")
    product.set_field("groups", api.product_groups)
    product.set_field("notices", api.product_notices)
    group = ObjectType("ProductGroup")
    group.set_field("sections", api.group_sections)
    return [query, product, group]
