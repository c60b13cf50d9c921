"""Inventory: ``item`` (by SKU, barcode, warehouse, search words), ``itemWarehouse`` and
``itemSerialLot`` (since/until), and the nested ``Item.warehouses`` / ``Item.serialLots``.

Items are ordered by SKU, warehouse rows by (sku, warehouse), serial/lot rows by (sku,
warehouse, number); a warehouse filter without a SKU orders by warehouse first.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from typing import Any

from ariadne import ObjectType, QueryType
from ariadne.types import SchemaBindable
from graphql import GraphQLResolveInfo

from posdesk.sandbox.db import Database
from posdesk.sandbox.graphql_api.paging import Convert, Query, list_or_sync
from posdesk.sandbox.graphql_api.permissions import VIEW_INVENTORY, require
from posdesk.sandbox.graphql_api.scalars import money
from posdesk.sandbox.graphql_api.search import token_filter


def _warehouse(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "warehouse_code": row["warehouse"],
        "sku": row["sku"],
        "base_price": money(row["price"]),
        "quantity_available": Decimal(row["qty_available"]),
        "quantity_on_hand": Decimal(row["qty_on_hand"]),
        "reorder_point": Decimal(row["reorder_point"]),
        "bin_location": row["bin"],
    }


def _serial_lot(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "sku": row["sku"],
        "warehouse_code": row["warehouse"],
        "serial_lot_no": row["serial_lot_no"],
        "tracking_type": row["tracking"],
        "quantity": Decimal(row["quantity"]),
        "expires_on": row["expires_on"],
        "received_on": row["received_on"],
    }


class _StockBatch:
    """Warehouse rows and serial/lot numbers of one page of items, loaded on first use."""

    def __init__(self, db: Database, skus: list[str], warehouse: str | None) -> None:
        self.db = db
        self.skus = skus
        self.warehouse = warehouse
        self._loaded: dict[str, dict[str, list[dict[str, Any]]]] = {}

    def _load(self, table: str, order: str, convert: Convert) -> dict[str, list[dict[str, Any]]]:
        if table not in self._loaded:
            by_sku: dict[str, list[dict[str, Any]]] = {sku: [] for sku in self.skus}
            extra, params = (
                ("", []) if self.warehouse is None else (" AND warehouse = ?", [self.warehouse])
            )
            marks = ",".join("?" * len(self.skus))
            for row in self.db.query(
                f"SELECT * FROM {table} WHERE sku IN ({marks}){extra} ORDER BY {order}",
                [*self.skus, *params],
            ):
                by_sku[row["sku"]].append(convert(row))
            self._loaded[table] = by_sku
        return self._loaded[table]

    def warehouses(self, sku: str) -> list[dict[str, Any]]:
        return self._load("item_warehouse", "sku, warehouse", _warehouse)[sku]

    def serial_lots(self, sku: str) -> list[dict[str, Any]]:
        return self._load("serial_lot", "sku, warehouse, serial_lot_no", _serial_lot)[sku]


def _item_warehouses(obj: dict[str, Any], info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    batch: _StockBatch = obj["_stock"]
    return batch.warehouses(obj["sku"])


def _item_serial_lots(obj: dict[str, Any], info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    batch: _StockBatch = obj["_stock"]
    return batch.serial_lots(obj["sku"])


class _Resolvers:
    """Inventory resolvers bound to one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _attach_stock(self, items: list[dict[str, Any]], warehouse: str | None) -> None:
        """Give the page's items one shared loader: ``warehouses``/``serialLots`` of the whole
        page are read with one query each, and only if the query asks for them."""
        batch = _StockBatch(self.db, [i["sku"] for i in items], warehouse)
        for item in items:
            item["_stock"] = batch

    @staticmethod
    def _item(row: sqlite3.Row) -> dict[str, Any]:
        return {
            "sku": row["sku"],
            "name": row["name"],
            "long_name": row["long_name"],
            "sale_uom": row["sale_uom"],
            "stock_uom": row["stock_uom"],
            "barcodes": (row["barcodes"] or "").split(),
            "tracking_type": row["tracking"],
            "category": row["category"],
        }

    def item(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> dict[str, Any]:
        require(info, VIEW_INVENTORY)
        q = Query([], [])
        if kw.get("sku") is not None:
            q.add("sku = ?", kw["sku"])
        if kw.get("barcode") is not None:
            q.add("sku IN (SELECT sku FROM item_barcode WHERE barcode = ?)", kw["barcode"])
        warehouse = kw.get("warehouse_code")
        if warehouse is not None:
            q.add(
                "EXISTS (SELECT 1 FROM item_warehouse w WHERE w.sku = item.sku "
                "AND w.warehouse = ?)",
                warehouse,
            )
        token_filter(self.db, q, "item_token", "item.rid", kw.get("search"))
        result = list_or_sync(self.db, "item", "item", q, kw, "rid", self._item, "rid")
        self._attach_stock(result["results"], warehouse)
        return result

    def _stock_list(
        self,
        info: GraphQLResolveInfo,
        kw: dict[str, Any],
        entity: str,
        table: str,
        order_tail: str,
        convert: Convert,
    ) -> dict[str, Any]:
        require(info, VIEW_INVENTORY)
        q = Query([], [])
        if kw.get("warehouse_code") is not None:
            q.add("warehouse = ?", kw["warehouse_code"])
        if kw.get("sku") is not None:
            q.add("sku = ?", kw["sku"])
        by_warehouse = kw.get("warehouse_code") is not None and kw.get("sku") is None
        order = ("warehouse, sku" if by_warehouse else "sku, warehouse") + order_tail
        return list_or_sync(self.db, entity, table, q, kw, order, convert, "rid")

    def item_warehouse(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> dict[str, Any]:
        return self._stock_list(info, kw, "itemWarehouse", "item_warehouse", "", _warehouse)

    def item_serial_lot(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> dict[str, Any]:
        return self._stock_list(
            info, kw, "itemSerialLot", "serial_lot", ", serial_lot_no", _serial_lot
        )


def bindables(db: Database) -> list[SchemaBindable]:
    """The inventory resolvers over ``db``."""
    api = _Resolvers(db)
    query = QueryType()
    query.set_field("item", api.item)
    query.set_field("itemWarehouse", api.item_warehouse)
    query.set_field("itemSerialLot", api.item_serial_lot)
    item = ObjectType("Item")
    item.set_field("warehouses", _item_warehouses)
    item.set_field("serialLots", _item_serial_lots)
    return [query, item]
