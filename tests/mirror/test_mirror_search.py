"""Searching the mirror the way a store manager types, and filtering sales, on a synced demo
sandbox (real HTTP): FTS5 prefix / accent-insensitive / phone in any format, the LIKE fallback,
and sales by store, register, customer, time of day and local date range."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from posdesk.api.client import PosClient
from posdesk.domain import SaleFilter
from posdesk.mirror import Mirror, MirrorSync
from posdesk.mirror.sync import entity_mode
from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from tests.api.helpers import connect
from tests.mirror.conftest import mirror_file

pytestmark = pytest.mark.asyncio
F = FIXTURES


async def test_customers_by_name_phone_ids_and_accents(
    own_sandbox: SandboxServer, client: PosClient, mirror: Mirror
) -> None:
    with own_sandbox.db.transaction() as conn:  # an accented name the seed lacks
        conn.execute(
            "UPDATE customer SET first_name = 'Zoë', last_name = 'Núñez', "
            "full_name = 'Zoë Núñez', modified_at = ? WHERE id = ?",
            (own_sandbox.db.next_modified(), F.non_member_id),
        )
    await MirrorSync(client, mirror).sync_once(["location", "customer"])
    assert mirror.search_mode == "fts5"

    async def ids(text: str) -> list[str]:
        return [c.id for c in (await mirror.customers(text, first=500)).items]

    last = F.customer_with_sales_name.split()[-1]  # "Delgado"
    assert F.customer_with_sales_id in await ids(last[:4].lower())  # part of the last name
    assert (await ids(F.customer_with_sales_name))[0] == F.customer_with_sales_id  # ranked
    raw = F.customer_with_sales_phone_raw  # "(512) 555-0148"
    digits = "".join(ch for ch in raw if ch.isdigit())
    for typed in (raw, digits, f"+1 {digits[:3]} {digits[3:6]}-{digits[6:]}", digits[:6]):
        assert F.customer_with_sales_id in await ids(typed), typed
    assert await ids(F.customer_with_sales_member_id) == [F.customer_with_sales_id]
    assert await ids(F.customer_with_sales_id) == [F.customer_with_sales_id]
    assert F.customer_with_sales_id in await ids(F.customer_with_sales_email.split("@")[0])
    for typed in ("zoe nunez", "ZOË", "nun"):  # case- and accent-insensitive, prefix
        assert await ids(typed) == [F.non_member_id], typed
    page = await mirror.customers("a", skip=0, first=10)
    assert len(page.items) == 10
    assert page.has_more
    following = await mirror.customers("a", skip=10, first=10)
    assert not {c.id for c in page.items} & {c.id for c in following.items}


async def test_items_and_gift_cards(client: PosClient, mirror: Mirror) -> None:
    await MirrorSync(client, mirror).sync_once(
        ["location", "customer", "item", "item_warehouse", "serial_lot", "giftcard"]
    )
    gum = await mirror.lookup_item(F.ean_barcode)
    assert gum is not None
    assert gum.sku == F.ean_sku
    assert gum.warehouses
    word = next(w for w in (gum.name or "").split() if len(w) > 3)
    found = await mirror.items(word.lower(), first=100)
    assert F.ean_sku in [i.sku for i in found.items]
    assert all(i.warehouses for i in found.items)
    by_barcode = await mirror.items(F.plain_upc)
    assert [i.sku for i in by_barcode.items] == [F.plain_sku]
    by_sku = await mirror.items(F.serial_sku)
    assert by_sku.items[0].sku == F.serial_sku
    tab = await mirror.lookup_item(F.serial_sku)
    assert tab is not None
    assert {s.serial_lot_no for s in tab.serial_lots} >= set(F.serial_numbers)
    in_west = await mirror.items(warehouse_code=F.warehouse_code, first=1000)
    assert all(
        any(w.warehouse_code == F.warehouse_code for w in i.warehouses) for i in in_west.items
    )

    cards = await mirror.giftcards(F.gc_physical_code[-4:])
    assert F.gc_physical_id in [g.id for g in cards.items]
    owned = await mirror.giftcards(F.card_owner_name.split()[-1])  # the owner's last name
    assert {F.gc_personal_id, F.gc_edit_id} <= {g.id for g in owned.items}
    assert {g.member_id for g in owned.items} == {F.card_owner_member_id}
    by_member = await mirror.giftcards(F.card_owner_member_id)
    assert F.gc_personal_id in [g.id for g in by_member.items]


async def test_like_fallback_finds_the_same(client: PosClient, tmp_path: Path) -> None:
    fallback = await Mirror.open(mirror_file(tmp_path, "like.sqlite3"), fts=False)
    try:
        assert fallback.search_mode == "like"
        await MirrorSync(client, fallback).sync_once(["customer", "giftcard"])
        last = F.customer_with_sales_name.split()[-1]
        found = await fallback.customers(last[:4].lower())
        assert F.customer_with_sales_id in [c.id for c in found.items]
        phone = await fallback.customers(F.customer_with_sales_phone_raw)
        assert F.customer_with_sales_id in [c.id for c in phone.items]
        cards = await fallback.giftcards(F.gc_physical_code[-4:])
        assert F.gc_physical_id in [g.id for g in cards.items]
    finally:
        await fallback.close()


async def test_sales_filters_answer_like_the_server(client: PosClient, mirror: Mirror) -> None:
    await MirrorSync(client, mirror).sync_once(["location", "sale"])
    stores = await mirror.locations()
    austin = next(s for s in stores if s.code == F.boundary_store)
    register = austin.registers[0]
    filters = [
        SaleFilter(location_code=austin.code, newest_first=True),
        SaleFilter(location_code=austin.code, register_code=register, newest_first=True),
        SaleFilter(customer_id=F.customer_with_sales_id, newest_first=True),
    ]
    for wanted in filters:
        ours = await mirror.sales(wanted, first=1000)
        theirs = await client.sales(wanted, first=1000)
        assert ours.items, wanted
        assert {s.id for s in ours.items} == {s.id for s in theirs.items}, wanted
        times = [s.sale_date for s in ours.items if s.sale_date]
        assert times == sorted(times, reverse=True)  # newest first
    assert all(s.register_code == register for s in (await mirror.sales(filters[1])).items)
    late = await mirror.sale(F.sale_late_id)
    assert late is not None
    assert late.tran_no is not None
    by_no = await mirror.sales(SaleFilter(tran_no=late.tran_no, location_code=austin.code))
    assert F.sale_late_id in [s.id for s in by_no.items]

    # a local day is a half-open range of UTC instants: 23:59 belongs to the 31st
    zone = ZoneInfo(austin.time_zone or "America/Chicago")
    day = datetime.fromisoformat(F.sale_late_local).astimezone(zone).replace(hour=0, minute=0)
    march_31 = SaleFilter(from_time=day, to_time=day + timedelta(days=1), location_code="AUSTIN")
    in_day = {s.id for s in (await mirror.sales(march_31, first=1000)).items}
    assert F.sale_late_id in in_day
    assert F.sale_midnight_id not in in_day
    server_day = {s.id for s in (await client.sales(march_31, first=1000)).items}
    assert in_day == server_day
    evening = await mirror.sales(march_31, time_of_day=(time(23, 0), time(0, 0)))
    assert [s.id for s in evening.items] == [F.sale_late_id]


async def test_documented_server_searches_and_filters_from_the_mirror(
    documented_sandbox: SandboxServer, tmp_path: Path, mirror: Mirror
) -> None:
    """Against only the documented API (no server search, no sale filters, no totals) the
    mirror still finds customers by part of the last name and by phone, an item by a word of
    its description, and filters sales by register and customer."""
    client = await connect(documented_sandbox, tmp_path)
    try:
        await documented_checks(client, mirror)
    finally:
        await client.aclose()


async def documented_checks(client: PosClient, mirror: Mirror) -> None:
    assert "customer_search" not in client.features
    assert "sale_search" not in client.features
    sync = MirrorSync(client, mirror)
    progress = await sync.sync_once()
    for entity, p in progress.items():
        assert p.mode == entity_mode(client.features, entity)
        assert (p.error is None) == (p.mode != "off"), p
    assert progress["sale"].rows > 1000
    last = F.customer_with_sales_name.split()[-1]
    assert F.customer_with_sales_id in [c.id for c in (await mirror.customers(last[:5])).items]
    by_phone = await mirror.customers(F.customer_with_sales_phone_raw)
    assert [c.id for c in by_phone.items] == [F.customer_with_sales_id]
    gum = await mirror.lookup_item(F.ean_sku)
    assert gum is not None
    word = next(w for w in (gum.name or "").split() if len(w) > 3)
    assert F.ean_sku in [i.sku for i in (await mirror.items(word)).items]
    # the documented Sale has no locationCode (and Location no registers): by register only
    some = (await mirror.sales(SaleFilter(newest_first=True))).items[0]
    assert some.register_code is not None
    assert some.location_code is None
    sales = await mirror.sales(SaleFilter(register_code=some.register_code), first=1000)
    assert len(sales.items) > 1
    assert {s.register_code for s in sales.items} == {some.register_code}
    mine = await mirror.sales(SaleFilter(customer_id=F.customer_with_sales_id), first=1000)
    assert len(mine.items) >= F.customer_with_sales_sale_count
