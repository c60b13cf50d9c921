"""A costly request must not hold up anyone else (issue 14).

``uv run python -m tests.perf.bench_sandbox_cost``: the sandbox (``large`` seed, its own
process) answers requests that cost as much as the limits allow (``graphql_api/cost.py``:
~50,000 requested rows of sales with their lines and tenders, and customers), two at a time
without pause, while this process sends the normal look-ups of ``bench_sandbox`` one after the
other. Target: look-ups answer within 200 ms (p95; the maximum and the share within 200 ms
are printed too); before GraphQL ran on worker threads, one 5,000-alias request held every
other request for 28.7 s.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import threading
import time

import httpx
from graphql import parse

from posdesk.sandbox.db import Database
from posdesk.sandbox.graphql_api import build_schema
from posdesk.sandbox.graphql_api.cost import LIMITS, measure
from tests.perf.bench_sandbox import LOOKUP_TARGET_MS, _serve, cases, percentile
from tests.perf.large_seed import LARGE_DB, large_database

TARGET_MS = 200.0
SALE = (
    "results { id registerCode tranNo customerId saleDate locationCode total "
    "lines { lineNumber sku quantity unitPrice extPrice } "
    "tenders { tenderType amount reference } }"
)
MAX_COST = (
    "{ "
    + " ".join(f"s{i}: sale(first: 1000, skip: {i * 1000}) {{ {SALE} }}" for i in range(4))
    + " "
    + " ".join(
        f"c{i}: customer(first: 1000, skip: {i * 1000}) {{ results {{ id fullName email }} }}"
        for i in range(6)
    )
    + " }"
)


def run(seconds: float) -> int:
    cost = measure(build_schema(Database(":memory:", seed=None)), parse(MAX_COST))
    assert cost.rows >= 0.9 * LIMITS.max_rows, cost  # as costly as the limits allow
    with large_database():
        pass
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_serve, args=(str(LARGE_DB), child), daemon=True)
    process.start()
    url, tokens = parent.recv()
    headers = {"Authorization": f"Bearer {tokens[None]}"}
    db = Database(LARGE_DB, "large")
    lookups = [c for c in cases(db) if c[3] == LOOKUP_TARGET_MS and c[4] is None]
    db.close()
    stop = threading.Event()
    heavy: list[float] = []
    heavy_bytes: list[int] = []

    def costly() -> None:
        with httpx.Client(timeout=120) as http:
            while not stop.is_set():
                started = time.perf_counter()
                response = http.post(url, json={"query": MAX_COST}, headers=headers)
                assert not response.json().get("errors"), response.text[:300]
                heavy.append(time.perf_counter() - started)
                heavy_bytes.append(len(response.content))

    workers = [threading.Thread(target=costly, daemon=True) for _ in range(2)]
    for worker in workers:
        worker.start()
    rng = random.Random(14)
    times: list[float] = []
    try:
        with httpx.Client(timeout=30) as http:
            time.sleep(0.5)  # both costly requests are under way from now on
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                name, query, make_vars, _target, _location = rng.choice(lookups)
                started = time.perf_counter()
                response = http.post(
                    url, json={"query": query, "variables": make_vars(rng)}, headers=headers
                )
                times.append((time.perf_counter() - started) * 1000)
                assert not response.json().get("errors"), (name, response.text[:300])
                time.sleep(0.01)
    finally:
        stop.set()
        for worker in workers:
            worker.join(120)
        parent.send("stop")
        process.join(15)
    p95, worst = percentile(times, 0.95), max(times)
    within = sum(t <= TARGET_MS for t in times) / len(times)
    # the target is p95; the maximum is printed too (on a shared machine the OS may not run
    # the server process at all for a moment, whatever the server does)
    ok = p95 <= TARGET_MS
    print("posdesk sandbox: look-ups while maximum-cost requests run (large seed, real HTTP)")
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores shared)")
    print(f"maximum-cost request: {cost.rows} rows requested, {cost.fields} fields")
    print(
        f"  {len(heavy)} answered, median {statistics.median(heavy):.2f} s, "
        f"{statistics.median(heavy_bytes) / 1e6:.1f} MB each, 2 in flight at all times"
    )
    print(
        f"look-ups: {len(times)}, median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
        f"max {worst:.1f} ms; {within:.1%} within {TARGET_MS:.0f} ms (target: p95 ≤ "
        f"{TARGET_MS:.0f} ms)  {'OK' if ok else 'SLOW'}"
    )
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0)
    return run(parser.parse_args().seconds)


if __name__ == "__main__":
    sys.exit(main())
