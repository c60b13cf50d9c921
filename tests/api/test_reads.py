"""Reads over real HTTP: paging to the end, since/until resume, degraded schemas, terminal."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from graphql import build_schema

from posdesk.api import errors
from posdesk.api.client import PosClient
from posdesk.domain import (
    GiftCardCodeType,
    GiftCardTransType,
    SaleFilter,
    TerminalOutcome,
    TerminalPaymentType,
    TrackingType,
)
from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from tests.api.helpers import connect

DOCUMENTED_SCHEMA = (
    Path(__file__).parents[1] / "unit" / "api" / "data" / "documented_schema.graphql"
)


@pytest.fixture
async def client(sandbox: SandboxServer, tmp_path: Path) -> PosClient:
    return await connect(sandbox, tmp_path)


@pytest.mark.asyncio
async def test_paging_to_the_end(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        ids: list[str] = []
        pages = 0
        async for page in client.pages(client.customers, first=37):
            pages += 1
            ids.extend(c.id for c in page.items)
        assert len(ids) == len(set(ids))  # no row twice
        assert pages == -(-len(ids) // 37) or pages == len(ids) // 37 + 1
        everything = await client.customers(first=1000)
        assert not everything.has_more
        assert ids == [c.id for c in everything.items]  # same rows, same order, none lost

        sales = [
            s.id
            async for p in client.pages(
                client.sales, SaleFilter(customer_id=FIXTURES.customer_with_sales_id), first=10
            )
            for s in p.items
        ]
        assert len(sales) == FIXTURES.customer_with_sales_sale_count + 4
        assert sales == sorted(sales, key=int)
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_sync_resumes_from_a_persisted_cursor(sandbox: SandboxServer, tmp_path: Path) -> None:
    cursor_file = tmp_path / "sale.cursor"
    seen: dict[str, int] = {}

    client = await connect(sandbox, tmp_path)
    try:
        total = 0
        async for page, cursor in client.sync("sale", first=700):
            for sale in page.items:
                seen[sale.id] = seen.get(sale.id, 0) + 1
            cursor_file.write_text(cursor)  # persisted only after the page is stored
            total += 1
            if total == 3:
                break  # the app is closed mid-sync
    finally:
        await client.aclose()
    assert len(seen) == 3 * 700

    resumed = await connect(sandbox, tmp_path)
    try:
        async for page, cursor in resumed.sync("sale", cursor_file.read_text(), first=700):
            for sale in page.items:
                seen[sale.id] = seen.get(sale.id, 0) + 1
            cursor_file.write_text(cursor)
        assert set(seen.values()) == {1}  # resumed exactly where it stopped
        everything = [s.id async for p in resumed.pages(resumed.sales, first=1000) for s in p.items]
        assert set(seen) == set(everything)

        # a sale modified later comes back in the next run, and nothing else does
        sandbox.db.touch_sale(FIXTURES.sale_split_tender_id)
        again = [s async for p, _ in resumed.sync("sale", cursor_file.read_text()) for s in p.items]
        assert [s.id for s in again] == [FIXTURES.sale_split_tender_id]
        assert again[0].total == Decimal(FIXTURES.sale_split_tender_total)
        assert len(again[0].tenders) == 2

        # inventory has its own cursors: stock changes show in itemWarehouse, not item
        item_cursor = [step[1] async for step in resumed.sync("item", first=1000)][-1]
        wh_cursor = [step[1] async for step in resumed.sync("item_warehouse", first=1000)][-1]
        sandbox.db.adjust_stock(FIXTURES.plain_sku, FIXTURES.warehouse_code, -1)
        items = [i async for p, _ in resumed.sync("item", item_cursor) for i in p.items]
        stock = [w async for p, _ in resumed.sync("item_warehouse", wh_cursor) for w in p.items]
        assert items == []
        assert [(w.sku, w.warehouse_code) for w in stock] == [
            (FIXTURES.plain_sku, FIXTURES.warehouse_code)
        ]
    finally:
        await resumed.aclose()


@pytest.mark.asyncio
async def test_reads_map_to_domain_objects(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        env = await client.environment()
        assert env.kind == "SANDBOX"
        assert not env.is_production
        found = await client.customers(search=FIXTURES.customer_with_sales_phone_raw)
        assert [c.id for c in found.items] == [FIXTURES.customer_with_sales_id]
        by_member = await client.customers(member_id=FIXTURES.customer_by_member_member_id)
        assert by_member.items[0].id == FIXTURES.customer_by_member_id
        late = await client.sale(FIXTURES.sale_late_id)
        assert late.sale_date is not None
        assert late.sale_date.utcoffset() is not None
        assert late.sale_date.isoformat() == "2024-04-01T04:59:00+00:00"
        from datetime import datetime

        local_day = await client.sales(
            SaleFilter(
                from_time=datetime.fromisoformat(FIXTURES.sale_midnight_local),
                location_code=FIXTURES.boundary_store,
                newest_first=False,
            ),
            first=1,
        )
        assert local_day.items[0].id == FIXTURES.sale_midnight_id
        by_barcode = await client.lookup_item(FIXTURES.plain_upc)
        assert by_barcode is not None
        assert by_barcode.sku == FIXTURES.plain_sku
        low = {w.warehouse_code: w for w in by_barcode.warehouses}[FIXTURES.low_stock_warehouse]
        assert low.is_low
        serial = await client.item(FIXTURES.serial_sku)
        assert serial.tracking_type is TrackingType.SERIAL
        assert set(FIXTURES.serial_numbers) <= {s.serial_lot_no for s in serial.serial_lots}
        lots = await client.serial_lots(sku=FIXTURES.lot_sku, warehouse_code=FIXTURES.lot_warehouse)
        assert {s.serial_lot_no for s in lots.items} == set(FIXTURES.lot_numbers)
        assert all(s.expires_on is not None for s in lots.items)
        card = await client.giftcard(FIXTURES.gc_physical_code, GiftCardCodeType.PHYSICAL)
        assert card is not None
        assert card.id == FIXTURES.gc_physical_id
        personal = await client.giftcard_by_id(FIXTURES.gc_personal_id)
        assert personal is not None
        assert GiftCardCodeType.PERSONAL in {c.code_type for c in personal.codes}
        locations = await client.locations()
        assert set(FIXTURES.store_codes) <= {loc.code for loc in locations.items}
        products = await client.products(first=5)
        assert products.items
        assert (await client.product(products.items[0].sku)).sku == products.items[0].sku
        assert (await client.product_sections()).items
        assert (await client.product_groups()).items
        assert (await client.product_notices()).items is not None
        assert (await client.product_sort_options()).items is not None
        assert (await client.product_banners()).items is not None
        assert (await client.item_warehouses(sku=FIXTURES.plain_sku)).items
        assert (await client.purchases(FIXTURES.purchase_transaction_id)).items
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_reduced_schema_degrades_gracefully(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        report = client.adapt_to(build_schema(DOCUMENTED_SCHEMA.read_text(encoding="utf-8")))
        assert {"customer_search", "giftcard_transactions", "purchase_lookup"} <= set(
            report.unavailable
        )
        with pytest.raises(errors.FeatureUnavailable) as info:
            await client.customers(search="Delgado")
        assert info.value.feature == "customer_search"
        assert "customer search" in info.value.user_message
        # documented look-ups still work; extension fields come back as "unknown" (None)
        customer = await client.customer(FIXTURES.customer_with_sales_id)
        assert customer.full_name == FIXTURES.customer_with_sales_name
        assert customer.loyalty_points is None
        sale = await client.sale(FIXTURES.sale_split_tender_id)
        assert sale.lines == ()
        assert sale.total is None
        # a write whose outcome cannot be looked up on this server goes to "needs review"
        sandbox.faults.drop_next_mutations = 1
        with pytest.raises(errors.NeedsReview):
            await client.giftcard_transaction(
                FIXTURES.gc_external_code,
                GiftCardCodeType.EXTERNAL,
                GiftCardTransType.EXTERNAL,
                Decimal("1.00"),
            )
        [entry] = client.journal.needs_review()
        assert "giftcard_transactions" in (entry.error or "")
        assert "1.00" in entry.summary
        assert FIXTURES.gc_external_code not in entry.summary  # codes are masked
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_terminal_payments(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        progress: list[TerminalOutcome] = []
        started = await client.terminal_start(TerminalPaymentType.SALE, Decimal("12.34"), "LANE-1")
        assert started.continuation is not None
        assert started.continuation.wait_ms > 0
        done = await client.terminal_finish(started, on_progress=progress.append)
        assert progress
        assert progress[0] == started
        assert done.payment is not None
        assert done.payment.amount == Decimal("12.34")
        assert done.payment.status == "APPROVED"

        declined = await client.terminal_finish(
            await client.terminal_start(TerminalPaymentType.SALE, Decimal("5.13"), "LANE-1")
        )
        assert declined.error is not None
        assert declined.error.code == "DECLINED"

        auth = await client.terminal_finish(
            await client.terminal_start(TerminalPaymentType.AUTH, Decimal("40.00"), "LANE-1")
        )
        assert auth.payment is not None
        assert auth.payment.status == "AUTHORIZED"
        captured = await client.terminal_finish(
            await client.terminal_capture(auth.payment.id, Decimal("35.50"))
        )
        assert captured.payment is not None
        assert captured.payment.status == "CAPTURED"
        assert captured.payment.amount == Decimal("35.50")

        # a customer who never taps: the interaction is cancelled when we give up
        hanging = await client.terminal_start(
            TerminalPaymentType.SALE, Decimal("3.00"), "LANE-TIMEOUT"
        )
        gave_up = await client.terminal_finish(hanging, give_up_after=0.5)
        assert gave_up.error is not None
        assert gave_up.error.code == "CANCELLED"
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_every_sync_entity(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        customers = [c async for p, _ in client.sync("customer", first=1000) for c in p.items]
        assert len({c.id for c in customers}) == len(customers) > 0
        lots = [s async for p, _ in client.sync("serial_lot", first=1000) for s in p.items]
        assert set(FIXTURES.lot_numbers) <= {s.serial_lot_no for s in lots}
        owned = await client.giftcards(member_id=FIXTURES.card_owner_member_id)
        assert FIXTURES.gc_personal_id in {c.id for c in owned.items}
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_rejected_cursor_restarts_from_the_beginning(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        fresh = [i.sku async for p, _ in client.sync("item", first=1000) for i in p.items]
        stale = [
            i.sku async for p, _ in client.sync("item", "not-a-cursor", first=1000) for i in p.items
        ]
        assert stale == fresh
        assert fresh
    finally:
        await client.aclose()
