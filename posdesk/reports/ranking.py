"""Rankings from the mirror's sales: top items (needs sale lines) and top customers.

Top items sum the lines of sales that came with them (revenue = extended price after line
discounts, quantity net of returns), ranked by revenue and by quantity; top customers rank by
net sales (sales without a customer are left out). See posdesk/reports/sales.py for the sums.
"""

from __future__ import annotations

import sqlite3
from datetime import date, tzinfo
from decimal import Decimal

from posdesk.reports.common import (
    as_of,
    filters_text,
    money0,
    period_of,
    quantity,
    sale_where,
)
from posdesk.reports.model import (
    ChartKind,
    ChartSpec,
    ReportColumn,
    ReportFilters,
    ReportResult,
    ValueKind,
)
from posdesk.reports.sales import (
    DAY_NET_SUMS,
    NET_SUMS,
    Sums,
    detail_counts,
    detail_notes,
    sale_notes,
    sales_from,
    store_notes,
)


def top_items(conn: sqlite3.Connection, filters: ReportFilters, tz: tzinfo) -> ReportResult:
    where, params = sale_where(filters)
    counts = detail_counts(conn, where, params)
    # a month reads its day rows; a longer period groups a SKU-ordered index without a sort
    # (by store then SKU when stores are chosen); both rankings pick their top N in SQL
    if period_of(filters).days <= 62:
        index = "line_day_by_day"
    else:
        index = "line_day_by_store" if filters.stores else "line_day_by_sku"
    ranked = conn.execute(
        "WITH g AS MATERIALIZED (SELECT sku, sum(lines) AS n, sum(quantity) AS q, "
        f"sum(ext) AS e FROM line_day INDEXED BY {index} WHERE {where} GROUP BY sku) "
        "SELECT * FROM (SELECT 1, * FROM g ORDER BY e DESC, sku LIMIT ?) UNION ALL "
        "SELECT * FROM (SELECT 2, * FROM g ORDER BY q DESC, sku LIMIT ?)",
        (*params, filters.top_n, filters.top_n),
    ).fetchall()
    by_revenue = [tuple(r)[1:] for r in ranked if r[0] == 1]
    by_quantity = [tuple(r)[1:] for r in ranked if r[0] == 2]
    names = _item_names(conn, sorted({r[0] for r in (*by_revenue, *by_quantity)}))
    rows = tuple(
        (ranking, n, r[0], names.get(r[0], ""), quantity(r[2]), money0(r[3]), int(r[1]))
        for ranking, ranked in (("By revenue", by_revenue), ("By quantity", by_quantity))
        for n, r in enumerate(ranked, 1)
    )
    notes = store_notes(conn, filters, grouped=False)
    notes += detail_notes(counts, "lines", "sale lines", "top items cannot be shown")
    return ReportResult(
        key="top_items",
        title="Top items",
        filters_text=filters_text(filters, stores=True, registers=True, period=True),
        columns=(
            ReportColumn("Ranking", ValueKind.TEXT, "ranking"),
            ReportColumn("#", ValueKind.INTEGER, "rank"),
            ReportColumn("SKU", ValueKind.TEXT, "sku"),
            ReportColumn("Description", ValueKind.TEXT, "description"),
            ReportColumn("Quantity", ValueKind.QUANTITY, "quantity"),
            ReportColumn("Revenue", ValueKind.MONEY, "revenue"),
            ReportColumn("Lines", ValueKind.INTEGER, "lines"),
        ),
        rows=rows,
        chart=ChartSpec(
            ChartKind.BAR,
            tuple(str(r[0]) for r in by_revenue),
            (("Revenue", tuple(money0(r[3]) for r in by_revenue)),),
        ),
        as_of=as_of(conn, "sale"),
        notes=tuple(notes),
    )


def top_customers(conn: sqlite3.Connection, filters: ReportFilters, tz: tzinfo) -> ReportResult:
    where, params = sale_where(filters)
    total = Sums.of(
        conn.execute(
            f"SELECT {DAY_NET_SUMS} FROM sale_hour WHERE {where} AND with_customer", params
        ).fetchone()
    )
    where += " AND customer_id IS NOT NULL"
    priced = total.known > 0
    # SQL keeps only the top N while it groups (no ~100,000 customers through Python)
    rank = "sum(total_e4) - coalesce(sum(tax_e4), 0)" if priced else "count(*)"
    # a long period of all stores: grouped in a customer-ordered index (migration 3) rather
    # than sorting ~350,000 sales; else the period's (or the store's) rows by day
    long_all = period_of(filters).days > 62 and not filters.stores
    source = "sale INDEXED BY sale_customer_report" if long_all else sales_from(filters)
    found = conn.execute(
        f"SELECT customer_id, max(local_day), {NET_SUMS} FROM {source} "
        f"WHERE {where} GROUP BY customer_id ORDER BY {rank} DESC, customer_id LIMIT ?",
        (*params, filters.top_n),
    ).fetchall()
    chosen = [(r[0], r[1], Sums.of(tuple(r)[2:])) for r in found]
    names = _customer_names(conn, [f[0] for f in chosen])
    rows = tuple(
        (n, cid, names.get(cid, ""), s.count, s.metrics()["net"], date.fromisoformat(last))
        for n, (cid, last, s) in enumerate(chosen, 1)
    )
    return ReportResult(
        key="top_customers",
        title="Top customers",
        filters_text=filters_text(filters, stores=True, registers=True, period=True),
        columns=(
            ReportColumn("#", ValueKind.INTEGER, "rank"),
            ReportColumn("Customer", ValueKind.TEXT, "customer_id"),
            ReportColumn("Name", ValueKind.TEXT, "name"),
            ReportColumn("Sales", ValueKind.INTEGER, "sales"),
            ReportColumn("Net sales", ValueKind.MONEY, "net"),
            ReportColumn("Last sale", ValueKind.DATE, "last_sale"),
        ),
        rows=rows,
        chart=ChartSpec(
            ChartKind.BAR,
            tuple(str(r[2] or r[1]) for r in rows),
            (
                (
                    "Net sales" if priced else "Sales",
                    tuple(Decimal(str((r[4] if priced else r[3]) or 0)) for r in rows),
                ),
            ),
            ValueKind.MONEY if priced else ValueKind.INTEGER,
        ),
        as_of=as_of(conn, "sale", "customer"),
        notes=tuple(sale_notes(conn, filters, total)),
    )


def _item_names(conn: sqlite3.Connection, skus: list[str]) -> dict[str, str]:
    """Descriptions of the top N (the item's name, else a line's description)."""
    names: dict[str, str] = {}
    for sku in skus:
        row = conn.execute("SELECT name FROM item WHERE sku = ?", (sku,)).fetchone()
        if not (row and row[0]):
            row = conn.execute(
                "SELECT description FROM sale_line INDEXED BY sale_line_by_sku WHERE sku = ? "
                "AND description IS NOT NULL LIMIT 1",
                (sku,),
            ).fetchone()
        names[sku] = (row[0] if row else None) or ""
    return names


def _customer_names(conn: sqlite3.Connection, ids: list[str]) -> dict[str, str]:
    """Names from the customer rows, else as a sale of theirs carried it (a few lookups: only
    the top N, so the aggregate itself stays on the covering index)."""
    names: dict[str, str] = {}
    for cid in ids:
        row = conn.execute("SELECT full_name FROM customer WHERE id = ?", (cid,)).fetchone()
        if not (row and row[0]):
            row = conn.execute(
                "SELECT customer_name FROM sale WHERE customer_id = ? AND customer_name "
                "IS NOT NULL LIMIT 1",
                (cid,),
            ).fetchone()
        names[cid] = (row[0] if row else None) or ""
    return names
