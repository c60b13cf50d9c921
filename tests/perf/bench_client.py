"""posdesk.api per-request overhead against raw httpx and gql, same sandbox query, same run.

Run: ``uv run python -m tests.perf.bench_client`` (``-n 400`` samples per client, ``--first``
rows per page). The sandbox runs in a separate process so the clients' CPU work does not fight
the server for the GIL; the three clients take turns request by request (interleaved), so drift
on a shared machine hits all of them alike.

What each contender does per request, for the *same* document and variables:
- raw httpx: ``AsyncClient.post(json=...)`` + ``json.loads`` of the body (the floor);
- gql 3.5: ``session.execute(document, variable_values=...)`` over ``HTTPXAsyncTransport``;
- posdesk.api: ``client.customers(first=...)`` — token check, error mapping, and
  mapping every row to a frozen ``Customer`` with Decimal / aware datetimes.

Target: posdesk.api's median overhead over raw httpx <= 10 % and below gql's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
import keyring
import keyring.backend
from typing_extensions import override

from posdesk.api import client as client_module
from posdesk.api.client import PosClient
from posdesk.api.credentials import Credentials
from posdesk.api.operations import load_all
from posdesk.api.profile import ConnectionProfile
from posdesk.store.journal import Journal

T = TypeVar("T")


class _MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.values: dict[tuple[str, str], str] = {}

    @override
    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    @override
    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    @override
    def delete_password(self, service: str, username: str) -> None:
        self.values.pop((service, username), None)


def serve() -> None:
    """Child process: run a demo sandbox, print its info as one JSON line, stop on stdin EOF."""
    from posdesk.sandbox.server import SandboxServer

    with SandboxServer(seed="demo") as server:
        assert server.info is not None
        info = server.info
        fields = ("base_url", "graphql_url", "client_id", "client_secret")
        print(json.dumps({name: getattr(info, name) for name in fields}), flush=True)
        sys.stdin.read()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(
    samples: int, first: int, info: dict[str, str]
) -> tuple[dict[str, list[float]], dict[str, list[float]], float, dict[str, list[float]]]:
    keyring.set_keyring(_MemoryKeyring())
    Credentials().set_client_secret("bench", info["client_secret"])
    profile = ConnectionProfile("bench", info["base_url"], client_id=info["client_id"], timeout=30)
    journal = Journal(Path(":memory:"))
    client = await PosClient.connect(profile, journal=journal)
    connects = await connect_stalls(profile)
    token = await client._auth.access_token()  # the same token for every contender
    op = load_all()["customers"]
    variables: dict[str, Any] = {"id": None, "memberId": None, "skip": 0, "first": first}
    headers = {"Authorization": f"Bearer {token}"}

    raw_http = httpx.AsyncClient(timeout=30)

    async def raw() -> int:
        response = await raw_http.post(
            info["graphql_url"],
            json={"query": op.document, "variables": variables, "operationName": op.name},
            headers=headers,
        )
        body = json.loads(response.content)
        return len(body["data"]["customer"]["results"])

    from gql import Client, gql
    from gql.transport.httpx import HTTPXAsyncTransport

    transport = HTTPXAsyncTransport(url=info["graphql_url"], headers=headers, timeout=30)
    gql_client = Client(transport=transport, fetch_schema_from_transport=False)
    session = await gql_client.connect_async()  # type: ignore[no-untyped-call]
    document = gql(op.document)

    async def with_gql() -> int:
        result = await session.execute(document, variable_values=variables)
        return len(result["customer"]["results"])

    async def with_posdesk() -> int:
        page = await client.customers(first=first)
        return len(page.items)

    contenders: dict[str, Callable[[], Awaitable[int]]] = {
        "raw httpx + json": raw,
        "gql 3.5 HTTPXAsyncTransport": with_gql,
        "posdesk.api (+ domain mapping)": with_posdesk,
    }
    rows = {name: await call() for name, call in contenders.items()}
    if set(rows.values()) != {first}:
        raise RuntimeError(f"contenders disagree or page not full: {rows}")
    for _ in range(20):  # warm up connections and caches
        for call in contenders.values():
            await call()
    timings: dict[str, list[float]] = {name: [] for name in contenders}
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(samples):
        for name, call in contenders.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            await call()
            cpu[name].append((time.process_time() - started_cpu) * 1000)
            timings[name].append((time.perf_counter() - started) * 1000)
    stall = await loop_stall_during_sync(client)
    await gql_client.close_async()  # type: ignore[no-untyped-call]
    await raw_http.aclose()
    await client.aclose()
    return timings, cpu, stall, connects


async def longest_stall(work: Awaitable[T]) -> tuple[T, float]:
    """``work``'s result and the longest gap (ms) a 1 ms ticker saw while it ran."""
    longest = 0.0
    running = True

    async def ticker() -> None:
        nonlocal longest
        last = time.perf_counter()
        while running:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            longest = max(longest, now - last)
            last = now

    task = asyncio.ensure_future(ticker())
    await asyncio.sleep(0.002)
    try:
        result = await work
    finally:
        running = False
        await task
    return result, longest * 1000


async def loop_stall_during_sync(client: PosClient) -> float:
    """The longest gap a 1 ms ticker sees while big sync pages are fetched and mapped (the UI
    must stay responsive: big bodies are parsed and mapped on a worker thread)."""

    async def sync_all() -> int:
        rows = 0
        async for page, _ in client.sync("sale", first=1000):
            rows += len(page.items)
        return rows

    rows, stall = await longest_stall(sync_all())
    if rows == 0:
        raise RuntimeError("no sales synced")
    return stall


async def connect_stalls(profile: ConnectionProfile, rounds: int = 5) -> dict[str, list[float]]:
    """Longest event-loop stall during ``PosClient.connect`` (ms): with the schema check done
    afresh, and with its result cached for a schema seen before (the reconnect case)."""
    stalls: dict[str, list[float]] = {"schema checked": [], "schema seen before": []}
    for _ in range(rounds):
        for label in stalls:
            if label == "schema checked":
                client_module._SCHEMA_CACHE.clear()
            client, stall = await longest_stall(
                PosClient.connect(profile, journal=Journal(Path(":memory:")))
            )
            await client.aclose()
            stalls[label].append(stall)
    return stalls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--samples", type=int, default=300)
    parser.add_argument("--first", type=int, default=50)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve()
        return 0
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.perf.bench_client", "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        info: dict[str, Any] = json.loads(child.stdout.readline())
        timings, cpu, stall, connects = asyncio.run(run(args.samples, args.first, info))
    finally:
        if child.stdin is not None:
            child.stdin.close()
        child.wait(10)
    raw = "raw httpx + json"
    raw_median = statistics.median(timings[raw])
    raw_cpu = statistics.median(cpu[raw])
    print(
        f"\nposdesk.api vs raw httpx vs gql — customer page, {args.first} rows, "
        f"{args.samples} interleaved requests each (sandbox in a separate process)\n"
    )
    print(
        f"{'client':31} {'median ms':>9} {'p95 ms':>7} {'overhead':>9} "
        f"{'paired':>7} {'client CPU ms':>13} {'CPU overhead':>12}"
    )
    results: dict[str, float] = {}
    for name, values in timings.items():
        median = statistics.median(values)
        # paired: the median of per-round ratios, robust to load drifting during the run
        paired = statistics.median(v / r for v, r in zip(values, timings[raw], strict=True)) - 1
        results[name] = median / raw_median - 1
        cpu_median = statistics.median(cpu[name])
        print(
            f"{name:31} {median:9.2f} {percentile(values, 0.95):7.2f} "
            f"{results[name] * 100:8.1f}% {paired * 100:6.1f}% {cpu_median:13.2f} "
            f"{(cpu_median / raw_cpu - 1) * 100:11.1f}%"
        )
    ours = results["posdesk.api (+ domain mapping)"]
    theirs = results["gql 3.5 HTTPXAsyncTransport"]
    print(f"\nlongest event-loop stall while syncing every sale in 1000-row pages: {stall:.1f} ms")
    print("longest event-loop stall during PosClient.connect (5 connects each):")
    for label, values in connects.items():
        print(f"  {label:20} median {statistics.median(values):6.1f} ms, max {max(values):6.1f} ms")
    ok = ours <= 0.10 and ours < theirs
    print(f"\ntarget: posdesk.api overhead <= 10 % and below gql's: {'MET' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
