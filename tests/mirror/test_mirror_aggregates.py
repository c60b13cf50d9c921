"""The mirror's per-day aggregates (posdesk/mirror/aggregates.py) against a fresh GROUP BY over
the mirrored rows: after a full sync, after a sync that brings sales changed on the server
(moved to another day, store and register, new totals, a return, lines and tenders changed),
after sales are pruned, and when migration 3 builds them on an older file."""

from __future__ import annotations

import json
import sqlite3

import pytest

from posdesk.api.client import PosClient
from posdesk.mirror import Mirror, MirrorSync, writes
from posdesk.sandbox.server import SandboxServer

pytestmark = pytest.mark.asyncio

# independent of the production SQL: plain GROUP BYs over the rows the reports used to join
FRESH = {
    "sale_hour": "SELECT local_day, location_code, register_code, local_weekday, "
    "local_minute / 60, customer_id IS NOT NULL, count(*), count(total_e4), "
    "coalesce(sum(total_e4 < 0), 0), "
    "coalesce(sum(total_e4), 0), coalesce(sum(tax_e4), 0), coalesce(sum(discount_e4), 0), "
    "coalesce(sum(item_count_e4), 0), "
    "coalesce(sum(CASE WHEN total_e4 < 0 THEN total_e4 - coalesce(tax_e4, 0) END), 0), "
    "coalesce(sum(CASE WHEN total_e4 < 0 THEN item_count_e4 END), 0), sum(has_detail) "
    "FROM sale WHERE local_day IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6",
    "tender_day": "SELECT s.local_day, s.location_code, s.register_code, t.tender_type, "
    "count(*), sum(t.amount_e4) FROM sale s JOIN sale_tender t ON t.sale_id = s.id "
    "WHERE s.has_detail = 1 AND s.local_day IS NOT NULL GROUP BY 1, 2, 3, 4",
    "line_day": "SELECT s.local_day, s.location_code, s.register_code, l.sku, count(*), "
    "sum(l.quantity_e4), sum(l.ext_price_e4) FROM sale s JOIN sale_line l ON l.sale_id = s.id "
    "WHERE s.has_detail = 1 AND s.local_day IS NOT NULL GROUP BY 1, 2, 3, 4",
}


def _mismatches(conn: sqlite3.Connection) -> dict[str, int]:
    """Per aggregate table: rows that differ from the fresh GROUP BY (0 everywhere = equal)."""
    out = {}
    for table, sql in FRESH.items():
        fresh = sorted(map(tuple, conn.execute(sql)), key=repr)
        kept = sorted(map(tuple, conn.execute(f"SELECT * FROM {table}")), key=repr)
        assert fresh, table  # the demo data has sales with lines and tenders
        out[table] = len(set(fresh) ^ set(kept)) + abs(len(fresh) - len(kept))
    return out


async def _check(mirror: Mirror) -> None:
    assert await mirror.read(_mismatches) == dict.fromkeys(FRESH, 0)


def _change_sales(server: SandboxServer) -> list[str]:
    """Change six detailed sales on the server the way a back office can: another day, store
    and register, new totals (one becomes a return), a line dropped, a tender type changed."""
    db = server.db
    stores = [r[0] for r in db.query("SELECT DISTINCT location FROM sale ORDER BY 1")]
    registers = [r[0] for r in db.query("SELECT DISTINCT register FROM sale ORDER BY 1")]
    assert len(stores) > 1
    assert len(registers) > 1
    picked = db.query(
        "SELECT id, location, register, detail FROM sale WHERE detail IS NOT NULL "
        "ORDER BY sale_ts DESC LIMIT 6"
    )
    assert len(picked) == 6
    with db.transaction() as conn:
        for n, row in enumerate(picked):
            detail = json.loads(row["detail"])
            if len(detail["l"]) > 1:
                detail["l"] = detail["l"][1:]
            if detail["t"]:
                detail["t"][0][0] = "CHECK" if detail["t"][0][0] != "CHECK" else "CASH"
            store = stores[(stores.index(row["location"]) + 1) % len(stores)]
            register = registers[(registers.index(row["register"]) + 1) % len(registers)]
            conn.execute(
                "UPDATE sale SET sale_ts = sale_ts - 86400 * ?, location = ?, register = ?, "
                "total = CASE WHEN ? = 0 THEN -total ELSE total + 1234 END, tax = tax + 17, "
                "detail = ?, modified_at = ? WHERE id = ?",
                (n + 1, store, register, n, json.dumps(detail), db.next_modified(), row["id"]),
            )
    return [str(r["id"]) for r in picked]


def _totals(conn: sqlite3.Connection) -> tuple[int, int]:
    row = conn.execute("SELECT sum(gross), sum(rows) FROM sale_hour").fetchone()
    return int(row[0]), int(row[1])


async def test_aggregates_follow_syncs_changes_and_prunes(
    own_sandbox: SandboxServer, client: PosClient, mirror: Mirror
) -> None:
    sync = MirrorSync(client, mirror)
    await sync.sync_once()
    await _check(mirror)

    changed = _change_sales(own_sandbox)
    before = await mirror.read(_totals)
    again = await sync.sync_once()
    assert again["sale"].fetched >= len(changed)
    await _check(mirror)
    after = await mirror.read(_totals)
    assert after[1] == before[1]
    assert after[0] != before[0]

    def prune(conn: sqlite3.Connection) -> int:
        cut = conn.execute("SELECT sale_ts FROM sale ORDER BY sale_ts LIMIT 1 OFFSET 200")
        conn.execute("BEGIN IMMEDIATE")
        gone = writes.delete_where(conn, "sale", "sale_ts < ?", [cut.fetchone()[0]])
        conn.execute("COMMIT")
        return gone

    assert await mirror.write(prune) == 200
    await _check(mirror)
    empty = await mirror.read(
        lambda c: c.execute(
            "SELECT (SELECT count(*) FROM sale_hour WHERE rows = 0) + "
            "(SELECT count(*) FROM tender_day WHERE payments = 0) + "
            "(SELECT count(*) FROM line_day WHERE lines = 0)"
        ).fetchone()[0]
    )
    assert empty == 0  # emptied groups are deleted, not left at zero


async def test_migration_builds_them_from_an_older_file(client: PosClient, mirror: Mirror) -> None:
    await MirrorSync(client, mirror).sync_once()
    path = mirror.path
    await mirror.close()
    conn = sqlite3.connect(path, isolation_level=None)
    for table in FRESH:  # back to a file of migration 2 (with its rows)
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DROP INDEX item_warehouse_reorder")
    conn.execute("DROP INDEX sale_customer_report")
    conn.execute("ALTER TABLE sale DROP COLUMN mapped_store")  # migration 5's
    conn.execute("PRAGMA user_version = 2")
    conn.close()
    reopened = await Mirror.open(path)
    try:
        await _check(reopened)
    finally:
        await reopened.close()
