"""Crash-safe seeding (issue 14): ``kill -9`` at any moment of seeding a file leaves a database
the sandbox starts on, with ``PRAGMA integrity_check`` ok (it used to leave ``UNIQUE
constraint failed: location.code`` or "database disk image is malformed")."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from posdesk.sandbox.db import Database


def _kill_while_seeding(path: Path, seed: str, after: float) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "posdesk.sandbox", "--port", "0", "--db", str(path), "--seed", seed],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(after)
    process.kill()  # SIGKILL: no cleanup of any kind
    process.wait(10)


def _assert_starts(path: Path, killed: bool = True) -> None:
    if killed and path.exists():  # a complete seed, or nothing at all: never a half-built file
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT value FROM meta WHERE key = 'seed'").fetchone() is not None
        conn.close()
    db = Database(path, seed="demo")  # what the sandbox does on start
    assert db.seed is not None
    assert db.query("PRAGMA integrity_check")[0][0] == "ok"
    assert db.query("PRAGMA journal_mode")[0][0] == "wal"
    assert db.query("PRAGMA synchronous")[0][0] == 2  # FULL
    assert db.query("SELECT count(*) FROM location")[0][0] > 0
    db.close()


def test_a_kill_while_seeding_the_demo_leaves_a_database_that_starts(tmp_path: Path) -> None:
    rng = random.Random(14)
    for attempt in range(2):
        path = tmp_path / f"demo-{attempt}.db"
        _kill_while_seeding(path, "demo", rng.uniform(0.3, 1.5))
        _assert_starts(path)


def test_an_unseeded_or_broken_file_is_rebuilt(tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)  # what a torn write looks like
    _assert_starts(broken, killed=False)
    half = tmp_path / "half.db"
    conn = sqlite3.connect(half)  # a partial seed of an older version: rows, no seeded mark
    conn.execute("CREATE TABLE location(code TEXT UNIQUE)")
    conn.execute("INSERT INTO location VALUES ('AUSTIN')")
    conn.commit()
    conn.close()
    with pytest.raises(sqlite3.DatabaseError):
        Database(half, seed=None)  # without a seed to rebuild from, the error stands
    _assert_starts(half, killed=False)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_kill_at_random_points_of_the_large_seed(tmp_path: Path) -> None:
    rng = random.Random()
    for attempt in range(5):
        path = tmp_path / f"large-{attempt}.db"
        _kill_while_seeding(path, "large", rng.uniform(0.5, 20.0))
        _assert_starts(path)
