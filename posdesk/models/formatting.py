"""Locale-aware display text for money, quantities and dates, without ever going through float.

``QLocale.toString(float)`` would round-trip money through binary floating point, so the
digits are produced from the ``Decimal`` itself and only the separators come from the locale.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime, QTimeZone


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


def format_money(value: Decimal, locale: QLocale, currency: str | None = None) -> str:
    """Two decimals, grouped; the ISO code appended when given (the server's, not the PC's)."""
    text = format_decimal(value, locale, 2)
    return f"{text} {currency}" if currency else text


def to_local(value: datetime) -> QDateTime:
    """An aware UTC datetime as a QDateTime in the PC's local zone (naive counts as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    utc = value.astimezone(UTC)
    qdt = QDateTime(
        QDate(utc.year, utc.month, utc.day),
        QTime(utc.hour, utc.minute, utc.second, utc.microsecond // 1000),
        QTimeZone.utc(),
    )
    return qdt.toLocalTime()


def format_value(value: object, kind: Kind, locale: QLocale) -> str:
    """Display text for one cell; ``None`` (the server did not say) is an empty cell."""
    if value is None:
        return ""
    if kind is Kind.MONEY and isinstance(value, Decimal):
        return format_money(value, locale)
    if kind in (Kind.QUANTITY, Kind.INTEGER) and isinstance(value, Decimal | int):
        return format_decimal(Decimal(value), locale)
    if isinstance(value, datetime):
        if kind is Kind.DATE:
            return locale.toString(to_local(value).date(), QLocale.FormatType.ShortFormat)
        return locale.toString(to_local(value), QLocale.FormatType.ShortFormat)
    if isinstance(value, date):
        return locale.toString(
            QDate(value.year, value.month, value.day), QLocale.FormatType.ShortFormat
        )
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, enum.Enum):
        return str(value.value).replace("_", " ").capitalize()
    return str(value)


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
