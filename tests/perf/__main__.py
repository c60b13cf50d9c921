"""Run every benchmark, one after the other, each printing its table.

``uv run python -m tests.perf`` (all) or ``uv run python -m tests.perf sandbox client`` (some).
Benchmarks are not part of the test run: timings belong on a quiet machine, not in CI.
The shared ``large`` database is built first if missing (tests/perf/large_seed.py).
"""

from __future__ import annotations

import subprocess
import sys
import time

BENCHMARKS = (
    "sandbox",
    "sandbox_cost",
    "auth",
    "client",
    "shell",
    "sales",
    "inventory",
    "console",
    "mirror",
    "reports",
    "reports_ui",
)


def main(names: list[str]) -> int:
    chosen = names or list(BENCHMARKS)
    unknown = sorted(set(chosen) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
        return 2
    failed = []
    for name in chosen:
        print(f"\n=== bench_{name} ===", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, "-m", f"tests.perf.bench_{name}"])
        print(f"=== bench_{name}: exit {code} in {time.monotonic() - started:.0f} s", flush=True)
        if code:
            failed.append(name)
    if failed:
        print(f"\nbenchmarks that failed or missed a target: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
