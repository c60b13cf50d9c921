"""Benchmark: the Sales tab on the ``large`` seed (1M sales): first page on screen, scrolling.

Run:  uv run python -m tests.perf.bench_sales [--repeat 10] [--rows 10000]
  or: uv run pytest tests/perf/bench_sales.py -s

1. First page: for each kind of filter (a day, a store's week, a month, a year, all dates, a
   customer, a register's day, a transaction number, and a month through the documented-server
   fallback), from ``SalesTab.search()`` (the search is sent) until the first page's rows are
   in the table and the tab has been laid out and painted synchronously (``repaint()``).
   Target: ≤ 300 ms p95 for every filter kind. The HTTP round trips are reported separately.
2. Scrolling: a filter with ≥ 10k sales, the table scrolled a page at a time every 16 ms (a
   held Page Down), pages fetched as the view reaches the end, until 10k rows are loaded and
   shown. A 2 ms heartbeat timer measures how long the event loop was ever blocked.
   Target: no stall > 50 ms.

The sandbox runs in a child process so its CPU work does not hold this process's GIL; numbers
come from a shared 2-core machine where other work may run at the same time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring
import qasync
from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtWidgets import QApplication

from posdesk.api.client import PosClient
from posdesk.api.compat import FeatureReport
from posdesk.api.credentials import Credentials
from posdesk.api.profile import ConnectionProfile
from posdesk.domain import SaleFilter
from posdesk.models import heap
from posdesk.models.date_range import DateRange
from posdesk.models.sales_query import SalesQuery
from posdesk.models.tasks import TaskOwner
from posdesk.ui.common.tables import TZ_EXTRA
from posdesk.ui.sales.tab import SalesTab
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.shell.errors import ErrorReporter
from tests.conftest import MemoryKeyring
from tests.perf.bench_inventory import TimingTransport, p95
from tests.perf.large_seed import large_database

FIRST_PAGE_P95_MS = 300.0
STALL_MAX_MS = 50.0
HEARTBEAT_MS = 2
#: A month through the documented fromDate/toDate fallback (a server without sale_search):
#: reported for information; the target applies to the sandbox's own filters.
FALLBACK = "month, documented fallback"
ZONE = ZoneInfo("America/Chicago")
LAST_DAY = date(2025, 12, 31)  # the large seed's sales end on 2026-01-01 UTC
FIRST_DAY = date(2024, 1, 3)


def serve(db_path: str) -> None:
    """Child process: the sandbox on the large seed; prints its info, stops on stdin EOF."""
    from posdesk.sandbox.server import SandboxServer

    with SandboxServer(db_path=db_path, seed="large", port=0) as server:
        assert server.info is not None
        info = server.info
        fields = ("base_url", "client_id", "client_secret")
        print(json.dumps({name: getattr(info, name) for name in fields}), flush=True)
        sys.stdin.read()


@dataclass
class Timing:
    kind: str
    total_ms: float
    server_ms: float
    rows: int


@dataclass
class Scroll:
    rows: int = 0
    seconds: float = 0.0
    pages: int = 0
    stalls_ms: list[float] = field(default_factory=list)
    """Wall-clock gap between heartbeats, minus the interval."""
    busy_ms: list[float] = field(default_factory=list)
    """UI-thread CPU time within each gap: the part of a stall this process caused (the rest
    is the OS running other processes, on a shared machine)."""


def random_day(rng: random.Random) -> date:
    return FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days))


async def sample_queries(client: PosClient, rng: random.Random) -> dict[str, SalesQuery]:
    """One query per filter kind, with random parameters drawn from the data."""
    day = random_day(rng)
    one_day = DateRange(day, day)
    start, end = one_day.instants(ZONE)
    page = await client.sales(SaleFilter(from_time=start, to_time=end), first=200)
    sale = rng.choice(list(page.items))
    customer = next(
        (s.customer_id for s in rng.sample(list(page.items), len(page.items)) if s.customer_id),
        None,
    )
    month_start = day.replace(day=1)
    next_month = (month_start + timedelta(days=31)).replace(day=1)
    month = DateRange(month_start, min(next_month - timedelta(days=1), LAST_DAY))
    week = DateRange(day - timedelta(days=6), day)
    year = DateRange(date(day.year, 1, 1), min(date(day.year, 12, 31), LAST_DAY))
    return {
        "one day, all stores": SalesQuery(dates=one_day),
        "store, 7 days": SalesQuery(dates=week, location_code=sale.location_code),
        "one month": SalesQuery(dates=month),
        "one year": SalesQuery(dates=year),
        "all dates": SalesQuery(),
        "customer, all dates": SalesQuery(customer_id=customer),
        "store + register, 1 day": SalesQuery(
            dates=one_day, location_code=sale.location_code, register_code=sale.register_code
        ),
        "transaction no, all dates": SalesQuery(tran_no=sale.tran_no),
        FALLBACK: SalesQuery(dates=month),
    }


def apply(tab: SalesTab, query: SalesQuery) -> None:
    filters = tab.filters
    filters.set_range(query.dates)
    filters.customer.setText(query.customer_id or "")
    filters.tran_no.setText(query.tran_no or "")
    filters.set_location(query.location_code)
    filters.set_register(query.register_code)


async def first_page(tab: SalesTab, timing: TimingTransport) -> tuple[float, float, int]:
    """search() → first rows inserted, laid out and painted; (total ms, server ms, rows)."""
    loop = asyncio.get_running_loop()
    shown: asyncio.Future[float] = loop.create_future()

    def painted(*_: object) -> None:
        if not shown.done():
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
            tab.repaint()
            shown.set_result(time.perf_counter())

    def finished(loading: bool) -> None:  # an empty result is on screen too
        if not loading and tab.model.rowCount() == 0:
            painted()

    tab.model.rowsInserted.connect(painted)
    tab.model.loadingChanged.connect(finished)
    try:
        before = timing.server_s
        started = time.perf_counter()
        tab.search()
        ended = await asyncio.wait_for(shown, 30)
    finally:
        tab.model.rowsInserted.disconnect(painted)
        tab.model.loadingChanged.disconnect(finished)
    assert tab.model.error is None, tab.model.error_text
    return (ended - started) * 1000, (timing.server_s - before) * 1000, tab.model.rowCount()


async def scroll_through(tab: SalesTab, rows: int) -> Scroll:
    """Page Down every 16 ms until ``rows`` rows are loaded and the last one is shown."""
    result = Scroll()
    table = tab.view.table
    bar = table.verticalScrollBar()
    last = [time.perf_counter(), time.thread_time()]

    def beat() -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        result.stalls_ms.append((now - last[0]) * 1000 - HEARTBEAT_MS)
        result.busy_ms.append((cpu - last[1]) * 1000)
        last[0], last[1] = now, cpu

    def page_down() -> None:
        bar.setValue(bar.value() + bar.pageStep())

    heart = QTimer()
    heart.setInterval(HEARTBEAT_MS)
    heart.timeout.connect(beat)
    scroller = QTimer()
    scroller.setInterval(16)
    scroller.timeout.connect(page_down)
    pages = [0]
    tab.model.pageLoaded.connect(lambda _n: pages.__setitem__(0, pages[0] + 1))
    started = time.perf_counter()
    last[0], last[1] = started, time.thread_time()
    heart.start()
    scroller.start()
    try:
        while tab.model.rowCount() < rows or bar.value() < bar.maximum():
            if time.perf_counter() - started > 300:
                raise TimeoutError("scrolling did not reach the end")
            assert tab.model.error is None, tab.model.error_text
            if not tab.model.has_more and tab.model.rowCount() < rows:
                raise AssertionError(f"the filter has only {tab.model.rowCount()} sales")
            await asyncio.sleep(0.05)
    finally:
        heart.stop()
        scroller.stop()
    result.seconds = time.perf_counter() - started
    result.rows = tab.model.rowCount()
    result.pages = pages[0]
    return result


async def run_benchmark(
    info: dict[str, str], repeat: int, rows: int
) -> tuple[list[Timing], Scroll]:
    profile = ConnectionProfile("bench-sales", info["base_url"], client_id=info["client_id"])
    credentials = Credentials()
    credentials.set_client_secret(profile.name, info["client_secret"])
    client = await PosClient.connect(profile, credentials=credentials)
    timing = TimingTransport(client._http._transport)
    client._http._transport = timing
    full_features = client.features
    documented = FeatureReport(
        full_features.available - {"sale_search"},
        {"sale_search": "benchmark: documented server"},
        full_features.reduced,
    )
    tasks = TaskOwner()
    context = SessionContext(
        client=client,
        viewer=await client.viewer(),
        environment=await client.environment(),
        profile_name=profile.name,
        tasks=tasks,
        reporter=ErrorReporter(show_dialogs=False),
        extras={TZ_EXTRA: ZONE},
    )
    tabs: list[SalesTab] = []

    def make_tab() -> SalesTab:
        tab = SalesTab(context)
        tab.resize(1440, 860)
        tab.show()
        tabs.append(tab)
        return tab

    try:
        tab = make_tab()
        for _ in range(500):  # the location list arrives first
            if tab.filters.location.count() > 1:
                break
            await asyncio.sleep(0.01)
        fallback_tab: SalesTab | None = None
        rng = random.Random(20240301)
        timings: list[Timing] = []
        for n in range(repeat + 2):  # two warm-up rounds
            for kind, query in (await sample_queries(client, rng)).items():
                target = tab
                if kind == FALLBACK:
                    client.features = documented
                    fallback_tab = fallback_tab or make_tab()
                    target = fallback_tab
                try:
                    apply(target, query)
                    total, server, shown = await first_page(target, timing)
                finally:
                    client.features = full_features
                if n >= 2:
                    timings.append(Timing(kind, total, server, shown))
        apply(tab, replace(SalesQuery(), dates=DateRange(date(2025, 1, 1), LAST_DAY)))
        await first_page(tab, timing)
        tab.view.table.setFocus()
        scroll = await scroll_through(tab, rows)
        return timings, scroll
    finally:
        for tab in tabs:
            tab.close()
            await tab.model.aclose()
        await tasks.aclose()
        await client.aclose()


def first_page_table(timings: list[Timing]) -> str:
    lines = [
        f"{'filter (first page on screen)':<30}{'n':>4}{'median ms':>11}{'p95 ms':>9}"
        f"{'max ms':>9}{'server med':>12}{'rows':>7}{'target':>11}",
        "-" * 93,
    ]
    kinds: dict[str, list[Timing]] = {}
    for t in timings:
        kinds.setdefault(t.kind, []).append(t)
    targeted = [t for t in timings if t.kind != FALLBACK]
    for kind, rows in [*kinds.items(), ("all filters (sale_search)", targeted)]:
        totals = [t.total_ms for t in rows]
        server = [t.server_ms for t in rows]
        ok = p95(totals) <= FIRST_PAGE_P95_MS
        mark = f"≤{FIRST_PAGE_P95_MS:.0f} " + ("ok" if ok else "FAIL")
        if kind == FALLBACK:
            mark = "(info)"
        lines.append(
            f"{kind:<30}{len(rows):>4}{statistics.median(totals):>11.1f}{p95(totals):>9.1f}"
            f"{max(totals):>9.1f}{statistics.median(server):>12.1f}"
            f"{statistics.median(t.rows for t in rows):>7.0f}{mark:>11}"
        )
    return "\n".join(lines)


def scroll_table(scroll: Scroll) -> str:
    lines = [
        f"{'scrolling (Page Down / 16 ms)':<34}{'beats':>7}{'p50':>7}{'p99':>8}{'max':>8}"
        f"{'>16 ms':>8}{'>50 ms':>8}{'target':>11}",
        "-" * 91,
    ]
    for label, values, target in (
        ("event-loop stall, wall clock", scroll.stalls_ms, STALL_MAX_MS),
        ("  UI-thread CPU within a gap", scroll.busy_ms, STALL_MAX_MS),
    ):
        worst = max(values)
        mark = f"≤{target:.0f} " + ("ok" if worst <= target else "FAIL")
        lines.append(
            f"{label:<34}{len(values):>7}{statistics.median(values):>7.1f}"
            f"{statistics.quantiles(values, n=100)[-1]:>8.1f}{worst:>8.1f}"
            f"{sum(1 for v in values if v > 16):>8}{sum(1 for v in values if v > 50):>8}"
            f"{mark:>11}"
        )
    lines.append(
        f"{scroll.rows:,} rows in {scroll.pages} pages, {scroll.seconds:.1f} s "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> tuple[list[Timing], Scroll]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve)
        sys.exit(0)
    keyring.set_keyring(MemoryKeyring())
    app = QApplication.instance() or QApplication([])
    with large_database() as path:
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.perf.bench_sales", "--serve", str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
    try:
        assert child.stdout is not None
        info = json.loads(child.stdout.readline())
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with heap.app_policy(), loop:  # the app's GC policy (posdesk.app.run)
            timings, scroll = loop.run_until_complete(run_benchmark(info, args.repeat, args.rows))
    finally:
        if child.stdin is not None:
            child.stdin.close()
        child.wait(30)
        if child.stdout is not None:
            child.stdout.close()
    print()
    print("Sales tab on the large seed (1M sales; sandbox in its own process, HTTP on 127.0.0.1;")
    print("shared 2-core machine). Times from SalesTab.search() to the first page painted.")
    print(first_page_table(timings))
    print()
    print(scroll_table(scroll))
    return timings, scroll


def test_sales_tab_meets_targets() -> None:
    timings, scroll = main(["--repeat", "10"])
    for kind in {t.kind for t in timings} - {FALLBACK}:
        assert p95([t.total_ms for t in timings if t.kind == kind]) <= FIRST_PAGE_P95_MS, kind
    assert scroll.rows >= 10_000
    # The process's own blocking work; wall-clock stalls on a loaded shared machine also
    # include time the OS gave to other processes (both are printed).
    assert max(scroll.busy_ms) <= STALL_MAX_MS


if __name__ == "__main__":
    main()
