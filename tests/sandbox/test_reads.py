"""Read queries over HTTP: look-ups, search, filters, ordering, paging, envelopes."""

# ruff: noqa: E501  (GraphQL documents read best on one line)

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from posdesk.sandbox.graphql_api import DEFAULT_FIRST, MAX_FIRST
from posdesk.sandbox.graphql_api import search as word_search
from posdesk.sandbox.seed import FIXTURES, LOCATIONS, PRESETS
from tests.sandbox.conftest import Gql

F = FIXTURES
CUSTOMER_FIELDS = "id memberId status fullName email homeLocationCode phone { raw norm }"


def _args(args: str) -> str:
    return f"({args})" if args else ""


def customers(gql: Gql, args: str, **kw: Any) -> dict[str, Any]:
    query = (
        f"{{ customer{_args(args)} {{ hasMoreResults limitedByPermission "
        f"results {{ {CUSTOMER_FIELDS} }} }} }}"
    )
    page: dict[str, Any] = gql.data(query, **kw)["customer"]
    return page


def ids(page: dict[str, Any], key: str = "id") -> list[Any]:
    return [r[key] for r in page["results"]]


# --- customers --------------------------------------------------------------------------------


def test_customer_by_id_and_member_id(gql: Gql) -> None:
    page = customers(gql, f'id: "{F.customer_with_sales_id}"')
    (row,) = page["results"]
    assert row["fullName"] == F.customer_with_sales_name
    assert row["phone"] == {
        "raw": F.customer_with_sales_phone_raw,
        "norm": F.customer_with_sales_phone_norm,
    }
    assert page["hasMoreResults"] is False
    assert page["limitedByPermission"] is False
    by_member = customers(gql, f'memberId: "{F.customer_with_sales_member_id}"')
    assert ids(by_member) == [F.customer_with_sales_id]
    assert customers(gql, 'id: "00000000000000000000"')["results"] == []


def test_customer_list_is_ordered_by_id_and_paged(gql: Gql) -> None:
    first = customers(gql, "first: 50")
    second = customers(gql, "first: 50, skip: 50")
    everything = customers(gql, f"first: {PRESETS['demo'].customers}")
    all_ids = ids(everything)
    assert all_ids == sorted(all_ids)
    assert len(all_ids) == PRESETS["demo"].customers
    assert ids(first) + ids(second) == all_ids[:100]
    assert first["hasMoreResults"] is True
    assert everything["hasMoreResults"] is False
    assert len(customers(gql, "")["results"]) == DEFAULT_FIRST  # documented server default


def test_customer_search(gql: Gql) -> None:
    by_name = customers(gql, 'search: "maria delg"')
    assert F.customer_with_sales_id in ids(by_name)
    assert all("maria" in r["fullName"].lower() for r in by_name["results"])
    by_phone = customers(gql, 'search: "555-0148"')
    assert F.customer_with_sales_id in ids(by_phone)
    by_full_phone = customers(gql, 'search: "+1 (512) 555-0148"')
    assert ids(by_full_phone) == [F.customer_with_sales_id]
    by_email = customers(gql, 'search: "MARIA.DELGADO@"')
    assert ids(by_email) == [F.customer_with_sales_id]
    by_member = customers(gql, f'search: "{F.card_owner_member_id.lower()}"')
    assert ids(by_member) == [F.card_owner_id]
    assert customers(gql, 'search: "zzzznotaname"')["results"] == []


def test_store_bound_principal_sees_only_home_customers(gql: Gql) -> None:
    store = F.customer_with_sales_home
    page = customers(gql, "first: 1000", location=store)
    assert page["results"]
    assert {r["homeLocationCode"] for r in page["results"]} == {store}
    assert page["limitedByPermission"] is True
    other = customers(gql, f'id: "{F.customer_by_member_id}"', location=store)
    assert other["results"] == []
    assert other["limitedByPermission"] is True
    own = customers(gql, f'id: "{F.customer_with_sales_id}"', location=store)
    assert ids(own) == [F.customer_with_sales_id]
    assert own["limitedByPermission"] is False


def test_paging_arguments_are_validated_and_capped(gql: Gql) -> None:
    assert gql.error("{ customer(first: -1) { results { id } } }") == {
        "code": "VALIDATION",
        "data": {"ValidationType": "GreaterThanOrEqualValidator", "Property": "First"},
    }
    assert gql.error("{ sale(skip: -5) { results { id } } }")["data"]["Property"] == "Skip"
    page = gql.data(f"{{ sale(first: {MAX_FIRST + 500}) {{ hasMoreResults results {{ id }} }} }}")
    assert len(page["sale"]["results"]) == MAX_FIRST
    assert page["sale"]["hasMoreResults"] is True


# --- items ------------------------------------------------------------------------------------

ITEM_FIELDS = """sku name longName saleUom stockUom barcodes trackingType category
  warehouses { warehouseCode sku basePrice quantityAvailable quantityOnHand reorderPoint
    binLocation }
  serialLots { sku warehouseCode serialLotNo trackingType quantity expiresOn receivedOn }"""


def list_page(gql: Gql, field: str, args: str, fields: str) -> dict[str, Any]:
    page: dict[str, Any] = gql.data(
        f"{{ {field}{_args(args)} {{ hasMoreResults results {{ {fields} }} }} }}"
    )[field]
    return page


def items(gql: Gql, args: str) -> dict[str, Any]:
    return list_page(gql, "item", args, ITEM_FIELDS)


def test_items_are_ordered_by_sku(gql: Gql) -> None:
    skus = ids(items(gql, f"first: {PRESETS['demo'].items}"), "sku")
    assert skus == sorted(skus)
    assert len(skus) == PRESETS["demo"].items
    page = items(gql, "skip: 20, first: 20")
    assert ids(page, "sku") == skus[20:40]


def test_item_by_sku_and_barcodes(gql: Gql) -> None:
    (mints,) = items(gql, f'sku: "{F.plain_sku}"')["results"]
    assert mints["barcodes"] == [F.plain_upc]
    assert len(mints["warehouses"]) == 5
    assert ids(items(gql, f'barcode: "{F.plain_upc}"'), "sku") == [F.plain_sku]
    assert ids(items(gql, f'barcode: "{F.ean_barcode}"'), "sku") == [F.ean_sku]
    assert items(gql, 'barcode: "000000000000"')["results"] == []


def test_item_search_by_words_and_sku_prefix(gql: Gql) -> None:
    assert F.plain_sku in ids(items(gql, 'search: "peppermint"'), "sku")
    assert ids(items(gql, 'search: "vitamin tablets"'), "sku") == [F.lot_sku]
    by_prefix = ids(items(gql, 'search: "tab-pro"'), "sku")
    assert by_prefix == [F.serial_sku]


def test_item_warehouse_filter_limits_the_warehouse_list(gql: Gql) -> None:
    page = items(gql, 'warehouseCode: "WEST", first: 30')
    assert page["results"]
    for row in page["results"]:
        assert [w["warehouseCode"] for w in row["warehouses"]] == ["WEST"]


def test_stock_levels_serials_and_lots(gql: Gql) -> None:
    (mints,) = items(gql, f'sku: "{F.low_stock_sku}"')["results"]
    low = next(w for w in mints["warehouses"] if w["warehouseCode"] == F.low_stock_warehouse)
    assert Decimal(0) < Decimal(low["quantityAvailable"]) <= Decimal(low["reorderPoint"])
    (batt,) = items(gql, f'sku: "{F.out_of_stock_sku}"')["results"]
    out = next(w for w in batt["warehouses"] if w["warehouseCode"] == F.out_of_stock_warehouse)
    assert out["quantityAvailable"] == "0"
    (tablet,) = items(gql, f'sku: "{F.serial_sku}"')["results"]
    assert tablet["trackingType"] == "SERIAL"
    serials = [
        s["serialLotNo"] for s in tablet["serialLots"] if s["warehouseCode"] == F.serial_warehouse
    ]
    assert tuple(serials) == F.serial_numbers
    assert all(s["quantity"] == "1" and s["expiresOn"] is None for s in tablet["serialLots"])
    (vit,) = items(gql, f'sku: "{F.lot_sku}"')["results"]
    lots = [s for s in vit["serialLots"] if s["warehouseCode"] == F.lot_warehouse]
    assert tuple(s["serialLotNo"] for s in lots) == F.lot_numbers
    assert all(s["trackingType"] == "LOT" and s["expiresOn"] for s in lots)


def test_item_warehouse_and_serial_lot_lists(gql: Gql) -> None:
    rows = gql.data('{ itemWarehouse(sku: "MINTS01") { results { warehouseCode sku } } }')
    assert [r["warehouseCode"] for r in rows["itemWarehouse"]["results"]] == sorted(
        loc.code for loc in LOCATIONS
    )
    lots = gql.data(
        f'{{ itemSerialLot(sku: "{F.serial_sku}", warehouseCode: "{F.serial_warehouse}") '
        "{ results { serialLotNo } } }"
    )
    assert tuple(r["serialLotNo"] for r in lots["itemSerialLot"]["results"]) == F.serial_numbers


# --- sales ------------------------------------------------------------------------------------

SALE_FIELDS = """id registerCode tranNo customerId saleDate locationCode customerName itemCount
  subTotal discountAmount taxAmount total
  lines { lineNumber sku description quantity unitPrice discountAmount extPrice taxAmount
    serialLotNo }
  tenders { tenderType description amount reference }"""


def sales(gql: Gql, args: str) -> dict[str, Any]:
    return list_page(gql, "sale", args, SALE_FIELDS)


def test_sale_totals_add_up_exactly(gql: Gql) -> None:
    for row in sales(gql, "first: 300")["results"]:
        lines, tenders = row["lines"], row["tenders"]
        assert sum(Decimal(ln["extPrice"]) for ln in lines) == Decimal(row["subTotal"])
        for ln in lines:
            qty, price = Decimal(ln["quantity"]), Decimal(ln["unitPrice"])
            assert qty * price - Decimal(ln["discountAmount"]) == Decimal(ln["extPrice"])
        assert sum(Decimal(ln["taxAmount"]) for ln in lines) == Decimal(row["taxAmount"])
        assert sum(Decimal(t["amount"]) for t in tenders) == Decimal(row["total"])
        assert sum(Decimal(ln["quantity"]) for ln in lines) == Decimal(row["itemCount"])
        assert row["saleDate"].endswith("Z")


def test_sale_by_id_and_split_tender(gql: Gql) -> None:
    (sale,) = sales(gql, f'id: "{F.sale_split_tender_id}"')["results"]
    assert sale["total"] == F.sale_split_tender_total
    assert [t["tenderType"] for t in sale["tenders"]] == ["CARD", "GIFTCARD"]
    assert sale["tenders"][0]["description"] == "Visa ****4242"
    (ret,) = sales(gql, f'id: "{F.sale_return_id}"')["results"]
    assert Decimal(ret["total"]) < 0
    assert all(Decimal(ln["quantity"]) < 0 for ln in ret["lines"])
    assert sales(gql, 'id: "99999999999999999999999"')["results"] == []


def test_sales_of_a_customer_ordered_by_id(gql: Gql) -> None:
    page = sales(gql, f'customerId: "{F.customer_with_sales_id}", first: 100')
    found = ids(page)
    assert len(found) == F.customer_with_sales_sale_count + 4
    assert [int(i) for i in found] == sorted(int(i) for i in found)
    newest = sales(gql, f'customerId: "{F.customer_with_sales_id}", newestFirst: true, first: 5')
    assert ids(newest) == sorted(found, key=int, reverse=True)[:5]


def test_date_range_is_half_open_on_the_utc_date(gql: Gql) -> None:
    # both boundary sales are on 2024-04-01 in UTC (04:59Z and 05:00Z)
    april_first = ids(sales(gql, 'fromDate: "2024-04-01", toDate: "2024-04-02", first: 1000'))
    assert F.sale_late_id in april_first
    assert F.sale_midnight_id in april_first
    march = ids(sales(gql, 'fromDate: "2024-03-01", toDate: "2024-04-01", first: 1000'))
    assert F.sale_late_id not in march
    for row in sales(gql, 'fromDate: "2024-03-01", toDate: "2024-04-01", first: 1000')["results"]:
        assert "2024-03-01T00:00:00Z" <= row["saleDate"] < "2024-04-01T00:00:00Z"


def test_local_day_boundaries_with_from_time_and_to_time(gql: Gql) -> None:
    march_31_local = ids(
        sales(
            gql,
            'fromTime: "2024-03-31T00:00:00-05:00", toTime: "2024-04-01T00:00:00-05:00", '
            f'locationCode: "{F.boundary_store}", first: 1000',
        )
    )
    assert F.sale_late_id in march_31_local
    assert F.sale_midnight_id not in march_31_local
    april_1_local = ids(
        sales(
            gql,
            'fromTime: "2024-04-01T00:00:00-05:00", toTime: "2024-04-02T00:00:00-05:00", '
            f'locationCode: "{F.boundary_store}", first: 1000',
        )
    )
    assert F.sale_midnight_id in april_1_local
    assert F.sale_late_id not in april_1_local
    (late,) = sales(gql, f'id: "{F.sale_late_id}"')["results"]
    assert datetime.fromisoformat(late["saleDate"]) == datetime.fromisoformat(F.sale_late_local)


def test_location_register_and_tran_no_filters(gql: Gql) -> None:
    page = sales(gql, 'locationCode: "DENVER", first: 50')
    assert {r["locationCode"] for r in page["results"]} == {"DENVER"}
    page = sales(gql, 'registerCode: "AUS-2", first: 50')
    assert {r["registerCode"] for r in page["results"]} == {"AUS-2"}
    page = sales(gql, 'registerCode: "AUS-1", tranNo: "900001"')
    assert ids(page) == [F.sale_late_id]


# --- locations, catalogue, environment, viewer -----------------------------------------------


def test_locations(gql: Gql) -> None:
    rows = gql.data(
        "{ location { results { code name kind timeZone registers address { city } } } }"
    )
    by_code = {r["code"]: r for r in rows["location"]["results"]}
    assert set(by_code) == {loc.code for loc in LOCATIONS}
    assert by_code["WEST"]["kind"] == "WAREHOUSE"
    assert by_code["WEST"]["registers"] == []
    assert by_code["AUSTIN"]["timeZone"] == "America/Chicago"
    assert by_code["AUSTIN"]["registers"] == ["AUS-1", "AUS-2", "AUS-3"]
    assert gql.data('{ location(code: "DENVER") { results { code } } }')["location"]["results"] == [
        {"code": "DENVER"}
    ]


def test_product_catalogue(gql: Gql) -> None:
    data = gql.data(
        """{ product(sku: "MINTS01") { results { sku basePrice description groups { code }
             notices { code body displayOrder } } }
           productGroup(sectionCode: "TECH") { results { code sections { code } banner { text } } }
           productSection { results { code displayOrder } }
           productSortOption { results { code name } } }"""
    )
    (mints,) = data["product"]["results"]
    assert mints["basePrice"] == "3.49"
    assert mints["groups"][0]["code"] == "SNACKS"
    assert mints["notices"][0]["code"] == "ALLERGEN"
    assert "**Allergens:**" in mints["notices"][0]["body"]
    groups = data["productGroup"]["results"]
    assert groups
    assert all("TECH" in [s["code"] for s in g["sections"]] for g in groups)
    orders = [s["displayOrder"] for s in data["productSection"]["results"]]
    assert orders == sorted(orders)
    assert len(data["productSortOption"]["results"]) == 5
    in_group = gql.data('{ product(groupCode: "SNACKS", first: 500) { results { sku } } }')
    assert "MINTS01" in [p["sku"] for p in in_group["product"]["results"]]


def test_environment_and_viewer(gql: Gql) -> None:
    data = gql.data(
        "{ environment { name tenantType version kind currency timeZone } "
        "viewer { subject name clientId roles permissions locationCode } }",
        roles=("Salesperson",),
        location="AUSTIN",
    )
    env = data["environment"]
    assert env["tenantType"] == "Cloud"
    assert env["kind"] == "SANDBOX"
    assert env["currency"] == "USD"
    assert env["timeZone"] == "America/Chicago"
    assert env["version"]
    viewer = data["viewer"]
    assert viewer["roles"] == ["Salesperson"]
    assert viewer["locationCode"] == "AUSTIN"
    assert "GiftCardTransUse" in viewer["permissions"]
    assert viewer["permissions"] == sorted(viewer["permissions"])


@pytest.mark.parametrize("search", ["a", "ma", "5", "c00", "maria d", "peppermint", "zz"])
def test_dense_and_rare_search_words_give_the_same_pages(
    gql: Gql, monkeypatch: pytest.MonkeyPatch, search: str
) -> None:
    """Both ways of matching a word (index look-up, per-record probe) agree."""
    query = "query($q: String) { customer(search: $q, first: 40, skip: 3) { hasMoreResults results { id } } item(search: $q, first: 40) { results { sku } } }"
    rare = gql.data(query, {"q": search})
    monkeypatch.setattr(word_search, "DENSE_PREFIX", 1)  # every word counts as dense
    dense = gql.data(query, {"q": search})
    assert dense == rare


def test_nested_lists_through_fragments(gql: Gql) -> None:
    """Warehouses and serial/lot numbers load however the client spells the selection."""
    query = """
      query($s: String) { item(sku: $s) { results { ...Stock ... on Item { serialLots { serialLotNo } } } } }
      fragment Stock on Item { sku warehouses { warehouseCode } }
    """
    (row,) = gql.data(query, {"s": F.serial_sku})["item"]["results"]
    assert len(row["warehouses"]) == 5
    assert {s["serialLotNo"] for s in row["serialLots"]} >= set(F.serial_numbers)
