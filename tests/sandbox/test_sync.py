"""since/until synchronisation over HTTP: complete, ordered, and changes come back later."""

# ruff: noqa: E501  (GraphQL documents and query tables read best one per line)

from __future__ import annotations

from typing import Any

import pytest

from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from tests.sandbox.conftest import Gql

F = FIXTURES
ENTITIES = {
    # root field: (selection, natural key of a row)
    "sale": ("id", ("id",)),
    "item": ("sku name", ("sku",)),
    "itemWarehouse": ("sku warehouseCode quantityAvailable", ("sku", "warehouseCode")),
    "itemSerialLot": ("sku warehouseCode serialLotNo", ("sku", "warehouseCode", "serialLotNo")),
    "customer": ("id", ("id",)),
}
COUNT_SQL = {
    "sale": "SELECT count(*) FROM sale",
    "item": "SELECT count(*) FROM item",
    "itemWarehouse": "SELECT count(*) FROM item_warehouse",
    "itemSerialLot": "SELECT count(*) FROM serial_lot",
    "customer": "SELECT count(*) FROM customer",
}


def sync(gql: Gql, field: str, cursor: str, first: int = 500) -> tuple[list[dict[str, Any]], str]:
    """Run the documented loop until hasMoreResults is false; returns rows and the last until."""
    selection, _key = ENTITIES[field]
    rows: list[dict[str, Any]] = []
    for _ in range(1000):
        page = gql.data(
            f"query($c: String!) {{ {field}(since: $c, first: {first}) "
            f"{{ hasMoreResults until results {{ {selection} }} }} }}",
            {"c": cursor},
        )[field]
        rows.extend(page["results"])
        assert page["until"]
        cursor = page["until"]
        if not page["hasMoreResults"]:
            return rows, cursor
    raise AssertionError("sync did not finish")


def key(field: str, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[k] for k in ENTITIES[field][1])


@pytest.mark.parametrize("field", list(ENTITIES))
def test_full_sync_returns_every_record_once(
    gql: Gql, own_sandbox: SandboxServer, field: str
) -> None:
    rows, cursor = sync(gql, field, "")
    keys = [key(field, r) for r in rows]
    assert len(keys) == len(set(keys))
    assert len(keys) == own_sandbox.db.query(COUNT_SQL[field])[0][0]
    again, same = sync(gql, field, cursor)
    assert again == []  # nothing changed since
    assert same == cursor


def test_sync_is_ordered_by_modification_date(gql: Gql, own_sandbox: SandboxServer) -> None:
    rows, _ = sync(gql, "sale", "", first=1000)
    stamps = {
        str(r["id"]): r["modified_at"]
        for r in own_sandbox.db.query("SELECT id, modified_at FROM sale")
    }
    ordered = [stamps[r["id"]] for r in rows]
    assert ordered == sorted(ordered)


def test_stock_change_touches_item_warehouse_only(gql: Gql, own_sandbox: SandboxServer) -> None:
    _, item_cursor = sync(gql, "item", "")
    _, iw_cursor = sync(gql, "itemWarehouse", "")
    own_sandbox.db.adjust_stock(F.plain_sku, "WEST", -2)
    changed, _ = sync(gql, "itemWarehouse", iw_cursor)
    assert [key("itemWarehouse", r) for r in changed] == [(F.plain_sku, "WEST")]
    items, _ = sync(gql, "item", item_cursor)
    assert items == []
    own_sandbox.db.rename_item(F.ean_sku, "Spearmint Gum (new look)")
    items, _ = sync(gql, "item", item_cursor)
    assert [(r["sku"], r["name"]) for r in items] == [(F.ean_sku, "Spearmint Gum (new look)")]


def test_records_changed_during_a_sync_come_back_in_a_later_page(
    gql: Gql, own_sandbox: SandboxServer
) -> None:
    first_page = gql.data('{ sale(since: "", first: 10) { until results { id } } }')["sale"]
    seen = first_page["results"][0]["id"]
    own_sandbox.db.touch_sale(seen)
    rest, _ = sync(gql, "sale", first_page["until"])
    assert rest[-1]["id"] == seen  # modified last, so it comes back at the end
    own_sandbox.db.touch_customer(F.customer_with_sales_id)
    own_sandbox.db.touch_serial_lot(F.serial_sku, F.serial_warehouse, F.serial_numbers[0])
    _, cursor = sync(gql, "customer", "")
    assert sync(gql, "customer", cursor)[0] == []


def test_since_combines_with_filters(gql: Gql) -> None:
    rows, _ = sync(gql, "itemWarehouse", "", first=200)
    west = gql.data(
        '{ itemWarehouse(since: "", warehouseCode: "WEST", first: 1000) { results { warehouseCode } } }'
    )["itemWarehouse"]["results"]
    assert west
    assert {r["warehouseCode"] for r in west} == {"WEST"}
    assert len(west) == sum(1 for r in rows if r["warehouseCode"] == "WEST")


def test_bad_cursor_is_a_validation_error(gql: Gql) -> None:
    assert gql.error('{ sale(since: "not-a-cursor") { results { id } } }') == {
        "code": "VALIDATION",
        "data": {"ValidationType": "CursorValidator", "Property": "Since"},
    }
    item_cursor = gql.data('{ item(since: "", first: 1) { until } }')["item"]["until"]
    extensions = gql.error(
        "query($c: String!) { sale(since: $c) { results { id } } }", {"c": item_cursor}
    )
    assert extensions["code"] == "VALIDATION"
