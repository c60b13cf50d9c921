"""posdesk/reports/model.py — what every report returns; the UI renders any of them generically.

No Qt. Money is Decimal (from the mirror's *_e4 integers: Decimal(v) / 10000, quantized to cents
for money), never float (the chart widget may convert to float for drawing only).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


class ValueKind(enum.StrEnum):
    MONEY = "money"
    QUANTITY = "quantity"
    INTEGER = "integer"
    PERCENT = "percent"  # Decimal fraction, 0.125 = 12.5 %
    TEXT = "text"
    FIGURE = "figure"  # a number already formatted as text (a column mixing money and counts)
    DATE = "date"


@dataclass(frozen=True, slots=True)
class ReportColumn:
    title: str
    kind: ValueKind
    key: str


class ChartKind(enum.StrEnum):
    BAR = "bar"  # categories on x (stores, registers, tenders, items, age buckets)
    LINE = "line"  # time on x (day / week / month buckets)
    HEATMAP = "heatmap"  # hour of day (x, 0..23) × weekday (y, Mon..Sun)
    NONE = "none"


@dataclass(frozen=True, slots=True)
class ChartSpec:
    kind: ChartKind
    x_labels: tuple[str, ...] = ()  # category / bucket labels, in order
    series: tuple[tuple[str, tuple[Decimal, ...]], ...] = ()  # (name, one value per x label)
    y_kind: ValueKind = ValueKind.MONEY
    y_labels: tuple[str, ...] = ()  # heatmap rows (weekday names)
    grid: tuple[tuple[Decimal, ...], ...] = ()  # heatmap values [row][col]
    value_name: str = ""  # heatmap: what the colour measures ("Net sales"), for its legend


@dataclass(frozen=True, slots=True)
class ReportFilters:
    first_day: date  # inclusive local date
    last_day: date  # inclusive local date
    stores: frozenset[str] = frozenset()  # empty = all
    registers: frozenset[str] = frozenset()  # empty = all
    top_n: int = 20
    dormant_months: int = 12
    open_auth_days: int = 7
    warehouse: str | None = None


@dataclass(frozen=True, slots=True)
class Comparison:
    """One KPI of a period against the previous period of the same length and the same dates
    a year earlier (sales overview). Added by reportsdata; None where a figure is unknown."""

    label: str
    kind: ValueKind
    current: Decimal | int | None
    previous: Decimal | int | None
    last_year: Decimal | int | None
    previous_delta: Decimal | int | None = None  # current - previous
    previous_change: Decimal | None = None  # fraction (0.125 = +12.5 %); None if previous is 0
    last_year_delta: Decimal | int | None = None
    last_year_change: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ReportResult:
    key: str  # "sales_overview", "sales_by_store", ...
    title: str
    filters_text: str  # "Mar 1 – Mar 31, 2024 · all stores" (for print)
    columns: tuple[ReportColumn, ...]
    rows: tuple[tuple[object, ...], ...]  # values per column: Decimal | int | str | date | None
    chart: ChartSpec
    as_of: datetime | None  # the mirror's last sync of the data used (UTC)
    notes: tuple[str, ...] = ()  # plain sentences: what cannot be shown and why
    totals: tuple[object, ...] | None = None  # a totals row, when it makes sense
    highlights: tuple[tuple[str, str], ...] = field(default=())  # KPI cards: (label, text)
    #: KPI cards as typed values (label, value, kind): the UI formats them like the table
    #: (currency, locale); preferred over ``highlights`` when present.
    figures: tuple[tuple[str, object, ValueKind], ...] = field(default=())
    comparisons: tuple[Comparison, ...] = ()  # sales overview: KPIs vs earlier periods


# posdesk/reports/__init__.py exposes:
#   REPORTS: tuple[ReportInfo, ...]  (key, title, description, which filters apply)
#   async def run_report(mirror: Mirror, key: str, filters: ReportFilters, tz: tzinfo,
#                        formatter-free) -> ReportResult
# computed with SQL on the mirror's reader thread (mirror.read(fn, ...)).
