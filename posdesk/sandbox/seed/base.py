"""What every seed phase shares: the target database, the preset, one random generator."""

from __future__ import annotations

import random
import sqlite3
from contextlib import AbstractContextManager
from datetime import datetime
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

    def __init__(
        self, db: SeedTarget, preset: Preset, reference: datetime = REFERENCE_DATE
    ) -> None:
        self.db = db
        self.p = preset
        self.rng = random.Random(RANDOM_SEED)
        self.conn = db.conn
        self.ref = ts(reference)
        day_end = -(-self.ref // 86400) * 86400  # 00:00 UTC after the reference (or at it)
        self.start = day_end - 730 * 86400
        # A reference at 00:00 UTC is a date: each store's last local day is complete (the
        # fixed seeds; that evening is after the instant in UTC). Any later instant is live:
        # its day is included up to the instant, and no sale or record creation lies after it.
        self.cutoff: int | None = None if day_end == self.ref else self.ref
        self.customers: list[tuple[str, str]] = []  # (id, full name) in id order
        self.members: list[str] = []
        self.items: list[tuple[str, str, int, str]] = []  # sku, name, price, tracking
        self.card_tenders: list[tuple[int, str]] = []  # (card id, last4 of code)
        self.fixture_customer_index = -2  # set by the customer phase, read by the sales phase

    def past(self, when: int) -> int:
        """``when``, or the live reference if it is later (no record from the future)."""
        return when if self.cutoff is None else min(when, self.cutoff)

    def insert(self, table: str, rows: list[tuple[Any, ...]] | Any) -> None:
        rows = list(rows)
        if not rows:
            return
        marks = ",".join("?" * len(rows[0]))
        self.conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
