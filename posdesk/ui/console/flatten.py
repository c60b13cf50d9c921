"""GraphQL answers as table rows: nested objects become dotted columns, lists a count.

The documented list envelope (``{hasMoreResults, results: [...]}``) gives one row per
element of ``results``; a root field that is a plain object gives one row. Values are kept as
the server sent them (gift card codes stay masked as sent); JSON numbers with a fraction
become ``Decimal`` from their shortest text, never used as float.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from typing_extensions import override

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class NestedList:
    """A list inside a row: shown as a count, opened as a sub-table."""

    items: tuple[Any, ...]

    @override
    def __str__(self) -> str:
        return f"{len(self.items)} item" + ("" if len(self.items) == 1 else "s")

    def to_json(self) -> str:
        return json.dumps(list(self.items), default=_json_default, separators=(",", ":"))


@dataclass(frozen=True)
class Envelope:
    """The rows of an answer and the listing's paging facts."""

    key: str | None
    rows: list[Row]
    has_more: bool = False
    until: str | None = None
    limited: bool = False


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(type(value).__name__)


def flatten(value: object, prefix: str = "") -> Row:
    """One row: ``{"phone": {"raw": x}}`` → ``{"phone.raw": x}``; lists → ``NestedList``."""
    row: Row = {}
    _flatten_into(row, prefix, value)
    return row


#: Values kept as they are, without a further look (most cells of an answer).
_LEAVES = (str, int, bool, type(None))


def _flatten_into(row: Row, path: str, value: object) -> None:
    """Add ``value``'s cells under ``path``, in the server's field order. Recursion is as deep
    as the answer's nesting, which the API edge bounds before parsing
    (``transport.MAX_DEPTH``); plain leaves are stored without a call (1,000 rows: ~2x)."""
    if type(value) is dict or isinstance(value, Mapping):
        dotted = f"{path}." if path else ""
        for key, child in value.items():
            if type(child) in _LEAVES:
                row[f"{dotted}{key}"] = child
            else:
                _flatten_into(row, f"{dotted}{key}", child)
    elif isinstance(value, list):
        row[path or "value"] = NestedList(tuple(value))
    elif isinstance(value, float):
        row[path or "value"] = Decimal(repr(value))
    else:
        row[path or "value"] = value


def envelope(data: Mapping[str, Any], key: str | None = None) -> Envelope:
    """The rows of ``data``: the first root field (or ``key``) with a ``results`` list, else
    the first root field's value as rows."""
    keys = [key] if key is not None else list(data)
    for name in keys:
        value = data.get(name)
        if isinstance(value, Mapping) and isinstance(value.get("results"), list):
            until = value.get("until")
            return Envelope(
                name,
                [flatten(item) for item in value["results"]],
                has_more=value.get("hasMoreResults") is True,
                until=until if isinstance(until, str) else None,
                limited=value.get("limitedByPermission") is True,
            )
    if not keys:
        return Envelope(None, [])
    name = keys[0]
    value = data.get(name)
    if isinstance(value, list):
        return Envelope(name, [flatten(item) for item in value])
    if value is None:
        return Envelope(name, [])
    return Envelope(name, [flatten(value)])


def nested_rows(items: Iterable[Any]) -> list[Row]:
    return [flatten(item) for item in items]


def column_keys(rows: Sequence[Row]) -> list[str]:
    """Every key seen, in order of first appearance; an object that was null in some rows
    (``phone``) shows as its dotted columns (``phone.raw``) only."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            if key not in seen:
                seen[key] = None
    parents = {key.rsplit(".", 1)[0] for key in seen if "." in key}
    parents |= {p.rsplit(".", 1)[0] for p in list(parents) if "." in p}
    return [key for key in seen if key not in parents]
