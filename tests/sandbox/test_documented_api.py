"""``--api documented``: the sandbox without its extensions, as a new user's server may be.

The documented schema is derived from the ``# inferred (sandbox extension ...)`` marks of
``schema.graphql``; it must equal the documented draft (the copy the client tests use), an
introspecting client must see every extension gone, and the documented reads and a top-up
must still work through ``PosClient``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_client_schema,
    get_introspection_query,
)
from graphql import build_schema as build_sdl_schema

from posdesk.app import build_parser as app_parser
from posdesk.app.demo import start_demo_blocking
from posdesk.domain import GiftCardCodeType, GiftCardTransType, SaleFilter
from posdesk.sandbox.cli import build_parser
from posdesk.sandbox.db import Database
from posdesk.sandbox.graphql_api import SCHEMA_FILE, build_schema
from posdesk.sandbox.graphql_api.documented import EXTENSION_MARK
from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from tests.api.helpers import connect

DRAFT = Path(__file__).parents[1] / "unit" / "api" / "data" / "documented_schema.graphql"
# Client features that exist only through sandbox extensions (see posdesk/api/operations).
EXTENSION_FEATURES = {
    "customer_search",
    "item_search",
    "item_lookup",
    "sale_search",
    "giftcard_transactions",
    "giftcard_trans_cancel",
    "purchase_lookup",
    "viewer",
    "terminal_cancel",
}


def surface(schema: GraphQLSchema) -> dict[str, Any]:
    """Every type with its fields (type and arguments), input fields and enum values."""
    out: dict[str, Any] = {}
    for name, kind in schema.type_map.items():
        if name.startswith("__"):
            continue
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType):
            out[name] = {
                f: (str(d.type), {a: str(v.type) for a, v in d.args.items()})
                for f, d in kind.fields.items()
            }
        elif isinstance(kind, GraphQLInputObjectType):
            out[name] = {f: str(d.type) for f, d in kind.fields.items()}
        elif isinstance(kind, GraphQLEnumType):
            out[name] = sorted(kind.values)
        else:
            out[name] = type(kind).__name__
    return out


def extension_coordinates() -> list[str]:
    """``Type``, ``Type.field``, ``Type.field(arg:)`` and ``Enum.VALUE`` of every marked line,
    read from the SDL text itself (independent of how the server filters it)."""
    coordinates: list[str] = []
    owner = field = ""
    for line in SCHEMA_FILE.read_text(encoding="utf-8").splitlines():
        code = line.split("#", 1)[0]
        if (head := re.match(r"\s*(?:type|input|enum)\s+(\w+)", code)) is not None:
            owner, field = head[1], ""
            if EXTENSION_MARK in line:
                coordinates.append(owner)
            continue
        if (member := re.match(r"(\s+)(\w+)\s*[(:]?", code)) is None or not owner:
            continue
        depth, name = len(member[1]), member[2]
        if depth <= 2:
            field = name
            coordinate = f"{owner}.{name}"
        else:
            coordinate = f"{owner}.{field}({name}:)"
        if EXTENSION_MARK in line:
            coordinates.append(coordinate)
    return coordinates


def introspect(server: SandboxServer) -> GraphQLSchema:
    assert server.info is not None
    body = httpx.post(
        server.info.graphql_url, json={"query": get_introspection_query()}, timeout=10
    ).json()
    return build_client_schema(body["data"])


def has(schema: GraphQLSchema, coordinate: str) -> bool:
    match = re.fullmatch(r"(\w+)(?:\.(\w+)(?:\((\w+):\))?)?", coordinate)
    assert match is not None, coordinate
    owner, member, argument = match.groups()
    kind = schema.type_map.get(owner)
    if kind is None or member is None:
        return kind is not None
    if isinstance(kind, GraphQLEnumType):
        return member in kind.values
    assert isinstance(kind, GraphQLObjectType | GraphQLInputObjectType | GraphQLInterfaceType)
    found = kind.fields.get(member)
    if found is None or argument is None:
        return found is not None
    return argument in getattr(found, "args", {})


@pytest.fixture(scope="module")
def documented() -> Iterator[SandboxServer]:
    """A private demo sandbox serving the documented surface only."""
    with SandboxServer(db_path=":memory:", seed="demo", port=0, api="documented") as server:
        yield server


def test_documented_schema_is_the_documented_draft() -> None:
    """Derived from the marks, the schema equals the draft field by field, argument by
    argument, with the same types."""
    db = Database(":memory:", seed=None)
    try:
        ours = surface(build_schema(db, api="documented"))
        extended = surface(build_schema(db))
    finally:
        db.close()
    assert ours == surface(build_sdl_schema(DRAFT.read_text(encoding="utf-8")))
    assert ours != extended


def test_unknown_api_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="documented"):
        SandboxServer(api="minimal")
    assert build_parser().parse_args(["--api", "documented"]).api == "documented"
    assert build_parser().parse_args([]).api == "extended"


def test_demo_can_start_the_documented_server() -> None:
    """``posdesk --demo --demo-api documented`` reaches the sandbox it starts."""
    args = app_parser().parse_args(["--demo", "--demo-api", "documented"])
    assert app_parser().parse_args(["--demo"]).demo_api == "extended"
    demo = start_demo_blocking(args.demo_seed, args.demo_db, args.demo_api)
    try:
        root = introspect(demo.server).query_type
        assert demo.server.api == "documented"
        assert root is not None
        assert "viewer" not in root.fields
        assert "customer" in root.fields
    finally:
        demo.stop()


def test_introspection_lacks_every_extension(
    documented: SandboxServer, sandbox: SandboxServer
) -> None:
    coordinates = extension_coordinates()
    assert len(coordinates) > 60
    assert {"Query.viewer", "Query.customer(search:)", "Viewer", "Sale.total"} <= set(coordinates)
    extended, narrow = introspect(sandbox), introspect(documented)
    assert [c for c in coordinates if not has(extended, c)] == []
    assert [c for c in coordinates if has(narrow, c)] == []


@pytest.mark.asyncio
async def test_client_turns_the_extensions_off(
    documented: SandboxServer, sandbox: SandboxServer, tmp_path: Path
) -> None:
    narrow = await connect(documented, tmp_path / "documented")
    wide = await connect(sandbox, tmp_path / "extended")
    try:
        assert narrow.features.verified
        assert set(narrow.features.unavailable) >= EXTENSION_FEATURES
        assert not set(wide.features.unavailable) & EXTENSION_FEATURES
        assert {"customers", "sales", "items", "giftcard_lookup", "giftcard_trans_add"} <= (
            narrow.features.available
        )
    finally:
        await narrow.aclose()
        await wide.aclose()


@pytest.mark.asyncio
async def test_documented_reads_and_a_top_up_work(
    documented: SandboxServer, tmp_path: Path
) -> None:
    client = await connect(documented, tmp_path)
    try:
        customer = await client.customer(FIXTURES.customer_with_sales_id)
        assert customer.full_name == FIXTURES.customer_with_sales_name
        assert customer.loyalty_points is None  # an extension field: unknown here
        sales = await client.sales(SaleFilter(customer_id=FIXTURES.customer_with_sales_id))
        assert sales.items
        assert {s.customer_id for s in sales.items} == {FIXTURES.customer_with_sales_id}
        item = await client.item(FIXTURES.plain_sku)
        assert item.sku == FIXTURES.plain_sku
        card = await client.giftcard(FIXTURES.gc_physical_code, GiftCardCodeType.PHYSICAL)
        assert card is not None
        assert card.balance is not None
        added = await client.giftcard_transaction(
            FIXTURES.gc_physical_code,
            GiftCardCodeType.PHYSICAL,
            GiftCardTransType.ADD,
            Decimal("5.00"),
        )
        assert added.balance == card.balance + Decimal("5.00")
        again = await client.giftcard(FIXTURES.gc_physical_code, GiftCardCodeType.PHYSICAL)
        assert again is not None
        assert again.balance == added.balance
    finally:
        await client.aclose()
