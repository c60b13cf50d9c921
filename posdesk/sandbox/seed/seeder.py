"""Fill an empty, migrated database with a preset (:func:`populate`)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from posdesk.sandbox.seed.base import SeedTarget
from posdesk.sandbox.seed.customers import CustomerRows
from posdesk.sandbox.seed.giftcards import GiftcardRows
from posdesk.sandbox.seed.goods import GoodsRows
from posdesk.sandbox.seed.reference import PRESETS, REFERENCE_DATE
from posdesk.sandbox.seed.sales import SaleRows
from posdesk.sandbox.tables import INDEXES


class _Seeder(CustomerRows, GoodsRows, GiftcardRows, SaleRows):
    """All phases over one shared state."""


def populate(db: SeedTarget, preset_name: str, reference: datetime = REFERENCE_DATE) -> float:
    """Fill an empty, migrated database with a preset; returns the seconds it took.

    Generated data end at ``reference`` (see :class:`~.base.SeedState`): the fixed
    :data:`REFERENCE_DATE` by default, so tests and benchmarks see the same data every day;
    the live demo passes the current minute (:func:`~.reference.live_reference`).

    Secondary indexes are dropped during the bulk insert and rebuilt afterwards (much faster
    than maintaining them row by row); the whole seed is one transaction.
    """
    preset = PRESETS[preset_name]
    started = time.perf_counter()
    seeder = _Seeder(db, preset, reference)
    conn = db.conn
    with db.lock:
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("BEGIN")
        for name in INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
        phases: dict[str, float] = {}
        for phase in (
            seeder.locations,
            seeder.customer_rows,
            seeder.item_rows,
            seeder.stock_rows,
            seeder.catalogue_rows,
            seeder.giftcard_rows,
            seeder.sale_rows,
            seeder.purchase_rows,
        ):
            mark = time.perf_counter()
            phase()
            phases[phase.__name__] = round(time.perf_counter() - mark, 2)
        mark = time.perf_counter()
        for sql in INDEXES.values():
            conn.execute(sql)
        phases["indexes"] = round(time.perf_counter() - mark, 2)
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [
                ("seed", preset_name),
                ("reference_date", reference.isoformat()),
                ("seeded_at", datetime.now(UTC).isoformat()),
            ],
        )
        conn.execute("COMMIT")
        mark = time.perf_counter()
        conn.execute("ANALYZE")
        phases["analyze"] = round(time.perf_counter() - mark, 2)
        took = time.perf_counter() - started
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("seed_seconds", f"{took:.1f}"), ("seed_phases", json.dumps(phases))],
        )
        conn.execute("PRAGMA synchronous=NORMAL")
    return took
