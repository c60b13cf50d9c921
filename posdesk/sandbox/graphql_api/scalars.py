"""The custom scalars (``Decimal``, ``DateTime``, ``Date``) and the row → value conversions.

Decimals travel as strings (a float is refused), a DateTime without offset means UTC. In the
database money is integer cents and instants epoch seconds: :func:`money`, :func:`to_cents`
and :func:`instant` convert between the two.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from ariadne import ScalarType
from graphql.language import FloatValueNode, IntValueNode, StringValueNode, ValueNode

from posdesk.sandbox.graphql_api.errors import ScalarValidationError, validation

_DECIMAL_RE = re.compile(r"-?\d+(\.\d+)?")


def parse_decimal(value: Any) -> Decimal:
    if isinstance(value, (bool, float)):
        raise ScalarValidationError("DecimalValidator", "Decimal values must be strings.")
    if isinstance(value, int):
        return Decimal(value)
    if not isinstance(value, str) or not _DECIMAL_RE.fullmatch(value):
        raise ScalarValidationError("DecimalValidator", f"Not a decimal number: {value!r}.")
    return Decimal(value)


def _decimal_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> Decimal:
    if isinstance(node, StringValueNode):
        return parse_decimal(node.value)
    if isinstance(node, IntValueNode):
        return Decimal(node.value)
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
    return parsed


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


def to_cents(value: Decimal, prop: str) -> int:
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2:
        raise validation("ScalePrecisionValidator", prop, f"{prop} has more than 2 decimals.")
    return int(value * 100)


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
