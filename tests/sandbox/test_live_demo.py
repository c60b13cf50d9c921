"""The demo's data end now, not on REFERENCE_DATE: ``posdesk --demo`` seeds with the current
minute, so "Today" has sales and none lies in the future; a fixed reference stays fixed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from posdesk.app import build_parser as app_parser
from posdesk.app.demo import start_demo_blocking
from posdesk.sandbox.db import Database
from posdesk.sandbox.seed import PRESETS, STORES, live_reference, populate
from posdesk.sandbox.server import SandboxServer
from tests.sandbox.conftest import Gql

ZONES = {store.code: ZoneInfo(store.time_zone) for store in STORES}


def _sales_since(server: SandboxServer, day: datetime) -> list[dict[str, Any]]:
    """Sales from ``day`` (UTC date) on, over HTTP; asserts the page holds them all."""
    gql = Gql(server)
    try:
        page = gql.data(
            f'{{ sale(fromDate: "{day:%Y-%m-%d}", first: 1000) '
            "{ hasMoreResults results { saleDate locationCode } } }"
        )["sale"]
    finally:
        gql.close()
    assert not page["hasMoreResults"]
    rows: list[dict[str, Any]] = page["results"]
    return rows


def _days_ago(store: str, sold: datetime, now: datetime) -> int:
    """How many calendar days before ``now`` a sale was, in its store's zone."""
    zone = ZONES[store]
    return (now.astimezone(zone).date() - sold.astimezone(zone).date()).days


def test_posdesk_demo_has_sales_up_to_now_and_none_after() -> None:
    """Through the same call as ``posdesk --demo`` (its parsed defaults), over HTTP."""
    args = app_parser().parse_args(["--demo"])
    before = datetime.now(UTC)
    demo = start_demo_blocking(args.demo_seed, args.demo_db, args.demo_api)
    try:
        after = datetime.now(UTC)
        recorded = datetime.fromisoformat(demo.server.db.meta("reference_date") or "")
        assert live_reference(before) <= recorded <= after
        rows = _sales_since(demo.server, after - timedelta(days=3))
        assert rows, "sales in the last three days"
        assert max(datetime.fromisoformat(r["saleDate"]) for r in rows) <= after
        days_ago = {
            _days_ago(r["locationCode"], datetime.fromisoformat(r["saleDate"]), after) for r in rows
        }
        assert min(days_ago) <= 1, "sales today or yesterday in their store's zone"
    finally:
        demo.stop()


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 12, 6, 5, 12, 30, tzinfo=UTC),  # American stores: still yesterday
        datetime(2026, 12, 6, 15, 0, tzinfo=UTC),  # stores have been open an hour or more
        datetime(2026, 12, 6, 0, 30, tzinfo=UTC),  # yesterday's evening is not over
        datetime(2026, 12, 7, 0, 0, 20, tzinfo=UTC),  # midnight: one minute earlier
    ],
)
def test_a_live_seed_ends_at_its_reference(now: datetime) -> None:
    reference = live_reference(now)
    assert now - timedelta(minutes=2) < reference <= now
    assert (reference.hour, reference.minute) != (0, 0)
    db = Database(":memory:", None)
    took = populate(db, "demo", reference)
    assert took < 2.0, "about as fast as the fixed seed"
    ref = int(reference.timestamp())
    sales = db.query_one("SELECT count(*), max(sale_ts), max(modified_at) FROM sale")
    assert sales is not None
    assert sales[0] == PRESETS["demo"].sales + 4
    assert sales[1] + 60 <= ref
    assert sales[2] <= ref * 1_000_000
    created = db.query_one("SELECT max(created_on), max(member_since) FROM customer")
    assert created is not None
    assert max(created) <= ref
    recent = db.query("SELECT location, sale_ts FROM sale WHERE sale_ts > ?", (ref - 2 * 86400,))
    days_ago = {_days_ago(r[0], datetime.fromtimestamp(r[1], UTC), reference) for r in recent}
    assert min(days_ago) <= 1, "sales today or yesterday in their store's zone"
    assert db.meta("reference_date") == reference.isoformat()
    db.close()


def test_a_demo_db_file_seeded_earlier_keeps_its_data(tmp_path: Path) -> None:
    """``posdesk --demo --demo-db FILE`` on a later day: the file is reused, never reseeded."""
    path = str(tmp_path / "demo.db")
    earlier = datetime(2026, 11, 2, 17, 45, tzinfo=UTC)
    first = start_demo_blocking(db_path=path, reference=earlier)
    first.stop()
    again = start_demo_blocking(db_path=path)  # now: a new seed would end today
    try:
        assert again.server.db.meta("reference_date") == earlier.isoformat()
        newest = _sales_since(again.server, earlier - timedelta(days=1))
        assert newest, "the earlier seed's last sales"
        assert max(datetime.fromisoformat(r["saleDate"]) for r in newest) <= earlier
    finally:
        again.stop()
