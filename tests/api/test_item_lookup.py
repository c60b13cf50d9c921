"""``lookup_item``: every exact look-up (SKU or barcode) is ONE round trip, full detail."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema

from posdesk.api.client import PosClient
from posdesk.domain import TrackingType
from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from tests.api.helpers import CountedHttp, connect

SANDBOX_SCHEMA = Path(__file__).parents[2] / "posdesk" / "sandbox" / "schema.graphql"


async def _counted(sandbox: SandboxServer, tmp_path: Path) -> tuple[PosClient, CountedHttp]:
    counter = CountedHttp()
    client = await connect(sandbox, tmp_path, http=counter.http)
    return client, counter


@pytest.mark.asyncio
async def test_sku_barcode_and_miss_each_take_one_round_trip(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    client, counter = await _counted(sandbox, tmp_path)
    try:
        serial = await client.item(FIXTURES.serial_sku)
        assert serial.barcodes, "the serial-tracked fixture item needs a barcode"
        cases = {
            FIXTURES.plain_sku: FIXTURES.plain_sku,
            FIXTURES.plain_upc: FIXTURES.plain_sku,
            f"  {FIXTURES.ean_barcode} ": None,  # only the SKU is checked below
            serial.barcodes[0]: FIXTURES.serial_sku,
            "NO-SUCH-THING": None,
        }
        for code, sku in cases.items():
            before = counter.posts
            item = await client.lookup_item(code)
            assert counter.posts - before == 1, f"{code!r} took {counter.posts - before} trips"
            if code == "NO-SUCH-THING":
                assert item is None
                continue
            assert item is not None
            if sku is not None:
                assert item.sku == sku
            assert item.warehouses  # full detail, not a list row
        by_scan = await client.lookup_item(serial.barcodes[0])
        assert by_scan is not None
        assert by_scan.tracking_type is TrackingType.SERIAL
        assert set(FIXTURES.serial_numbers) <= {s.serial_lot_no for s in by_scan.serial_lots}
        assert by_scan == serial
    finally:
        await client.aclose()
        await counter.http.aclose()


@pytest.mark.asyncio
async def test_server_without_barcode_argument_still_finds_skus(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    """A server whose ``item`` lacks ``barcode`` (a real Kensium server may): item_lookup is
    unavailable and look-ups fall back to the plain SKU query."""
    client, counter = await _counted(sandbox, tmp_path)
    try:
        sdl = SANDBOX_SCHEMA.read_text(encoding="utf-8")
        without = "\n".join(
            line for line in sdl.splitlines() if not line.strip().startswith("barcode: String")
        )
        assert without != sdl
        report = client.adapt_to(build_schema(without))
        assert "item_lookup" not in report
        assert "barcode" in (report.reason("item_lookup") or "")
        before = counter.posts
        item = await client.lookup_item(FIXTURES.plain_sku)
        assert item is not None
        assert item.sku == FIXTURES.plain_sku
        assert counter.posts - before == 1
        assert await client.lookup_item(FIXTURES.plain_upc) is None  # no way to ask by barcode
    finally:
        await client.aclose()
        await counter.http.aclose()
