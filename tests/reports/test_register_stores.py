"""Sales reports on a documented server (its sales carry a register but no store): each sale
counts for its register's store once a manager maps the register (the Local data panel's API,
``Mirror.assign_register``), at once and without a resync; before that it is in the
"Unassigned registers" row with a note saying how to fix it. Figures are checked against the
same demo data served by an extended sandbox over HTTP (the server's own store and register
filters). The documented Sale has no totals, so the figures are numbers of sales; days are
UTC (the documented API sends no time zones)."""

from __future__ import annotations

import shutil
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from posdesk.api.client import PosClient
from posdesk.domain import Sale, SaleFilter
from posdesk.mirror import Mirror
from posdesk.reports import run_report
from posdesk.reports.model import ReportFilters, ReportResult
from posdesk.reports.sales import UNASSIGNED
from tests.mirror.test_mirror_aggregates import FRESH
from tests.reports.conftest import everything

pytestmark = pytest.mark.asyncio

MARCH = ReportFilters(date(2024, 3, 1), date(2024, 3, 31))
FIX = "View › Local data… › Registers → stores"
SALES_REPORTS = (
    "sales_overview",
    "sales_by_register",
    "sales_by_tender",
    "sales_heatmap",
    "top_items",
    "top_customers",
)


@pytest_asyncio.fixture
async def documented(documented_file: Path, tmp_path: Path) -> AsyncIterator[Mirror]:
    """A writable copy of the documented server's synced mirror."""
    copy = tmp_path / "mirror.sqlite3"
    shutil.copyfile(documented_file, copy)
    mirror = await Mirror.open(copy)
    yield mirror
    await mirror.close()


async def server_sales(
    client: PosClient, location_code: str | None = None, register_code: str | None = None
) -> list[Sale]:
    """March in UTC, with the extended server's own store / register filter."""
    start = datetime.combine(MARCH.first_day, time(0), UTC)
    end = datetime.combine(MARCH.last_day + timedelta(days=1), time(0), UTC)
    match = SaleFilter(start, end, location_code=location_code, register_code=register_code)
    return await everything(client, client.sales, match)


async def register_stores(client: PosClient) -> dict[str, str]:
    """Which store each register is in, as the extended server lists them."""
    return {
        register: loc.code
        for loc in await everything(client, client.locations)
        for register in loc.registers
    }


def rows_of(result: ReportResult) -> dict[object, tuple[object, ...]]:
    return {r[0]: r for r in result.rows}


def sales_column(result: ReportResult) -> int:
    return [c.key for c in result.columns].index("sales")


def by_store(result: ReportResult) -> dict[object, int]:
    """Number of sales per row (the documented API has no totals: money is unknown)."""
    return {store: int(str(row[sales_column(result)])) for store, row in rows_of(result).items()}


def total_sales(result: ReportResult) -> int:
    assert result.totals is not None
    return int(str(result.totals[sales_column(result)]))


def stores_filter(*stores: str) -> ReportFilters:
    return ReportFilters(MARCH.first_day, MARCH.last_day, stores=frozenset(stores))


def _fresh_mismatches(conn: sqlite3.Connection) -> int:
    """sale_hour against a fresh GROUP BY over the sales (the restamp kept it exact)."""
    fresh = sorted(map(tuple, conn.execute(FRESH["sale_hour"])), key=repr)
    kept = sorted(map(tuple, conn.execute("SELECT * FROM sale_hour")), key=repr)
    return len(set(fresh) ^ set(kept)) + abs(len(fresh) - len(kept))


async def test_unmapped_registers_are_their_own_row_with_how_to_fix_it(
    documented: Mirror,
) -> None:
    result = await run_report(documented, "sales_by_store", MARCH, UTC)
    rows = by_store(result)
    assert set(rows) == {UNASSIGNED}
    assert rows[UNASSIGNED] == total_sales(result) > 0
    assert any(UNASSIGNED in n and FIX in n for n in result.notes), result.notes
    # a store filter finds none of them, and says why and how to fix it
    for key in ("sales_by_store", *SALES_REPORTS):
        filtered = await run_report(documented, key, stores_filter("AUSTIN"), UTC)
        assert any("store filter" in n and FIX in n for n in filtered.notes), (key, filtered)
    overview = await run_report(documented, "sales_overview", stores_filter("AUSTIN"), UTC)
    assert total_sales(overview) == 0


async def test_mapped_registers_give_each_store_the_servers_own_figures(
    documented: Mirror, client: PosClient
) -> None:
    truth = await register_stores(client)
    assert truth
    for register, store in truth.items():
        await documented.assign_register(register, store)
    result = await run_report(documented, "sales_by_store", MARCH, UTC)
    expected = {
        store: len(await server_sales(client, location_code=store))
        for store in sorted(set(truth.values()))
    }
    assert by_store(result) == expected
    assert all(expected.values())
    assert not any(FIX in n for n in result.notes)
    by_register = await run_report(documented, "sales_by_register", MARCH, UTC)
    column = sales_column(by_register)
    assert {(r[0], r[1]): r[column] for r in by_register.rows} == {
        (store, register): len(await server_sales(client, register_code=register))
        for register, store in truth.items()
    }
    # every sales report's store filter: the store's own sales on the extended server
    for store in ("AUSTIN", "DENVER"):
        sales = await server_sales(client, location_code=store)
        filters = stores_filter(store)
        overview = await run_report(documented, "sales_overview", filters, UTC)
        assert total_sales(overview) == len(sales)
        heatmap = await run_report(documented, "sales_heatmap", filters, UTC)
        assert total_sales(heatmap) == len(sales)
        cells = Counter(
            (s.sale_date.astimezone(UTC).weekday(), s.sale_date.astimezone(UTC).hour)
            for s in sales
            if s.sale_date
        )
        weekdays = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        assert {(weekdays.index(str(r[0])), r[1]): r[2] for r in heatmap.rows if r[2]} == dict(
            cells
        )
        customers = await run_report(documented, "top_customers", replace(filters, top_n=1000), UTC)
        bought = Counter(s.customer_id for s in sales if s.customer_id)
        assert {r[1]: r[3] for r in customers.rows} == dict(bought)
        for key in ("sales_by_tender", "top_items"):  # no tenders or lines on this server
            notes = (await run_report(documented, key, filters, UTC)).notes
            assert not any(FIX in n for n in notes), (key, notes)


async def test_changing_a_mapping_moves_its_sales_in_the_next_report(
    documented: Mirror, client: PosClient
) -> None:
    truth = await register_stores(client)
    for register, store in truth.items():
        await documented.assign_register(register, store)
    before = by_store(await run_report(documented, "sales_by_store", MARCH, UTC))
    moved = len(await server_sales(client, register_code="AUS-1"))
    assert moved
    await documented.assign_register("AUS-1", "DENVER")  # a manager's correction
    after = by_store(await run_report(documented, "sales_by_store", MARCH, UTC))
    assert after["AUSTIN"] == before["AUSTIN"] - moved
    assert after["DENVER"] == before["DENVER"] + moved
    denver = await run_report(documented, "sales_overview", stores_filter("DENVER"), UTC)
    assert total_sales(denver) == before["DENVER"] + moved
    await documented.assign_register("AUS-1", None)  # not known after all
    result = await run_report(documented, "sales_by_store", MARCH, UTC)
    unmapped = by_store(result)
    assert unmapped[UNASSIGNED] == moved
    assert unmapped["DENVER"] == before["DENVER"]
    assert list(unmapped)[-1] == UNASSIGNED  # after the stores
    assert any("from 1 register(s)" in n and FIX in n for n in result.notes), result.notes
    assert await documented.read(_fresh_mismatches) == 0
    # the sale itself still reads as the server sent it (no store)
    page = await documented.sales(SaleFilter(register_code="AUS-2"), first=1)
    assert page.items
    assert page.items[0].location_code is None


async def test_migration_stamps_the_sales_of_registers_mapped_on_an_older_file(
    documented_file: Path, tmp_path: Path
) -> None:
    path = tmp_path / "old.sqlite3"
    shutil.copyfile(documented_file, path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("ALTER TABLE sale DROP COLUMN mapped_store")  # back to migration 4's file
    conn.execute("INSERT INTO register_store VALUES ('AUS-1', 'AUSTIN', 'manager')")
    conn.execute("PRAGMA user_version = 4")
    conn.close()
    mirror = await Mirror.open(path)
    try:
        rows = by_store(await run_report(mirror, "sales_by_store", MARCH, UTC))
        austin = await mirror.read(
            lambda c: c.execute(
                "SELECT count(*) FROM sale WHERE register_code = 'AUS-1' "
                "AND local_day BETWEEN '2024-03-01' AND '2024-03-31'"
            ).fetchone()[0]
        )
        assert rows["AUSTIN"] == austin > 0
        assert rows["AUSTIN"] + rows[UNASSIGNED] == sum(rows.values())
        assert await mirror.read(_fresh_mismatches) == 0
    finally:
        await mirror.close()
