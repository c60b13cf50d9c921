"""Per-day pre-aggregated sales for the reports, kept by the sale writes in the same transaction.

A year of the large seed is ~350,000 sales with ~800,000 lines and ~400,000 tenders; grouping
them per report costs 0.3-1 s, so the reports read these instead (migration 3 builds them from
the rows already mirrored):

- ``sale_hour``: sale sums per local day × store × register × weekday × hour × whether the
  sale has a customer (overview, by store, by register, heat map, the notes' counts, top
  customers' totals);
- ``tender_day``: payments per local day × store × register × tender type;
- ``line_day``: lines per local day × store × register × SKU (top items; indexes by SKU and by
  store then SKU group a long period without a sort). With ~50,000 SKUs each selling a few
  times a day this table is nearly as big as ``sale_line``: its gain is reading a period in
  day or SKU order instead of one line lookup per sale.

Sales can change on the server: :func:`subtract` takes a page's old rows out before they are
written and :func:`add` puts the new ones in after, so every group stays equal to a fresh
``GROUP BY`` over ``sale`` (a group whose count reaches 0 is deleted). Keys may be NULL (the
documented API sends no store), so groups match with ``IS`` rather than a unique key. Only
sales that came with lines and tenders (``has_detail``) count in ``tender_day`` / ``line_day``,
as in the reports' joins; sales without a local day are in no period and are left out.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Aggregate:
    table: str
    keys: tuple[tuple[str, str], ...]  # (column, expression over the source)
    sums: tuple[tuple[str, str], ...]  # (column, expression); the first counts the group
    source: str  # FROM ... with the sale as ``s``

    def ddl(self) -> list[str]:
        cols = ", ".join(
            [*(k for k, _ in self.keys), *(f"{c} INTEGER NOT NULL" for c, _ in self.sums)]
        )
        covering = ", ".join(c for c, _ in (*self.keys, *self.sums))
        return [
            f"CREATE TABLE {self.table}({cols})",
            f"CREATE INDEX {self.table}_by_day ON {self.table}({covering})",
        ]

    def select(self, where: str, sign: int) -> str:
        keys = ", ".join(e for _, e in self.keys)
        sums = ", ".join(f"{sign} * coalesce({e}, 0)" for _, e in self.sums)
        groups = ", ".join(str(n + 1) for n in range(len(self.keys)))
        return (
            f"SELECT {keys}, {sums} FROM {self.source} "
            f"WHERE s.local_day IS NOT NULL AND ({where}) GROUP BY {groups}"
        )


_SALE_KEYS = (
    ("local_day", "s.local_day"),
    ("location_code", "s.location_code"),
    ("register_code", "s.register_code"),
)

#: The sale sums, in the order of posdesk.reports.sales.Sums, then ``detailed``.
SALE_SUMS = (
    "rows",
    "known",
    "returns",
    "gross",
    "tax",
    "discount",
    "all_items",
    "returns_net",
    "returns_items",
)

AGGREGATES: tuple[Aggregate, ...] = (
    Aggregate(
        "sale_hour",
        (
            *_SALE_KEYS,
            ("local_weekday", "s.local_weekday"),
            ("hour", "s.local_minute / 60"),
            ("with_customer", "s.customer_id IS NOT NULL"),
        ),
        tuple(
            zip(
                (*SALE_SUMS, "detailed"),
                (
                    "count(*)",
                    "count(s.total_e4)",
                    "sum(s.total_e4 < 0)",
                    "sum(s.total_e4)",
                    "sum(s.tax_e4)",
                    "sum(s.discount_e4)",
                    "sum(s.item_count_e4)",
                    "sum(CASE WHEN s.total_e4 < 0 THEN s.total_e4 - coalesce(s.tax_e4, 0) END)",
                    "sum(CASE WHEN s.total_e4 < 0 THEN s.item_count_e4 END)",
                    "sum(s.has_detail != 0)",
                ),
                strict=True,
            )
        ),
        "sale s",
    ),
    Aggregate(
        "tender_day",
        (*_SALE_KEYS, ("tender_type", "t.tender_type")),
        (("payments", "count(*)"), ("amount", "sum(t.amount_e4)")),
        "sale s JOIN sale_tender t ON t.sale_id = s.id AND s.has_detail",
    ),
    Aggregate(
        "line_day",
        (*_SALE_KEYS, ("sku", "l.sku")),
        (("lines", "count(*)"), ("quantity", "sum(l.quantity_e4)"), ("ext", "sum(l.ext_price_e4)")),
        "sale s JOIN sale_line l ON l.sale_id = s.id AND s.has_detail",
    ),
)


#: The reorder list's rows (posdesk/reports/stock.py): out of stock, or at or under the
#: reorder point. Migration 3 indexes just these rows (a partial index, kept by SQLite).
REORDER_WHERE = (
    "(qty_available_e4 <= 0 OR (reorder_point_e4 > 0 AND qty_available_e4 <= reorder_point_e4))"
)


def migration() -> str:
    """Migration 3: the tables, their indexes, and their contents from the mirrored rows."""
    statements: list[str] = []
    for agg in AGGREGATES:
        statements += agg.ddl()
        statements.append(f"INSERT INTO {agg.table} {agg.select('1', 1)}")
    # top items of a long period group by SKU in index order (no sort of ~800,000 day rows a
    # year): all stores by SKU, chosen stores by store then SKU
    statements.append(
        "CREATE INDEX line_day_by_sku ON line_day("
        "sku, local_day, location_code, register_code, lines, quantity, ext)"
    )
    statements.append(
        "CREATE INDEX line_day_by_store ON line_day("
        "location_code, sku, local_day, register_code, lines, quantity, ext)"
    )
    # top customers of a long period of all stores group in customer order (no sort of a
    # year of sales by customer)
    statements.append(
        "CREATE INDEX sale_customer_report ON sale("
        "customer_id, local_day, location_code, register_code, total_e4, tax_e4)"
    )
    statements.append(
        "CREATE INDEX item_warehouse_reorder ON item_warehouse(warehouse_code, sku, "
        f"qty_available_e4, reorder_point_e4, qty_on_hand_e4) WHERE {REORDER_WHERE}"
    )
    return ";\n".join(statements)


def _apply(conn: sqlite3.Connection, sign: int) -> None:
    """Fold the sales listed in ``temp.agg_ids`` into every aggregate with ``sign``."""
    for agg in AGGREGATES:
        delta = f"temp.{agg.table}_delta"
        conn.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {agg.table}_delta AS SELECT * FROM "
            f"main.{agg.table} WHERE 0"
        )
        conn.execute(f"DELETE FROM {delta}")
        conn.execute(
            f"INSERT INTO {delta} {agg.select('s.id IN (SELECT id FROM temp.agg_ids)', sign)}"
        )
        match = " AND ".join(f"a.{k} IS d.{k}" for k, _ in agg.keys)
        sets = ", ".join(f"{c} = a.{c} + d.{c}" for c, _ in agg.sums)
        conn.execute(f"UPDATE main.{agg.table} AS a SET {sets} FROM {delta} AS d WHERE {match}")
        conn.execute(
            f"INSERT INTO main.{agg.table} SELECT * FROM {delta} AS d WHERE NOT EXISTS "
            f"(SELECT 1 FROM main.{agg.table} AS a WHERE {match})"
        )
        if sign < 0:
            first = agg.sums[0][0]
            conn.execute(
                f"DELETE FROM main.{agg.table} WHERE rowid IN (SELECT a.rowid FROM {delta} "
                f"AS d JOIN main.{agg.table} AS a ON {match} WHERE a.{first} = 0)"
            )


def _ids(conn: sqlite3.Connection, ids: Iterable[tuple[str]] | str, params: Sequence[Any]) -> None:
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS agg_ids(id TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.execute("DELETE FROM temp.agg_ids")
    if isinstance(ids, str):
        conn.execute(f"INSERT OR IGNORE INTO temp.agg_ids SELECT id FROM sale WHERE {ids}", params)
    else:
        conn.executemany("INSERT OR IGNORE INTO temp.agg_ids VALUES (?)", ids)


def subtract(
    conn: sqlite3.Connection, ids: Iterable[tuple[str]] | str, params: Sequence[Any] = ()
) -> None:
    """Take sales out before they are overwritten or deleted: ``ids`` as (id,) rows, or a
    ``WHERE`` over ``sale`` with its parameters. Inside the caller's transaction."""
    _ids(conn, ids, params)
    _apply(conn, -1)


def add(conn: sqlite3.Connection, ids: Iterable[tuple[str]]) -> None:
    """Put the written sales in (inside the caller's transaction)."""
    _ids(conn, ids, ())
    _apply(conn, 1)
