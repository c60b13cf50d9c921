"""What one request may ask of the sandbox: cost limits, media types, body size, the query
cache's bytes, and that posdesk's own operations are never refused (issue 14)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query, parse

from posdesk.api.operations import load_all
from posdesk.sandbox.db import Database
from posdesk.sandbox.endpoint import MAX_BODY_BYTES
from posdesk.sandbox.graphql_api import API_MODES, QueryCache, build_schema
from posdesk.sandbox.graphql_api.cache import MAX_CACHED_QUERY_BYTES
from posdesk.sandbox.graphql_api.cost import LIMITS, measure
from posdesk.sandbox.server import SandboxServer
from tests.sandbox.conftest import Gql


def _limit(body: dict[str, Any]) -> dict[str, Any]:
    [error] = body["errors"]
    assert error["extensions"]["code"] == "VALIDATION", error
    data: dict[str, Any] = error["extensions"]["data"]
    assert data["ValidationType"] == "QueryCostValidator"
    assert data["Limit"] in error["message"]
    return data


@pytest.fixture(scope="module")
def http(own_sandbox: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.mark.parametrize("api", API_MODES)
def test_every_packaged_operation_and_introspection_is_within_the_limits(api: str) -> None:
    schema = build_schema(Database(":memory:", seed=None), api=api)
    for descriptions in (False, True):
        measure(schema, parse(get_introspection_query(descriptions=descriptions)))
    for name, op in load_all().items():
        # the largest page any client may ask for (the server caps ``first`` there anyway)
        cost = measure(schema, parse(op.document), {"first": 1000, "skip": 0})
        assert cost.rows <= LIMITS.max_rows, name


def test_the_query_consoles_presets_and_load_all_are_within_the_limits() -> None:
    from graphql import OperationDefinitionNode

    from posdesk.api.adhoc import listing_of, page_request
    from posdesk.ui.console.presets import PRESETS

    schema = build_schema(Database(":memory:", seed=None))
    for preset in PRESETS:
        document = parse(preset.query)
        measure(schema, document, {"first": 1000})
        [operation] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        listing = listing_of(operation)
        if listing is not None:  # "Load all" pages with the largest page the server gives
            text, variables = page_request(
                document, None, {}, listing, skip=0, first=1000, since=""
            )
            measure(schema, parse(text), variables)


def test_five_thousand_aliases_of_a_thousand_customers_are_refused_at_once(gql: Gql) -> None:
    query = "{" + " ".join(
        f"a{i}: customer(first: 1000) {{ results {{ id }} }}" for i in range(5000)
    )
    started = time.monotonic()
    body = gql.run(query + "}")
    elapsed = time.monotonic() - started
    data = _limit(body)
    assert data["Limit"] in ("MaxTokens", "MaxAliases")  # whichever is met first
    assert data["Requested"] > data["Maximum"]
    assert elapsed < 5  # was 29 s and 85 MB: refused before validation or execution


def test_five_thousand_aliases_of_the_schema_without_a_token_are_refused(gql: Gql) -> None:
    query = "{" + " ".join(f"s{i}: __schema {{ types {{ name }} }}" for i in range(5000)) + "}"
    assert _limit(gql.run(query, roles=None))["Limit"] in ("MaxTokens", "MaxAliases")
    few = "{" + " ".join(f"s{i}: __schema {{ types {{ name }} }}" for i in range(500)) + "}"
    assert _limit(gql.run(few, roles=None))["Limit"] == "MaxAliases"


def test_rows_are_summed_over_list_fields(gql: Gql) -> None:
    # 60 × 1000 rows asked for, without going over the alias limit
    query = "{" + " ".join(f"a{i}: customer(first: 1000) {{ results {{ id }} }}" for i in range(60))
    data = _limit(gql.run(query + "}"))
    assert data["Limit"] == "MaxRows"
    assert data["Requested"] > LIMITS.max_rows
    # ``first`` from a variable counts too; the default (100) is what a page without it costs
    many = "query Q($n: Int) {" + " ".join(
        f"a{i}: customer(first: $n) {{ results {{ id }} }}" for i in range(60)
    )
    assert _limit(gql.run(many + "}", {"n": 1000}))["Limit"] == "MaxRows"
    assert "errors" not in gql.run(many + "}", {"n": 10})
    defaults = "{" + " ".join(f"a{i}: customer {{ results {{ id }} }}" for i in range(60))
    assert "errors" not in gql.run(defaults + "}")  # 60 × 100 rows


def test_a_selection_nested_three_thousand_deep_is_a_validation_error(gql: Gql) -> None:
    query = "{" + "viewer { " * 3000 + "name" + " }" * 3000 + "}"
    data = _limit(gql.run(query))
    assert data["Limit"] == "MaxNesting"
    deep_fragment = "{ customer { results { " + "addresses { " * 20 + "id" + " }" * 20 + " } } }"
    assert _limit(gql.run(deep_fragment))["Limit"] in ("MaxDepth", "MaxRows")


def test_fragments_that_multiply_are_stopped_early(gql: Gql) -> None:
    fragments = ["fragment F0 on Viewer { name }"]
    for level in range(1, 30):  # each level doubles: 2**29 fields if expanded
        fragments.append(f"fragment F{level} on Viewer {{ ...F{level - 1} ...F{level - 1} }}")
    started = time.monotonic()
    data = _limit(gql.run("{ viewer { ...F29 } } " + " ".join(fragments)))
    assert data["Limit"] == "MaxFields"
    assert time.monotonic() - started < 5


def test_a_since_cursor_with_a_thirty_digit_stamp_is_a_validation_error(gql: Gql) -> None:
    cursor = base64.urlsafe_b64encode(b"v1|customer|" + b"9" * 30 + b"|1").decode()
    extensions = gql.error(
        "query($s: String) { customer(since: $s) { results { id } } }", {"s": cursor}
    )
    assert extensions["code"] == "VALIDATION"
    assert extensions["data"]["Property"] == "Since"  # the client restarts its sync on this


@pytest.mark.parametrize(
    "kwargs",
    [
        {"files": {"query": (None, "{ environment { name } }")}},
        {"content": "{ environment { name } }", "headers": {"Content-Type": "text/plain"}},
        {"data": {"query": "{ environment { name } }"}},
    ],
    ids=["multipart", "text-plain", "urlencoded"],
)
def test_only_json_posts_are_graphql(
    own_sandbox: SandboxServer, http: httpx.Client, kwargs: dict[str, Any]
) -> None:
    assert own_sandbox.info is not None
    response = http.post(own_sandbox.info.graphql_url, **kwargs)
    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_get_runs_queries_but_not_mutations(own_sandbox: SandboxServer, http: httpx.Client) -> None:
    assert own_sandbox.info is not None
    url = own_sandbox.info.graphql_url
    answer = http.get(url, params={"query": "{ __typename }"})
    assert answer.status_code == 200
    assert answer.json() == {"data": {"__typename": "Query"}}
    mutation = 'mutation { purchaseAdd(add: {transactionId: "x"}) { id } }'
    refused = http.get(url, params={"query": mutation})
    assert refused.status_code == 405
    assert refused.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


def test_bodies_over_the_limit_are_413(own_sandbox: SandboxServer, http: httpx.Client) -> None:
    assert own_sandbox.info is not None
    big = json.dumps({"query": "{ __typename }", "pad": "x" * (20 * 1024 * 1024)})
    response = http.post(
        own_sandbox.info.graphql_url,
        content=big,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while reading
        for _ in range(3):
            yield b" " * (MAX_BODY_BYTES // 2)

    response = http.post(
        own_sandbox.info.graphql_url,
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    token = http.post(own_sandbox.info.issuer + "/token", content=b"a" * (MAX_BODY_BYTES + 1))
    assert token.status_code == 413
    assert http.post(own_sandbox.info.graphql_url, json={"query": "{ __typename }"}).is_success


def test_the_query_cache_is_bounded_in_bytes() -> None:
    cache = QueryCache(size=512, max_bytes=200_000)
    for i in range(6):  # six distinct ~60 KB documents
        query = "{ __typename " + f"a{i}: __typename " * 4000 + "}"
        assert len(query) < MAX_CACHED_QUERY_BYTES
        cache.parse(None, {"query": query})
        assert cache.bytes <= 200_000
    assert len(cache) == 3
    huge = "{ " + "__typename " * 10_000 + "}"  # over the per-document limit: never kept
    cache.parse(None, {"query": huge})
    assert len(cache) == 3
    assert cache.bytes <= 200_000
