"""Every report figure against a number computed independently from the sandbox over HTTP:
sales found with the server's own filters (store, half-open instants in the store's zone),
sale details one by one, every gift card and transaction, every stock row — to the cent, with
the local-date boundary (23:59 on the last day in, 00:00 the next day out)."""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from posdesk.api.client import PosClient
from posdesk.domain import GiftCardTransStatus, Sale, SaleFilter
from posdesk.mirror import Mirror
from posdesk.mirror.schema import MIGRATIONS
from posdesk.reports import REPORTS, compute, run_report
from posdesk.reports.common import dates_text, sale_where
from posdesk.reports.giftcards import ISSUED
from posdesk.reports.model import ReportFilters, ReportResult
from posdesk.reports.sales import _SUMS, sales_from
from posdesk.sandbox.seed import FIXTURES
from tests.mirror.conftest import synced
from tests.reports.conftest import everything

pytestmark = pytest.mark.asyncio

CHICAGO = ZoneInfo("America/Chicago")
MARCH = ReportFilters(date(2024, 3, 1), date(2024, 3, 31))
AUSTIN = FIXTURES.boundary_store
CENT = Decimal("0.01")
AUSTIN_MARCH = ReportFilters(MARCH.first_day, MARCH.last_day, stores=frozenset({AUSTIN}))


def cents(value: object) -> Decimal:
    """Money to the cent, half-even (what the reports show)."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_EVEN)


def column(result: ReportResult, key: str) -> int:
    return [c.key for c in result.columns].index(key)


def by_first(result: ReportResult, *keys: str) -> dict[object, tuple[object, ...]]:
    """Rows keyed by their first ``len(keys)`` values."""
    return {r[: len(keys)] if len(keys) > 1 else r[0]: r for r in result.rows}


async def zones(client: PosClient) -> dict[str, ZoneInfo]:
    return {
        loc.code: ZoneInfo(loc.time_zone)
        for loc in await everything(client, client.locations)
        if loc.time_zone and loc.kind == "STORE"
    }


async def store_sales(
    client: PosClient, store: str, zone: ZoneInfo, first: date, last: date
) -> list[Sale]:
    """The server's own filter: the store, [first 00:00, last + 1 00:00) in its zone."""
    return await everything(
        client,
        client.sales,
        SaleFilter(
            from_time=datetime.combine(first, time(0), zone),
            to_time=datetime.combine(last + timedelta(days=1), time(0), zone),
            location_code=store,
        ),
    )


def figures(sales: Iterable[Sale]) -> dict[str, Decimal | int]:
    """The overview's definitions, from server sales (docs/architecture.md, "Reports")."""
    every = list(sales)
    sold = [s for s in every if s.total is not None and s.total >= 0]
    back = [s for s in every if s.total is not None and s.total < 0]

    def net(s: Sale) -> Decimal:
        assert s.total is not None
        return s.total - (s.tax_amount or 0)

    sold_net = sum((net(s) for s in sold), Decimal(0))
    return {
        "sales": len(sold),
        "net": cents(sum((net(s) for s in every), Decimal(0))),
        "ticket": cents(cents(sold_net) / len(sold)) if sold else Decimal("0.00"),
        "items": cents(sum((s.item_count or 0 for s in sold), Decimal(0)) / len(sold))
        if sold
        else Decimal("0.00"),
        "discount": cents(sum((s.discount_amount or 0 for s in every), Decimal(0))),
        "returns": cents(-sum((net(s) for s in back), Decimal(0))),
        "tax": cents(sum((s.tax_amount or 0 for s in every), Decimal(0))),
    }


def totals_of(result: ReportResult) -> dict[str, object]:
    assert result.totals is not None
    return {c.key: v for c, v in zip(result.columns, result.totals, strict=True)}


async def test_overview_matches_the_servers_sales_and_earlier_periods(
    client: PosClient, conn: sqlite3.Connection
) -> None:
    filters = ReportFilters(MARCH.first_day, MARCH.last_day, stores=frozenset({AUSTIN}))
    result = compute(conn, "sales_overview", filters, CHICAGO)
    expected = figures(
        await store_sales(client, AUSTIN, CHICAGO, date(2024, 3, 1), date(2024, 3, 31))
    )
    got = totals_of(result)
    assert {k: got[k] for k in expected} == expected
    assert expected["sales"] > 20
    assert expected["returns"] > 0
    assert [r[0] for r in result.rows][:2] == ["2024-03-01", "2024-03-02"]  # by day
    assert sum(int(str(r[column(result, "sales")])) for r in result.rows) == expected["sales"]
    previous = figures(
        await store_sales(client, AUSTIN, CHICAGO, date(2024, 1, 30), date(2024, 2, 29))
    )
    last_year = figures(
        await store_sales(client, AUSTIN, CHICAGO, date(2023, 3, 1), date(2023, 3, 31))
    )
    keys = {
        "Net sales": "net",
        "Sales": "sales",
        "Average ticket": "ticket",
        "Items per sale": "items",
        "Discounts": "discount",
        "Returns": "returns",
        "Tax": "tax",
    }
    for c in result.comparisons:
        key = keys[c.label]
        assert (c.current, c.previous, c.last_year) == (
            expected[key],
            previous[key],
            last_year[key],
        ), key
        assert c.previous_delta == expected[key] - previous[key]
    net = result.comparisons[0]
    assert isinstance(net.previous_delta, Decimal)
    assert isinstance(net.previous, Decimal)
    assert net.previous_change == (net.previous_delta / net.previous).quantize(Decimal("0.0001"))
    assert result.notes == ()
    assert result.as_of is not None


async def test_local_day_boundary_23_59_in_00_00_out(
    client: PosClient, conn: sqlite3.Connection
) -> None:
    last_day = ReportFilters(date(2024, 3, 31), date(2024, 3, 31), stores=frozenset({AUSTIN}))
    next_day = ReportFilters(date(2024, 4, 1), date(2024, 4, 1), stores=frozenset({AUSTIN}))
    on_31 = await store_sales(client, AUSTIN, CHICAGO, date(2024, 3, 31), date(2024, 3, 31))
    on_1 = await store_sales(client, AUSTIN, CHICAGO, date(2024, 4, 1), date(2024, 4, 1))
    assert FIXTURES.sale_late_id in {s.id for s in on_31}
    assert FIXTURES.sale_midnight_id in {s.id for s in on_1}
    assert FIXTURES.sale_midnight_id not in {s.id for s in on_31}
    for filters, sales in ((last_day, on_31), (next_day, on_1)):
        got = totals_of(compute(conn, "sales_overview", filters, CHICAGO))
        expected = figures(sales)
        assert (got["sales"], got["net"], got["tax"]) == (
            expected["sales"],
            expected["net"],
            expected["tax"],
        )


async def test_by_store_and_register_match_each_stores_own_sales(
    client: PosClient, conn: sqlite3.Connection
) -> None:
    by_store = compute(conn, "sales_by_store", MARCH, CHICAGO)
    by_register = compute(conn, "sales_by_register", MARCH, CHICAGO)
    stores = by_first(by_store, "store")
    registers = by_first(by_register, "store", "register")
    everyone: list[Sale] = []
    for store, zone in (await zones(client)).items():  # each store in its own zone
        sales = await store_sales(client, store, zone, MARCH.first_day, MARCH.last_day)
        everyone.extend(sales)
        want = figures(sales)
        row = stores[store]
        assert (row[column(by_store, "sales")], row[column(by_store, "net")]) == (
            want["sales"],
            want["net"],
        ), store
        assert row[column(by_store, "gross")] == cents(
            sum((s.total or 0 for s in sales), Decimal(0))
        )
        for register in sorted({s.register_code or "" for s in sales}):
            mine = figures(s for s in sales if s.register_code == register)
            r = registers[(store, register)]
            assert (r[column(by_register, "sales")], r[column(by_register, "net")]) == (
                mine["sales"],
                mine["net"],
            ), register
    assert totals_of(by_store)["net"] == figures(everyone)["net"]
    assert totals_of(by_register)["sales"] == figures(everyone)["sales"]


async def _details(client: PosClient, sales: list[Sale]) -> list[Sale]:
    return [await client.sale(s.id) for s in sales]


async def test_tenders_items_customers_and_heatmap_match_sale_details(
    client: PosClient, conn: sqlite3.Connection
) -> None:
    filters = ReportFilters(MARCH.first_day, MARCH.last_day, stores=frozenset({AUSTIN}), top_n=5)
    sales = await store_sales(client, AUSTIN, CHICAGO, MARCH.first_day, MARCH.last_day)
    details = await _details(client, sales)

    tenders = compute(conn, "sales_by_tender", filters, CHICAGO)
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for sale in details:
        for tender in sale.tenders:
            paid[tender.tender_type] += tender.amount
    assert len(paid) == 3  # cash, card, gift card
    assert {r[0]: r[column(tenders, "amount")] for r in tenders.rows} == {
        k: cents(v) for k, v in paid.items()
    }
    assert totals_of(tenders)["amount"] == cents(sum(paid.values(), Decimal(0)))

    items = compute(conn, "top_items", filters, CHICAGO)
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    units: dict[str, Decimal] = defaultdict(Decimal)
    for sale in details:
        for line in sale.lines:
            revenue[line.sku] += line.ext_price
            units[line.sku] += line.quantity
    top = sorted(revenue, key=lambda sku: (-revenue[sku], sku))[:5]
    ranked = [r for r in items.rows if r[0] == "By revenue"]
    assert [(r[2], r[column(items, "revenue")]) for r in ranked] == [
        (sku, cents(revenue[sku])) for sku in top
    ]
    most = sorted(units, key=lambda sku: (-units[sku], sku))[:5]
    assert [(r[2], r[column(items, "quantity")]) for r in items.rows if r[0] == "By quantity"] == [
        (sku, units[sku]) for sku in most
    ]

    customers = compute(conn, "top_customers", filters, CHICAGO)
    spent: dict[str, list[Sale]] = defaultdict(list)
    for sale in sales:
        if sale.customer_id:
            spent[sale.customer_id].append(sale)
    nets = {cid: figures(group)["net"] for cid, group in spent.items()}
    best = sorted(nets, key=lambda cid: (-nets[cid], cid))[:5]
    assert [(r[1], r[column(customers, "net")]) for r in customers.rows] == [
        (cid, nets[cid]) for cid in best
    ]

    heat = compute(conn, "sales_heatmap", filters, CHICAGO)
    cells: dict[tuple[int, int], list[Sale]] = defaultdict(list)
    for sale in sales:
        assert sale.sale_date is not None
        local = sale.sale_date.astimezone(CHICAGO)
        cells[(local.weekday(), local.hour)].append(sale)
    for weekday in range(7):
        for hour in range(24):
            want = figures(cells.get((weekday, hour), []))["net"]
            assert heat.chart.grid[weekday][hour] == want, (weekday, hour)


async def test_giftcard_liability_matches_every_card_and_transaction(
    client: PosClient, conn: sqlite3.Connection
) -> None:
    filters = ReportFilters(date(2025, 1, 1), date(2025, 6, 30), dormant_months=6, open_auth_days=7)
    result = compute(conn, "giftcard_liability", filters, CHICAGO)
    rows = {(r[0], r[1]): r for r in result.rows}
    cards = await everything(client, client.giftcards)
    trans = await everything(client, client.giftcard_transactions)
    total = sum((c.balance or 0 for c in cards), Decimal(0))
    assert rows[("Outstanding", "All cards")][2:] == (
        sum(1 for c in cards if c.balance),
        cents(total),
    )

    kinds: dict[str, Decimal] = defaultdict(Decimal)
    for card in cards:
        kinds[card.codes[0].code_type.value if card.codes else "(no code)"] += card.balance or 0
    assert {k: r[3] for (s, k), r in rows.items() if s == "By code type"} == {
        k: cents(v) for k, v in kinds.items()
    }

    ref = filters.last_day
    aged: dict[str, Decimal] = defaultdict(Decimal)
    for card in cards:
        if not card.balance:
            continue
        assert card.created_on is not None
        issued = card.created_on.astimezone(CHICAGO).date()
        months = (ref.year - issued.year) * 12 + ref.month - issued.month - (ref.day < issued.day)
        label = (
            "0–3 months"
            if months < 3
            else "3–6 months"
            if months < 6
            else "6–12 months"
            if months < 12
            else "12+ months"
        )
        aged[label] += card.balance
    assert {k: r[3] for (s, k), r in rows.items() if s == "Age since issue"} == {
        k: cents(aged.get(k, Decimal(0)))
        for k in ("0–3 months", "3–6 months", "6–12 months", "12+ months")
    }
    assert sum(aged.values(), Decimal(0)) == total

    start = datetime.combine(filters.first_day, time(0), CHICAGO)
    end = datetime.combine(filters.last_day + timedelta(days=1), time(0), CHICAGO)
    cutoff = datetime.combine(
        date(2024, 12, 31) + timedelta(days=1), time(0), CHICAGO
    )  # 6 months back
    recent = {t.giftcard_id for t in trans if t.created_on and t.created_on >= cutoff}
    dormant = [
        c
        for c in cards
        if c.balance and c.created_on and c.created_on < cutoff and c.id not in recent
    ]
    assert rows[("Dormant", "No transaction for 6 months")][2:] == (
        len(dormant),
        cents(sum((c.balance or 0 for c in dormant), Decimal(0))),
    )
    held = [
        t
        for t in trans
        if t.status == GiftCardTransStatus.AUTHORIZED
        and t.created_on
        and t.created_on < end - timedelta(days=7)
    ]
    assert held
    assert dormant
    open_row = next(r for (s, _), r in rows.items() if s == "Open authorizations")
    assert str(open_row[1]).startswith(f"{len(held)} held")
    assert open_row[3] == cents(sum((abs(t.amount or 0) for t in held), Decimal(0)))

    done = [
        t
        for t in trans
        if t.status == GiftCardTransStatus.COMPLETED
        and t.created_on
        and start <= t.created_on < end
    ]
    for types, label in (
        (("ADD",), "Topped up"),
        (("USE",), "Redeemed"),
        (("ADJUST",), "Adjusted"),
    ):
        mine = [t for t in done if t.trans_type and t.trans_type.value in types]
        assert rows[("Activity in the period", label)][2:] == (
            len(mine),
            cents(sum((t.amount or 0 for t in mine), Decimal(0))),
        ), label
    issued = [c for c in cards if c.created_on and start <= c.created_on < end]
    assert rows[("Activity in the period", ISSUED)][2] == len(issued)
    assert result.notes == ()


async def test_reorder_and_stock_value_match_every_stock_row(
    client: PosClient, conn: sqlite3.Connection
) -> None:
    stock = await synced(client, "item_warehouse")
    reorder = compute(conn, "reorder", MARCH, CHICAGO)
    expected = {}
    for w in stock:
        available = w.quantity_available or Decimal(0)
        point = w.reorder_point
        low = point is not None and point > 0 and available <= point
        if available <= 0 or low:
            suggestion = (
                max((2 * point - available).to_integral_value(rounding=ROUND_CEILING), Decimal(0))
                if point and point > 0
                else None
            )
            status = "Out of stock" if available <= 0 else "Low"
            expected[(w.warehouse_code, w.sku)] = (available, point, suggestion, status)
    got = {
        (r[0], r[1]): (r[3], r[4], r[column(reorder, "suggested")], r[column(reorder, "status")])
        for r in reorder.rows
    }
    assert got == expected
    assert got[(FIXTURES.low_stock_warehouse, FIXTURES.low_stock_sku)][3] == "Low"
    assert got[(FIXTURES.out_of_stock_warehouse, FIXTURES.out_of_stock_sku)][3] == "Out of stock"

    value = compute(conn, "stock_value", MARCH, CHICAGO)
    sums: Counter[str] = Counter()
    worth: dict[str, Decimal] = defaultdict(Decimal)
    for w in stock:
        sums[w.warehouse_code] += 1
        worth[w.warehouse_code] += (w.quantity_on_hand or 0) * (w.base_price or 0)
    assert {r[0]: (r[1], r[3]) for r in value.rows} == {
        code: (sums[code], cents(worth[code])) for code in sums
    }
    assert totals_of(value)["value"] == cents(sum(worth.values(), Decimal(0)))
    west = compute(
        conn,
        "stock_value",
        ReportFilters(MARCH.first_day, MARCH.last_day, warehouse=FIXTURES.warehouse_code),
        CHICAGO,
    )
    assert [r[0] for r in west.rows] == [FIXTURES.warehouse_code]


async def test_run_report_reads_on_the_mirrors_thread(mirror_file: Path) -> None:
    mirror = await Mirror.open(mirror_file)
    try:
        for info in REPORTS:
            result = await run_report(mirror, info.key, MARCH, CHICAGO)
            assert result.key == info.key
            assert result.as_of is not None
            assert result.as_of.tzinfo == UTC
            assert result.rows, info.key
        with pytest.raises(ValueError, match="unknown report"):
            await run_report(mirror, "nope", MARCH, CHICAGO)
    finally:
        await mirror.close()


async def test_documented_server_reports_say_what_they_cannot_show(
    documented_conn: sqlite3.Connection,
) -> None:
    expected_notes = {
        "sales_overview": "no sale totals",
        "sales_by_store": "no store per sale",
        "sales_by_register": "no sale totals",
        "sales_by_tender": "no tenders",
        "sales_heatmap": "no sale totals",
        "top_items": "no sale lines",
        "top_customers": "no sale totals",
        "giftcard_liability": "no gift card transactions",
        "reorder": "no reorder points",
        "stock_value": "no on-hand quantities",
    }
    for info in REPORTS:
        result = compute(documented_conn, info.key, MARCH, CHICAGO)
        assert any(expected_notes[info.key] in note for note in result.notes), (
            info.key,
            result.notes,
        )
    overview = compute(documented_conn, "sales_overview", MARCH, CHICAGO)
    counted = documented_conn.execute(
        "SELECT count(*) FROM sale WHERE local_day BETWEEN '2024-03-01' AND '2024-03-31'"
    ).fetchone()[0]
    assert totals_of(overview)["sales"] == counted > 0  # the count still shows
    assert totals_of(overview)["net"] is None
    liability = compute(documented_conn, "giftcard_liability", MARCH, CHICAGO)
    assert liability.rows[0][3] is not None
    assert Decimal(str(liability.rows[0][3])) > 0
    stores = ReportFilters(MARCH.first_day, MARCH.last_day, stores=frozenset({AUSTIN}))
    assert any(
        "store filter" in n
        for n in compute(documented_conn, "sales_overview", stores, CHICAGO).notes
    )


async def test_sales_reports_read_the_covering_index(conn: sqlite3.Connection) -> None:
    """Migration 2 (posdesk/mirror/schema.py): a period's sales never touch the table, for
    all stores (by day) or chosen ones (by store, then day)."""
    for filters, index in ((MARCH, "sale_report"), (AUSTIN_MARCH, "sale_report_store")):
        where, params = sale_where(filters)
        sql = f"SELECT local_day, location_code, register_code, {_SUMS} FROM {sales_from(filters)}"
        plan = [
            str(r[3])
            for r in conn.execute(
                f"EXPLAIN QUERY PLAN {sql} WHERE {where} GROUP BY 1, 2, 3", params
            )
        ]
        assert len(plan) == 1  # no TEMP B-TREE: grouped in the index's order
        assert plan[0].startswith(f"SEARCH sale USING COVERING INDEX {index} (")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


async def test_reorder_notes_stock_rows_sent_without_an_available_quantity(
    conn: sqlite3.Connection,
) -> None:
    copy = sqlite3.connect(":memory:")
    conn.backup(copy)
    whole = compute(copy, "reorder", MARCH, CHICAGO)
    assert not any("available quantity" in note for note in whole.notes)
    blank = copy.execute(
        "SELECT warehouse_code, sku FROM item_warehouse ORDER BY warehouse_code, sku LIMIT 3"
    ).fetchall()
    copy.executemany(
        "UPDATE item_warehouse SET qty_available_e4 = NULL WHERE warehouse_code = ? AND sku = ?",
        blank,
    )
    noted = compute(copy, "reorder", MARCH, CHICAGO)
    assert "3 stock rows came without an available quantity." in noted.notes
    assert not {(r[0], r[1]) for r in noted.rows} & set(blank)  # unknown stock is not listed
    one = ReportFilters(MARCH.first_day, MARCH.last_day, warehouse=blank[0][0])
    assert "3 stock rows came without an available quantity." in (
        compute(copy, "reorder", one, CHICAGO).notes
    )


async def test_an_empty_period_says_where_the_copied_sales_are(conn: sqlite3.Connection) -> None:
    first, last = conn.execute("SELECT min(local_day), max(local_day) FROM sale").fetchone()
    later = date.fromisoformat(last) + timedelta(days=400)
    empty = ReportFilters(later, later + timedelta(days=30))
    copied = dates_text(ReportFilters(date.fromisoformat(first), date.fromisoformat(last)))
    for key in ("sales_overview", "sales_by_store", "sales_heatmap", "top_customers"):
        result = compute(conn, key, empty, CHICAGO)
        assert f"No sales match these filters; the copied sales run {copied}." in result.notes
    assert not any(
        "No sales match" in n for n in compute(conn, "sales_overview", MARCH, CHICAGO).notes
    )
