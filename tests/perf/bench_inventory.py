"""Benchmark: barcode scan to item detail on screen, against the local sandbox (``large`` seed).

Run:  uv run python -m tests.perf.bench_inventory [--scans 200]
  or: uv run pytest tests/perf/bench_inventory.py -s

What is timed, per scan: from the first key of the scanner's burst (delivered as key events
with scanner-like timestamps) until the detail view has been filled and
the whole tab window painted synchronously (``repaint()``, i.e. really on screen). The HTTP
round trips (request written → response body read, measured inside the httpx transport) are
the *server* part; everything else (key handling, scan detection, building requests, JSON
parsing, domain mapping, filling the widgets, layout and painting) is the *client* part.
Targets: total ≤ 100 ms p95, client ≤ 20 ms p95. The catalogue page of the item is loaded
after the item is on screen and is not part of the timing (it is awaited between scans).
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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import httpx
import keyring
import qasync
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication
from typing_extensions import override

from posdesk.api.client import PosClient
from posdesk.api.credentials import Credentials
from posdesk.api.profile import ConnectionProfile
from posdesk.domain import Item
from posdesk.models.tasks import TaskOwner
from posdesk.sandbox.security import DEMO_CLIENTS
from posdesk.ui.inventory.tab import InventoryTab
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.shell.errors import ErrorReporter
from tests.conftest import MemoryKeyring
from tests.helpers.scanner import scan
from tests.perf.large_seed import large_database

CLIENT_ID = "demo-manager"
TOTAL_P95_MS = 100.0
CLIENT_P95_MS = 20.0


@contextmanager
def sandbox_process(db: Path) -> Iterator[str]:
    """The sandbox in its own process (as a real server would be): no GIL shared with the UI
    thread being measured. Yields the base URL."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "posdesk.sandbox",
            "--db",
            str(db),
            "--seed",
            "large",
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready = json.loads(process.stdout.readline())
        yield str(ready["issuer"])
    finally:
        process.terminate()
        process.wait(timeout=30)


class TimingTransport(httpx.AsyncBaseTransport):
    """Wraps the client's transport and adds up the time spent waiting on the server."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.server_s = 0.0
        self.requests = 0

    @override
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        self.server_s += time.perf_counter() - started
        self.requests += 1
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=body,
            extensions=response.extensions,
            request=request,
        )

    @override
    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Sample:
    code: str
    kind: str
    total_ms: float
    server_ms: float
    requests: int
    detect_ms: float = 0.0
    render_ms: float = 0.0
    paint_ms: float = 0.0
    lookup_ms: float = 0.0
    paint_cpu_ms: float = 0.0
    client_cpu_ms: float = 0.0

    @property
    def client_ms(self) -> float:
        return self.total_ms - self.server_ms

    @property
    def other_ms(self) -> float:
        return self.client_ms - self.detect_ms - self.render_ms - self.paint_ms


@dataclass
class Result:
    samples: list[Sample] = field(default_factory=list)

    def column(self, name: str, kind: str | None = None) -> list[float]:
        rows = [s for s in self.samples if kind is None or s.kind == kind]
        return [float(getattr(s, name)) for s in rows]


def p95(values: list[float]) -> float:
    return (
        statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]
    )


def table(result: Result) -> str:
    lines = [
        f"{'metric':<28}{'n':>6}{'median ms':>12}{'p95 ms':>10}{'max ms':>10}{'target':>10}",
        "-" * 76,
    ]
    for label, name, kind, target in (
        ("scan → detail, total", "total_ms", None, TOTAL_P95_MS),
        ("  client side", "client_ms", None, CLIENT_P95_MS),
        ("  client side, CPU time", "client_cpu_ms", None, CLIENT_P95_MS),
        ("  server (HTTP round trips)", "server_ms", None, None),
        ("SKU scans, total", "total_ms", "sku", None),
        ("barcode scans, total", "total_ms", "barcode", None),
        ("barcode scans, client side", "client_ms", "barcode", None),
        ("  scan detection", "detect_ms", None, None),
        ("  filling the detail", "render_ms", None, None),
        ("  layout + painting", "paint_ms", None, None),
        ("  layout + painting, CPU", "paint_cpu_ms", None, None),
        ("  look-up call (incl. server)", "lookup_ms", None, None),
        ("  HTTP client, loop, parsing", "other_ms", None, None),
        ("requests per scan", "requests", None, None),
    ):
        values = result.column(name, kind)
        if not values:
            continue
        mark = (
            ""
            if target is None
            else (f"≤{target:.0f} " + ("ok" if p95(values) <= target else "FAIL"))
        )
        lines.append(
            f"{label:<28}{len(values):>6}{statistics.median(values):>12.1f}"
            f"{p95(values):>10.1f}{max(values):>10.1f}{mark:>10}"
        )
    return "\n".join(lines)


async def pick_codes(client: PosClient, count: int, rng: random.Random) -> list[tuple[str, str]]:
    """Random items from the whole catalogue: half scanned by barcode, half by SKU label."""
    first_page = await client.items(first=1)
    del first_page
    codes: list[tuple[str, str]] = []
    while len(codes) < count:
        page = await client.items(skip=rng.randrange(0, 45_000), first=20)
        for item in page.items:
            if item.barcodes and rng.random() < 0.5:
                codes.append((item.barcodes[0], "barcode"))
            else:
                codes.append((item.sku, "sku"))
    return codes[:count]


async def run_benchmark(base_url: str, scans: int, warmup: int) -> Result:
    profile = ConnectionProfile("bench", base_url, client_id=CLIENT_ID)
    credentials = Credentials()
    credentials.set_client_secret(profile.name, DEMO_CLIENTS[CLIENT_ID].secret)
    client = await PosClient.connect(profile, credentials=credentials)
    timing = TimingTransport(client._http._transport)
    client._http._transport = timing
    tasks = TaskOwner()
    tab: InventoryTab | None = None
    try:
        context = SessionContext(
            client=client,
            viewer=await client.viewer(),
            environment=await client.environment(),
            profile_name=profile.name,
            tasks=tasks,
            reporter=ErrorReporter(show_dialogs=False),
        )
        tab = InventoryTab(context)
        tab.resize(1440, 860)
        tab.show()
        for _ in range(500):  # the warehouse names arrive first
            if tab.warehouse.count() > 1:
                break
            await asyncio.sleep(0.01)
        rng = random.Random(6)
        codes = await pick_codes(client, scans + warmup, rng)
        shown: asyncio.Future[Item] | None = None

        painted: dict[str, float] = {}

        def on_shown(item: object) -> None:
            """Right when the detail is filled: lay out and paint it, synchronously."""
            if shown is not None and not shown.done() and isinstance(item, Item):
                painted["start"] = time.perf_counter()
                cpu = time.thread_time()
                QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
                tab.repaint()  # the detail is on screen when this returns
                painted["end"] = time.perf_counter()
                painted["cpu"] = time.thread_time() - cpu
                painted["cpu_end"] = time.thread_time()
                shown.set_result(item)

        tab.itemShown.connect(on_shown)
        result = Result()
        loop = asyncio.get_running_loop()
        for n, (code, kind) in enumerate(codes):
            tab.warehouse.setFocus()  # the focus is anywhere but the look-up field
            shown = loop.create_future()
            before_s, before_n = timing.server_s, timing.requests
            started = time.perf_counter()  # the burst takes the scanner itself a few ms too
            cpu_started = time.thread_time()
            scan(tab.warehouse, code)
            item = await asyncio.wait_for(shown, 10)
            painting, ended = painted["start"], painted["end"]
            total = ended - started
            marks = tab.last_timing
            assert code == item.sku or code in item.barcodes, (code, item.sku)
            if n >= warmup:
                result.samples.append(
                    Sample(
                        code,
                        kind,
                        total * 1000,
                        (timing.server_s - before_s) * 1000,
                        timing.requests - before_n,
                        (marks["request"] - started) * 1000,
                        (marks["shown"] - marks["response"]) * 1000,
                        (ended - painting) * 1000,
                        (marks["response"] - marks["request"]) * 1000,
                        painted["cpu"] * 1000,
                        (painted["cpu_end"] - cpu_started) * 1000,
                    )
                )
            product = tab._product_task
            if product is not None:
                await asyncio.wait([product], timeout=5)  # the catalogue page, untimed
        return result
    finally:
        if tab is not None:
            await tab.results_model.aclose()
            await tab.runner.aclose()
            tab.close()
        await tasks.aclose()
        await client.aclose()


def main(argv: list[str] | None = None) -> Result:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args(argv)
    keyring.set_keyring(MemoryKeyring())
    app = QApplication.instance() or QApplication([])
    load_before = os.getloadavg()[0]
    with large_database() as path, sandbox_process(path) as base_url:
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            result: Result = loop.run_until_complete(
                run_benchmark(base_url, args.scans, args.warmup)
            )
    print()
    print(f"Inventory: scan → item detail on screen ({len(result.samples)} scans, large seed,")
    cores = os.cpu_count() or 0
    load = f"load average {load_before:.1f} → {os.getloadavg()[0]:.1f} on {cores} cores"
    print(f"local sandbox process over HTTP on 127.0.0.1; {load})")
    print("Wall times include waiting for a CPU when the machine is busy; the CPU-time rows")
    print("count only this process's UI thread, which the load does not inflate.")
    print(table(result))
    return result


def test_scan_to_detail_meets_targets() -> None:
    """Total ≤ 100 ms p95 (wall) and client side ≤ 20 ms p95. The client-side wall time is
    only asserted when the machine is not oversubscribed: on a shared machine it measures the
    other processes; its CPU time is asserted always."""
    result = main(["--scans", "200"])
    assert p95(result.column("total_ms")) <= TOTAL_P95_MS
    assert p95(result.column("client_cpu_ms")) <= CLIENT_P95_MS
    if os.getloadavg()[0] < (os.cpu_count() or 1):
        assert p95(result.column("client_ms")) <= CLIENT_P95_MS


if __name__ == "__main__":
    main()
