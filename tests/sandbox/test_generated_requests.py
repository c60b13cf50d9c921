"""Generated requests (issue 14): queries and mutations drawn from the sandbox's own schema by
hypothesis-graphql, valid ones and deliberately invalid ones, sent over HTTP to a running
sandbox. Whatever arrives: never a 500, never FUSION_ERROR, never a hang, and every answer
within its limits. Bounded to ~30 s in the default run."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, nodes, queries

from posdesk.sandbox.db import Database
from posdesk.sandbox.graphql_api import MAX_FIRST, build_schema
from posdesk.sandbox.security import Principal
from posdesk.sandbox.server import SandboxServer

SCHEMA = build_schema(Database(":memory:", seed=None))

# the custom scalars, mostly plausible and sometimes hostile
_DECIMALS = st.one_of(
    st.from_regex(r"-?[0-9]{1,9}(\.[0-9]{1,3})?", fullmatch=True),
    st.sampled_from(["9" * 40, "٥", "５.00", "1e5", "", "-0", "92233720368547758.07"]),
)
_DATETIMES = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00", "x"]),
)
_DATES = st.one_of(st.dates().map(lambda d: d.isoformat()), st.just("2024-02-30"))
SCALARS = {
    "Decimal": _DECIMALS.map(nodes.String),
    "DateTime": _DATETIMES.map(nodes.String),
    "Date": _DATES.map(nodes.String),
}
REQUESTS = st.one_of(
    queries(SCHEMA, custom_scalars=SCALARS),
    mutations(SCHEMA, custom_scalars=SCALARS),
    queries(SCHEMA, custom_scalars=SCALARS, mode=Mode.NEGATIVE),
    mutations(SCHEMA, custom_scalars=SCALARS, mode=Mode.NEGATIVE),
)
BUDGET_S = 25.0
MAX_RESPONSE_BYTES = 50_000_000


@pytest.fixture(scope="module")
def target() -> Iterator[tuple[SandboxServer, httpx.Client, dict[str, str]]]:
    """A private sandbox (mutations change its data) and an administrator's token."""
    with SandboxServer(db_path=":memory:", seed="demo", port=0) as server:
        assert server.provider is not None
        admin = Principal("fuzz", "sandbox-tests", "Fuzz", ("Administrator",))
        headers = {"Authorization": f"Bearer {server.provider.access_token(admin)}"}
        with httpx.Client(timeout=30) as http:
            yield server, http, headers


def _lists_within_limits(value: Any) -> None:
    if isinstance(value, list):
        assert len(value) <= MAX_FIRST
        for item in value:
            _lists_within_limits(item)
    elif isinstance(value, dict):
        for item in value.values():
            _lists_within_limits(item)


def test_generated_requests_never_break_the_sandbox(
    target: tuple[SandboxServer, httpx.Client, dict[str, str]],
) -> None:
    server, http, headers = target
    assert server.info is not None
    url = server.info.graphql_url
    started = time.monotonic()
    sent = 0

    @settings(
        max_examples=400,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(document=REQUESTS, authenticated=st.booleans())
    def check(document: str, authenticated: bool) -> None:
        nonlocal sent
        if time.monotonic() - started > BUDGET_S:
            return  # the default run stays bounded; the examples so far were checked
        sent += 1
        response = http.post(
            url, json={"query": document}, headers=headers if authenticated else {}
        )
        assert response.status_code in (200, 400), (response.status_code, document)
        assert len(response.content) <= MAX_RESPONSE_BYTES
        body = response.json()
        for error in body.get("errors") or []:
            code = error["extensions"]["code"]
            assert code != "FUSION_ERROR", (error, document)
        _lists_within_limits(body.get("data"))

    check()
    assert sent >= 50  # the budget allowed a meaningful number of requests
    # and the server still answers normally afterwards
    after = http.post(url, json={"query": "{ viewer { subject } }"}, headers=headers)
    assert after.json() == {"data": {"viewer": {"subject": "fuzz"}}}
