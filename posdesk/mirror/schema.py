"""The mirror's SQLite schema: versioned migrations and the FTS5 search tables.

Amounts and quantities are INTEGER in units of 1/10,000 (columns ending in ``_e4``): exact
(never float), summable in SQL for reports (``SUM(total_e4)``), and smaller than decimal text.
POS amounts have at most 4 decimals; a value with more is rounded half-even to 4 (the mirror is
a cache: money and stock are always re-read from the server before anything is done with them).
Instants are UTC ISO-8601 text (``...Z``); sales also keep ``sale_ts`` (epoch seconds, indexed
for half-open UTC ranges) and the store's local ``local_day`` / ``local_minute`` /
``local_weekday`` so "by day", "hour x weekday" and "time of day" group without time-zone math.
Every entity table has ``gen``: the refresh generation that last saw the row (a paged full
refresh deletes rows an older generation saw and the newest did not).
"""

from __future__ import annotations

import sqlite3

from posdesk.mirror import aggregates

_V1 = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sync_state(
  entity TEXT PRIMARY KEY,
  mode TEXT NOT NULL DEFAULT '',          -- 'since' | 'refresh'
  cursor TEXT NOT NULL DEFAULT '',        -- since: the server's until, refresh: next skip
  generation INTEGER NOT NULL DEFAULT 0,  -- refresh: the generation being written
  complete INTEGER NOT NULL DEFAULT 0,    -- a whole pass finished at least once
  last_synced TEXT,                       -- UTC ISO of the last finished pass
  limited INTEGER NOT NULL DEFAULT 0,     -- the server hid rows (limitedByPermission)
  error TEXT
);
CREATE TABLE location(
  code TEXT PRIMARY KEY, name TEXT, kind TEXT, time_zone TEXT, registers TEXT,
  line1 TEXT, line2 TEXT, city TEXT, region TEXT, postal_code TEXT, country TEXT,
  gen INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE customer(
  id TEXT NOT NULL UNIQUE, member_id TEXT, status TEXT, full_name TEXT, first_name TEXT,
  last_name TEXT, email TEXT, phone_raw TEXT, phone_norm TEXT,
  phone_digits TEXT,  -- digit-only variants of the phone, for search in any format
  line1 TEXT, line2 TEXT, city TEXT, region TEXT, postal_code TEXT, country TEXT,
  home_location_code TEXT, created_on TEXT, member_since TEXT, loyalty_points_e4 INTEGER,
  gen INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX customer_member ON customer(member_id);
CREATE TABLE item(
  sku TEXT NOT NULL UNIQUE, name TEXT, long_name TEXT, sale_uom TEXT, stock_uom TEXT,
  barcodes TEXT,  -- space separated, as sent
  tracking_type TEXT, category TEXT, gen INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE item_barcode(barcode TEXT NOT NULL, sku TEXT NOT NULL, PRIMARY KEY(barcode, sku))
  WITHOUT ROWID;
CREATE TABLE item_warehouse(
  sku TEXT NOT NULL, warehouse_code TEXT NOT NULL, base_price_e4 INTEGER,
  qty_available_e4 INTEGER, qty_on_hand_e4 INTEGER, reorder_point_e4 INTEGER, bin_location TEXT,
  gen INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(sku, warehouse_code)
) WITHOUT ROWID;
CREATE INDEX item_warehouse_by_warehouse ON item_warehouse(warehouse_code, sku);
CREATE TABLE serial_lot(
  sku TEXT NOT NULL, warehouse_code TEXT NOT NULL, serial_lot_no TEXT NOT NULL,
  tracking_type TEXT, quantity_e4 INTEGER, expires_on TEXT, received_on TEXT,
  gen INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(sku, warehouse_code, serial_lot_no)
) WITHOUT ROWID;
CREATE TABLE sale(
  id TEXT PRIMARY KEY, register_code TEXT, tran_no TEXT, customer_id TEXT, customer_name TEXT,
  location_code TEXT, sale_at TEXT, sale_ts INTEGER, local_day TEXT, local_minute INTEGER,
  local_weekday INTEGER,  -- 0 = Monday
  item_count_e4 INTEGER, sub_total_e4 INTEGER, discount_e4 INTEGER, tax_e4 INTEGER,
  total_e4 INTEGER, has_detail INTEGER NOT NULL DEFAULT 0,  -- lines and tenders were sent
  gen INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX sale_by_time ON sale(sale_ts, id);
CREATE INDEX sale_by_store ON sale(location_code, register_code, sale_ts);
CREATE INDEX sale_by_customer ON sale(customer_id, sale_ts);
CREATE INDEX sale_by_tran ON sale(tran_no);
CREATE INDEX sale_by_day ON sale(local_day, location_code);
CREATE TABLE sale_line(
  sale_id TEXT NOT NULL, line_number INTEGER NOT NULL, sku TEXT NOT NULL, description TEXT,
  quantity_e4 INTEGER NOT NULL, unit_price_e4 INTEGER NOT NULL, discount_e4 INTEGER NOT NULL,
  ext_price_e4 INTEGER NOT NULL, tax_e4 INTEGER, serial_lot_no TEXT,
  PRIMARY KEY(sale_id, line_number)
) WITHOUT ROWID;
CREATE INDEX sale_line_by_sku ON sale_line(sku);
CREATE TABLE sale_tender(
  sale_id TEXT NOT NULL, seq INTEGER NOT NULL, tender_type TEXT NOT NULL,
  amount_e4 INTEGER NOT NULL, description TEXT, reference TEXT, PRIMARY KEY(sale_id, seq)
) WITHOUT ROWID;
CREATE TABLE product(
  sku TEXT PRIMARY KEY, name TEXT, long_name TEXT, description TEXT, base_price_e4 INTEGER,
  groups TEXT, notices TEXT,  -- JSON, as sent
  gen INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE giftcard(
  id TEXT NOT NULL UNIQUE, member_id TEXT, balance_e4 INTEGER, created_on TEXT,
  last4s TEXT,  -- last 4 characters of each code, for search
  gen INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX giftcard_member ON giftcard(member_id);
CREATE TABLE giftcard_code(
  giftcard_id TEXT NOT NULL, seq INTEGER NOT NULL, code_id TEXT, code_type TEXT NOT NULL,
  code TEXT NOT NULL,  -- exactly as the server sent it (masked stays masked)
  expires_on TEXT, is_masked INTEGER NOT NULL, has_pin INTEGER,
  PRIMARY KEY(giftcard_id, seq)
) WITHOUT ROWID;
CREATE TABLE giftcard_trans(
  id TEXT PRIMARY KEY, giftcard_id TEXT, balance_e4 INTEGER, status TEXT, trans_type TEXT,
  amount_e4 INTEGER, source_id TEXT, ref_no TEXT, created_on TEXT, completed_on TEXT,
  cancelled_on TEXT, gen INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX giftcard_trans_by_card ON giftcard_trans(giftcard_id, created_on);
CREATE INDEX giftcard_trans_by_status ON giftcard_trans(status);
"""

# Reports (posdesk/reports): every sales report reads a period of local days (and stores,
# registers) and sums these columns; covering indexes answer them without the table (the id
# rides along in a WITHOUT ROWID table's index, for the joins to lines and tenders): by day
# for all stores, by store then day when stores are chosen (a quarter of the rows to read).
_V2 = """
CREATE INDEX sale_report ON sale(
  local_day, location_code, register_code, total_e4, tax_e4, discount_e4, item_count_e4,
  local_weekday, local_minute, has_detail, customer_id
);
CREATE INDEX sale_report_store ON sale(
  location_code, local_day, register_code, total_e4, tax_e4, discount_e4, item_count_e4,
  local_weekday, local_minute, has_detail, customer_id
)
"""

# Per-day pre-aggregated sales, tenders and lines (posdesk/mirror/aggregates.py), built here
# from the rows already mirrored and kept by the sale writes from then on.
_V3 = aggregates.migration()

# Registers → stores (posdesk/mirror/registers.py): which store a register belongs to, for
# servers whose sales carry no store (the documented API).
_V4 = """
CREATE TABLE IF NOT EXISTS register_store(
  register_code TEXT PRIMARY KEY,
  location_code TEXT NOT NULL,
  source TEXT NOT NULL  -- 'server' (sent by the server), 'manager' (set in the Local data panel)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS register_store_by_store ON register_store(location_code)
"""

# A sale without a store of its own (documented API) is stamped with its register's store
# (``mapped_store`` = 1) at write time and again whenever the mapping changes
# (posdesk/mirror/writes.py: restamp), so every report groups and filters by ``location_code``
# alone. Here: the sales a mapping already covers, and the aggregates rebuilt if any did.
_MAPPED = "EXISTS (SELECT 1 FROM sale WHERE mapped_store)"
_V5 = ";\n".join(
    [
        "ALTER TABLE sale ADD COLUMN mapped_store INTEGER NOT NULL DEFAULT 0",
        "UPDATE sale SET mapped_store = 1, location_code = (SELECT r.location_code FROM "
        "register_store AS r WHERE r.register_code = sale.register_code) WHERE location_code "
        "IS NULL AND register_code IN (SELECT register_code FROM register_store)",
        *(f"DELETE FROM {a.table} WHERE {_MAPPED}" for a in aggregates.AGGREGATES),
        *(f"INSERT INTO {a.table} {a.select(_MAPPED, 1)}" for a in aggregates.AGGREGATES),
    ]
)

# The reorder list's note counts stock rows sent without an available quantity: a partial
# index holds just those (none from an extended server), so the count reads no table.
_V6 = (
    "CREATE INDEX IF NOT EXISTS item_warehouse_no_available ON item_warehouse(warehouse_code) "
    "WHERE qty_available_e4 IS NULL"
)

#: Migration n brings ``PRAGMA user_version`` from n to n + 1.
MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3, _V4, _V5, _V6)

_TOKENIZE = "tokenize=\"unicode61 remove_diacritics 2\", prefix='2 3'"

#: (fts table, content table, indexed columns). External-content FTS5 kept in step by triggers.
FTS_TABLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "customer_fts",
        "customer",
        ("full_name", "first_name", "last_name", "email", "phone_digits", "member_id", "id"),
    ),
    ("item_fts", "item", ("sku", "name", "long_name", "barcodes", "category")),
    ("giftcard_fts", "giftcard", ("last4s", "member_id")),
)


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the migrations this file lacks, each in its own transaction; returns the version."""
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise RuntimeError(f"mirror schema {version} is newer than this posdesk knows")
    for number in range(version, len(MIGRATIONS)):
        conn.execute("BEGIN IMMEDIATE")
        for statement in _statements(MIGRATIONS[number]):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number + 1}")
        conn.execute("COMMIT")
    return len(MIGRATIONS)


def _statements(script: str) -> list[str]:
    """Split a DDL script into statements (no semicolons inside our DDL)."""
    return [s.strip() for s in script.split(";") if s.strip()]


def fts5_available(conn: sqlite3.Connection) -> bool:
    """Whether this SQLite has FTS5 (some builds lack it: search then falls back to LIKE)."""
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x)")
        conn.execute("DROP TABLE temp.fts5_probe")
    except sqlite3.OperationalError:
        return False
    return True


def ensure_fts(conn: sqlite3.Connection) -> None:
    """Create the FTS5 tables and triggers if missing (a file made without FTS5 is indexed
    now, from its rows)."""
    for fts, table, columns in FTS_TABLES:
        exists = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (fts,)
        ).fetchone()
        if exists:
            continue
        cols = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', "
            f"content_rowid='rowid', {_TOKENIZE})"
        )
        conn.execute(
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.rowid, {new}); END"
        )
        conn.execute(
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.rowid, {old}); END"
        )
        conn.execute(
            f"CREATE TRIGGER {fts}_au AFTER UPDATE ON {table} WHEN {changed} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.rowid, {old}); "
            f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.rowid, {new}); END"
        )
        conn.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        conn.execute("COMMIT")
