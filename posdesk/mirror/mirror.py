"""``Mirror``: one SQLite file of one server + principal, read and written off the event loop.

Two threads own the file: a single writer (every sync page, its cursor in the same
transaction) and a reader (searches and filters; WAL lets it read while the writer writes).
The event loop only awaits them, so a UI stays responsive during the first sync of a store.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, time
from functools import partial
from pathlib import Path
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
from posdesk.mirror import queries, registers, rows, schema, writes
from posdesk.mirror.registers import RegisterStore
from posdesk.store.scope import ScopedData

T = TypeVar("T")

MIRROR_FILE = "mirror.sqlite3"
_SIDE_FILES = ("-wal", "-shm", "-journal")


def mirror_path(data: ScopedData) -> Path:
    """Where a scope's mirror lives: next to its journal, ``servers/<key>/mirror.sqlite3``."""
    return data.directory / MIRROR_FILE


@dataclass(frozen=True, slots=True)
class EntityStatus:
    """What the mirror holds of one entity, for a "Local data" panel."""

    entity: str
    rows: int
    last_synced: datetime | None  # the last finished pass ("local data as of 10:42")
    complete: bool  # a whole pass finished at least once
    limited: bool  # the server hid rows from this principal
    error: str | None
    mode: str  # 'since' | 'refresh' | '' (never synced)


class _Thread:
    """One thread with its own connection (sqlite3 connections stay on their thread).

    ``ordered`` (the writer): once queued, a call runs even if its awaiter is cancelled. A
    sync page's write carries its cursor, so the pages must be stored in the order queued:
    cancelling the await of page N-1 while page N was already queued used to drop N-1 from
    the queue and store N with its cursor — a gap the next sync never fetched again. The
    reader keeps asyncio's default (a cancelled report that has not started is skipped)."""

    def __init__(self, name: str, *, ordered: bool = False) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self.conn: sqlite3.Connection | None = None
        self.ordered = ordered

    async def run(self, fn: Callable[..., T], /, *args: Any) -> T:
        return await self.submit(fn, *args)

    def submit(self, fn: Callable[..., T], /, *args: Any) -> asyncio.Future[T]:
        loop = asyncio.get_running_loop()
        queued = loop.run_in_executor(self._pool, partial(self._call, fn, *args))
        if not self.ordered:
            return queued
        return asyncio.shield(queued)  # (an error nobody awaits any more is still retrieved)

    def _call(self, fn: Callable[..., T], *args: Any) -> T:
        if self.conn is None:
            raise RuntimeError("the mirror is closed")
        return fn(self.conn, *args)

    def connect(self, path: Path, *, readonly: bool) -> Callable[[], None]:
        def open_() -> None:
            conn = sqlite3.connect(str(path), isolation_level=None, timeout=30.0)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = OFF")
            if readonly:
                conn.execute("PRAGMA query_only = ON")
            self.conn = conn

        return open_

    async def open(self, path: Path, *, readonly: bool) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._pool, self.connect(path, readonly=readonly))

    async def close(self) -> None:
        def close_() -> None:
            if self.conn is not None:
                self.conn.close()
                self.conn = None

        loop = asyncio.get_running_loop()
        with contextlib.suppress(RuntimeError):
            await loop.run_in_executor(self._pool, close_)
        self._pool.shutdown(wait=False)


def _private(path: Path) -> None:
    """Owner-only: 0700 folder, 0600 files (on Windows the per-user profile folder already is)."""
    if os.name == "nt":
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for name in (path, *(path.with_name(path.name + s) for s in _SIDE_FILES)):
        if name.exists():
            os.chmod(name, 0o600)


class Mirror:
    """The local copy of one scope's data. Open with ``await Mirror.open(path)``.

    A cache, never the truth for money or stock: detail views re-read from the server when it
    is reachable and every write goes to the server; ``status()`` says how old each entity is."""

    def __init__(self, path: Path, fts: bool) -> None:
        self.path = path
        self.fts = fts
        self._writer = _Thread("mirror-writer", ordered=True)
        self._reader = _Thread("mirror-reader")
        self._closed = False

    @property
    def search_mode(self) -> str:
        """'fts5' (ranked, accent-insensitive) or 'like' (this SQLite lacks FTS5)."""
        return "fts5" if self.fts else "like"

    @classmethod
    async def open(cls, path: Path, *, fts: bool | None = None) -> Mirror:
        """Open (create, migrate) the file; ``fts=False`` forces the LIKE fallback."""
        await asyncio.to_thread(_private, path)
        mirror = cls(path, False)
        await mirror._writer.open(path, readonly=False)
        mirror.fts = await mirror._writer.run(_prepare, fts)
        await asyncio.to_thread(_private, path)  # the WAL files exist now
        await mirror._reader.open(path, readonly=True)
        return mirror

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._reader.close()
        await self._writer.close()

    async def forget(self) -> None:
        """Close and delete the file (Forget local data, profile removed)."""
        await self.close()
        await asyncio.to_thread(forget_file, self.path)

    # ---------------------------------------------------------------- writer side (sync)

    async def write(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Run ``fn(conn, *args)`` on the writer thread."""
        return await self._writer.run(fn, *args)

    def submit(self, fn: Callable[..., T], /, *args: Any) -> asyncio.Future[T]:
        """Queue ``fn(conn, *args)`` on the writer thread now; await the future later (the
        sync engine fetches the next page meanwhile). Writes run in submission order."""
        return self._writer.submit(fn, *args)

    async def read(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Run ``fn(conn, *args)`` on the reader thread."""
        return await self._reader.run(fn, *args)

    # ---------------------------------------------------------------- status

    async def status(self) -> dict[str, EntityStatus]:
        return await self.read(_status)

    async def last_synced(self, entity: str) -> datetime | None:
        return (await self.status())[entity].last_synced

    # ---------------------------------------------------------------- queries

    async def customers(
        self, search: str = "", *, skip: int = 0, first: int = 50
    ) -> Page[Customer]:
        """Name, e-mail, phone in any format, member id or customer id; best match first."""
        return await self.read(queries.customers, self.fts, search, skip, first)

    async def customer(self, id: str) -> Customer | None:
        return await self.read(queries.customer, id)

    async def items(
        self,
        search: str = "",
        *,
        warehouse_code: str | None = None,
        skip: int = 0,
        first: int = 50,
    ) -> Page[Item]:
        """SKU, description, long name, barcode, category; rows carry their warehouses."""
        return await self.read(queries.items, self.fts, search, warehouse_code, skip, first)

    async def lookup_item(self, code: str) -> Item | None:
        """Exact SKU, else exact barcode, with warehouses and serial/lots."""
        return await self.read(queries.item, code.strip())

    async def giftcards(
        self, search: str = "", *, skip: int = 0, first: int = 50
    ) -> Page[GiftCard]:
        """Last 4 of a code, member id or the owner's name; codes as masked as sent."""
        return await self.read(queries.giftcards, self.fts, search, skip, first)

    async def giftcard(self, id: str) -> GiftCard | None:
        return await self.read(queries.giftcard, id)

    async def giftcard_transactions(
        self, giftcard_id: str | None = None, *, skip: int = 0, first: int = 50
    ) -> Page[GiftCardTransaction]:
        return await self.read(queries.giftcard_transactions, giftcard_id, skip, first)

    async def sales(
        self,
        filter: SaleFilter | None = None,
        *,
        time_of_day: tuple[time, time] | None = None,
        skip: int = 0,
        first: int = 50,
    ) -> Page[Sale]:
        """Every ``SaleFilter`` field works here on any server (store, register, customer,
        transaction no, half-open UTC range, newest first), plus a local time-of-day range."""
        return await self.read(queries.sales, filter or SaleFilter(), time_of_day, skip, first)

    async def sale(self, id: str) -> Sale | None:
        """With lines and tenders when the server sent them."""
        return await self.read(queries.sale, id)

    async def locations(self) -> list[Location]:
        return await self.read(queries.locations)

    async def products(self, *, skip: int = 0, first: int = 50) -> Page[Product]:
        return await self.read(queries.products, skip, first)

    # ---------------------------------------------------------------- registers → stores

    async def register_stores(self) -> list[RegisterStore]:
        """Every register known, with its store (server-sent or a manager's), a suggestion,
        or none (see ``posdesk.mirror.registers``)."""
        return await self.read(registers.table)

    async def assign_register(self, register_code: str, location_code: str | None) -> None:
        """A manager's choice: ``register_code`` belongs to ``location_code`` (None: unknown).
        The register's sales without a store of their own move to it at once (store filters
        and every report use it from the next query on)."""
        await self.write(writes.assign_register, register_code, location_code)


def forget_file(path: Path) -> None:
    """Delete a mirror file and its WAL/SHM companions (no need to open it)."""
    for name in (path, *(path.with_name(path.name + s) for s in _SIDE_FILES)):
        with contextlib.suppress(FileNotFoundError):
            name.unlink()


def _prepare(conn: sqlite3.Connection, fts: bool | None) -> bool:
    schema.migrate(conn)
    available = schema.fts5_available(conn)
    if available:
        schema.ensure_fts(conn)
    return available if fts is None else (fts and available)


def _status(conn: sqlite3.Connection) -> dict[str, EntityStatus]:
    result = {}
    for entity in writes.ENTITIES:
        s = writes.state(conn, entity)
        result[entity] = EntityStatus(
            entity=entity,
            rows=writes.count(conn, entity),
            last_synced=rows.instant(s.last_synced),
            complete=s.complete,
            limited=s.limited,
            error=s.error,
            mode=s.mode,
        )
    return result
