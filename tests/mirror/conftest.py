"""Fixtures for the mirror tests: a private demo sandbox (these tests change modification dates,
stock and names, so they don't share the session's server), and helpers to compare a mirror
with what the server says."""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from posdesk.api.client import PosClient
from posdesk.mirror import Mirror, rows
from posdesk.sandbox.server import SandboxServer
from tests.api.helpers import connect


def _serve(api: str) -> Iterator[SandboxServer]:
    server = SandboxServer(db_path=":memory:", seed="demo", port=0, api=api)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def own_sandbox() -> Iterator[SandboxServer]:
    yield from _serve("extended")


@pytest.fixture(scope="module")
def documented_sandbox() -> Iterator[SandboxServer]:
    """A demo sandbox serving only the documented API (no search, no sale filters)."""
    yield from _serve("documented")


def canon(value: Any) -> Any:
    """A comparable, scale-independent form: Decimal('25.00') and Decimal('25') agree."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple(canon(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, tuple | list):
        return tuple(canon(v) for v in value)
    return value


def checksum(records: list[Any]) -> tuple[int, str]:
    """(count, sha256 of the sorted canonical records) — order-independent content check."""
    lines = sorted(repr(canon(r)) for r in records)
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()


async def everything(client: PosClient, method: Any, *args: Any) -> list[Any]:
    found: list[Any] = []
    async for page in client.pages(method, *args, first=1000):
        found.extend(page.items)
    return found


async def synced(client: PosClient, entity: Any) -> list[Any]:
    found: dict[Any, Any] = {}
    async for page, _ in client.sync(entity, "", first=1000):
        for record in page.items:
            found[_key(record)] = record
    return list(found.values())


def _key(record: Any) -> Any:
    for names in (("id",), ("sku", "warehouse_code", "serial_lot_no"), ("warehouse_code", "sku")):
        if all(hasattr(record, n) for n in names):
            return tuple(getattr(record, n) for n in names)
    return record.sku


_TABLES: dict[str, tuple[str, Callable[[sqlite3.Row], Any]]] = {
    "customer": ("customer", rows.customer),
    "item": ("item", rows.item),
    "item_warehouse": ("item_warehouse", rows.warehouse),
    "serial_lot": ("serial_lot", rows.serial_lot),
    "product": ("product", rows.product),
    "giftcard_transaction": ("giftcard_trans", rows.transaction),
}


async def mirrored(mirror: Mirror, entity: str) -> list[Any]:
    """Every record of ``entity`` the mirror holds, as domain objects."""
    if entity == "sale":
        ids = await mirror.read(lambda c: [r[0] for r in c.execute("SELECT id FROM sale")])
        return [await mirror.sale(i) for i in ids]
    if entity == "giftcard":
        ids = await mirror.read(lambda c: [r[0] for r in c.execute("SELECT id FROM giftcard")])
        return [await mirror.giftcard(i) for i in ids]
    if entity == "location":
        return await mirror.locations()
    table, convert = _TABLES[entity]

    def read(conn: sqlite3.Connection) -> list[Any]:
        return [convert(r) for r in conn.execute(f"SELECT * FROM {table}")]

    return await mirror.read(read)


async def server_side(client: PosClient, entity: str) -> list[Any]:
    """Every record of ``entity`` as the server lists it to this client."""
    if entity in ("customer", "item", "item_warehouse", "serial_lot", "sale"):
        return await synced(client, entity)
    method = {
        "location": client.locations,
        "product": client.products,
        "giftcard": client.giftcards,
        "giftcard_transaction": client.giftcard_transactions,
    }[entity]
    return await everything(client, method)


def mirror_file(tmp_path: Path, name: str = "mirror.sqlite3") -> Path:
    return tmp_path / "servers" / "scope" / name


@pytest_asyncio.fixture
async def client(own_sandbox: SandboxServer, tmp_path: Path) -> AsyncIterator[PosClient]:
    """The all-permissions demo client on the private sandbox."""
    client = await connect(own_sandbox, tmp_path)
    yield client
    await client.aclose()


@pytest_asyncio.fixture
async def mirror(tmp_path: Path) -> AsyncIterator[Mirror]:
    """An empty mirror file (closed after the test)."""
    mirror = await Mirror.open(mirror_file(tmp_path))
    yield mirror
    await mirror.close()
