"""The sales overview's comparisons (``ReportResult.comparisons``) as text: a KPI card's two
lines (Δ and % against the previous period and the same period last year) and a small table
of the same figures for the screen and the printed page. Same cell text as the main table."""

from __future__ import annotations

from decimal import Decimal

from posdesk.models.formatting import Formatter
from posdesk.reports.model import (
    ChartKind,
    ChartSpec,
    Comparison,
    ReportColumn,
    ReportResult,
    ValueKind,
)
from posdesk.ui.reports.cells import cell_text

PREVIOUS = "previous period"
LAST_YEAR = "same period last year"


def change_text(change: Decimal, f: Formatter) -> str:
    """``+5.0%`` / ``-8.8%``: a change always carries its sign, like the amount beside it."""
    return ("+" if change > 0 else "") + cell_text(change, ValueKind.PERCENT, f)


def delta_text(
    delta: Decimal | int | None, change: Decimal | None, c: Comparison, f: Formatter
) -> str:
    """``+$12.00 (+5.0%)``; a sign on every change (a drop reads as a drop); ``—`` if unknown."""
    if delta is None:
        return "—"
    sign = "+" if delta > 0 else ""
    text = sign + cell_text(delta, c.kind, f)
    if change is not None:
        text += f" ({change_text(change, f)})"
    return text


def card_details(c: Comparison, f: Formatter) -> str:
    """Two short lines under a KPI card's value."""
    return (
        f"vs {PREVIOUS}: {delta_text(c.previous_delta, c.previous_change, c, f)}\n"
        f"vs {LAST_YEAR}: {delta_text(c.last_year_delta, c.last_year_change, c, f)}"
    )


def card_short(c: Comparison, f: Formatter) -> str:
    """The same two lines, short enough for a card in a row of seven: the change as a
    percent (the amount when there is no percent); the table beside has every figure."""

    def short(delta: Decimal | int | None, change: Decimal | None, against: str) -> str:
        text = change_text(change, f) if change is not None else delta_text(delta, None, c, f)
        return f"{text} vs {against}"

    return (
        f"{short(c.previous_delta, c.previous_change, 'previous')}\n"
        f"{short(c.last_year_delta, c.last_year_change, 'last year')}"
    )


def highlights(result: ReportResult, f: Formatter) -> tuple[tuple[str, str], ...]:
    """KPI cards: the comparisons' current values, else the report's typed figures, in the
    locale's format with the server's currency; plain highlights only as a last resort."""
    if not result.comparisons:
        if result.figures:
            return tuple(
                (label, cell_text(value, kind, f)) for label, value, kind in result.figures
            )
        return result.highlights
    return tuple(
        (c.label, cell_text(c.current, c.kind, f) if c.current is not None else "—")
        for c in result.comparisons
    )


def comparison_table(result: ReportResult, f: Formatter) -> ReportResult | None:
    """The comparisons as a table result (values pre-formatted per KPI kind, so the columns
    mix money and counts: ``FIGURE``, right-aligned; changes signed), or None when the report
    has none."""
    if not result.comparisons:
        return None
    columns = (
        ReportColumn("Figure", ValueKind.TEXT, "figure"),
        ReportColumn("This period", ValueKind.FIGURE, "current"),
        ReportColumn("Previous period", ValueKind.FIGURE, "previous"),
        ReportColumn("Δ previous", ValueKind.FIGURE, "previous_delta"),
        ReportColumn("% previous", ValueKind.FIGURE, "previous_change"),
        ReportColumn("Last year", ValueKind.FIGURE, "last_year"),
        ReportColumn("Δ last year", ValueKind.FIGURE, "last_year_delta"),
        ReportColumn("% last year", ValueKind.FIGURE, "last_year_change"),
    )

    def value(v: Decimal | int | None, c: Comparison) -> str:
        return cell_text(v, c.kind, f) if v is not None else "—"

    rows = tuple(
        (
            c.label,
            value(c.current, c),
            value(c.previous, c),
            delta_text(c.previous_delta, None, c, f),
            change_text(c.previous_change, f) if c.previous_change is not None else "—",
            value(c.last_year, c),
            delta_text(c.last_year_delta, None, c, f),
            change_text(c.last_year_change, f) if c.last_year_change is not None else "—",
        )
        for c in result.comparisons
    )
    return ReportResult(
        key=f"{result.key}_comparisons",
        title=f"{result.title}: against earlier periods",
        filters_text=result.filters_text,
        columns=columns,
        rows=rows,
        chart=ChartSpec(ChartKind.NONE),
        as_of=result.as_of,
    )
