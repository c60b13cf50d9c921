"""Benchmark: the reports on a mirror of the ``large`` seed.

Run:  uv run python -m tests.perf.bench_reports [--runs 20]

The mirror file is synced once from the shared large database (tests/perf/large_seed.py; the
sandbox in its own process, like bench_mirror) and cached beside it as ``large-mirror.sqlite3``
(rebuilt when the large database is newer). Then, for every report:

1. A year of all stores (the seed's last full year), cold-ish first call excluded: p95 of
   ``run_report`` awaited from the loop. Target: p95 ≤ 500 ms.
2. Changing the period (a month, shifted month by month) or the store (each store in turn):
   p95 ≤ 200 ms.
3. The floor: the same main aggregate as one plain SQL query on the same file (sqlite3, no
   posdesk), printed beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import keyring

from posdesk.api.client import PosClient
from posdesk.api.credentials import Credentials
from posdesk.api.profile import ConnectionProfile
from posdesk.mirror import Mirror, MirrorSettings, MirrorSync
from posdesk.reports import REPORTS, run_report
from posdesk.reports.model import ReportFilters
from posdesk.store.journal import Journal
from tests.conftest import MemoryKeyring
from tests.perf.bench_client import percentile
from tests.perf.bench_mirror import longest_stall, served
from tests.perf.large_seed import CACHE, large_database

YEAR_P95_MS = 500.0
CHANGE_P95_MS = 200.0
STALL_MS = 50.0
LARGE_MIRROR = CACHE / "large-mirror.sqlite3"
TZ = ZoneInfo("America/Chicago")  # the seed's tenant zone

#: The floor: each report's main aggregate as one plain SQL query (period / store bound as ?).
FLOOR_SQL = {
    "sales_overview": "SELECT local_day, count(*), sum(total_e4 - tax_e4) FROM sale "
    "WHERE local_day BETWEEN ? AND ? {store} GROUP BY local_day",
    "sales_by_store": "SELECT location_code, count(*), sum(total_e4 - tax_e4) FROM sale "
    "WHERE local_day BETWEEN ? AND ? {store} GROUP BY location_code",
    "sales_by_register": "SELECT location_code, register_code, count(*), sum(total_e4 - tax_e4) "
    "FROM sale WHERE local_day BETWEEN ? AND ? {store} GROUP BY 1, 2",
    "sales_by_tender": "SELECT t.tender_type, sum(t.amount_e4) FROM sale s JOIN sale_tender t "
    "ON t.sale_id = s.id WHERE s.local_day BETWEEN ? AND ? {store} GROUP BY 1",
    "sales_heatmap": "SELECT local_weekday, local_minute / 60, sum(total_e4 - tax_e4) FROM sale "
    "WHERE local_day BETWEEN ? AND ? {store} GROUP BY 1, 2",
    "top_items": "SELECT l.sku, sum(l.ext_price_e4) FROM sale s JOIN sale_line l "
    "ON l.sale_id = s.id WHERE s.local_day BETWEEN ? AND ? {store} GROUP BY 1 "
    "ORDER BY 2 DESC LIMIT 20",
    "top_customers": "SELECT customer_id, sum(total_e4 - tax_e4) FROM sale WHERE local_day "
    "BETWEEN ? AND ? {store} AND customer_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 20",
    "giftcard_liability": "SELECT count(*), sum(balance_e4) FROM giftcard WHERE ? <= ? {store}",
    "reorder": "SELECT count(*) FROM item_warehouse WHERE ? <= ? {store} AND "
    "(qty_available_e4 <= 0 OR qty_available_e4 <= reorder_point_e4)",
    "stock_value": "SELECT warehouse_code, sum(qty_on_hand_e4 * base_price_e4) FROM "
    "item_warehouse WHERE ? <= ? {store} GROUP BY 1",
}


async def _sync_into(info: dict[str, str], path: Path) -> None:
    profile = ConnectionProfile("bench-reports", info["base_url"], client_id=info["client_id"])
    credentials = Credentials()
    credentials.set_client_secret(profile.name, info["client_secret"])
    client = await PosClient.connect(
        profile, credentials=credentials, journal=Journal(Path(":memory:"))
    )
    mirror = await Mirror.open(path)
    try:
        progress = await MirrorSync(client, mirror, MirrorSettings()).sync_once()
        errors = {e: p.error for e, p in progress.items() if p.error}
        if errors:
            raise RuntimeError(f"sync errors: {errors}")
        await mirror.write(lambda conn: conn.execute("PRAGMA wal_checkpoint(TRUNCATE)"))
    finally:
        await mirror.close()
        await client.aclose()


def large_mirror() -> Path:
    """The cached mirror of the large seed, synced over HTTP the first time (~5 min)."""
    with large_database() as db:
        if LARGE_MIRROR.exists() and LARGE_MIRROR.stat().st_mtime >= db.stat().st_mtime:
            return LARGE_MIRROR
        keyring.set_keyring(MemoryKeyring())
        with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
            building = Path(tmp) / "mirror.sqlite3"
            db_copy = Path(tmp) / "large.db"  # the sandbox may write to its database
            shutil.copyfile(db, db_copy)
            with served(db_copy) as info:
                started = time.perf_counter()
                asyncio.run(_sync_into(info, building))
                print(f"synced the large mirror in {time.perf_counter() - started:.0f} s")
            shutil.move(building, LARGE_MIRROR)
    return LARGE_MIRROR


def floor_ms(path: Path, key: str, first: date, last: date, store: str | None) -> float:
    """One plain SQL query of the report's main aggregate on the same file (warm)."""
    sql = FLOOR_SQL[key]
    params: list[object] = [first.isoformat(), last.isoformat()]
    clause = ""
    if store and key.startswith(("sales", "top")):
        clause = f"AND {'s.' if ' s ' in sql else ''}location_code = ?"
        params.append(store)
    sql = sql.format(store=clause)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        conn.execute(sql, params).fetchall()
        times = []
        for _ in range(3):
            started = time.perf_counter()
            conn.execute(sql, params).fetchall()
            times.append((time.perf_counter() - started) * 1000)
        return min(times)
    finally:
        conn.close()


async def measure(
    path: Path, runs: int
) -> list[tuple[str, list[float], list[float], float, float, float]]:
    mirror = await Mirror.open(path)  # migrates the cached file (indexes) if it is older
    out = []
    try:
        last = date.fromisoformat(
            await mirror.read(lambda c: c.execute("SELECT max(local_day) FROM sale").fetchone()[0])
        )
        first = last - timedelta(days=364)
        year = ReportFilters(first, last)
        stores = await mirror.read(
            lambda c: [r[0] for r in c.execute("SELECT code FROM location WHERE kind = 'STORE'")]
        )
        months = [
            (first + timedelta(days=30 * n), first + timedelta(days=30 * n + 29)) for n in range(12)
        ]
        for info in REPORTS:
            await run_report(mirror, info.key, year, TZ)  # warm the page cache
            year_ms = []
            for _ in range(runs):
                started = time.perf_counter()
                await run_report(mirror, info.key, year, TZ)
                year_ms.append((time.perf_counter() - started) * 1000)
            change_ms = []
            stall = 0.0
            for n in range(max(runs, 12)):
                a, b = months[n % 12]
                changed = (
                    ReportFilters(a, b)
                    if n % 2 == 0
                    else ReportFilters(first, last, stores=frozenset({stores[n % len(stores)]}))
                )
                started = time.perf_counter()
                _, gap, _ = await longest_stall(run_report(mirror, info.key, changed, TZ))
                change_ms.append((time.perf_counter() - started) * 1000)
                stall = max(stall, gap)
            floor_year = await asyncio.to_thread(floor_ms, path, info.key, first, last, None)
            floor_store = await asyncio.to_thread(floor_ms, path, info.key, first, last, stores[0])
            out.append((info.key, year_ms, change_ms, stall, floor_year, floor_store))
            print(f"{info.key}: year p95 {percentile(year_ms, 0.95):.0f} ms", flush=True)
    finally:
        await mirror.close()
    return out


def table(results: list[tuple[str, list[float], list[float], float, float, float]]) -> str:
    lines = [
        "| report | a year, all stores: median / p95 | plain SQL floor | change period or "
        "store: median / p95 | floor (one store) | longest loop stall | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, year, change, stall, floor_year, floor_store in results:
        ok = (
            percentile(year, 0.95) <= YEAR_P95_MS
            and percentile(change, 0.95) <= CHANGE_P95_MS
            and stall <= STALL_MS
        )
        lines.append(
            f"| {key} | {statistics.median(year):.0f} / {percentile(year, 0.95):.0f} ms | "
            f"{floor_year:.0f} ms | {statistics.median(change):.0f} / "
            f"{percentile(change, 0.95):.0f} ms | {floor_store:.0f} ms | {stall:.0f} ms | "
            f"{'yes' if ok else 'NO'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument(
        "--copy",
        type=Path,
        help="measure on a copy of the cached mirror made here (opening migrates the file: a "
        "branch with a new migration leaves the shared cache alone)",
    )
    args = parser.parse_args(argv)
    path = large_mirror()
    if args.copy:
        shutil.copyfile(path, args.copy)
        path = args.copy
    if args.build_only:
        print(path)
        return 0
    results = asyncio.run(measure(path, args.runs))
    print(
        f"\nReports on a mirror of the large seed ({path}), targets: a year p95 ≤ "
        f"{YEAR_P95_MS:.0f} ms, a change p95 ≤ {CHANGE_P95_MS:.0f} ms, stall ≤ {STALL_MS:.0f} ms\n"
    )
    print(table(results))
    met = all(
        percentile(y, 0.95) <= YEAR_P95_MS
        and percentile(c, 0.95) <= CHANGE_P95_MS
        and s <= STALL_MS
        for _, y, c, s, _, _ in results
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
