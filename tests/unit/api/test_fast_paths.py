"""The edge's fast paths (issue 17) decide exactly as the careful paths they skip.

``nesting_too_deep`` must give the true bracket depth of any JSON text (strings full of
brackets, quotes and backslashes included); ``dec`` must accept and refuse the same wire
values with or without its fast path; ``instant`` must give the same UTC instant.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from posdesk.api import mapping
from posdesk.api.errors import InvalidResponseError
from posdesk.api.transport import nesting_too_deep

TRICKY_TEXT = st.text(alphabet='[]{}"\\ab/', max_size=8)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY_TEXT,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(TRICKY_TEXT, children, max_size=3)
    ),
    max_leaves=40,
)


def depth(value: Any) -> int:
    """Bracket depth of a parsed JSON value (a scalar is depth 0)."""
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


@settings(max_examples=400, deadline=None)
@given(value=JSON_VALUES, limit=st.integers(0, 8), ensure_ascii=st.booleans())
def test_nesting_check_is_the_true_depth(value: Any, limit: int, ensure_ascii: bool) -> None:
    text = json.dumps(value, ensure_ascii=ensure_ascii).encode()
    assert nesting_too_deep(text, limit) == (depth(value) > limit)


@settings(max_examples=300, deadline=None)
@given(value=JSON_VALUES, cut=st.integers(1, 10_000))
def test_a_cut_off_json_text_counts_as_unbalanced(value: Any, cut: int) -> None:
    text = json.dumps(value).encode()
    if not text.startswith((b"[", b"{")):
        return
    prefix = text[: 1 + cut % (len(text) - 1)]  # a proper prefix: the outer bracket stays open
    assert nesting_too_deep(prefix, 64)


def outcome(value: str) -> str:
    """What ``dec`` makes of a wire value, spelled out (exponent included: "1.50" stays)."""
    try:
        return str(mapping.dec(value))
    except InvalidResponseError:
        return "refused"


@settings(max_examples=300, deadline=None)
@given(
    value=st.from_regex(r"-?[0-9]{1,17}(\.[0-9]{0,14})?", fullmatch=True)
    | st.decimals(min_value=-(10**17), max_value=10**17, places=14).map(str)
)
def test_dec_fast_path_agrees_with_the_careful_path(value: str) -> None:
    # a leading space defeats the fast path (and Decimal ignores it)
    assert outcome(value) == outcome(" " + value)


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("2024-03-01T10:00:00Z", datetime(2024, 3, 1, 10, tzinfo=UTC)),
        ("2024-03-01T10:00:00+00:00", datetime(2024, 3, 1, 10, tzinfo=UTC)),
        ("2024-03-01T10:00:00", datetime(2024, 3, 1, 10, tzinfo=UTC)),
        ("2024-03-01T12:00:00+02:00", datetime(2024, 3, 1, 10, tzinfo=UTC)),
    ],
)
def test_instant_is_always_aware_utc(wire: str, expected: datetime) -> None:
    result = mapping.instant(wire)
    assert result == expected
    assert result is not None
    assert result.tzinfo is UTC
