"""Reading the mirror: search (FTS5 with bm25 ranking, or LIKE) and sale filters.

Functions take the reader thread's connection and return domain objects / ``Page[T]`` exactly
like ``PosClient`` so paged models can use either. Pages are ``skip``/``first`` offsets.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from typing import Any, TypeVar

from posdesk.domain import (
    Customer,
    GiftCard,
    GiftCardTransaction,
    Item,
    Location,
    Page,
    Product,
    Sale,
    SaleFilter,
)
from posdesk.mirror import rows

T = TypeVar("T")

_PHONEISH = re.compile(r"[\d\s()+\-./]+")


@dataclass(frozen=True, slots=True)
class Match:
    """A user's search text as an FTS5 query and as LIKE patterns (the fallback)."""

    fts: str
    tokens: tuple[str, ...]
    digits: str

    @classmethod
    def parse(cls, text: str) -> Match | None:
        words = tuple(re.findall(r"\w+", text))
        if not words:
            return None
        digits = ""
        if _PHONEISH.fullmatch(text.strip()):  # a phone typed in any format: its digits
            digits = re.sub(r"\D", "", text)
            if len(digits) == 11 and digits.startswith("1"):
                digits = digits[1:]
            if len(digits) < 3:
                digits = ""
        every = " ".join(f'"{w}"*' for w in words)
        fts = f'("{digits}"*) OR ({every})' if digits and len(words) > 1 else every
        return cls(fts, words, digits)


def _page(
    conn: sqlite3.Connection,
    sql: str,
    params: list[Any],
    convert: Callable[[sqlite3.Row], T],
    skip: int,
    first: int,
) -> Page[T]:
    found = conn.execute(f"{sql} LIMIT ? OFFSET ?", [*params, first + 1, skip]).fetchall()
    return Page(items=tuple(convert(r) for r in found[:first]), has_more=len(found) > first)


def _like(
    columns: tuple[str, ...], match: Match, digits_column: str | None = None
) -> tuple[str, list[str]]:
    """AND of tokens, each in any column (case-insensitive for ASCII only)."""
    clauses, params = [], []
    for token in match.tokens:
        clauses.append("(" + " OR ".join(f"{c} LIKE ?" for c in columns) + ")")
        params.extend([f"%{token}%"] * len(columns))
    where = " AND ".join(clauses)
    if match.digits and digits_column:
        where = f"({digits_column} LIKE ? OR ({where}))"
        params.insert(0, f"%{match.digits}%")
    return where, params


_CUSTOMER_SEARCH = (
    "full_name",
    "first_name",
    "last_name",
    "email",
    "phone_digits",
    "member_id",
    "id",
)
_ITEM_SEARCH = ("sku", "name", "long_name", "barcodes", "category")


def customers(
    conn: sqlite3.Connection, fts: bool, search: str, skip: int, first: int
) -> Page[Customer]:
    match = Match.parse(search)
    if match is None:
        return _page(conn, "SELECT * FROM customer ORDER BY id", [], rows.customer, skip, first)
    if fts:
        sql = (
            "SELECT c.* FROM customer_fts f JOIN customer c ON c.rowid = f.rowid "
            "WHERE customer_fts MATCH ? ORDER BY f.rank, c.id"
        )
        return _page(conn, sql, [match.fts], rows.customer, skip, first)
    where, params = _like(_CUSTOMER_SEARCH, match, "phone_digits")
    sql = f"SELECT * FROM customer WHERE {where} ORDER BY id"
    return _page(conn, sql, params, rows.customer, skip, first)


def customer(conn: sqlite3.Connection, id: str) -> Customer | None:
    row = conn.execute("SELECT * FROM customer WHERE id = ?", (id,)).fetchone()
    return None if row is None else rows.customer(row)


def _with_stock(conn: sqlite3.Connection, found: list[sqlite3.Row], detail: bool) -> list[Item]:
    skus = [r["sku"] for r in found]
    if not skus:
        return []
    marks = ",".join("?" * len(skus))
    stock: dict[str, list[Any]] = {s: [] for s in skus}
    for r in conn.execute(
        f"SELECT * FROM item_warehouse WHERE sku IN ({marks}) ORDER BY sku, warehouse_code", skus
    ):
        stock[r["sku"]].append(rows.warehouse(r))
    lots: dict[str, list[Any]] = {s: [] for s in skus}
    if detail:
        for r in conn.execute(
            f"SELECT * FROM serial_lot WHERE sku IN ({marks}) "
            "ORDER BY sku, warehouse_code, serial_lot_no",
            skus,
        ):
            lots[r["sku"]].append(rows.serial_lot(r))
    return [rows.item(r, tuple(stock[r["sku"]]), tuple(lots[r["sku"]])) for r in found]


def items(
    conn: sqlite3.Connection,
    fts: bool,
    search: str,
    warehouse_code: str | None,
    skip: int,
    first: int,
) -> Page[Item]:
    match = Match.parse(search)
    params: list[Any] = []
    if match is None:
        sql, order = "SELECT i.* FROM item i WHERE 1", "i.sku"
    elif fts:
        sql = "SELECT i.* FROM item_fts f JOIN item i ON i.rowid = f.rowid WHERE item_fts MATCH ?"
        order, params = "f.rank, i.sku", [match.fts]
    else:
        where, params = _like(_ITEM_SEARCH, match)
        sql, order = f"SELECT i.* FROM item i WHERE {where}", "i.sku"
    if warehouse_code is not None:
        sql += (
            " AND EXISTS (SELECT 1 FROM item_warehouse w"
            " WHERE w.sku = i.sku AND w.warehouse_code = ?)"
        )
        params.append(warehouse_code)
    found = conn.execute(f"{sql} ORDER BY {order} LIMIT ? OFFSET ?", [*params, first + 1, skip])
    page = found.fetchall()
    return Page(items=tuple(_with_stock(conn, page[:first], False)), has_more=len(page) > first)


def item(conn: sqlite3.Connection, code: str) -> Item | None:
    """Exact SKU, else exact barcode; with warehouses and serial/lots."""
    row = conn.execute("SELECT * FROM item WHERE sku = ?", (code,)).fetchone()
    if row is None:
        row = conn.execute(
            "SELECT i.* FROM item_barcode b JOIN item i ON i.sku = b.sku WHERE b.barcode = ? "
            "ORDER BY i.sku LIMIT 1",
            (code,),
        ).fetchone()
    return None if row is None else _with_stock(conn, [row], True)[0]


def _children(
    conn: sqlite3.Connection,
    table: str,
    parent: str,
    found: list[sqlite3.Row],
    convert: Callable[[sqlite3.Row], T],
) -> dict[str, list[T]]:
    """The ``table`` rows of each ``found`` row (``parent`` = its id), in ``seq`` order."""
    ids = [r["id"] for r in found]
    children: dict[str, list[T]] = {i: [] for i in ids}
    if ids:
        for r in conn.execute(
            f"SELECT * FROM {table} WHERE {parent} IN ({','.join('?' * len(ids))}) "
            f"ORDER BY {parent}, seq",
            ids,
        ):
            children[r[parent]].append(convert(r))
    return children


def _cards(conn: sqlite3.Connection, found: list[sqlite3.Row]) -> list[GiftCard]:
    codes = _children(conn, "giftcard_code", "giftcard_id", found, rows.giftcard_code)
    return [rows.giftcard(r, tuple(codes[r["id"]])) for r in found]


def giftcards(
    conn: sqlite3.Connection, fts: bool, search: str, skip: int, first: int
) -> Page[GiftCard]:
    """By last 4 of a code, member id, or the owner's name (customers with that member id)."""
    match = Match.parse(search)
    params: list[Any]
    if match is None:
        sql, params = "SELECT g.* FROM giftcard g ORDER BY CAST(g.id AS INTEGER), g.id", []
    elif fts:
        sql = (
            "WITH direct AS (SELECT rowid, rank AS r FROM giftcard_fts"
            " WHERE giftcard_fts MATCH ?), "
            "owners AS (SELECT g.rowid, 1e9 AS r FROM giftcard g WHERE g.member_id IN ("
            " SELECT c.member_id FROM customer_fts f JOIN customer c ON c.rowid = f.rowid"
            " WHERE customer_fts MATCH ?) AND g.rowid NOT IN (SELECT rowid FROM direct)) "
            "SELECT g.* FROM (SELECT * FROM direct UNION ALL SELECT * FROM owners) m "
            "JOIN giftcard g ON g.rowid = m.rowid ORDER BY m.r, CAST(g.id AS INTEGER)"
        )
        params = [match.fts, match.fts]
    else:
        names, name_params = _like(("full_name", "member_id"), match)
        cards, card_params = _like(("last4s", "member_id"), match)
        sql = (
            f"SELECT g.* FROM giftcard g WHERE ({cards}) OR "
            f"g.member_id IN (SELECT member_id FROM customer WHERE {names}) "
            "ORDER BY CAST(g.id AS INTEGER)"
        )
        params = [*card_params, *name_params]
    found = conn.execute(f"{sql} LIMIT ? OFFSET ?", [*params, first + 1, skip]).fetchall()
    return Page(items=tuple(_cards(conn, found[:first])), has_more=len(found) > first)


def giftcard(conn: sqlite3.Connection, id: str) -> GiftCard | None:
    found = conn.execute("SELECT * FROM giftcard WHERE id = ?", (id,)).fetchall()
    return _cards(conn, found)[0] if found else None


def giftcard_transactions(
    conn: sqlite3.Connection, giftcard_id: str | None, skip: int, first: int
) -> Page[GiftCardTransaction]:
    where, params = ("WHERE giftcard_id = ?", [giftcard_id]) if giftcard_id else ("", [])
    sql = f"SELECT * FROM giftcard_trans {where} ORDER BY CAST(id AS INTEGER), id"
    return _page(conn, sql, params, rows.transaction, skip, first)


def sales(
    conn: sqlite3.Connection,
    filter: SaleFilter,
    time_of_day: tuple[time, time] | None,
    skip: int,
    first: int,
) -> Page[Sale]:
    """Sales matching ``filter`` (instants half-open, ``to_time`` exclusive); ``time_of_day``
    is a half-open local clock range in the sale's store zone, minute precision (11:00–14:00;
    22:00–02:00 wraps; an end of 00:00 means midnight)."""
    where: list[str] = ["1"]
    params: list[Any] = []
    if filter.from_time is not None:
        where.append("sale_ts >= ?")
        params.append(int(filter.from_time.timestamp()))
    if filter.to_time is not None:
        where.append("sale_ts < ?")
        params.append(int(filter.to_time.timestamp()))
    if filter.from_date is not None and filter.from_time is None:
        where.append("sale_at >= ?")
        params.append(filter.from_date.isoformat())
    if filter.to_date is not None and filter.to_time is None:
        where.append("sale_at < ?")
        params.append(filter.to_date.isoformat())
    if filter.location_code is not None:
        # a sale without a store (documented API) belongs to its register's store
        where.append(
            "(location_code = ? OR (location_code IS NULL AND register_code IN "
            "(SELECT register_code FROM register_store WHERE location_code = ?)))"
        )
        params.extend([filter.location_code, filter.location_code])
    for column, value in (
        ("customer_id", filter.customer_id),
        ("register_code", filter.register_code),
        ("tran_no", filter.tran_no),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if time_of_day is not None:
        start, end = (t.hour * 60 + t.minute for t in time_of_day)
        end = 1440 if end == 0 else end  # "until midnight"
        where.append(
            "local_minute >= ? AND local_minute < ?"
            if start <= end
            else "(local_minute >= ? OR local_minute < ?)"
        )
        params.extend([start, end])
    direction = "DESC" if filter.newest_first else "ASC"
    sql = (
        f"SELECT * FROM sale WHERE {' AND '.join(where)} "
        f"ORDER BY sale_ts {direction}, id {direction}"
    )
    found = conn.execute(f"{sql} LIMIT ? OFFSET ?", [*params, first + 1, skip]).fetchall()
    return Page(items=tuple(_with_tenders(conn, found[:first])), has_more=len(found) > first)


def _with_tenders(conn: sqlite3.Connection, found: list[sqlite3.Row]) -> list[Sale]:
    """List rows with their tenders, as the server's lists send them: the Tender column
    (``tender_summary``) reads the same from the mirror as from the server."""
    tenders = _children(conn, "sale_tender", "sale_id", found, rows.sale_tender)
    return [rows.sale(r, tenders=tuple(tenders[r["id"]])) for r in found]


def sale(conn: sqlite3.Connection, id: str) -> Sale | None:
    row = conn.execute("SELECT * FROM sale WHERE id = ?", (id,)).fetchone()
    if row is None:
        return None
    lines = conn.execute(
        "SELECT * FROM sale_line WHERE sale_id = ? ORDER BY line_number", (id,)
    ).fetchall()
    tenders = conn.execute(
        "SELECT * FROM sale_tender WHERE sale_id = ? ORDER BY seq", (id,)
    ).fetchall()
    return rows.sale(
        row, tuple(rows.sale_line(r) for r in lines), tuple(rows.sale_tender(r) for r in tenders)
    )


def locations(conn: sqlite3.Connection) -> list[Location]:
    return [rows.location(r) for r in conn.execute("SELECT * FROM location ORDER BY code")]


def products(conn: sqlite3.Connection, skip: int, first: int) -> Page[Product]:
    return _page(conn, "SELECT * FROM product ORDER BY sku", [], rows.product, skip, first)
