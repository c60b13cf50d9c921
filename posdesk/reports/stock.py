"""Stock reports from the mirror's ``item_warehouse`` rows: the reorder list and stock value.

Reorder rule (docs/architecture.md, "Reports"): an item is *low* in a warehouse when its reorder
point is above 0 and its available quantity is at or under it; the suggested order brings the
available quantity up to twice the reorder point (2 × reorder point − available, rounded up to
a whole unit). An item is *out of stock* when its available quantity is 0 or less (with or
without a reorder point; without one there is no suggestion). Stock value = Σ on hand × the
warehouse's base price.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import tzinfo
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal

from posdesk.mirror.aggregates import REORDER_WHERE
from posdesk.reports.common import CENT, as_of, quantity
from posdesk.reports.model import (
    ChartKind,
    ChartSpec,
    ReportColumn,
    ReportFilters,
    ReportResult,
    ValueKind,
)

SUGGEST_FACTOR = 2  # order up to 2 x the reorder point


def suggested(available_e4: int, reorder_e4: int | None) -> Decimal | None:
    """Whole units that bring ``available`` to ``SUGGEST_FACTOR`` × the reorder point."""
    if not reorder_e4 or reorder_e4 <= 0:
        return None
    need = quantity(SUGGEST_FACTOR * reorder_e4 - available_e4)
    return max(need.to_integral_value(rounding=ROUND_CEILING), Decimal(0))


def _warehouse_where(filters: ReportFilters) -> tuple[str, list[object]]:
    if filters.warehouse:
        return "w.warehouse_code = ?", [filters.warehouse]
    return "1", []


def reorder(conn: sqlite3.Connection, filters: ReportFilters, tz: tzinfo) -> ReportResult:
    where, params = _warehouse_where(filters)
    # the partial index of migration 3 holds just the listed rows, in (warehouse, sku) order:
    # no scan of every stock row, no sort (a Python sort of the ~38,500 rows of the large
    # seed held the GIL in one piece and paused the event loop ~90 ms); names from one pass
    # over item (2x faster than a join), the suggestion in integer SQL (the same rule as
    # :func:`suggested`), so little is left to do per row here
    plain = conn.cursor()
    plain.row_factory = None  # plain tuples: no sqlite3.Row per row
    names = dict(plain.execute("SELECT sku, name FROM item").fetchall())
    factor = SUGGEST_FACTOR
    # one Decimal per distinct quantity (a few hundred), shared by the rows: building 38,500
    # rows is then mostly C-level dict look-ups, and there are far fewer objects to free
    amounts = _Shared(quantity)  # *_e4 quantities
    units = _Shared(Decimal)  # whole units
    low, out = "Low", "Out of stock"
    rows = tuple(
        (
            r[0],
            r[1],
            names.get(r[1]) or "",
            amounts[r[2]],
            amounts[r[3]],
            amounts[r[4]],
            units[r[5]],
            out if r[2] <= 0 else low,
        )
        for r in plain.execute(
            "SELECT w.warehouse_code, w.sku, w.qty_available_e4, w.reorder_point_e4, "
            "w.qty_on_hand_e4, CASE WHEN w.reorder_point_e4 > 0 THEN "
            f"max(0, ({factor} * w.reorder_point_e4 - w.qty_available_e4 + 9999) / 10000) END "
            f"FROM item_warehouse w INDEXED BY item_warehouse_reorder WHERE {where} AND "
            f"{REORDER_WHERE} ORDER BY 1, 2",
            params,
        )
    )
    notes = _reorder_notes(conn, where, params)
    per_warehouse: dict[str, int] = {}
    for r in rows:
        per_warehouse[str(r[0])] = per_warehouse.get(str(r[0]), 0) + 1
    return ReportResult(
        key="reorder",
        title="Reorder list",
        filters_text=filters.warehouse or "all warehouses",
        columns=(
            ReportColumn("Warehouse", ValueKind.TEXT, "warehouse"),
            ReportColumn("SKU", ValueKind.TEXT, "sku"),
            ReportColumn("Description", ValueKind.TEXT, "description"),
            ReportColumn("Available", ValueKind.QUANTITY, "available"),
            ReportColumn("Reorder point", ValueKind.QUANTITY, "reorder_point"),
            ReportColumn("On hand", ValueKind.QUANTITY, "on_hand"),
            ReportColumn("To order", ValueKind.QUANTITY, "suggested"),
            ReportColumn("Status", ValueKind.TEXT, "status"),
        ),
        rows=rows,
        chart=ChartSpec(
            ChartKind.BAR,
            tuple(per_warehouse),
            (("Items to reorder", tuple(Decimal(n) for n in per_warehouse.values())),),
            ValueKind.INTEGER,
        ),
        as_of=as_of(conn, "item_warehouse", "item"),
        notes=tuple(notes),
    )


def _reorder_notes(conn: sqlite3.Connection, where: str, params: list[object]) -> list[str]:
    """What the server did not send, without reading every stock row: any rows, any reorder
    point (the first row has one on an extended server), rows without an available quantity
    (migration 6's partial index holds just those)."""
    has_rows, has_points, unavailable = conn.execute(
        f"SELECT EXISTS(SELECT 1 FROM item_warehouse w WHERE {where}), "
        f"EXISTS(SELECT 1 FROM item_warehouse w WHERE {where} AND "
        "w.reorder_point_e4 IS NOT NULL), "
        "(SELECT count(*) FROM item_warehouse w INDEXED BY item_warehouse_no_available "
        f"WHERE {where} AND w.qty_available_e4 IS NULL)",
        params * 3,
    ).fetchone()
    notes: list[str] = []
    if has_rows and not has_points:
        notes.append(
            "The server sends no reorder points (it offers only the documented API), so low "
            "stock and suggested quantities cannot be shown; out-of-stock items can."
        )
    if unavailable:
        notes.append(f"{unavailable} stock rows came without an available quantity.")
    return notes


class _Shared(dict[int | None, Decimal | None]):
    """One Decimal per distinct value, made by ``convert`` the first time (``None`` stays
    ``None``)."""

    def __init__(self, convert: Callable[[int], Decimal]) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, key: int | None) -> Decimal | None:
        value = None if key is None else self.convert(key)
        self[key] = value
        return value


def warehouses(conn: sqlite3.Connection) -> list[str]:
    """The warehouse codes in the mirror's stock rows (the tab's warehouse filter)."""
    sql = "SELECT DISTINCT warehouse_code FROM item_warehouse ORDER BY 1"
    return [str(r[0]) for r in conn.execute(sql) if r[0] is not None]


def stock_value(conn: sqlite3.Connection, filters: ReportFilters, tz: tzinfo) -> ReportResult:
    where, params = _warehouse_where(filters)
    query = (
        "SELECT w.warehouse_code, count(*), count(w.qty_on_hand_e4), count(w.base_price_e4), "
        "sum(w.qty_on_hand_e4), sum(w.qty_on_hand_e4 * w.base_price_e4) FROM item_warehouse w "
        # "+": a scan and a tiny sort beat grouping in the warehouse index's order (one
        # lookup per stock row): 170 -> 100 ms on the large seed
        f"WHERE {where} GROUP BY +w.warehouse_code ORDER BY w.warehouse_code"
    )
    found = [tuple(r) for r in conn.execute(query, params)]
    rows: list[tuple[object, ...]] = []
    total_items = total_units = total_value = 0
    known = 0
    for code, items, on_hand, _priced, units, value_e8 in found:
        known += on_hand
        value = _e8_money(value_e8) if on_hand else None
        rows.append((code, int(items), quantity(units) if on_hand else None, value))
        total_items += int(items)
        total_units += int(units or 0)
        total_value += int(value_e8 or 0)
    notes: list[str] = []
    if total_items and not known:
        notes.append(
            "The server sends no on-hand quantities (it offers only the documented API), so "
            "stock value cannot be shown."
        )
    elif known < total_items:
        notes.append(f"{total_items - known} stock rows came without an on-hand quantity.")
    missing_price = sum(int(r[1]) - int(r[3]) for r in found)
    if missing_price:
        notes.append(f"{missing_price} stock rows came without a price and count as 0.")
    return ReportResult(
        key="stock_value",
        title="Stock value",
        filters_text=filters.warehouse or "all warehouses",
        columns=(
            ReportColumn("Warehouse", ValueKind.TEXT, "warehouse"),
            ReportColumn("Items", ValueKind.INTEGER, "items"),
            ReportColumn("Units on hand", ValueKind.QUANTITY, "units"),
            ReportColumn("Value", ValueKind.MONEY, "value"),
        ),
        rows=tuple(rows),
        chart=ChartSpec(
            ChartKind.BAR,
            tuple(str(r[0]) for r in rows),
            (("Value", tuple(Decimal(str(r[3] or 0)) for r in rows)),),
        ),
        as_of=as_of(conn, "item_warehouse"),
        notes=tuple(notes),
        totals=(
            "Total",
            total_items,
            quantity(total_units) if known else None,
            _e8_money(total_value) if known else None,
        ),
    )


def _e8_money(value: int | None) -> Decimal:
    """A sum of quantity_e4 × price_e4 (1/10^8 units) as cents, half-even."""
    return Decimal(value or 0).scaleb(-8).quantize(CENT, rounding=ROUND_HALF_EVEN)
