"""What every seed phase shares: the target database, the preset, one random generator."""

from __future__ import annotations

import random
import sqlite3
from contextlib import AbstractContextManager
from typing import Any, Protocol

from posdesk.sandbox.seed.helpers import ts
from posdesk.sandbox.seed.reference import RANDOM_SEED, REFERENCE_DATE, Preset


class SeedTarget(Protocol):
    """What seeding needs of a database: its connection and the lock guarding it.

    A protocol, not :class:`posdesk.sandbox.db.Database`, so the seed package never imports
    ``db`` (``db`` calls the seeding function; no import cycle)."""

    @property
    def conn(self) -> sqlite3.Connection: ...

    @property
    def lock(self) -> AbstractContextManager[Any]: ...


class SeedState:
    """The generator state the phases share; phases run in a fixed order (see ``populate``)."""

    def __init__(self, db: SeedTarget, preset: Preset) -> None:
        self.db = db
        self.p = preset
        self.rng = random.Random(RANDOM_SEED)
        self.conn = db.conn
        self.ref = ts(REFERENCE_DATE)
        self.start = self.ref - 730 * 86400
        self.customers: list[tuple[str, str]] = []  # (id, full name) in id order
        self.members: list[str] = []
        self.items: list[tuple[str, str, int, str]] = []  # sku, name, price, tracking
        self.card_tenders: list[tuple[int, str]] = []  # (card id, last4 of code)
        self.fixture_customer_index = -2  # set by the customer phase, read by the sales phase

    def insert(self, table: str, rows: list[tuple[Any, ...]] | Any) -> None:
        rows = list(rows)
        if not rows:
            return
        marks = ",".join("?" * len(rows[0]))
        self.conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
