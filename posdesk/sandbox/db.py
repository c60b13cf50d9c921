"""SQLite storage of the sandbox: schema migrations, one shared connection, seeding on open.

One connection guarded by a re-entrant lock: the GraphQL resolvers run on uvicorn's thread while
tests (and the CLI) may call helper methods from another one. SQLite serialises writers anyway,
and every query here is an indexed look-up of a few hundred rows at most, so a single connection
is both simpler and faster than a pool. File databases use WAL so a reader in another process
(e.g. ``sqlite3`` on the command line) never blocks the server, with ``synchronous=FULL``: a
committed write survives a crash or a power cut.

Seeding a file is crash-safe: the seed is built in ``<file>.seeding`` (fast, unsafe settings:
it is thrown away if anything goes wrong), then renamed over ``<file>`` once complete. A kill
at any moment leaves either no file or a complete one; a file without the seeded mark (an
interrupted seed from an older version) is rebuilt the same way.

Money is stored as integer cents, quantities as integer units, instants as integer epoch
seconds (UTC) and modification dates as integer epoch microseconds (the since/until cursors are
built from those plus the row id as tie-breaker).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from posdesk.sandbox.seed import REFERENCE_DATE, populate
from posdesk.sandbox.tables import INDEXES, MIGRATIONS, TABLES

__all__ = ["INDEXES", "MIGRATIONS", "TABLES", "Database", "now_micros"]


def now_micros() -> int:
    return time.time_ns() // 1000


_SIDECARS = ("-wal", "-shm", "-journal")


def _remove_with_sidecars(path: Path) -> None:
    for suffix in ("", *_SIDECARS):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _build_seeded_file(
    path: Path, seed: str, now: Callable[[], datetime] | None, reference: datetime
) -> None:
    """Seed into ``<path>.seeding`` and rename it over ``path`` when complete (see the module
    docstring): ``path`` is never a half-seeded database."""
    building = path.with_name(path.name + ".seeding")
    _remove_with_sidecars(building)  # what a killed earlier attempt left behind
    builder = Database(building, seed=None, now=now)
    try:
        builder.conn.execute("PRAGMA journal_mode=OFF")  # a scratch file until renamed
        populate(builder, seed, reference)
        builder.conn.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        builder.conn.execute("PRAGMA synchronous=FULL")
    finally:
        builder.close()
    with building.open("rb+") as handle:
        os.fsync(handle.fileno())
    _remove_with_sidecars(path)  # an unseeded file's WAL must not meet the new file
    os.replace(building, path)
    if hasattr(os, "O_DIRECTORY"):  # POSIX: make the rename itself durable
        directory = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


class Database:
    """The sandbox's data: open (and migrate, and seed if empty) a SQLite file or ``:memory:``.

    ``seed`` names a preset of :mod:`posdesk.sandbox.seed` (``"demo"``, ``"large"``) or ``None``
    for an empty database. An existing file that was seeded before is reused as is (its data
    keep the reference they were seeded with, meta ``reference_date``); ``reference`` only
    dates the generated data of a new seed (:func:`posdesk.sandbox.seed.populate`).
    """

    def __init__(
        self,
        path: str | Path = ":memory:",
        seed: str | None = "demo",
        now: Callable[[], datetime] | None = None,
        reference: datetime = REFERENCE_DATE,
    ) -> None:
        self.path = str(path)
        self.lock = threading.RLock()
        self.clock: Callable[[], datetime] = now or (lambda: datetime.now(UTC))
        self._last_mod = 0
        if seed is not None and self.path != ":memory:" and not Path(self.path).exists():
            _build_seeded_file(Path(self.path), seed, now, reference)  # never empty meanwhile
        opened: sqlite3.Connection | None = None
        try:
            opened = self.conn = self._connect(self.path)
            self.migrate()
            seeded = self.meta("seed") is not None
        except sqlite3.DatabaseError:
            if seed is None or self.path == ":memory:":
                raise
            seeded = False  # not a database (a seed killed by an older version): rebuild
        if seed is not None and not seeded:
            if self.path == ":memory:":
                populate(self, seed, reference)
            else:
                if opened is not None:
                    opened.close()
                _build_seeded_file(Path(self.path), seed, now, reference)
                self.conn = self._connect(self.path)
                self.migrate()
        self.seed = self.meta("seed")

    @staticmethod
    def _connect(path: str) -> sqlite3.Connection:
        conn = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None, cached_statements=256
        )
        conn.execute("PRAGMA cache_size=-65536")
        conn.execute("PRAGMA mmap_size=1073741824")
        conn.execute("PRAGMA temp_store=MEMORY")
        if path != ":memory:":
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
        return conn

    @classmethod
    def open(
        cls,
        path: str | Path = ":memory:",
        seed: str | None = "demo",
        now: Callable[[], datetime] | None = None,
        reference: datetime = REFERENCE_DATE,
    ) -> Database:
        """What ``SandboxServer`` calls: open/migrate/seed (see the class docstring)."""
        return cls(path, seed=seed, now=now, reference=reference)

    def migrate(self) -> None:
        with self.lock:
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            for index in range(version, len(MIGRATIONS)):
                self.conn.execute("BEGIN")
                for statement in MIGRATIONS[index].split(";"):
                    if statement.strip():
                        self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version={index + 1}")
                self.conn.execute("COMMIT")

    def meta(self, key: str) -> str | None:
        row = self.query_one("SELECT value FROM meta WHERE key=?", (key,))
        return None if row is None else str(row[0])

    def now(self) -> datetime:
        """Current instant (UTC); tests may replace ``clock`` to freeze time."""
        return self.clock()

    def now_ts(self) -> int:
        return int(self.now().timestamp())

    def next_modified(self) -> int:
        """A strictly increasing modification stamp, so since/until never misses a change."""
        with self.lock:
            stamp = max(now_micros(), self._last_mod + 1)
            if self._last_mod == 0:
                row = self.conn.execute(
                    "SELECT max(m) FROM (SELECT max(modified_at) m FROM sale UNION ALL "
                    "SELECT max(modified_at) FROM item UNION ALL "
                    "SELECT max(modified_at) FROM item_warehouse UNION ALL "
                    "SELECT max(modified_at) FROM serial_lot UNION ALL "
                    "SELECT max(modified_at) FROM customer)"
                ).fetchone()
                stamp = max(stamp, (row[0] or 0) + 1)
            self._last_mod = stamp
            return stamp

    def query(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[sqlite3.Row]:
        with self.lock:
            cur = self.conn.execute(sql, params)
            cur.row_factory = sqlite3.Row
            return cur.fetchall()

    def query_one(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> sqlite3.Row | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE … COMMIT/ROLLBACK) under the lock."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    # --- helpers for tests and tools: change records the API has no mutation for -------------

    def adjust_stock(self, sku: str, warehouse: str, delta: int) -> None:
        """Change a warehouse quantity; touches itemWarehouse only (not item), like POS does."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE item_warehouse SET qty_available=qty_available+?, "
                "qty_on_hand=qty_on_hand+?, modified_at=? WHERE sku=? AND warehouse=?",
                (delta, delta, self.next_modified(), sku, warehouse),
            )

    def rename_item(self, sku: str, name: str) -> None:
        """Change an item's own record (its modification date moves, warehouses' do not)."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE item SET name=?, modified_at=? WHERE sku=?",
                (name, self.next_modified(), sku),
            )

    def touch_sale(self, sale_id: str) -> None:
        """Mark a sale modified (e.g. posted to an ERP) so a since/until sync sees it again."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE sale SET modified_at=? WHERE id=?", (self.next_modified(), int(sale_id))
            )

    def touch_customer(self, customer_id: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE customer SET modified_at=? WHERE id=?",
                (self.next_modified(), customer_id),
            )

    def touch_serial_lot(self, sku: str, warehouse: str, serial_lot_no: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE serial_lot SET modified_at=? WHERE sku=? AND warehouse=? "
                "AND serial_lot_no=?",
                (self.next_modified(), sku, warehouse, serial_lot_no),
            )

    def close(self) -> None:
        with self.lock:
            self.conn.close()
