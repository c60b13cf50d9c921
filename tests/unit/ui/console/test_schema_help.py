"""The console's schema help, offline against the sandbox schema: completion at the cursor,
documentation, validation ranges, and the presets are valid queries."""

from __future__ import annotations

import pytest
from graphql import GraphQLSchema, parse, validate

from posdesk.sandbox.db import Database
from posdesk.sandbox.graphql_api import build_schema
from posdesk.ui.console.flatten import NestedList, column_keys, envelope
from posdesk.ui.console.presets import PRESETS
from posdesk.ui.console.schema_help import completions, describe_at, problems


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(Database(":memory:", seed=None))


def names(schema: GraphQLSchema, text: str) -> list[str]:
    return [c.text for c in completions(schema, text, len(text))[1]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{ customer { results { ful", ["fullName"]),
        ("query Q { giftcard(codeType: PH", ["PHYSICAL"]),
        ("query { sale(f", ["fromDate", "first", "fromTime"]),
        ('query { item(search: "a { (", ware', ["warehouseCode"]),
        ("{ customer { results { phone { r", ["raw"]),
        ("query { customer(first: 5) { res", ["results"]),
        ("query { viewer { name } }\nquery B { env", ["environment"]),
        ('{ customer(search: "x") { results { id } } }\n# comment { ', []),
        ('{ customer(search: "unterminated', []),
        ('{ customer(search: "#") { results { ful', ["fullName"]),
    ],
)
def test_completion_at_the_cursor(schema: GraphQLSchema, text: str, expected: list[str]) -> None:
    assert names(schema, text) == expected


def test_documentation_of_fields_arguments_and_types(schema: GraphQLSchema) -> None:
    text = "{ customer(first: 1) { results { fullName } } }"
    field = describe_at(schema, text, text.index("customer") + 2)
    assert field is not None
    assert "Query.customer" in field
    assert "requires ViewCustomers" in field  # the schema's own description
    assert "search" in field
    argument = describe_at(schema, text, text.index("first") + 1)
    assert argument is not None
    assert "argument first" in argument
    typed = describe_at(schema, "query ($t: GiftcardCodeType) { viewer { name } }", 12)
    assert typed is not None
    assert "PHYSICAL" in typed


def test_problems_point_at_the_offending_name(schema: GraphQLSchema) -> None:
    text = "query { customer { results { id fulName } } }"
    [problem] = problems(schema, text)
    assert text[problem.start : problem.end] == "fulName"
    [syntax] = problems(schema, "query { customer { ")
    assert syntax.message.startswith("Syntax Error")
    assert problems(schema, "") == []


def test_presets_are_valid_queries(schema: GraphQLSchema) -> None:
    for preset in PRESETS:
        assert validate(schema, parse(preset.query)) == [], preset.name


def test_flatten_makes_dotted_columns_and_counts_lists() -> None:
    data = {
        "customer": {
            "hasMoreResults": True,
            "results": [
                {"id": "1", "phone": None, "tags": ["a", "b"], "points": 1.5},
                {"id": "2", "phone": {"raw": "555", "kind": {"x": 1}}, "tags": [], "points": 2},
            ],
        }
    }
    answer = envelope(data)
    assert answer.has_more
    assert column_keys(answer.rows) == ["id", "tags", "points", "phone.raw", "phone.kind.x"]
    tags = answer.rows[0]["tags"]
    assert isinstance(tags, NestedList)
    assert str(tags) == "2 items"
    assert str(answer.rows[0]["points"]) == "1.5"
    assert envelope({"environment": {"name": "Demo"}}).rows == [{"name": "Demo"}]
