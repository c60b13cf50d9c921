"""Shared pieces of the report queries: e4 integers to Decimal, periods, the sale filter SQL.

Everything here runs on the mirror's reader thread (plain functions of a ``sqlite3.Connection``).
Sums stay integers in 1/10,000 units until the end, so a total is exact before it is rounded
to cents (half-even) once.
"""

from __future__ import annotations

import calendar
import functools
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal

from posdesk.mirror import rows, writes
from posdesk.reports.model import ReportFilters

CENT = Decimal("0.01")
_E4 = Decimal(10000)


def money(value: int | None) -> Decimal | None:
    """A sum of ``*_e4`` units as money, rounded half-even to cents."""
    if value is None:
        return None
    return (Decimal(value) / _E4).quantize(CENT, rounding=ROUND_HALF_EVEN)


def money0(value: int | None) -> Decimal:
    """Like :func:`money`, but an empty sum is 0.00."""
    return money(value or 0) or Decimal("0.00")


@functools.lru_cache(maxsize=4096)  # stock and line quantities repeat (0, 1, 2, 12...)
def quantity(value: int | None) -> Decimal:
    """A sum of ``*_e4`` quantities, exact (no rounding: 1/10,000 units are what POS sends)."""
    whole, rest = divmod(value or 0, 10000)
    if not rest:  # whole units, the usual case (and 10x faster)
        return Decimal(whole)
    return Decimal(value or 0).scaleb(-4).normalize()


def ratio(numerator: Decimal | int, denominator: Decimal | int, places: str = "0.01") -> Decimal:
    """numerator / denominator rounded half-even (0 when there is nothing to divide by)."""
    if not denominator:
        return Decimal(places) * 0
    result = Decimal(numerator) / Decimal(denominator)
    return result.quantize(Decimal(places), rounding=ROUND_HALF_EVEN)


def share(part: Decimal | int, whole: Decimal | int) -> Decimal:
    """A fraction for ``ValueKind.PERCENT`` (0.125 = 12.5 %), 4 places."""
    return ratio(part, whole, "0.0001")


@dataclass(frozen=True, slots=True)
class Period:
    """Inclusive local dates."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The period of the same length just before."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def last_year(self) -> Period:
        """The same dates a year earlier (29 February becomes the 28th)."""
        return Period(_year_back(self.first), _year_back(self.last))

    def utc_bounds(self, tz: tzinfo) -> tuple[str, str]:
        """Half-open UTC instants ``[first 00:00, last + 1 00:00)`` in ``tz``, as the mirror's
        ISO text (``...Z``) so they compare with its columns."""
        start = datetime.combine(self.first, time(0), tzinfo=tz)
        end = datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=tz)
        return iso_z(start), iso_z(end)


def iso_z(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def months_before(day: date, months: int) -> date:
    """The same day of the month ``months`` earlier (clamped to the month's last day)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def period_of(filters: ReportFilters) -> Period:
    return Period(filters.first_day, filters.last_day)


def sale_where(
    filters: ReportFilters, period: Period | None = None, alias: str = ""
) -> tuple[str, list[object]]:
    """``WHERE`` text and parameters for sales in a period (the store's local days, which the
    mirror keeps per sale) and the chosen stores and registers."""
    p = period or period_of(filters)
    a = f"{alias}." if alias else ""
    clauses = [f"{a}local_day BETWEEN ? AND ?"]
    params: list[object] = [p.first.isoformat(), p.last.isoformat()]
    if filters.stores:
        clauses.append(f"{a}location_code IN ({','.join('?' * len(filters.stores))})")
        params.extend(sorted(filters.stores))
    if filters.registers:
        clauses.append(f"{a}register_code IN ({','.join('?' * len(filters.registers))})")
        params.extend(sorted(filters.registers))
    return " AND ".join(clauses), params


def as_of(conn: sqlite3.Connection, *entities: str) -> datetime | None:
    """The oldest last sync of the entities a report used (its figures are at least this
    fresh); None when one of them never finished a pass."""
    stamps = [rows.instant(writes.state(conn, e).last_synced) for e in entities]
    if not stamps or any(s is None for s in stamps):
        return None
    return min(s for s in stamps if s is not None)


def dates_text(filters: ReportFilters) -> str:
    """'Mar 1 – Mar 31, 2024' (English, like the rest of posdesk)."""
    first, last = filters.first_day, filters.last_day
    if first.year == last.year:
        return f"{first:%b} {first.day} – {last:%b} {last.day}, {last.year}"
    return f"{first:%b} {first.day}, {first.year} – {last:%b} {last.day}, {last.year}"


def filters_text(filters: ReportFilters, *, stores: bool, registers: bool, period: bool) -> str:
    """The filters that apply, for the printed page."""
    parts = [dates_text(filters)] if period else []
    if stores:
        parts.append(", ".join(sorted(filters.stores)) if filters.stores else "all stores")
    if registers and filters.registers:
        parts.append("registers " + ", ".join(sorted(filters.registers)))
    return " · ".join(parts)
