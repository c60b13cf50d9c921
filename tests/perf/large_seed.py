"""The ``large`` sandbox database every benchmark shares: built once, under a lock, then reused.

Where: ``$POSDESK_BENCH_CACHE/large.db``, by default in the user cache directory
(e.g. ``~/.cache/posdesk/bench`` on Linux). Seeding takes about a minute on 2 cores.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import platformdirs

CACHE = Path(
    os.environ.get("POSDESK_BENCH_CACHE") or Path(platformdirs.user_cache_dir("posdesk")) / "bench"
)
LARGE_DB = CACHE / "large.db"
LARGE_LOCK = CACHE / "large.lock"


@contextmanager
def large_database() -> Iterator[Path]:
    """Yield the path of the seeded ``large`` database, building it first if it is missing."""
    from posdesk.sandbox.db import Database

    CACHE.mkdir(parents=True, exist_ok=True)
    with LARGE_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        started = time.perf_counter()
        db = Database(LARGE_DB, seed="large")
        seeded = db.seed
        db.close()
        fcntl.flock(lock, fcntl.LOCK_UN)
    took = time.perf_counter() - started
    if took > 5:
        print(f"built the large seed at {LARGE_DB} in {took:.0f} s", file=sys.stderr)
    assert seeded == "large", f"{LARGE_DB} holds the {seeded!r} seed, not 'large'"
    yield LARGE_DB
