"""Small pure helpers of the seed generators: check digits, rounding, instants, phone formats
and search tokens."""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo


def upc_a(first11: str) -> str:
    """UPC-A with its check digit (weights 3,1,3,... from the left)."""
    digits = [int(c) for c in first11]
    total = 3 * sum(digits[0::2]) + sum(digits[1::2])
    return first11 + str((10 - total % 10) % 10)


def ean_13(first12: str) -> str:
    """EAN-13 with its check digit (weights 1,3,1,... from the left)."""
    digits = [int(c) for c in first12]
    total = sum(digits[0::2]) + 3 * sum(digits[1::2])
    return first12 + str((10 - total % 10) % 10)


def round_div(numerator: int, denominator: int) -> int:
    """Integer division rounding half away from zero (how tax on cents is rounded)."""
    q = (abs(numerator) * 2 + denominator) // (2 * denominator)
    return q if numerator >= 0 else -q


def ts(dt: datetime) -> int:
    return int(dt.timestamp())


def local_ts(zone: str, year: int, month: int, day: int, hour: int, minute: int) -> int:
    return ts(datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)))


def phone_formats(area: str, local7: str, rng: random.Random) -> tuple[str, str]:
    exchange, line = local7[:3], local7[3:]
    raw = rng.choice(
        (
            f"({area}) {exchange}-{line}",
            f"{area}-{exchange}-{line}",
            f"{area}.{exchange}.{line}",
            f"+1 {area} {exchange} {line}",
            f"{area}{exchange}{line}",
        )
    )
    return raw, f"+1{area}{exchange}{line}"


def name_tokens(*parts: str | None) -> set[str]:
    """Lower-case search tokens: every word of every part (search matches token prefixes)."""
    out: set[str] = set()
    for part in parts:
        if part:
            for word in part.lower().replace(",", " ").split():
                out.add(word)
    return out


def phone_tokens(norm: str | None) -> set[str]:
    if not norm:
        return set()
    digits = norm[2:] if norm.startswith("+1") else norm.lstrip("+")
    return {digits, digits[3:], digits[-4:]}


# ---------------------------------------------------------------------------------------------
