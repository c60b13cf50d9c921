"""Locale-aware display text for money, quantities and dates, without ever going through float.

``QLocale.toString(float)`` would round-trip money through binary floating point, so the
digits are produced from the ``Decimal`` itself and only the separators come from the locale.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime


class Kind(enum.Enum):
    """How a column's value is shown (and aligned)."""

    TEXT = "text"
    INTEGER = "integer"
    MONEY = "money"
    QUANTITY = "quantity"
    DATE = "date"
    DATETIME = "datetime"
    BOOL = "bool"

    @property
    def numeric(self) -> bool:
        return self in (Kind.INTEGER, Kind.MONEY, Kind.QUANTITY)


def _group(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return separator.join(parts)


def format_decimal(
    value: Decimal, locale: QLocale, places: int | None = None, *, grouping: bool = True
) -> str:
    """``value`` with the locale's separators; ``places`` fixes the decimals (half-even)."""
    if not value.is_finite():
        return str(value)
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    elif value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    else:
        value = value.normalize()
    sign, digits_t, exponent = value.as_tuple()
    digits = "".join(map(str, digits_t))
    exp = int(exponent)
    if exp >= 0:
        int_part, frac_part = digits + "0" * exp, ""
    else:
        digits = digits.rjust(-exp + 1, "0")
        int_part, frac_part = digits[:exp], digits[exp:]
    int_part = int_part.lstrip("0") or "0"
    if grouping and not (locale.numberOptions() & QLocale.NumberOption.OmitGroupSeparator):
        int_part = _group(int_part, locale.groupSeparator())
    text = int_part + (locale.decimalPoint() + frac_part if frac_part else "")
    if sign and any(c != "0" for c in digits):
        text = locale.negativeSign() + text
    return text


#: Symbols for currencies a US/European store manager reads at a glance; others show the ISO
#: code ("CHF 12.50"), which is never ambiguous.
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
_SYMBOL_PROBE = "\u00a4"  # ¤: stands for the symbol when asking the locale where it goes


def app_locale() -> QLocale:
    """The locale the app formats with: the PC's, or US English when it has none ("C")."""
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return locale


def currency_symbol(currency: str | None, locale: QLocale) -> str:
    """The sign for the server's currency: the locale's own when it is the locale's currency."""
    if not currency:
        return ""
    code = currency.upper()
    if code == locale.currencySymbol(QLocale.CurrencySymbolFormat.CurrencyIsoCode):
        own = locale.currencySymbol(QLocale.CurrencySymbolFormat.CurrencySymbol)
        if own:
            return own
    return _SYMBOLS.get(code, code)


@functools.lru_cache(maxsize=64)
def _money_pattern(locale_name: str, symbol: str) -> str:
    """Where the locale puts the symbol, e.g. "¤1" (en_US) or "1 ¤" (de_DE).

    Only the integer 1 is given to Qt (no float ever carries an amount); its digits are then
    replaced by the Decimal's own text.
    """
    if not symbol:
        return "1"
    pattern = QLocale(locale_name).toCurrencyString(1, _SYMBOL_PROBE)
    if pattern.count("1") != 1 or _SYMBOL_PROBE not in pattern or pattern.startswith("1¤"):
        pattern = "¤1"  # the C locale glues the symbol after the digits: use the US order
    if symbol.isalpha() and symbol.isascii():  # an ISO code needs a space before the digits
        pattern = pattern.replace(f"{_SYMBOL_PROBE}1", f"{_SYMBOL_PROBE}\u00a01")
        pattern = pattern.replace(f"1{_SYMBOL_PROBE}", f"1\u00a0{_SYMBOL_PROBE}")
    return pattern.replace(_SYMBOL_PROBE, symbol.replace("1", "\u2460"))


def format_money(value: Decimal, locale: QLocale, currency: str | None = None) -> str:
    """Two decimals, grouped, with the server's currency where the locale puts it ("$12.50");
    negative amounts carry a leading minus ("-$12.50"), never accounting parentheses."""
    amount = (
        value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN) if value.is_finite() else value
    )
    digits = format_decimal(abs(amount), locale, 2)
    if not currency:
        text = digits
    else:
        pattern = _money_pattern(locale.name(), currency_symbol(currency, locale))
        text = pattern.replace("1", digits, 1).replace("\u2460", "1")
    return locale.negativeSign() + text if amount.is_finite() and amount < 0 else text


@functools.lru_cache(maxsize=32)
def _patterns(locale_name: str) -> tuple[str, str, str]:
    """(date, date-time, time) patterns: the locale's order and clock, a named month, a
    4-digit year.

    Numeric short dates are ambiguous (6/7/24 vs 7/6/24) and the C locale's "17 06 2024"
    reads like a number: the month is spelled out unless the locale writes the year first
    (then ISO ``yyyy-MM-dd``, which nobody misreads).
    """
    locale = QLocale(locale_name)
    short = locale.dateFormat(QLocale.FormatType.ShortFormat)
    positions = {c: short.find(c) for c in "dMy" if c in short}
    first = min(positions, key=lambda c: positions[c]) if positions else "y"
    date_pattern = {"y": "yyyy-MM-dd", "M": "MMM d, yyyy"}.get(first, "d MMM yyyy")
    # Narrow no-break space (CLDR "h:mm\u202fa") becomes a plain one: copied text stays ASCII.
    time_pattern = locale.timeFormat(QLocale.FormatType.ShortFormat).replace("\u202f", " ")
    return date_pattern, f"{date_pattern} {time_pattern}", time_pattern


def date_pattern(locale: QLocale) -> str:
    return _patterns(locale.name())[0]


def datetime_pattern(locale: QLocale) -> str:
    return _patterns(locale.name())[1]


def to_local(value: datetime, tz: tzinfo | None = None) -> QDateTime:
    """An aware datetime as a QDateTime in ``tz`` (default: the PC's zone; naive counts as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(tz)
    return QDateTime(
        QDate(local.year, local.month, local.day),
        QTime(local.hour, local.minute, local.second, local.microsecond // 1000),
    )


def format_date(value: date | datetime, locale: QLocale, tz: tzinfo | None = None) -> str:
    """The app's one date text ("Jun 17, 2024" in the US); a datetime is shown in ``tz``."""
    if isinstance(value, datetime):
        qdate = to_local(value, tz).date()
    else:
        qdate = QDate(value.year, value.month, value.day)
    return locale.toString(qdate, date_pattern(locale))


def format_datetime(value: datetime, locale: QLocale, tz: tzinfo | None = None) -> str:
    """The app's one date-time text ("Jun 17, 2024 1:23 PM" in the US), in ``tz`` or the PC's."""
    return locale.toString(to_local(value, tz), datetime_pattern(locale))


def format_clock(
    value: datetime, locale: QLocale, tz: tzinfo | None = None, now: datetime | None = None
) -> str:
    """A recent moment: the time alone today ("10:42 PM" in the US, "22:42" in Germany), the
    full date-time another day; the same clock as every other time the app shows."""
    local = to_local(value, tz)
    today = to_local(now or datetime.now(UTC), tz).date()
    if local.date() == today:
        return locale.toString(local.time(), _patterns(locale.name())[2])
    return format_datetime(value, locale, tz)


def format_value(value: object, kind: Kind, locale: QLocale, currency: str | None = None) -> str:
    """Display text for one cell; ``None`` (the server did not say) is an empty cell."""
    if value is None:
        return ""
    if kind is Kind.MONEY and isinstance(value, Decimal):
        return format_money(value, locale, currency)
    if kind in (Kind.QUANTITY, Kind.INTEGER) and isinstance(value, Decimal | int):
        return format_decimal(Decimal(value), locale)
    if isinstance(value, datetime):
        if kind is Kind.DATE:
            return format_date(value, locale)
        return format_datetime(value, locale)
    if isinstance(value, date):
        return format_date(value, locale)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, enum.Enum):
        return str(value.value).replace("_", " ").capitalize()
    return str(value)


@dataclass(frozen=True)
class Formatter:
    """Money, numbers and dates as the whole app shows them, for one session.

    Built from the server's currency (``environment.currency``) and handed to every tab via
    the ``SessionContext``; no module keeps a "current currency".
    """

    locale: QLocale = field(default_factory=app_locale)
    currency: str | None = None

    def money(self, value: Decimal) -> str:
        return format_money(value, self.locale, self.currency)

    def number(self, value: Decimal | int, places: int | None = None) -> str:
        return format_decimal(Decimal(value), self.locale, places)

    def date(self, value: date | datetime, tz: tzinfo | None = None) -> str:
        return format_date(value, self.locale, tz)

    def datetime(self, value: datetime, tz: tzinfo | None = None) -> str:
        return format_datetime(value, self.locale, tz)

    def value(self, value: object, kind: Kind) -> str:
        return format_value(value, kind, self.locale, self.currency)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """ "1 row", "13 rows", "1,204 sales" (grouped like the rest of the app's numbers)."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"


def export_value(value: object) -> str:
    """Machine-readable text for CSV: exact decimals, ISO dates, no locale."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
