"""Date-range presets for sale history, and their conversion to API bounds.

Pure Python (no Qt): users think in inclusive *local calendar dates* ("1 to 31 March"); the API
wants a half-open interval. The sandbox takes exact instants (``fromTime`` inclusive,
``toTime`` exclusive, with a UTC offset); a documented server takes only dates
(``fromDate`` inclusive, ``toDate`` exclusive) whose zone is not documented, so for those we
ask for a day more on each side and filter the sales client-side by instant.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from PySide6.QtCore import QLocale

from posdesk.models.formatting import app_locale, format_date


class Preset(enum.StrEnum):
    TODAY = "today"
    YESTERDAY = "yesterday"
    THIS_WEEK = "this_week"
    LAST_7_DAYS = "last_7_days"
    LAST_30_DAYS = "last_30_days"
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"
    THIS_YEAR = "this_year"
    LAST_YEAR = "last_year"
    ALL = "all"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Preset.TODAY: "Today",
    Preset.YESTERDAY: "Yesterday",
    Preset.THIS_WEEK: "This week",
    Preset.LAST_7_DAYS: "Last 7 days",
    Preset.LAST_30_DAYS: "Last 30 days",
    Preset.THIS_MONTH: "This month",
    Preset.LAST_MONTH: "Last month",
    Preset.THIS_YEAR: "This year",
    Preset.LAST_YEAR: "Last year",
    Preset.ALL: "All dates",
    Preset.CUSTOM: "Custom",
}


def start_of_day(day: date, tz: tzinfo) -> datetime:
    """The first instant of ``day`` in ``tz``, as an aware datetime.

    ``fold=0`` does the right thing at both kinds of DST transition at midnight: in a gap
    (00:00 does not exist) PEP 495 interprets the wall time with the offset *before* the
    transition, which is exactly the transition instant, i.e. the first instant of the day;
    in a fold (00:00 happens twice) it picks the first occurrence.
    """
    return datetime.combine(day, time(0), tzinfo=tz).replace(fold=0)


@dataclass(frozen=True, slots=True)
class DateRange:
    """Inclusive local calendar dates ``first``..``last`` (what the user sees)."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"date range ends ({self.last}) before it starts ({self.first})")

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def instants(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """Half-open ``[from, to)`` instants in UTC: local midnight of ``first`` up to local
        midnight of the day after ``last`` (23 or 25 hours long on DST days)."""
        start = start_of_day(self.first, tz).astimezone(UTC)
        end = start_of_day(self.last + timedelta(days=1), tz).astimezone(UTC)
        return start, end

    def api_dates(self) -> tuple[date, date]:
        """``fromDate`` inclusive / ``toDate`` exclusive, in the user's calendar."""
        return self.first, self.last + timedelta(days=1)

    def widened_api_dates(self) -> tuple[date, date]:
        """Dates for a server without ``fromTime``/``toTime``: its dates may be UTC (or any
        zone up to ±14 h), so one extra day each side covers every candidate sale; the caller
        then keeps only sales whose instant :meth:`contains`."""
        return self.first - timedelta(days=1), self.last + timedelta(days=2)

    def contains(self, instant: datetime, tz: tzinfo) -> bool:
        """Whether an aware ``instant`` falls on one of the range's local dates."""
        if instant.tzinfo is None:
            raise ValueError("naive datetime: sale dates must carry a zone (UTC from the API)")
        start, end = self.instants(tz)
        return start <= instant < end

    def label(self, locale: QLocale | None = None) -> str:
        """Short human text in the app's date format, e.g. ``Mar 1, 2026 – Mar 31, 2026``."""
        loc = locale or app_locale()
        if self.first == self.last:
            return format_date(self.first, loc)
        return f"{format_date(self.first, loc)} – {format_date(self.last, loc)}"


def preset_range(preset: Preset, today: date, *, week_starts_on: int = 0) -> DateRange | None:
    """The inclusive dates a preset means on ``today`` (the user's local date).

    ``week_starts_on`` is a ``date.weekday()`` number (0 = Monday, 6 = Sunday), so the shell
    can pass the locale's first day of week. ALL means no date filter (``None``); CUSTOM has
    no dates of its own: it raises.
    """
    if preset is Preset.ALL:
        return None
    if preset is Preset.TODAY:
        return DateRange(today, today)
    if preset is Preset.YESTERDAY:
        yesterday = today - timedelta(days=1)
        return DateRange(yesterday, yesterday)
    if preset is Preset.THIS_WEEK:
        back = (today.weekday() - week_starts_on) % 7
        return DateRange(today - timedelta(days=back), today)
    if preset is Preset.LAST_7_DAYS:
        return DateRange(today - timedelta(days=6), today)
    if preset is Preset.LAST_30_DAYS:
        return DateRange(today - timedelta(days=29), today)
    if preset is Preset.THIS_MONTH:
        return DateRange(today.replace(day=1), today)
    if preset is Preset.LAST_MONTH:
        last = today.replace(day=1) - timedelta(days=1)
        return DateRange(last.replace(day=1), last)
    if preset is Preset.THIS_YEAR:
        return DateRange(today.replace(month=1, day=1), today)
    if preset is Preset.LAST_YEAR:
        return DateRange(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    raise ValueError("a custom range has no preset dates; build a DateRange from the user's")


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SPLIT = re.compile(r"[\s,./\-]+")
_ENGLISH_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]


def _month_number(word: str, locale: QLocale) -> int | None:
    """1..12 for a month name or abbreviation in the locale (or English), e.g. "Mar", "Sept"."""
    word = word.casefold().rstrip(".")
    if len(word) < 3:
        return None
    for month in range(1, 13):
        names = {
            locale.monthName(month, QLocale.FormatType.LongFormat).casefold(),
            locale.monthName(month, QLocale.FormatType.ShortFormat).casefold().rstrip("."),
            _ENGLISH_MONTHS[month - 1],
        }
        if any(name == word or (len(word) >= 3 and name.startswith(word)) for name in names):
            return month
    return None


def _full_year(token: str) -> int:
    """Four digits as written; two digits mean 2000–2069 or 1970–1999 (as Windows does)."""
    year = int(token)
    if len(token) <= 2:
        year += 2000 if year < 70 else 1900
    return year


def _field_order(locale: QLocale) -> str:
    """The order of day, month and year in the locale's short date format, e.g. "MDY"."""
    pattern = locale.dateFormat(QLocale.FormatType.ShortFormat)
    order = ""
    for char in pattern:
        letter = {"d": "D", "M": "M", "y": "Y"}.get(char)
        if letter and letter not in order:
            order += letter
    return order if sorted(order) == ["D", "M", "Y"] else "MDY"


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str, locale: QLocale | None = None) -> date | None:
    """A date typed by a person, or ``None`` when the text is not one date.

    Accepts the PC's short numeric format in its own order ("3/1/2024" or "3/1/24" in the
    US, "1.3.2024" in Germany), ISO "2024-03-01" everywhere, and month names in the locale's
    language or English ("Mar 1 2024", "1 March 2024", "March 1, 2024"). Impossible dates
    ("2/30/2024") are ``None``, never silently moved to another day.
    """
    text = text.strip()
    if not text:
        return None
    iso = _ISO.fullmatch(text)
    if iso:
        return _make_date(int(iso[1]), int(iso[2]), int(iso[3]))
    loc = locale or app_locale()
    tokens = [t for t in _SPLIT.split(text) if t]
    if len(tokens) != 3:
        return None
    words = [t for t in tokens if not t.isdigit()]
    if len(words) > 1:
        return None
    if words:
        month = _month_number(words[0], loc)
        numbers = [t for t in tokens if t.isdigit()]
        if month is None or len(numbers) != 2:
            return None
        # The year is the number with more than two digits, else the last one.
        year_at = next((i for i, t in enumerate(numbers) if len(t) > 2), 1)
        day = numbers[1 - year_at]
        return _make_date(_full_year(numbers[year_at]), month, int(day))
    order = "YMD" if len(tokens[0]) == 4 else _field_order(loc)
    fields = dict(zip(order, tokens, strict=True))
    if len(fields["D"]) > 2 or len(fields["M"]) > 2 or len(fields["Y"]) not in (2, 4):
        return None
    return _make_date(_full_year(fields["Y"]), int(fields["M"]), int(fields["D"]))
