"""Reports: figures computed from the local mirror (no Qt); the Reports tab renders them.

    result = await run_report(mirror, "sales_overview", ReportFilters(first, last), tz)

Every report is one function ``fn(conn, filters, tz) -> ReportResult`` run on the mirror's
reader thread (SQL over the ``*_e4`` integer columns; Decimal only at the end). ``REPORTS``
lists them with the filters that apply. See docs/architecture.md, "Reports".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo

from posdesk.mirror import Mirror
from posdesk.reports import giftcards, ranking, sales, stock
from posdesk.reports.model import ReportFilters, ReportResult

Compute = Callable[[sqlite3.Connection, ReportFilters, tzinfo], ReportResult]


@dataclass(frozen=True, slots=True)
class ReportInfo:
    """One report for the list: which filters the UI shows for it."""

    key: str
    title: str
    description: str
    period: bool = True  # first_day / last_day
    stores: bool = False
    registers: bool = False
    top_n: bool = False
    giftcard_options: bool = False  # dormant_months, open_auth_days
    warehouse: bool = False


REPORTS: tuple[ReportInfo, ...] = (
    ReportInfo(
        "sales_overview",
        "Sales overview",
        "Net sales, sales, average ticket, items per sale, discounts, returns and tax, "
        "against the previous period and the same period last year.",
        stores=True,
        registers=True,
    ),
    ReportInfo("sales_by_store", "Sales by store", "Sales and net sales per store.", stores=True),
    ReportInfo(
        "sales_by_register",
        "Sales by register",
        "Sales and net sales per register.",
        stores=True,
        registers=True,
    ),
    ReportInfo(
        "sales_by_tender",
        "Sales by tender",
        "Payments by tender type (cash, card, gift card...).",
        stores=True,
        registers=True,
    ),
    ReportInfo(
        "sales_heatmap",
        "Sales by hour and weekday",
        "When customers buy: hour of day × weekday, in the store's time.",
        stores=True,
        registers=True,
    ),
    ReportInfo(
        "top_items",
        "Top items",
        "Best sellers by revenue and by quantity.",
        stores=True,
        registers=True,
        top_n=True,
    ),
    ReportInfo(
        "top_customers",
        "Top customers",
        "Customers by net sales.",
        stores=True,
        registers=True,
        top_n=True,
    ),
    ReportInfo(
        "giftcard_liability",
        "Gift card liability",
        "What is owed on gift cards: by code type, by age, dormant cards, open "
        "authorizations and the period's activity.",
        giftcard_options=True,
    ),
    ReportInfo(
        "reorder",
        "Reorder list",
        "Items at or under their reorder point, with a suggested quantity, and items out of stock.",
        period=False,
        warehouse=True,
    ),
    ReportInfo(
        "stock_value",
        "Stock value",
        "On hand × price by warehouse.",
        period=False,
        warehouse=True,
    ),
)

_COMPUTE: dict[str, Compute] = {
    "sales_overview": sales.sales_overview,
    "sales_by_store": sales.sales_by_store,
    "sales_by_register": sales.sales_by_register,
    "sales_by_tender": sales.sales_by_tender,
    "sales_heatmap": sales.sales_heatmap,
    "top_items": ranking.top_items,
    "top_customers": ranking.top_customers,
    "giftcard_liability": giftcards.giftcard_liability,
    "reorder": stock.reorder,
    "stock_value": stock.stock_value,
}


def compute(conn: sqlite3.Connection, key: str, filters: ReportFilters, tz: tzinfo) -> ReportResult:
    """Run one report on an open connection (the mirror's reader thread, or a test's)."""
    try:
        fn = _COMPUTE[key]
    except KeyError:
        raise ValueError(f"unknown report {key!r}") from None
    return fn(conn, filters, tz)


async def run_report(mirror: Mirror, key: str, filters: ReportFilters, tz: tzinfo) -> ReportResult:
    """Compute report ``key`` on the mirror's reader thread; ``tz`` is the zone for instants
    that have no store (gift card issue dates and transactions)."""
    return await mirror.read(compute, key, filters, tz)


__all__ = ["REPORTS", "ReportInfo", "compute", "run_report"]
