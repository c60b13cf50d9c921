"""One text per report value, used by the table, the chart's tooltips and axis, and print:
the chart never shows float noise because it shows the table's own text."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from posdesk.models.formatting import Formatter, export_value
from posdesk.reports.model import ReportColumn, ReportResult, ValueKind

NUMERIC = frozenset(
    {ValueKind.MONEY, ValueKind.QUANTITY, ValueKind.INTEGER, ValueKind.PERCENT, ValueKind.FIGURE}
)


def cell_text(value: object, kind: ValueKind, formatter: Formatter) -> str:
    """Display text in the PC's locale and the server's currency; ``None`` is empty."""
    if value is None:
        return ""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        number = Decimal(value)
        if kind is ValueKind.MONEY:
            return formatter.money(number)
        if kind is ValueKind.PERCENT:
            return f"{formatter.number((number * 100).quantize(Decimal('0.1')), 1)}%"
        if kind is ValueKind.INTEGER:
            return formatter.number(number, 0)
        return formatter.number(number)
    if isinstance(value, date):
        return formatter.date(value)
    return str(value)


def sort_key(value: object) -> tuple[int, object]:
    """Numbers by value, dates by date, text without case; empty cells last."""
    if value is None:
        return (2, "")
    if isinstance(value, Decimal | int | date):
        return (0, value)
    return (1, str(value).casefold())


def csv_rows(result: ReportResult, rows: list[tuple[object, ...]]) -> list[list[str]]:
    """Header, rows (in the order shown) and totals, machine-readable (exact decimals, ISO)."""
    out = [[column.title for column in result.columns]]
    out.extend([export_value(v) for v in row] for row in rows)
    if result.totals is not None:
        out.append([export_value(v) for v in result.totals])
    return out


def is_numeric(column: ReportColumn) -> bool:
    """Right-aligned, like figures in a spreadsheet."""
    return column.kind in NUMERIC
