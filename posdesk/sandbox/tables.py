"""The sandbox database's DDL: tables, secondary indexes and the migrations that build them.

Apart from :mod:`posdesk.sandbox.db` so the seeder can drop and rebuild the indexes without
importing the database class (``db`` imports the seeder, never the other way round).
"""

from __future__ import annotations

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
