"""Fault injection over real HTTP: latency, failed requests, and connections dropped after commit.

Most tests use a server with a tiny counter schema, so "the mutation committed" is observable
without depending on the data model: ``bump`` increments a counter in this process.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from ariadne import MutationType, QueryType, make_executable_schema
from graphql import GraphQLSchema

from posdesk.sandbox.faults import FaultConfig, is_mutation
from posdesk.sandbox.server import SandboxServer

COUNTER_SDL = """
type Query { count: Int }
type Mutation { bump: Int }
"""


class Counter:
    def __init__(self) -> None:
        self.value = 0

    def schema(self, db: Any) -> GraphQLSchema:
        query, mutation = QueryType(), MutationType()
        query.set_field("count", lambda *_: self.value)

        def bump(*_: Any) -> int:
            self.value += 1
            return self.value

        mutation.set_field("bump", bump)
        return make_executable_schema(COUNTER_SDL, query, mutation)


@pytest.fixture(scope="module")
def counter() -> Counter:
    return Counter()


@pytest.fixture(scope="module")
def server(counter: Counter) -> Iterator[SandboxServer]:
    with SandboxServer(seed=None, schema_factory=counter.schema) as running:
        yield running


@pytest.fixture
def faults(server: SandboxServer) -> Iterator[FaultConfig]:
    yield server.faults
    server.faults.reset()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def post(http: httpx.Client, server: SandboxServer, query: str) -> httpx.Response:
    assert server.info is not None
    return http.post(server.info.graphql_url, json={"query": query})


def count(http: httpx.Client, server: SandboxServer) -> int:
    value: int = post(http, server, "{ count }").json()["data"]["count"]
    return value


# --- connection drop after commit ---------------------------------------------------------------


def test_dropped_mutation_committed_but_client_sees_a_transport_error(
    server: SandboxServer, faults: FaultConfig, counter: Counter, http: httpx.Client
) -> None:
    before = count(http, server)  # also opens a keep-alive connection the drop must kill
    faults.drop_next_mutations = 1
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        post(http, server, "mutation { bump }")
    assert counter.value == before + 1, "the mutation ran to completion before the drop"
    assert faults.dropped == 1
    # The server keeps serving, and the next mutation is answered normally.
    assert count(http, server) == before + 1
    assert post(http, server, "mutation { bump }").json() == {"data": {"bump": before + 2}}


PURCHASE = """
mutation Record($add: PurchaseAddInput) {
  purchaseAdd(add: $add) { id }
}
"""


def test_dropped_purchase_add_is_found_by_transaction_id_afterwards(
    sandbox: SandboxServer, sandbox_token: Callable[[str], str]
) -> None:
    """The real-data version: the client's unknown outcome is reconcilable on the server."""
    assert sandbox.info is not None
    transaction_id = f"DROP-{uuid.uuid4().hex[:12]}"
    purchase = {
        "transactionId": transaction_id,
        "storeCode": "AUSTIN",
        "purchasedOn": "2024-05-02T14:30:00",
        "payAmount": "3.49",
        "saleDiscountAmount": "0",
        "itemDiscountAmount": "0",
        "subTotal": "3.49",
        "refundAmount": "0",
        "taxAmount": "0",
        "lineItems": [
            {
                "lineNumber": 1,
                "sku": "MINTS01",
                "quantity": "1",
                "unitPrice": "3.49",
                "extPrice": "3.49",
                "itemDiscountAmount": "0",
                "saleDiscountAmount": "0",
                "uom": "EA",
                "isRefund": False,
            }
        ],
    }
    headers = {"Authorization": f"Bearer {sandbox_token('posdesk-demo')}"}
    sandbox.faults.drop_next_mutations = 1
    with httpx.Client(headers=headers, timeout=10) as client:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            client.post(
                sandbox.info.graphql_url,
                json={"query": PURCHASE, "variables": {"add": purchase}},
            )
        found = client.post(
            sandbox.info.graphql_url,
            json={
                "query": "query($t: String) { purchase(transactionId: $t) "
                "{ results { transactionId payAmount } } }",
                "variables": {"t": transaction_id},
            },
        ).json()
    assert found["data"]["purchase"]["results"] == [
        {"transactionId": transaction_id, "payAmount": "3.49"}
    ]


def test_failed_mutations_are_answered_and_do_not_use_up_the_drop(
    server: SandboxServer, faults: FaultConfig, counter: Counter, http: httpx.Client
) -> None:
    faults.drop_next_mutations = 1
    refused = post(http, server, "mutation { bump(by: 2) }")  # invalid: nothing committed
    assert refused.status_code in (200, 400)
    assert refused.json()["errors"]
    assert faults.drop_next_mutations == 1
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        post(http, server, "mutation { bump }")


def test_next_n_mutations_are_dropped_and_queries_never(
    server: SandboxServer, faults: FaultConfig, counter: Counter, http: httpx.Client
) -> None:
    before = counter.value
    faults.drop_next_mutations = 2
    assert count(http, server) == before  # a query is not a mutation: answered
    for _ in range(2):
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            post(http, server, "mutation Named { bump }")
    assert post(http, server, "mutation { bump }").status_code == 200
    assert counter.value == before + 3


def test_drop_rate_is_deterministic_for_a_seed(
    server: SandboxServer, faults: FaultConfig, http: httpx.Client
) -> None:
    def pattern() -> list[bool]:
        faults.reset()
        faults.reseed(1234)
        faults.drop_rate = 0.5
        outcome = []
        for _ in range(16):
            try:
                post(http, server, "mutation { bump }")
                outcome.append(False)
            except (httpx.RemoteProtocolError, httpx.ReadError):
                outcome.append(True)
        return outcome

    first = pattern()
    assert 0 < sum(first) < 16
    assert pattern() == first


def test_is_mutation_follows_the_operation_name() -> None:
    body = b'{"query": "query A { count } mutation B { bump }", "operationName": "B"}'
    assert is_mutation(body)
    assert not is_mutation(body.replace(b'"B"}', b'"A"}'))
    assert not is_mutation(b"not json")
    assert not is_mutation(b'{"query": "{ count }"}')


# --- failed requests ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "content_type"),
    [
        ("500", 500, "text/plain"),
        ("502", 502, "text/plain"),
        ("html", 503, "text/html"),
        ("html200", 200, "text/html"),
    ],
)
def test_fail_next_answers_with_the_configured_error(
    server: SandboxServer,
    faults: FaultConfig,
    counter: Counter,
    http: httpx.Client,
    kind: str,
    status: int,
    content_type: str,
) -> None:
    before = counter.value
    faults.error_kind = kind  # type: ignore[assignment]
    faults.fail_next = 1
    response = post(http, server, "mutation { bump }")
    assert response.status_code == status
    assert response.headers["content-type"].startswith(content_type)
    if content_type == "text/html":
        assert "<html>" in response.text
    assert counter.value == before, "a failed request never reaches the app"
    assert post(http, server, "mutation { bump }").json() == {"data": {"bump": before + 1}}


def test_error_rate_is_seeded_and_reproducible(
    server: SandboxServer, faults: FaultConfig, http: httpx.Client
) -> None:
    def pattern() -> list[int]:
        faults.reset()
        faults.reseed(99)
        faults.error_rate = 0.3
        faults.error_kind = "502"
        return [post(http, server, "{ count }").status_code for _ in range(30)]

    first = pattern()
    assert set(first) == {200, 502}
    assert pattern() == first
    assert faults.failed == first.count(502)


def test_error_faults_apply_only_to_the_configured_paths(
    server: SandboxServer, faults: FaultConfig, http: httpx.Client
) -> None:
    assert server.info is not None
    discovery = f"{server.info.issuer}/.well-known/openid-configuration"
    faults.error_rate = 1.0
    assert http.get(discovery).status_code == 200
    assert post(http, server, "{ count }").status_code == 500
    token = http.post(
        f"{server.info.issuer}/token",
        data={"grant_type": "client_credentials"},
        auth=(server.info.client_id, server.info.client_secret),
    )
    assert token.status_code == 200
    faults.paths = ("/graphql", "/token")
    token = http.post(
        f"{server.info.issuer}/token",
        data={"grant_type": "client_credentials"},
        auth=(server.info.client_id, server.info.client_secret),
    )
    assert token.status_code == 500


# --- latency --------------------------------------------------------------------------------------


def test_latency_delays_each_request(
    server: SandboxServer, faults: FaultConfig, http: httpx.Client
) -> None:
    count(http, server)  # warm connection
    faults.latency_ms = 1000  # far above a local request's time even on a loaded CI machine
    started = time.monotonic()
    count(http, server)
    assert time.monotonic() - started >= 1.0
    faults.latency_ms = 0
    started = time.monotonic()
    count(http, server)
    assert time.monotonic() - started < 1.0


# --- commit delay (a slow server) -----------------------------------------------------------------


def _wait_for(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_held_mutation_commits_after_the_client_gave_up(
    server: SandboxServer, faults: FaultConfig, counter: Counter, http: httpx.Client
) -> None:
    """The issue's slow server: the client times out, the mutation still lands later."""
    before = count(http, server)
    faults.commit_delay_ms = 1200
    started = time.monotonic()
    with httpx.Client(timeout=0.5) as impatient, pytest.raises(httpx.ReadTimeout):
        post(impatient, server, "mutation { bump }")  # the client closes its connection here
    assert time.monotonic() - started < 1.2
    assert counter.value == before, "held: nothing committed before the delay"
    assert _wait_for(lambda: counter.value == before + 1, timeout=5.0)
    assert time.monotonic() - started >= 1.2
    assert faults.delayed == 1
    faults.commit_delay_ms = 0
    # queries were never held, and the server keeps answering
    assert count(http, server) == before + 1


def test_held_mutation_is_answered_when_the_client_waits(
    server: SandboxServer, faults: FaultConfig, counter: Counter, http: httpx.Client
) -> None:
    before = count(http, server)
    faults.commit_delay_ms = 300
    faults.commit_delay_next_mutations = 1
    started = time.monotonic()
    assert post(http, server, "{ count }").json() == {"data": {"count": before}}
    assert time.monotonic() - started < 0.3, "queries are not held"
    started = time.monotonic()
    assert post(http, server, "mutation { bump }").json() == {"data": {"bump": before + 1}}
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    assert post(http, server, "mutation { bump }").json() == {"data": {"bump": before + 2}}
    assert time.monotonic() - started < 0.3, "only the next N mutations were held"
    assert faults.delayed == 1
    assert not faults.active


def test_commit_delay_jitter_is_bounded_and_seeded() -> None:
    config = FaultConfig(commit_delay_ms=100, commit_delay_jitter_ms=500, seed=3)
    delays = [config.commit_delay_seconds() for _ in range(50)]
    assert all(0.1 <= d <= 0.6 for d in delays)
    assert any(d < 0.3 for d in delays)
    assert any(d > 0.3 for d in delays)
    again = FaultConfig(commit_delay_ms=100, commit_delay_jitter_ms=500, seed=3)
    assert [again.commit_delay_seconds() for _ in range(50)] == delays


def test_jitter_is_bounded_and_seeded() -> None:
    config = FaultConfig(latency_ms=10, jitter_ms=40, seed=7)
    delays = [config.delay_seconds() for _ in range(50)]
    assert all(0.010 <= d <= 0.050 for d in delays)
    assert len(set(delays)) > 1
    again = FaultConfig(latency_ms=10, jitter_ms=40, seed=7)
    assert [again.delay_seconds() for _ in range(50)] == delays


def test_reset_clears_every_fault() -> None:
    config = FaultConfig(latency_ms=5, error_rate=0.5, fail_next=2, drop_rate=0.1)
    config.drop_next_mutations = 3
    config.commit_delay_ms = 50
    config.commit_delay_next_mutations = 2
    config.paths = ("/token",)
    assert config.should_fail()
    config.reset()
    assert (config.delay_seconds(), config.should_fail(), config.should_drop()) == (0, False, False)
    assert config.paths == ("/graphql",)
    assert config.failed == 0
    assert (config.commit_delay_seconds(), config.commit_delay_next_mutations) == (0, 0)
    assert not config.active


# --- the shared session sandbox honours faults too ---------------------------------------------


def test_session_sandbox_faults_are_reset_between_tests_part1(sandbox: SandboxServer) -> None:
    sandbox.faults.fail_next = 5
    sandbox.token_lifetime = 5
    assert sandbox.info is not None
    assert httpx.post(sandbox.info.graphql_url, json={"query": "{ __typename }"}).status_code == 500


def test_session_sandbox_faults_are_reset_between_tests_part2(sandbox: SandboxServer) -> None:
    assert not sandbox.faults.active
    assert sandbox.token_lifetime == 3600
    assert sandbox.info is not None
    assert httpx.post(sandbox.info.graphql_url, json={"query": "{ __typename }"}).status_code == 200
