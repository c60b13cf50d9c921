"""Writing pages into the mirror: idempotent upserts, the cursor in the same transaction.

Every function here runs on the mirror's single writer thread with its connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from posdesk.domain import GiftCard, Item, Location, Sale
from posdesk.mirror import aggregates, registers, rows

#: Mirror entities in sync order (locations first: sales need the stores' time zones).
ENTITIES: tuple[str, ...] = (
    "location",
    "customer",
    "item",
    "item_warehouse",
    "serial_lot",
    "sale",
    "product",
    "giftcard",
    "giftcard_transaction",
)


@dataclass(frozen=True, slots=True)
class _Table:
    table: str
    columns: str
    key: str
    convert: Callable[[Any], tuple[Any, ...]] | None  # None: sales (they need a time zone)


TABLES: dict[str, _Table] = {
    "location": _Table("location", rows.LOCATION_COLS, "code", rows.location_row),
    "customer": _Table("customer", rows.CUSTOMER_COLS, "id", rows.customer_row),
    "item": _Table("item", rows.ITEM_COLS, "sku", rows.item_row),
    "item_warehouse": _Table(
        "item_warehouse", rows.WAREHOUSE_COLS, "sku, warehouse_code", rows.warehouse_row
    ),
    "serial_lot": _Table(
        "serial_lot",
        rows.SERIAL_LOT_COLS,
        "sku, warehouse_code, serial_lot_no",
        rows.serial_lot_row,
    ),
    "sale": _Table("sale", rows.SALE_COLS, "id", None),
    "product": _Table("product", rows.PRODUCT_COLS, "sku", rows.product_row),
    "giftcard": _Table("giftcard", rows.GIFTCARD_COLS, "id", rows.giftcard_row),
    "giftcard_transaction": _Table("giftcard_trans", rows.TRANS_COLS, "id", rows.trans_row),
}

#: Child tables deleted with their parent rows: (child, foreign key, parent key).
_CHILDREN: dict[str, tuple[tuple[str, str, str], ...]] = {
    "sale": (("sale_line", "sale_id", "id"), ("sale_tender", "sale_id", "id")),
    "item": (("item_barcode", "sku", "sku"),),
    "giftcard": (("giftcard_code", "giftcard_id", "id"),),
}


def _upsert_sql(spec: _Table) -> str:
    names = [c.strip() for c in spec.columns.split(",")]
    keys = {k.strip() for k in spec.key.split(",")}
    updates = ", ".join(f"{c} = excluded.{c}" for c in [*names, "gen"] if c not in keys)
    marks = ", ".join("?" * (len(names) + 1))
    return (
        f"INSERT INTO {spec.table} ({spec.columns}, gen) VALUES ({marks}) "
        f"ON CONFLICT({spec.key}) DO UPDATE SET {updates}"
    )


_UPSERT = {entity: _upsert_sql(spec) for entity, spec in TABLES.items()}


def now_iso() -> str:
    return rows.iso(datetime.now(UTC)) or ""


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _store_zones(conn: sqlite3.Connection) -> tuple[dict[str, ZoneInfo], ZoneInfo]:
    default = meta(conn, "time_zone")
    zones = {
        code: _zone(tz or default)
        for code, tz in conn.execute("SELECT code, time_zone FROM location")
    }
    return zones, _zone(default)


def meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
        "value = excluded.value",
        (key, value),
    )


def _replace_children(
    conn: sqlite3.Connection,
    child: str,
    fk: str,
    keys: list[tuple[Any]],
    columns: str,
    values: list[tuple[Any, ...]],
) -> None:
    conn.executemany(f"DELETE FROM {child} WHERE {fk} = ?", keys)
    if values:
        marks = ", ".join("?" * len(values[0]))
        conn.executemany(f"INSERT INTO {child} ({columns}) VALUES ({marks})", values)


def upsert(conn: sqlite3.Connection, entity: str, items: Sequence[Any], gen: int) -> None:
    """Insert or update one page of ``entity`` (inside the caller's transaction)."""
    if entity == "sale":
        zones, default = _store_zones(conn)
        sales: Sequence[Sale] = items
        stores = learn(conn, lambda: registers.learn_from_sales(conn, sales))
        detailed = [s for s in sales if s.lines or s.tenders]
        ids = [(s.id,) for s in sales]
        aggregates.subtract(conn, ids)  # the old rows' contribution (sales change on the server)
        conn.executemany(
            _UPSERT["sale"],
            [
                (
                    *rows.sale_row(
                        s,
                        zones.get(
                            s.location_code or stores.get(s.register_code or "", ""), default
                        ),
                        bool(s.lines or s.tenders),
                        stores.get(s.register_code or ""),  # a sale without a store: its register's
                    ),
                    gen,
                )
                for s in sales
            ],
        )
        keys = [(s.id,) for s in detailed]
        _replace_children(
            conn,
            "sale_line",
            "sale_id",
            keys,
            rows.LINE_COLS,
            [r for s in detailed for r in rows.line_rows(s)],
        )
        _replace_children(
            conn,
            "sale_tender",
            "sale_id",
            keys,
            rows.TENDER_COLS,
            [r for s in detailed for r in rows.tender_rows(s)],
        )
        aggregates.add(conn, ids)
        return
    convert = TABLES[entity].convert
    assert convert is not None
    conn.executemany(_UPSERT[entity], [(*convert(i), gen) for i in items])
    if entity == "item":
        products: Sequence[Item] = items
        _replace_children(
            conn,
            "item_barcode",
            "sku",
            [(i.sku,) for i in products],
            "barcode, sku",
            [(b, i.sku) for i in products for b in dict.fromkeys(i.barcodes)],
        )
    elif entity == "location":
        places: Sequence[Location] = items
        learn(conn, lambda: registers.learn_from_locations(conn, places))
    elif entity == "giftcard":
        cards: Sequence[GiftCard] = items
        _replace_children(
            conn,
            "giftcard_code",
            "giftcard_id",
            [(g.id,) for g in cards],
            rows.CODE_COLS,
            [r for g in cards for r in rows.code_rows(g)],
        )


def learn(conn: sqlite3.Connection, what: Callable[[], None]) -> dict[str, str]:
    """Run ``what`` (it records register → store pairs the server sent), re-attribute the
    stored sales of every register whose store it changed, and return the mapping now."""
    before = registers.mapping(conn)
    what()
    after = registers.mapping(conn)
    restamp(conn, {r for r in before.keys() | after.keys() if before.get(r) != after.get(r)})
    return after


def assign_register(conn: sqlite3.Connection, register_code: str, store: str | None) -> None:
    """A manager's register → store choice and its sales re-attributed, in one transaction:
    the next report uses it without a resync."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        registers.assign(conn, register_code, store)
        restamp(conn, {register_code})
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def restamp(conn: sqlite3.Connection, register_codes: Iterable[str]) -> None:
    """Give the stored sales of these registers that came without a store of their own their
    register's store now (or none), their local day in its zone, and move them between the
    aggregates (inside the caller's transaction). A sale whose server sent a store keeps it."""
    codes = sorted(register_codes)
    if not codes:
        return
    marks = ",".join("?" * len(codes))
    where = f"register_code IN ({marks}) AND (location_code IS NULL OR mapped_store)"
    aggregates.subtract(conn, where, codes)  # leaves the sales' ids in temp.agg_ids
    stores = registers.mapping(conn)
    zones, default = _store_zones(conn)
    changed = []
    for sale_id, register, at in conn.execute(
        "SELECT id, register_code, sale_at FROM sale WHERE id IN (SELECT id FROM temp.agg_ids)"
    ).fetchall():
        store = stores.get(register)
        local = rows.local_fields(rows.instant(at), zones.get(store or "", default))
        changed.append((store, int(store is not None), *local, sale_id))
    conn.executemany(
        "UPDATE sale SET location_code = ?, mapped_store = ?, local_day = ?, local_minute = ?, "
        "local_weekday = ? WHERE id = ?",
        changed,
    )
    aggregates.add(conn, [(c[-1],) for c in changed])


def delete_where(conn: sqlite3.Connection, entity: str, where: str, params: Sequence[Any]) -> int:
    """Delete ``entity`` rows (and their children) matching ``where``."""
    spec = TABLES[entity]
    if entity == "sale":
        aggregates.subtract(conn, where, params)
    for child, fk, key in _CHILDREN.get(entity, ()):
        conn.execute(
            f"DELETE FROM {child} WHERE {fk} IN (SELECT {key} FROM {spec.table} WHERE {where})",
            params,
        )
    return conn.execute(f"DELETE FROM {spec.table} WHERE {where}", params).rowcount


@dataclass(frozen=True, slots=True)
class SyncState:
    entity: str
    mode: str
    cursor: str
    generation: int
    complete: bool
    last_synced: str | None
    limited: bool
    error: str | None


def state(conn: sqlite3.Connection, entity: str) -> SyncState:
    row = conn.execute(
        "SELECT mode, cursor, generation, complete, last_synced, limited, error "
        "FROM sync_state WHERE entity = ?",
        (entity,),
    ).fetchone()
    if row is None:
        return SyncState(entity, "", "", 0, False, None, False, None)
    return SyncState(entity, row[0], row[1], row[2], bool(row[3]), row[4], bool(row[5]), row[6])


def save_state(conn: sqlite3.Connection, s: SyncState) -> None:
    conn.execute(
        "INSERT INTO sync_state(entity, mode, cursor, generation, complete, last_synced, "
        "limited, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(entity) DO UPDATE SET "
        "mode = excluded.mode, cursor = excluded.cursor, generation = excluded.generation, "
        "complete = excluded.complete, last_synced = excluded.last_synced, "
        "limited = excluded.limited, error = excluded.error",
        (
            s.entity,
            s.mode,
            s.cursor,
            s.generation,
            int(s.complete),
            s.last_synced,
            int(s.limited),
            s.error,
        ),
    )


def count(conn: sqlite3.Connection, entity: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {TABLES[entity].table}").fetchone()[0])
