"""What auth and fault plumbing cost per request, over real HTTP on 127.0.0.1.

Run: ``uv run python -m tests.perf.bench_auth [-n 300]``. Prints median and p95 of: a client
credentials token request, an authenticated ``viewer`` round trip (token verification + the
GraphQL app), the same with the fault middleware armed but not firing, and token verification
alone (in process, no HTTP).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import httpx

from posdesk.sandbox.server import SandboxServer

VIEWER = {"query": "{ viewer { subject permissions } }"}


def measure(action: Callable[[], object], samples: int) -> tuple[float, float]:
    for _ in range(10):  # warm up: connection, caches
        action()
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=300, help="samples per row")
    samples = parser.parse_args().n
    rows: list[tuple[str, float, float]] = []
    with SandboxServer(seed=None) as server, httpx.Client() as http:
        assert server.info is not None
        assert server.provider is not None
        info, provider = server.info, server.provider

        def token() -> str:
            response = http.post(
                info.issuer + "/token",
                data={"grant_type": "client_credentials"},
                auth=(info.client_id, info.client_secret),
            )
            value: str = response.json()["access_token"]
            return value

        bearer = {"Authorization": f"Bearer {token()}"}

        def viewer() -> None:
            assert http.post(info.graphql_url, json=VIEWER, headers=bearer).status_code == 200

        rows.append(("token (client credentials)", *measure(token, samples)))
        rows.append(("viewer round trip", *measure(viewer, samples)))
        server.faults.drop_rate = 1e-9  # armed: every mutation check runs, none fires
        server.faults.error_rate = 1e-9
        rows.append(("viewer, faults armed", *measure(viewer, samples)))
        server.faults.reset()
        raw = bearer["Authorization"].split()[1]
        rows.append(("verify token (in process)", *measure(lambda: provider.verify(raw), samples)))
    print(f"{'operation':<30} {'median ms':>10} {'p95 ms':>10}   (n={samples}, shared 2-core box)")
    for name, median, p95 in rows:
        print(f"{name:<30} {median:>10.2f} {p95:>10.2f}")


if __name__ == "__main__":
    main()
