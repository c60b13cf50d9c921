"""The custom scalars (``Decimal``, ``DateTime``, ``Date``) and the row → value conversions.

Decimals travel as strings (a float is refused) of ASCII digits only ('٥' and '５.00' are not
numbers here, whatever ``Decimal()`` thinks); a DateTime without offset means UTC. In the
database money is integer cents and instants epoch seconds: :func:`money`, :func:`to_cents`
and :func:`instant` convert between the two.

Strict input for writes (every rejection a ``VALIDATION`` error naming the property, raised
before anything is written): money has at most 2 places and at most :data:`MAX_MONEY` in
absolute value (:func:`to_cents`); quantities are positive with at most 3 places
(:func:`to_quantity`); stored instants lie in [:data:`EARLIEST`, :data:`LATEST`)
(:func:`to_epoch`).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ariadne import ScalarType
from graphql.language import FloatValueNode, IntValueNode, StringValueNode, ValueNode

from posdesk.sandbox.graphql_api.errors import ScalarValidationError, validation

_DECIMAL_RE = re.compile(r"-?[0-9]{1,30}(\.[0-9]{1,30})?")  # ASCII only, bounded length

MAX_MONEY = Decimal("9999999.99")
"""The largest amount (absolute) any money input may carry."""
MAX_QUANTITY = Decimal("999999.999")
QUANTITY_PLACES = 3
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
"""Stored instants (purchase dates, code expiry) lie in [EARLIEST, LATEST)."""


def parse_decimal(value: Any) -> Decimal:
    if isinstance(value, (bool, float)):
        raise ScalarValidationError("DecimalValidator", "Decimal values must be strings.")
    if isinstance(value, int):
        return Decimal(value)
    if not isinstance(value, str) or not _DECIMAL_RE.fullmatch(value):
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:40] + "…"
        raise ScalarValidationError("DecimalValidator", f"Not a decimal number: {shown}.")
    return Decimal(value)


def _decimal_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> Decimal:
    if isinstance(node, StringValueNode):
        return parse_decimal(node.value)
    if isinstance(node, IntValueNode):
        return parse_decimal(node.value)
    if isinstance(node, FloatValueNode):
        raise ScalarValidationError("DecimalValidator", "Decimal values must be quoted strings.")
    raise ScalarValidationError("DecimalValidator", "Not a decimal value.")


def serialize_decimal(value: Any) -> str:
    return format(Decimal(value), "f")


def parse_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ScalarValidationError("DateTimeValidator", "DateTime values must be strings.")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ScalarValidationError(
            "DateTimeValidator", f"Not an ISO date-time: {value!r}."
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # documented: no offset means UTC
    try:
        return parsed.astimezone(UTC)  # 0001-01-01T00:00+01:00 has no UTC instant
    except OverflowError:
        raise ScalarValidationError(
            "DateTimeValidator", f"Not a representable instant: {value!r}."
        ) from None


def serialize_datetime(value: Any) -> str:
    if isinstance(value, (int, float)):
        value = datetime.fromtimestamp(value, UTC)
    return str(value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))


def parse_date(value: Any) -> date:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ScalarValidationError("DateValidator", f"Not a date (YYYY-MM-DD): {value!r}.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ScalarValidationError("DateValidator", f"Not a date: {value!r}.") from None


def serialize_date(value: Any) -> str:
    return value if isinstance(value, str) else str(value.isoformat())


def _literal(parse: Callable[[Any], Any]) -> Callable[..., Any]:
    def literal(node: ValueNode, variables: dict[str, Any] | None = None) -> Any:
        if isinstance(node, StringValueNode):
            return parse(node.value)
        raise ScalarValidationError("TypeValidator", "Expected a string literal.")

    return literal


def money(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents).scaleb(-2)


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) else 99


def to_cents(value: Decimal, prop: str) -> int:
    """Money in integer cents: at most 2 places and |value| ≤ :data:`MAX_MONEY`."""
    if _places(value) > 2:
        raise validation("ScalePrecisionValidator", prop, f"{prop} has more than 2 decimals.")
    if abs(value) > MAX_MONEY:
        raise validation("RangeValidator", prop, f"{prop} must be at most {MAX_MONEY} in size.")
    return int(value * 100)


def to_quantity(value: Decimal, prop: str) -> Decimal:
    """A quantity: greater than zero, at most :data:`QUANTITY_PLACES` places and
    :data:`MAX_QUANTITY`."""
    try:
        places = _places(value.normalize())
    except InvalidOperation:
        places = 99
    if places > QUANTITY_PLACES:
        raise validation(
            "ScalePrecisionValidator", prop, f"{prop} has more than {QUANTITY_PLACES} decimals."
        )
    if not Decimal(0) < value <= MAX_QUANTITY:
        raise validation(
            "RangeValidator", prop, f"{prop} must be greater than 0 and at most {MAX_QUANTITY}."
        )
    return value


def to_epoch(value: datetime, prop: str) -> int:
    """A stored instant (epoch seconds) in [:data:`EARLIEST`, :data:`LATEST`)."""
    if not EARLIEST <= value < LATEST:
        raise validation(
            "DateRangeValidator",
            prop,
            f"{prop} must lie between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}.",
        )
    return int(value.timestamp())


def instant(epoch: int | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def address(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "line1": row["line1"],
        "line2": row["line2"],
        "city": row["city"],
        "region": row["region"],
        "postal_code": row["postal_code"],
        "country": row["country"],
    }


SCALARS: tuple[ScalarType, ...] = (
    ScalarType(
        "Decimal",
        serializer=serialize_decimal,
        value_parser=parse_decimal,
        literal_parser=_decimal_literal,
    ),
    ScalarType(
        "DateTime",
        serializer=serialize_datetime,
        value_parser=parse_datetime,
        literal_parser=_literal(parse_datetime),
    ),
    ScalarType(
        "Date",
        serializer=serialize_date,
        value_parser=parse_date,
        literal_parser=_literal(parse_date),
    ),
)
"""The scalar bindables (stateless, shared by every schema)."""
