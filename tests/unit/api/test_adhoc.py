"""Ad-hoc console queries, offline: read-only check, answer bounds, Load all page requests."""

from __future__ import annotations

import json

import pytest
from graphql import parse

from posdesk.api import adhoc
from posdesk.api.errors import InvalidResponseError


@pytest.mark.parametrize(
    ("document", "fields"),
    [
        ('mutation { giftcardTransAdd(trans: {code: "X"}) { id } }', ("giftcardTransAdd",)),
        ("subscription S { x }", ("x",)),
        ("query A { viewer { name } }\nmutation B { purchaseAdd { id } }", ("purchaseAdd",)),
    ],
)
def test_mutations_and_subscriptions_are_refused(document: str, fields: tuple[str, ...]) -> None:
    with pytest.raises(adhoc.ReadOnlyRefused) as caught:
        adhoc.read_only_operation(document)
    assert caught.value.root_fields == fields
    assert "Nothing was sent" in caught.value.user_message


def test_operation_choice_and_syntax_errors() -> None:
    two = "query A { viewer { name } } query B { environment { name } }"
    assert adhoc.read_only_operation(two, "B").name is not None
    with pytest.raises(adhoc.QuerySyntaxError, match="several operations"):
        adhoc.read_only_operation(two)
    with pytest.raises(adhoc.QuerySyntaxError, match="no operation named C"):
        adhoc.read_only_operation(two, "C")
    with pytest.raises(adhoc.QuerySyntaxError) as caught:
        adhoc.read_only_operation("query {\n  viewer {")
    assert (caught.value.line, caught.value.column) == (2, 11)


def test_answers_are_bounded_without_recursion() -> None:
    deep: object = "leaf"
    for _ in range(adhoc.MAX_DEPTH + 1):
        deep = {"a": deep}
    with pytest.raises(InvalidResponseError, match="nested deeper"):
        adhoc.check_bounds(deep, "Q")
    very_deep: object = 1
    for _ in range(100_000):  # far beyond Python's recursion limit
        very_deep = [very_deep]
    with pytest.raises(InvalidResponseError):
        adhoc.check_bounds(very_deep, "Q")
    adhoc.check_bounds(json.loads('{"customer": {"results": [{"id": "1"}]}}'), "Q")


def test_load_all_rewrites_skip_and_first_and_adds_has_more() -> None:
    document = parse('query Q { customer(first: 5, skip: 20, search: "a") { results { id } } }')
    op = adhoc.read_only_operation(document)
    listing = adhoc.listing_of(op)
    assert listing == adhoc.Listing("customer", "skip")
    text, variables = adhoc.page_request(
        document, None, {}, listing, skip=500, first=500, since=None
    )
    assert 'customer(first: 500, skip: 500, search: "a")' in text
    assert "hasMoreResults" in text
    assert variables == {}
    assert "skip: 20" in adhoc.read_only_operation(document).loc.source.body  # type: ignore[union-attr]


def test_load_all_sets_variables_when_the_query_uses_them() -> None:
    document = parse(
        "query Q($n: Int, $s: Int) { page: item(first: $n, skip: $s) { results { sku } } }"
    )
    listing = adhoc.listing_of(adhoc.read_only_operation(document))
    assert listing == adhoc.Listing("page", "skip")
    text, variables = adhoc.page_request(
        document, "Q", {"n": 10, "s": 0}, listing, skip=10, first=500, since=None
    )
    assert "item(first: $n, skip: $s)" in text
    assert variables == {"n": 500, "s": 10}


def test_load_all_follows_until_when_the_query_uses_since() -> None:
    document = parse('query { sale(since: "") { results { id } } }')
    listing = adhoc.listing_of(adhoc.read_only_operation(document))
    assert listing == adhoc.Listing("sale", "since")
    first, _ = adhoc.page_request(document, None, {}, listing, skip=0, first=500, since=None)
    assert 'sale(since: "", first: 500)' in first
    assert "until" in first
    second, _ = adhoc.page_request(document, None, {}, listing, skip=500, first=500, since="c1")
    assert 'sale(since: "c1", first: 500)' in second
    assert "skip" not in second
