"""Sales reports from the mirror's ``sale`` rows (and lines / tenders where the server sent them).

Definitions (docs/architecture.md, "Reports"): a *return* is a sale whose total is negative;
*net sales* = Σ (total − tax) over sales and returns (discounts are already out of the total);
*number of sales* excludes returns; *average ticket* = Σ (total − tax) of sales (not returns) /
number of sales; *items per sale* = Σ item count of sales / number of sales; *returns* =
−Σ (total − tax) of returns (a positive amount); *tax* and *discounts* are plain sums.
A period is inclusive local dates; every sale carries its store's ``local_day``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import date, timedelta, tzinfo
from decimal import Decimal

from posdesk.mirror.aggregates import SALE_SUMS
from posdesk.reports.common import (
    Period,
    as_of,
    dates_text,
    filters_text,
    money0,
    period_of,
    quantity,
    ratio,
    sale_where,
    share,
)
from posdesk.reports.model import (
    ChartKind,
    ChartSpec,
    Comparison,
    ReportColumn,
    ReportFilters,
    ReportResult,
    ValueKind,
)

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def sales_from(filters: ReportFilters, alias: str = "") -> str:
    """``sale`` read through a covering index of migration 2: by store then day when stores
    are chosen, else by day (left alone, the planner picks sale_by_store for one store and
    then reads the table row by row)."""
    index = "sale_report_store" if filters.stores else "sale_report"
    return f"sale{' AS ' + alias if alias else ''} INDEXED BY {index}"


# few aggregates, two CASEs: each costs per row of a year of sales; the rest is derived
_SUMS = (
    "count(*), count(total_e4), sum(total_e4 < 0), sum(total_e4), sum(tax_e4), "
    "sum(discount_e4), sum(item_count_e4), "
    "sum(CASE WHEN total_e4 < 0 THEN total_e4 - coalesce(tax_e4, 0) END), "
    "sum(CASE WHEN total_e4 < 0 THEN item_count_e4 END)"
)
_FIELDS = 9
# enough for counts and net sales (rows, known, returns, gross, tax): heat map, customers
NET_SUMS = "count(*), count(total_e4), sum(total_e4 < 0), sum(total_e4), sum(tax_e4)"
# the same sums from the per-day aggregate (posdesk/mirror/aggregates.py: a year is ~40,000
# rows instead of ~350,000 sales); every report of sales reads it
DAY_SUMS = ", ".join(f"sum({c})" for c in SALE_SUMS)
DAY_NET_SUMS = ", ".join(f"sum({c})" for c in SALE_SUMS[:5])


@dataclass(frozen=True, slots=True)
class Sums:
    """The sale aggregates of one group (a period, a store, a day...), in e4 units."""

    rows: int = 0  # every sale row, with or without totals
    known: int = 0  # rows with a total
    returns: int = 0  # rows with a negative total
    gross: int = 0  # total with tax
    tax: int = 0
    discount: int = 0
    all_items: int = 0
    returns_net: int = 0
    returns_items: int = 0

    @property
    def sales(self) -> int:
        return self.known - self.returns

    @property
    def net(self) -> int:
        return self.gross - self.tax

    @property
    def sales_net(self) -> int:
        return self.net - self.returns_net

    @property
    def items(self) -> int:
        return self.all_items - self.returns_items

    @classmethod
    def of(cls, row: sqlite3.Row | tuple[object, ...]) -> Sums:
        return cls(*(int(v or 0) for v in tuple(row)[:_FIELDS]))

    def __add__(self, other: Sums) -> Sums:
        return Sums(*(a + b for a, b in zip(_astuple(self), _astuple(other), strict=True)))

    @property
    def count(self) -> int:
        """Number of sales: without totals, every row counts (returns can't be told apart)."""
        return self.sales if self.known else self.rows

    def metrics(self) -> dict[str, Decimal | int | None]:
        priced = self.known > 0 or not self.rows  # nothing sold is 0.00, not unknown
        return {
            "sales": self.count,
            "net": money0(self.net) if priced else None,
            "ticket": ratio(money0(self.sales_net), self.sales) if priced else None,
            "items": ratio(quantity(self.items), self.sales) if priced else None,
            "discount": money0(self.discount) if priced else None,
            "returns": money0(-self.returns_net) if priced else None,
            "tax": money0(self.tax) if priced else None,
        }


def _astuple(s: Sums) -> tuple[int, ...]:
    return tuple(getattr(s, f) for f in Sums.__slots__)


_METRICS: tuple[tuple[str, str, ValueKind], ...] = (
    ("net", "Net sales", ValueKind.MONEY),
    ("sales", "Sales", ValueKind.INTEGER),
    ("ticket", "Average ticket", ValueKind.MONEY),
    ("items", "Items per sale", ValueKind.QUANTITY),
    ("discount", "Discounts", ValueKind.MONEY),
    ("returns", "Returns", ValueKind.MONEY),
    ("tax", "Tax", ValueKind.MONEY),
)


#: Sales by store's row for the sales whose register has no store yet (documented API)
UNASSIGNED = "Unassigned registers"
_NO_STORE = "No store"  # the same, in sales by register's Store column
_FIX = "To fix it, set each register's store in View › Local data… › Registers → stores."


def store_notes(conn: sqlite3.Connection, filters: ReportFilters, *, grouped: bool) -> list[str]:
    """Sales whose register has no store (the server sent none, the register is not mapped):
    where they went, and how to fix it. ``grouped``: a report with a row per store."""
    everywhere = replace(filters, stores=frozenset())
    where, params = sale_where(everywhere)
    sales, registers = conn.execute(
        "SELECT coalesce(sum(rows), 0), count(DISTINCT register_code) FROM sale_hour "
        f"WHERE {where} AND location_code IS NULL",
        params,
    ).fetchone()
    if not sales:
        return []
    which = f"{sales} sale(s) of the period come from {registers} register(s) with no store"
    why = "(the server sends no store per sale and the register is not assigned to one)"
    if filters.stores:
        return [f"{which} {why}, so the store filter leaves them out. {_FIX}"]
    if grouped:
        return [f'{which} {why}: they are in the row "{UNASSIGNED}". {_FIX}']
    return []


# the overview table's headers where the KPI's name is long (eight columns beside a chart)
_SHORT = {"ticket": "Avg. ticket", "items": "Items/sale"}


def sale_notes(
    conn: sqlite3.Connection, filters: ReportFilters, sums: Sums, *, grouped: bool = False
) -> list[str]:
    """What the server did not send, in plain sentences."""
    notes: list[str] = []
    if sums.rows and not sums.known:
        notes.append(
            "The server sends no sale totals (it offers only the documented API), so money "
            "figures cannot be shown; the number of sales can."
        )
    elif sums.known < sums.rows:
        notes.append(
            f"{sums.rows - sums.known} of {sums.rows} sales came without totals and are left "
            "out of the money figures."
        )
    notes += store_notes(conn, filters, grouped=grouped)
    if not sums.rows:
        notes += _no_sales_note(conn)
    zone = conn.execute("SELECT value FROM meta WHERE key = 'time_zone'").fetchone()
    zones = conn.execute("SELECT count(time_zone) FROM location").fetchone()[0]
    if zone is None and not zones and sums.rows:
        notes.append("The server sends no time zones, so days are counted in UTC.")
    return notes


def _no_sales_note(conn: sqlite3.Connection) -> list[str]:
    """An empty period says where the sales are (a "-100 %" alone reads like a disaster when
    the period is simply outside what was copied)."""
    first, last = conn.execute("SELECT min(local_day), max(local_day) FROM sale").fetchone()
    if first is None:
        return ["There are no sales in this PC's copy of the store's data yet."]
    copied = ReportFilters(date.fromisoformat(first), date.fromisoformat(last))
    return [f"No sales match these filters; the copied sales run {dates_text(copied)}."]


def detail_counts(conn: sqlite3.Connection, where: str, params: list[object]) -> tuple[int, int]:
    """(sales, sales that came with lines and tenders) for the notes of tenders and top items."""
    row = conn.execute(
        f"SELECT coalesce(sum(rows), 0), coalesce(sum(detailed), 0) FROM sale_hour WHERE {where}",
        params,
    ).fetchone()
    return int(row[0]), int(row[1])


def detail_notes(counts: tuple[int, int], detail: str, sent: str, consequence: str) -> list[str]:
    """The note for sales the server sent without ``detail`` (lines, tenders): all of them (a
    documented server, which never sends ``sent``) or some."""
    sales, detailed = counts
    if sales and not detailed:
        return [
            f"The server sends no {sent} (it offers only the documented API), so {consequence}."
        ]
    if detailed < sales:
        return [f"{sales - detailed} of {sales} sales came without {detail} and are left out."]
    return []


def _change(current: object, earlier: object) -> tuple[Decimal | int | None, Decimal | None]:
    if not isinstance(current, Decimal | int) or not isinstance(earlier, Decimal | int):
        return None, None
    delta = current - earlier
    return delta, (share(delta, earlier) if earlier else None)


def _days(
    conn: sqlite3.Connection, filters: ReportFilters, periods: tuple[Period, ...]
) -> dict[str, Sums]:
    """Sums per local day over the periods, one query per run of overlapping or adjacent
    periods (a year and the year before it are read once, not three times)."""
    merged: list[Period] = []
    for p in sorted(periods, key=lambda p: p.first):
        if merged and p.first <= merged[-1].last + timedelta(days=1):
            merged[-1] = Period(merged[-1].first, max(merged[-1].last, p.last))
        else:
            merged.append(p)
    by_day: dict[str, Sums] = {}
    for p in merged:
        where, params = sale_where(filters, p)
        for r in conn.execute(
            f"SELECT local_day, {DAY_SUMS} FROM sale_hour WHERE {where} GROUP BY local_day",
            params,
        ):
            by_day[r[0]] = Sums.of(tuple(r)[1:])
    return by_day


def _sum_days(by_day: dict[str, Sums], period: Period) -> Sums:
    total = Sums()
    for n in range(period.days):
        found = by_day.get((period.first + timedelta(days=n)).isoformat())
        if found is not None:
            total = total + found
    return total


def _buckets(period: Period) -> tuple[str, list[tuple[str, date, date]]]:
    """Chart buckets from the period's length: days up to 31, weeks (Monday) up to 182, else
    months; each (label, first, last) clipped to the period."""
    if period.days <= 31:
        days = [period.first + timedelta(days=n) for n in range(period.days)]
        return "Day", [(d.isoformat(), d, d) for d in days]
    out: list[tuple[str, date, date]] = []
    if period.days <= 182:
        start = period.first - timedelta(days=period.first.weekday())
        while start <= period.last:
            end = start + timedelta(days=6)
            out.append(
                (f"Week of {start.isoformat()}", max(start, period.first), min(end, period.last))
            )
            start = end + timedelta(days=1)
        return "Week", out
    start = period.first.replace(day=1)
    while start <= period.last:
        following = (start + timedelta(days=32)).replace(day=1)
        out.append(
            (
                start.strftime("%Y-%m"),
                max(start, period.first),
                min(following - timedelta(days=1), period.last),
            )
        )
        start = following
    return "Month", out


def sales_overview(conn: sqlite3.Connection, filters: ReportFilters, tz: tzinfo) -> ReportResult:
    period = period_of(filters)
    previous_period, last_year_period = period.previous(), period.last_year()
    by_day = _days(conn, filters, (period, previous_period, last_year_period))
    unit, buckets = _buckets(period)
    rows: list[tuple[object, ...]] = []
    total = Sums()
    for label, first, last in buckets:
        bucket = _sum_days(by_day, Period(first, last))
        total = total + bucket
        m = bucket.metrics()
        rows.append((label, *(m[key] for key, _, _ in _METRICS)))
    previous = _sum_days(by_day, previous_period).metrics()
    last_year = _sum_days(by_day, last_year_period).metrics()
    comparisons = []
    for key, label, kind in _METRICS:
        now = total.metrics()[key]
        d1, c1 = _change(now, previous[key])
        d2, c2 = _change(now, last_year[key])
        comparisons.append(
            Comparison(label, kind, now, previous[key], last_year[key], d1, c1, d2, c2)
        )
    priced = total.known > 0
    series_key, series_name, y_kind = (
        ("net", "Net sales", ValueKind.MONEY) if priced else ("sales", "Sales", ValueKind.INTEGER)
    )
    index = [k for k, _, _ in _METRICS].index(series_key) + 1
    chart = ChartSpec(
        ChartKind.LINE,
        tuple(str(r[0]) for r in rows),
        ((series_name, tuple(Decimal(str(r[index] or 0)) for r in rows)),),
        y_kind,
    )
    m = total.metrics()
    return ReportResult(
        key="sales_overview",
        title="Sales overview",
        filters_text=filters_text(filters, stores=True, registers=True, period=True),
        columns=(
            ReportColumn(unit, ValueKind.TEXT, "bucket"),
            *(ReportColumn(_SHORT.get(key, label), kind, key) for key, label, kind in _METRICS),
        ),
        rows=tuple(rows),
        chart=chart,
        as_of=as_of(conn, "sale"),
        notes=tuple(sale_notes(conn, filters, total)),
        totals=("Total", *(m[key] for key, _, _ in _METRICS)),
        highlights=tuple((c.label, _text(c.current)) for c in comparisons),
        comparisons=tuple(comparisons),
    )


def _text(value: object) -> str:
    """Plain text for a KPI card (the UI formats ``comparisons`` with the locale)."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):
        return f"{value:,}"
    return str(value)


_GROUP_COLUMNS = (
    ReportColumn("Sales", ValueKind.INTEGER, "sales"),
    ReportColumn("Net sales", ValueKind.MONEY, "net"),
    ReportColumn("Average ticket", ValueKind.MONEY, "ticket"),
    ReportColumn("Returns", ValueKind.MONEY, "returns"),
    ReportColumn("Tax", ValueKind.MONEY, "tax"),
    ReportColumn("Total with tax", ValueKind.MONEY, "gross"),
)


def _group_values(s: Sums) -> tuple[object, ...]:
    m = s.metrics()
    gross = money0(s.gross) if s.known else None
    return (m["sales"], m["net"], m["ticket"], m["returns"], m["tax"], gross)


def _grouped(
    conn: sqlite3.Connection,
    filters: ReportFilters,
    key: str,
    title: str,
    group: tuple[str, ...],
    headings: tuple[str, ...],
) -> ReportResult:
    where, params = sale_where(filters)
    merged: dict[tuple[object, ...], Sums] = {}
    for r in conn.execute(
        f"SELECT location_code, register_code, {DAY_SUMS} FROM sale_hour WHERE {where} "
        "GROUP BY 1, 2",
        params,
    ):
        group_key = tuple(r)[: len(group)]
        merged[group_key] = merged.get(group_key, Sums()) + Sums.of(tuple(r)[2:])
    # by code; the sales of registers with no store last
    found = sorted(merged.items(), key=lambda kv: tuple((v is None, str(v)) for v in kv[0]))
    total = Sums()
    for _, s in found:
        total = total + s
    notes = sale_notes(conn, filters, total, grouped=True)
    nobody = UNASSIGNED if len(group) == 1 else _NO_STORE
    rows = tuple(
        (*(g if g is not None else nobody for g in groups), *_group_values(s))
        for groups, s in found
    )
    priced = total.known > 0
    chart = ChartSpec(
        ChartKind.BAR,
        tuple(str(r[len(group) - 1]) for r in rows),  # the store, or the register (its own code)
        (
            (
                "Net sales" if priced else "Sales",
                tuple(Decimal(str(r[len(group) + (1 if priced else 0)] or 0)) for r in rows),
            ),
        ),
        ValueKind.MONEY if priced else ValueKind.INTEGER,
    )
    return ReportResult(
        key=key,
        title=title,
        filters_text=filters_text(
            filters, stores=True, registers=key != "sales_by_store", period=True
        ),
        columns=(
            *(ReportColumn(h, ValueKind.TEXT, g) for h, g in zip(headings, group, strict=True)),
            *_GROUP_COLUMNS,
        ),
        rows=rows,
        chart=chart,
        as_of=as_of(conn, "sale"),
        notes=tuple(notes),
        totals=("Total", *([""] * (len(group) - 1)), *_group_values(total)),
    )


def sales_by_store(conn: sqlite3.Connection, filters: ReportFilters, tz: tzinfo) -> ReportResult:
    return _grouped(
        conn, filters, "sales_by_store", "Sales by store", ("location_code",), ("Store",)
    )


def sales_by_register(conn: sqlite3.Connection, filters: ReportFilters, tz: tzinfo) -> ReportResult:
    return _grouped(
        conn,
        filters,
        "sales_by_register",
        "Sales by register",
        ("location_code", "register_code"),
        ("Store", "Register"),
    )


def sales_by_tender(conn: sqlite3.Connection, filters: ReportFilters, tz: tzinfo) -> ReportResult:
    where, params = sale_where(filters)
    found = conn.execute(
        f"SELECT tender_type, sum(payments), sum(amount) FROM tender_day WHERE {where} "
        "GROUP BY tender_type ORDER BY sum(amount) DESC, tender_type",
        params,
    ).fetchall()
    counts = detail_counts(conn, where, params)
    whole = sum(int(r[2] or 0) for r in found)
    rows = tuple((r[0], int(r[1]), money0(r[2]), share(int(r[2] or 0), whole)) for r in found)
    notes = store_notes(conn, filters, grouped=False)
    notes += detail_notes(
        counts, "tenders", "tenders with sales", "payments cannot be split by tender"
    )
    return ReportResult(
        key="sales_by_tender",
        title="Sales by tender",
        filters_text=filters_text(filters, stores=True, registers=True, period=True),
        columns=(
            ReportColumn("Tender", ValueKind.TEXT, "tender"),
            ReportColumn("Payments", ValueKind.INTEGER, "payments"),
            ReportColumn("Amount", ValueKind.MONEY, "amount"),
            ReportColumn("Share", ValueKind.PERCENT, "share"),
        ),
        rows=rows,
        chart=ChartSpec(
            ChartKind.BAR, tuple(str(r[0]) for r in rows), (("Amount", tuple(r[2] for r in rows)),)
        ),
        as_of=as_of(conn, "sale"),
        notes=tuple(notes),
        totals=(
            "Total",
            sum(int(r[1]) for r in found),
            money0(whole),
            share(whole, whole) if whole else None,
        ),
    )


def sales_heatmap(conn: sqlite3.Connection, filters: ReportFilters, tz: tzinfo) -> ReportResult:
    where, params = sale_where(filters)
    cells = {
        (int(r[0]), int(r[1])): Sums.of(tuple(r)[2:])
        for r in conn.execute(
            f"SELECT local_weekday, hour, {DAY_NET_SUMS} "
            f"FROM sale_hour WHERE {where} AND local_weekday IS NOT NULL GROUP BY 1, 2",
            params,
        )
    }
    total = Sums()
    for s in cells.values():
        total = total + s
    priced = total.known > 0
    rows: list[tuple[object, ...]] = []
    grid: list[tuple[Decimal, ...]] = []
    for weekday in range(7):
        line = []
        for hour in range(24):
            s = cells.get((weekday, hour), Sums())
            m = s.metrics()
            net = m["net"] if priced else None
            rows.append((WEEKDAYS[weekday], hour, m["sales"], net))
            line.append(Decimal(net or 0) if priced else Decimal(s.count))
        grid.append(tuple(line))
    return ReportResult(
        key="sales_heatmap",
        title="Sales by hour and weekday",
        filters_text=filters_text(filters, stores=True, registers=True, period=True),
        columns=(
            ReportColumn("Weekday", ValueKind.TEXT, "weekday"),
            ReportColumn("Hour", ValueKind.INTEGER, "hour"),
            ReportColumn("Sales", ValueKind.INTEGER, "sales"),
            ReportColumn("Net sales", ValueKind.MONEY, "net"),
        ),
        rows=tuple(rows),
        chart=ChartSpec(
            ChartKind.HEATMAP,
            x_labels=tuple(f"{h:02d}" for h in range(24)),
            y_kind=ValueKind.MONEY if priced else ValueKind.INTEGER,
            y_labels=WEEKDAYS,
            grid=tuple(grid),
            value_name="Net sales" if priced else "Number of sales",
        ),
        as_of=as_of(conn, "sale"),
        notes=tuple(sale_notes(conn, filters, total)),
        totals=("Total", None, total.count, total.metrics()["net"]),
    )
