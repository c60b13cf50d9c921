"""Values as they cross the wire to the server (the other direction is ``mapping``)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal


def wire_decimal(value: Decimal) -> str:
    """Decimals cross the wire as plain strings (never exponent form, never float)."""
    return format(value, "f")


def wire_datetime(value: datetime) -> str:
    """POS takes ``YYYY-MM-DDThh:mm:ss``; posdesk sends UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat()


def wire_instant(value: datetime) -> str:
    """Sandbox time filters take an instant with its UTC offset."""
    if value.tzinfo is None:
        raise ValueError("sale filter instants must be timezone-aware")
    return value.isoformat()
