"""Run every check CI runs: format, lint, types, layer contracts, tests.

Usage: ``uv run python scripts/check.py [pytest args...]``. Stops at the first failing step.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

STEPS: list[tuple[str, list[str]]] = [
    ("ruff format", ["ruff", "format", "--check", "."]),
    ("ruff lint", ["ruff", "check", "."]),
    ("mypy", ["mypy"]),
    ("import contracts", ["lint-imports"]),
]


def main() -> int:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    steps = [*STEPS, ("pytest", [sys.executable, "-m", "pytest", *sys.argv[1:]])]
    for name, command in steps:
        started = time.monotonic()
        print(f"==> {name}: {' '.join(command)}", flush=True)
        code = subprocess.call(command, env=env)
        print(f"<== {name}: exit {code} in {time.monotonic() - started:.1f}s", flush=True)
        if code != 0:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
