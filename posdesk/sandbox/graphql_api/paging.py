"""Paging shared by every list: offset pages, since/until steps and their cursors.

``first`` defaults to :data:`DEFAULT_FIRST` and is capped at :data:`MAX_FIRST`; negative values
are a ``VALIDATION`` error; ``hasMoreResults`` is exact. With ``since`` a list is ordered by
modification date, tie-broken by row id; ``since: ""`` starts from the beginning and ``until``
is an opaque cursor (base64 of entity, modification stamp, row id).
"""

from __future__ import annotations

import base64
import binascii
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from posdesk.sandbox.db import Database
from posdesk.sandbox.graphql_api.errors import validation

DEFAULT_FIRST = 100
MAX_FIRST = 1000

Convert = Callable[[sqlite3.Row], dict[str, Any]]
"""Turns one database row into the GraphQL object a resolver returns."""


def page_limits(skip: int | None, first: int | None) -> tuple[int, int]:
    if skip is not None and skip < 0:
        raise validation("GreaterThanOrEqualValidator", "Skip", "skip must be 0 or more.")
    if first is not None and first < 0:
        raise validation("GreaterThanOrEqualValidator", "First", "first must be 0 or more.")
    limit = DEFAULT_FIRST if first is None else min(first, MAX_FIRST)
    return skip or 0, limit


def encode_cursor(entity: str, modified: int, key: int) -> str:
    raw = f"v1|{entity}|{modified}|{key}".encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(entity: str, since: str) -> tuple[int, int]:
    if since == "":
        return -1, -1
    try:
        version, kind, modified, key = base64.urlsafe_b64decode(since).decode().split("|")
        if version != "v1" or kind != entity:
            raise ValueError(kind)
        stamp, row = int(modified), int(key)
        if not (-1 <= stamp < 2**63 and -1 <= row < 2**63):  # SQLite integers are 64-bit
            raise ValueError(modified)
        return stamp, row
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise validation(
            "CursorValidator", "Since", 'Unknown since value: restart from "".'
        ) from None


@dataclass
class Query:
    """A SELECT assembled from optional filters."""

    where: list[str]
    params: list[Any]

    def add(self, clause: str, *params: Any) -> None:
        self.where.append(clause)
        self.params.extend(params)

    @property
    def sql(self) -> str:
        return " AND ".join(self.where) if self.where else "1"


def row_id(value: Any) -> int:
    """An id argument as a row id; -1 (matches nothing) for anything that is not one."""
    text = str(value)
    if text.isascii() and text.isdigit() and len(text) < 19:
        return int(text)
    return -1


def page(
    db: Database,
    select: str,
    q: Query,
    order: str,
    skip: int | None,
    first: int | None,
    convert: Convert,
    key: str | None = None,
) -> tuple[list[dict[str, Any]], bool]:
    """One offset page. With ``key`` (the row id column) it runs in two steps: ids first
    (the ORDER BY/OFFSET work stays inside a covering index), then only the page's rows."""
    offset, limit = page_limits(skip, first)
    if key is None:
        rows = db.query(
            f"{select} WHERE {q.sql} ORDER BY {order} LIMIT ? OFFSET ?",
            [*q.params, limit + 1, offset],
        )
        return [convert(r) for r in rows[:limit]], len(rows) > limit
    table = select.split(" FROM ", 1)[1]
    keys = [
        r[0]
        for r in db.query(
            f"SELECT {key} FROM {table} WHERE {q.sql} ORDER BY {order} LIMIT ? OFFSET ?",
            [*q.params, limit + 1, offset],
        )
    ]
    wanted = keys[:limit]
    if not wanted:
        return [], False
    by_key = {
        r[key]: r
        for r in db.query(
            f"SELECT * FROM {table} WHERE {key} IN ({','.join('?' * len(wanted))})", wanted
        )
    }
    return [convert(by_key[k]) for k in wanted], len(keys) > limit


def since_page(
    db: Database,
    entity: str,
    select: str,
    key: str,
    q: Query,
    since: str,
    skip: int | None,
    first: int | None,
    convert: Convert,
) -> dict[str, Any]:
    modified, last = decode_cursor(entity, since)
    offset, limit = page_limits(skip, first)
    q.add(f"(modified_at, {key}) > (?, ?)", modified, last)
    rows = db.query(
        f"{select} WHERE {q.sql} ORDER BY modified_at, {key} LIMIT ? OFFSET ?",
        [*q.params, limit + 1, offset],
    )
    batch = rows[:limit]
    until = (
        encode_cursor(entity, batch[-1]["modified_at"], batch[-1][key])
        if batch
        else (since or encode_cursor(entity, -1, -1))
    )
    return {
        "results": [convert(r) for r in batch],
        "has_more_results": len(rows) > limit,
        "until": until,
        "limited_by_permission": False,
    }


def list_or_sync(
    db: Database,
    entity: str,
    table: str,
    q: Query,
    kw: dict[str, Any],
    order: str,
    convert: Convert,
    key: str,
) -> dict[str, Any]:
    """An offset page in ``order``, or a since/until step when ``since`` was given."""
    select = f"SELECT * FROM {table}"
    if kw.get("since") is not None:
        return since_page(
            db, entity, select, key, q, kw["since"], kw.get("skip"), kw.get("first"), convert
        )
    return offset_page(db, select, q, order, kw, convert, key=key)


def offset_page(
    db: Database,
    select: str,
    q: Query,
    order: str,
    kw: dict[str, Any],
    convert: Convert,
    key: str | None = None,
) -> dict[str, Any]:
    """The ``{results, hasMoreResults}`` envelope of one offset page (``skip``/``first`` of
    ``kw``); see :func:`page`."""
    results, more = page(db, select, q, order, kw.get("skip"), kw.get("first"), convert, key=key)
    return {"results": results, "has_more_results": more}
