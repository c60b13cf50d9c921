"""SQLite storage of the sandbox: schema migrations, one shared connection, seeding on open.

One connection guarded by a re-entrant lock: the GraphQL resolvers run on uvicorn's thread while
tests (and the CLI) may call helper methods from another one. SQLite serialises writers anyway,
and every query here is an indexed look-up of a few hundred rows at most, so a single connection
is both simpler and faster than a pool. File databases use WAL so a reader in another process
(e.g. ``sqlite3`` on the command line) never blocks the server.

Money is stored as integer cents, quantities as integer units, instants as integer epoch
seconds (UTC) and modification dates as integer epoch microseconds (the since/until cursors are
built from those plus the row id as tie-breaker).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

TABLES = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE location(
  code TEXT PRIMARY KEY, name TEXT, kind TEXT, line1 TEXT, line2 TEXT, city TEXT, region TEXT,
  postal_code TEXT, country TEXT, time_zone TEXT, registers TEXT, tax_rate_mpct INTEGER,
  sort INTEGER);
CREATE TABLE customer(
  rid INTEGER PRIMARY KEY, id TEXT NOT NULL, member_id TEXT, status TEXT,
  first_name TEXT, last_name TEXT, full_name TEXT, email TEXT, phone_raw TEXT, phone_norm TEXT,
  line1 TEXT, line2 TEXT, city TEXT, region TEXT, postal_code TEXT, country TEXT,
  home_location TEXT, created_on INTEGER, member_since INTEGER, loyalty_points INTEGER,
  modified_at INTEGER NOT NULL);
CREATE TABLE customer_token(token TEXT NOT NULL, rid INTEGER NOT NULL,
  PRIMARY KEY(token, rid)) WITHOUT ROWID;
CREATE TABLE item(
  rid INTEGER PRIMARY KEY, sku TEXT NOT NULL, name TEXT, long_name TEXT, sale_uom TEXT,
  stock_uom TEXT, tracking TEXT, category TEXT, barcodes TEXT, modified_at INTEGER NOT NULL);
CREATE TABLE item_token(token TEXT NOT NULL, rid INTEGER NOT NULL,
  PRIMARY KEY(token, rid)) WITHOUT ROWID;
CREATE TABLE item_barcode(barcode TEXT PRIMARY KEY, sku TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE item_warehouse(
  rid INTEGER PRIMARY KEY, sku TEXT NOT NULL, warehouse TEXT NOT NULL, price INTEGER,
  qty_available INTEGER, qty_on_hand INTEGER, reorder_point INTEGER, bin TEXT,
  modified_at INTEGER NOT NULL);
CREATE TABLE serial_lot(
  rid INTEGER PRIMARY KEY, sku TEXT NOT NULL, warehouse TEXT NOT NULL, serial_lot_no TEXT NOT NULL,
  tracking TEXT, quantity INTEGER, expires_on TEXT, received_on TEXT,
  modified_at INTEGER NOT NULL);
CREATE TABLE sale(
  id INTEGER PRIMARY KEY, register TEXT, tran_no TEXT, customer_id TEXT, customer_name TEXT,
  location TEXT, sale_ts INTEGER NOT NULL, item_count INTEGER, sub_total INTEGER,
  discount INTEGER, tax INTEGER, total INTEGER, detail TEXT, modified_at INTEGER NOT NULL);
CREATE TABLE product_banner(code TEXT PRIMARY KEY, text TEXT, url TEXT);
CREATE TABLE product_section(code TEXT PRIMARY KEY, name TEXT, display_order INTEGER,
  banner TEXT);
CREATE TABLE product_group(code TEXT PRIMARY KEY, name TEXT, display_order INTEGER,
  banner TEXT);
CREATE TABLE product_group_section(group_code TEXT, section_code TEXT,
  PRIMARY KEY(group_code, section_code)) WITHOUT ROWID;
CREATE TABLE product_notice(code TEXT PRIMARY KEY, name TEXT, body TEXT,
  display_order INTEGER);
CREATE TABLE product_sort_option(code TEXT PRIMARY KEY, name TEXT, sort INTEGER);
CREATE TABLE product(sku TEXT PRIMARY KEY, name TEXT, long_name TEXT, description TEXT,
  price INTEGER);
CREATE TABLE product_group_member(sku TEXT, group_code TEXT, pos INTEGER,
  PRIMARY KEY(sku, group_code)) WITHOUT ROWID;
CREATE TABLE product_notice_member(sku TEXT, notice_code TEXT, pos INTEGER,
  PRIMARY KEY(sku, notice_code)) WITHOUT ROWID;
CREATE TABLE giftcard(id INTEGER PRIMARY KEY, member_id TEXT, balance INTEGER NOT NULL,
  created_on INTEGER);
CREATE TABLE giftcard_code(
  id INTEGER PRIMARY KEY, giftcard_id INTEGER NOT NULL, code_type TEXT NOT NULL,
  code TEXT NOT NULL, pin TEXT, expires_on INTEGER, revoked_on INTEGER);
CREATE TABLE giftcard_trans(
  id INTEGER PRIMARY KEY, giftcard_id INTEGER NOT NULL, status TEXT NOT NULL,
  trans_type TEXT NOT NULL, amount INTEGER NOT NULL, balance INTEGER, source_id TEXT,
  ref_no TEXT, created_on INTEGER, completed_on INTEGER, cancelled_on INTEGER);
CREATE TABLE purchase(
  id INTEGER PRIMARY KEY, transaction_id TEXT NOT NULL, store_code TEXT, purchased_on INTEGER,
  pay_amount INTEGER, member_id TEXT, customer_id TEXT, email TEXT, created_on INTEGER,
  payload TEXT);
"""

# Secondary indexes, kept apart so the seeder can drop them, bulk-insert and rebuild them.
INDEXES: dict[str, str] = {
    "customer_id": "CREATE UNIQUE INDEX customer_id ON customer(id)",
    "customer_member": "CREATE INDEX customer_member ON customer(member_id)",
    "customer_home": "CREATE INDEX customer_home ON customer(home_location)",
    "customer_mod": "CREATE INDEX customer_mod ON customer(modified_at, rid)",
    "customer_token_rid": "CREATE INDEX customer_token_rid ON customer_token(rid, token)",
    "item_sku": "CREATE UNIQUE INDEX item_sku ON item(sku)",
    "item_mod": "CREATE INDEX item_mod ON item(modified_at, rid)",
    "item_token_rid": "CREATE INDEX item_token_rid ON item_token(rid, token)",
    "iw_sku": "CREATE UNIQUE INDEX iw_sku ON item_warehouse(sku, warehouse)",
    "iw_wh": "CREATE INDEX iw_wh ON item_warehouse(warehouse, sku)",
    "iw_mod": "CREATE INDEX iw_mod ON item_warehouse(modified_at, rid)",
    "sl_sku": "CREATE INDEX sl_sku ON serial_lot(sku, warehouse, serial_lot_no)",
    "sl_wh": "CREATE INDEX sl_wh ON serial_lot(warehouse, sku, serial_lot_no)",
    "sl_mod": "CREATE INDEX sl_mod ON serial_lot(modified_at, rid)",
    "sale_customer": "CREATE INDEX sale_customer ON sale(customer_id, id)",
    "sale_ts": "CREATE INDEX sale_ts ON sale(sale_ts, id)",
    "sale_location": "CREATE INDEX sale_location ON sale(location, id)",
    "sale_loc_ts": "CREATE INDEX sale_loc_ts ON sale(location, sale_ts)",
    "sale_register": "CREATE INDEX sale_register ON sale(register, id)",
    "sale_tran": "CREATE INDEX sale_tran ON sale(tran_no, id)",
    "sale_mod": "CREATE INDEX sale_mod ON sale(modified_at, id)",
    "gc_member": "CREATE INDEX gc_member ON giftcard(member_id)",
    "gcc_code": "CREATE INDEX gcc_code ON giftcard_code(code, code_type)",
    "gcc_card": "CREATE INDEX gcc_card ON giftcard_code(giftcard_id)",
    "gct_card": "CREATE INDEX gct_card ON giftcard_trans(giftcard_id, id)",
    "gct_ref": "CREATE INDEX gct_ref ON giftcard_trans(ref_no, id)",
    "gct_source": "CREATE INDEX gct_source ON giftcard_trans(source_id, id)",
    "purchase_tid": "CREATE INDEX purchase_tid ON purchase(transaction_id, id)",
    "pgm_group": "CREATE INDEX pgm_group ON product_group_member(group_code, sku)",
}

# Schema migrations: index i brings user_version from i to i+1. Append, never edit.
MIGRATIONS: list[str] = [
    TABLES + ";\n".join(INDEXES.values()) + ";",
    # 2: store-bound customer lists in id order without a sort; sales of a store in a period
    """DROP INDEX IF EXISTS customer_home;
    CREATE INDEX customer_home ON customer(home_location);
    CREATE INDEX IF NOT EXISTS sale_loc_ts ON sale(location, sale_ts);
    ANALYZE;""",
    # 3: dense search words probe each record's tokens (graphql_api.search.token_filter)
    """CREATE INDEX IF NOT EXISTS customer_token_rid ON customer_token(rid, token);
    CREATE INDEX IF NOT EXISTS item_token_rid ON item_token(rid, token);
    ANALYZE;""",
]


def now_micros() -> int:
    return time.time_ns() // 1000


class Database:
    """The sandbox's data: open (and migrate, and seed if empty) a SQLite file or ``:memory:``.

    ``seed`` names a preset of :mod:`posdesk.sandbox.seed` (``"demo"``, ``"large"``) or ``None``
    for an empty database. An existing file that was seeded before is reused as is.
    """

    def __init__(
        self,
        path: str | Path = ":memory:",
        seed: str | None = "demo",
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.path = str(path)
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, cached_statements=256
        )
        self.conn.execute("PRAGMA cache_size=-65536")
        self.conn.execute("PRAGMA mmap_size=1073741824")
        self.conn.execute("PRAGMA temp_store=MEMORY")
        self.clock: Callable[[], datetime] = now or (lambda: datetime.now(UTC))
        self._last_mod = 0
        self.migrate()
        if seed is not None and self.meta("seed") is None:
            from posdesk.sandbox.seed import populate

            if self.path != ":memory:":  # bulk load with an in-memory journal, then WAL
                self.conn.execute("PRAGMA journal_mode=MEMORY")
            populate(self, seed)
        if self.path != ":memory:":
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
        self.seed = self.meta("seed")

    @classmethod
    def open(
        cls,
        path: str | Path = ":memory:",
        seed: str | None = "demo",
        now: Callable[[], datetime] | None = None,
    ) -> Database:
        """What ``SandboxServer`` calls: open/migrate/seed (see the class docstring)."""
        return cls(path, seed=seed, now=now)

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
