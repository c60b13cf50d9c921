"""No answer a server sends can crash or hang posdesk (issue 11).

A tiny scripted server on 127.0.0.1 (``tests/api/hostile.py``) plays a slow-loris (one byte
at a time in the status line, the headers or the body) and sends wrong-shaped answers; each
must end within the profile's deadline (+1 s) as a PosError, never a raw exception, and a
write must end as an unknown outcome, never "nothing recorded". A hypothesis property test
feeds arbitrary JSON to every mapping function and to the GraphQL decoder.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import time
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posdesk.api import mapping
from posdesk.api.client import PosClient
from posdesk.api.credentials import Credentials
from posdesk.api.errors import (
    InvalidResponseError,
    NetworkError,
    NotAuthenticated,
    PosError,
    RequestTimeout,
)
from posdesk.api.exactly_once import lookup_rows as _rows
from posdesk.api.profile import ConnectionProfile
from posdesk.api.transport import MAX_DEPTH, RawResponse, nesting_too_deep
from posdesk.api.transport import decode as _decode
from posdesk.domain import GiftCardTransType, TerminalPaymentType
from posdesk.store.journal import Journal, JournalState
from tests.api.helpers import FAST_RETRY
from tests.api.hostile import (
    Answer,
    HostileServer,
    Phase,
    data_answer,
    deep,
    hostile_server,
    json_answer,
)

DEADLINE = 0.8  # the profile's timeout; the trickle (0.1 s a byte) never trips httpx's own
PHASES: tuple[Phase, ...] = ("status", "headers", "body")


def profile_for(server: HostileServer) -> ConnectionProfile:
    Credentials().set_client_secret("hostile", "s3cret")
    return ConnectionProfile("hostile", server.base_url, client_id="c", timeout=DEADLINE)


async def connect(server: HostileServer, tmp_path: Path) -> PosClient:
    return await PosClient.connect(
        profile_for(server),
        journal=Journal(tmp_path / "journal.sqlite3"),
        retry=FAST_RETRY,
        settle_delay=0.0,
        check_schema=False,
    )


@pytest_asyncio.fixture
async def server() -> AsyncIterator[HostileServer]:
    async with hostile_server() as hostile:
        yield hostile


@pytest_asyncio.fixture
async def client(server: HostileServer, tmp_path: Path) -> AsyncIterator[PosClient]:
    connected = await connect(server, tmp_path)
    try:
        yield connected
    finally:
        await connected.aclose()


def op(client: PosClient, feature: str) -> tuple[str, str]:
    """(operationName, root field) of a packaged operation."""
    operation = client._op(feature)
    return operation.name, operation.root_field


def answer(client: PosClient, server: HostileServer, feature: str, value: Any) -> None:
    name, root = op(client, feature)
    server.graphql[name] = data_answer(root, value)


async def timed(call: Callable[[], Any]) -> tuple[BaseException | None, float]:
    started = time.monotonic()
    try:
        await call()
    except BaseException as exc:
        return exc, time.monotonic() - started
    return None, time.monotonic() - started


# ------------------------------------------------------------------ slow-loris


@pytest.mark.asyncio
@pytest.mark.parametrize("phase", PHASES)
async def test_slow_discovery_ends_at_the_deadline(
    server: HostileServer, tmp_path: Path, phase: Phase
) -> None:
    server.discovery = json_answer({"issuer": server.base_url}, slow=phase)
    exc, took = await timed(lambda: connect(server, tmp_path))
    assert isinstance(exc, RequestTimeout), exc
    assert took < DEADLINE + 1
    assert "sign-in service" in exc.user_message


@pytest.mark.asyncio
@pytest.mark.parametrize("phase", PHASES)
async def test_slow_token_request_ends_at_the_deadline(
    server: HostileServer, tmp_path: Path, phase: Phase
) -> None:
    server.token = json_answer({"access_token": "x", "expires_in": 60}, slow=phase)
    exc, took = await timed(lambda: connect(server, tmp_path))
    assert isinstance(exc, RequestTimeout), exc
    assert took < DEADLINE + 1
    assert server.seen == ["discovery", "token"]


@pytest.mark.asyncio
@pytest.mark.parametrize("phase", PHASES)
async def test_slow_graphql_read_ends_at_the_deadline(
    server: HostileServer, client: PosClient, phase: Phase
) -> None:
    name, root = op(client, "environment")
    server.graphql[name] = data_answer(root, {"name": "slow"}, slow=phase)
    exc, took = await timed(client.environment)
    assert isinstance(exc, RequestTimeout), exc
    assert took < DEADLINE + 1


@pytest.mark.asyncio
@pytest.mark.parametrize("phase", PHASES)
async def test_slow_giftcard_add_ends_as_unknown_never_as_nothing_recorded(
    server: HostileServer, client: PosClient, phase: Phase
) -> None:
    """The ADD left the PC: a missing answer is not "nothing happened". The look-up that
    follows finds the connection closed, so the outcome stays unknown."""
    name, root = op(client, "giftcard_trans_add")
    server.graphql[name] = data_answer(root, {"id": "1"}, slow=phase)
    exc, took = await timed(
        lambda: client.giftcard_transaction(
            "PHYS-1", None, GiftCardTransType.ADD, Decimal("5.00"), giftcard_id="7"
        )
    )
    assert isinstance(exc, PosError), exc
    assert "nothing was recorded" not in exc.user_message
    assert took < DEADLINE + 1
    [entry] = client.journal.entries()
    assert entry.state not in (JournalState.FAILED, JournalState.DONE), entry


@pytest.mark.asyncio
async def test_connection_refused_is_not_sent(tmp_path: Path) -> None:
    """Only a request that provably never left is a confirmed failure of a write."""
    async with hostile_server() as hostile:
        connected = await connect(hostile, tmp_path)
        await hostile.stop()
        try:
            with pytest.raises(NetworkError):
                await connected.giftcard_transaction(
                    "PHYS-1", None, GiftCardTransType.ADD, Decimal("5.00"), giftcard_id="7"
                )
            [entry] = connected.journal.entries()
            assert entry.state is JournalState.FAILED
        finally:
            await connected.aclose()


# ------------------------------------------------------------------ wrong shapes


@pytest.mark.asyncio
@pytest.mark.parametrize("value", ["x", 5, [["id", "9"]], True])
async def test_root_fields_that_are_not_objects(
    server: HostileServer, client: PosClient, value: Any
) -> None:
    answer(client, server, "environment", value)
    answer(client, server, "customers", value)
    answer(client, server, "giftcard_lookup", value)
    with pytest.raises(InvalidResponseError):
        await client.environment()
    with pytest.raises(InvalidResponseError):
        await client.customers(id="1")
    with pytest.raises(InvalidResponseError):
        await client.giftcard("PHYS-1")


@pytest.mark.asyncio
@pytest.mark.parametrize("value", ["ok", 5, [["id", "9"]]])
async def test_mutation_results_that_are_not_objects(
    server: HostileServer, client: PosClient, value: Any
) -> None:
    answer(client, server, "giftcard_trans_add", value)
    with pytest.raises(PosError) as info:
        await client.giftcard_transaction(
            "PHYS-1", None, GiftCardTransType.ADD, Decimal("5.00"), giftcard_id="7"
        )
    assert "nothing was recorded" not in info.value.user_message
    [entry] = client.journal.entries()
    assert entry.state not in (JournalState.FAILED, JournalState.DONE)


@pytest.mark.asyncio
async def test_terminal_payment_that_is_a_string(server: HostileServer, client: PosClient) -> None:
    answer(client, server, "terminal_start", {"start": {"payment": "x"}})
    with pytest.raises(PosError):
        await client.terminal_start(TerminalPaymentType.SALE, Decimal("1.00"), "LANE-1")
    [entry] = client.journal.entries()
    assert entry.state is not JournalState.DONE  # garbage is never journaled as paid


@pytest.mark.asyncio
async def test_nesting_200000_deep(server: HostileServer, tmp_path: Path) -> None:
    nested = Answer(body=b'{"data": {"environment": ' + deep(200_000) + b"}}")
    connected = await connect(server, tmp_path)
    try:
        name, _ = op(connected, "environment")
        server.graphql[name] = nested
        with pytest.raises(InvalidResponseError):
            await connected.environment()
    finally:
        await connected.aclose()
    server.token = Answer(body=b'{"access_token": ' + deep(200_000) + b"}")
    with pytest.raises(InvalidResponseError):
        await connect(server, tmp_path)
    server.discovery = Answer(body=b'{"issuer": ' + deep(200_000) + b"}")
    with pytest.raises(InvalidResponseError):
        await connect(server, tmp_path)


@pytest.mark.asyncio
@pytest.mark.parametrize("balance", ['"NaN"', "NaN", '"Infinity"', "Infinity", '"1E+999999"'])
async def test_money_that_is_not_a_number(
    server: HostileServer, client: PosClient, balance: str
) -> None:
    name, root = op(client, "giftcard_lookup")
    body = f'{{"data": {{"{root}": {{"results": [{{"id": "1", "balance": {balance}}}]}}}}}}'
    server.graphql[name] = Answer(body=body.encode())
    with pytest.raises(InvalidResponseError):
        await client.giftcard("PHYS-1")


@pytest.mark.asyncio
async def test_page_larger_than_asked(server: HostileServer, client: PosClient) -> None:
    row = {"id": "1000000000001", "fullName": "Ann Example", "email": "ann@example.com"}
    answer(client, server, "customer_search", {"results": [row] * 51})
    with pytest.raises(InvalidResponseError) as info:
        await client.customers(search="ann", first=50)
    assert "more rows" in info.value.user_message
    # 300,000 rows for 50 asked: refused while it streams in, never parsed whole
    name, root = op(client, "customer_search")
    head = b'{"data": {"' + root.encode() + b'": {"results": ['
    rows = b",".join([json.dumps(row).encode()] * 300_000)
    server.graphql[name] = Answer(body=head + rows + b"]}}}")
    with pytest.raises(InvalidResponseError) as info:
        await client.customers(search="ann", first=50)
    assert "larger answer" in info.value.user_message


@pytest.mark.asyncio
async def test_401_with_an_html_body_means_sign_in_again(
    server: HostileServer, client: PosClient
) -> None:
    name, _ = op(client, "environment")
    page = b"<html><body>Session expired</body></html>"
    server.graphql[name] = Answer(401, page, (("Content-Type", "text/html"),))
    with pytest.raises(NotAuthenticated):
        await client.environment()
    assert server.seen.count("token") == 2  # renewed once, then told to sign in again


@pytest.mark.asyncio
async def test_broken_gzip_is_named_as_such(server: HostileServer, client: PosClient) -> None:
    name, _ = op(client, "environment")
    broken = gzip.compress(b'{"data": {"environment": {}}}')[:-12] + b"garbage!"
    headers = (("Content-Type", "application/json"), ("Content-Encoding", "gzip"))
    server.graphql[name] = Answer(body=broken, headers=headers)
    with pytest.raises(InvalidResponseError) as info:
        await client.environment()
    assert "Cannot reach" not in info.value.user_message
    assert "damaged" in info.value.user_message


# ------------------------------------------------------------------ property-based

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(["NaN", "1E+999999", "2024-01-02T03:04:05Z", "9999-12-31T23:59:59-14:00"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "sku",
                    "code",
                    "results",
                    "balance",
                    "amount",
                    "payment",
                    "error",
                    "continuation",
                    "codes",
                    "codeType",
                    "lines",
                    "warehouses",
                    "createdOn",
                    "hasMoreResults",
                    "until",
                    "displayOrder",
                    "phone",
                    "address",
                    "name",
                    "waitMilliseconds",
                    "serialLotNo",
                    "warehouseCode",
                    "lineNumber",
                    "roles",
                ]
            )
            | st.text(max_size=6),
            children,
            max_size=6,
        )
    ),
    max_leaves=30,
)

MAPPERS: list[Callable[[Any], Any]] = [
    mapping.customer,
    mapping.sale,
    mapping.sale_line,
    mapping.sale_tender,
    mapping.item,
    mapping.warehouse_stock,
    mapping.serial_lot,
    mapping.location,
    mapping.product,
    mapping.product_group,
    mapping.product_section,
    mapping.product_notice,
    mapping.product_sort_option,
    mapping.product_banner,
    mapping.giftcard,
    mapping.giftcard_code,
    mapping.giftcard_transaction,
    mapping.purchase,
    mapping.terminal_outcome,
    mapping.environment,
    mapping.viewer,
    mapping.address,
    lambda value: mapping.page(value, mapping.giftcard, 3),
    lambda value: _rows(value, "Probe"),  # the raw rows reconciliation looks references up in
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=JSON)
def test_arbitrary_json_maps_or_raises_invalid_response(value: Any) -> None:
    for convert in MAPPERS:
        with contextlib.suppress(InvalidResponseError):
            convert(value)


@settings(max_examples=200, deadline=None)
@given(value=JSON, status=st.sampled_from([200, 400, 401, 403, 500, 503]))
def test_arbitrary_json_body_decodes_or_raises_pos_error(value: Any, status: int) -> None:
    body = json.dumps(value).encode()
    for content in (body, b'{"data": ' + body + b"}", b'{"errors": ' + body + b"}"):
        with contextlib.suppress(PosError):
            _decode(RawResponse(status, httpx.Headers(), content), "Probe")


def test_nesting_scan_ignores_brackets_inside_strings() -> None:
    assert not nesting_too_deep(b'{"a": "[[[[[[[[[[[[[[[[[[[[", "b": "\\"[[[[\\\\"}')
    assert not nesting_too_deep(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
    assert nesting_too_deep(deep(MAX_DEPTH * 2 + 1))
    assert nesting_too_deep(b"[[}")


def test_many_lists_at_the_depth_limit_are_refused_without_a_long_scan() -> None:
    """32 MB of depth-64 lists (legal depth, absurd size) would cost 64 passes over 32 MB
    (~13 s with the UI thread held): more containers than any answer has is refused first."""
    chunk = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    body = b"[" + b",".join([chunk] * (32 * 1024 * 1024 // len(chunk))) + b"]"
    started = time.perf_counter()
    assert nesting_too_deep(body)
    assert time.perf_counter() - started < 2.0  # one translate + a length check, not 64 passes
    small = b"[" + b",".join([chunk] * 100) + b"]"  # the same shape, answer-sized: accepted
    assert not nesting_too_deep(small, MAX_DEPTH + 1)
