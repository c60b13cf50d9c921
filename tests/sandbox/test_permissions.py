"""Every root field enforces its permission; every error code is produced over HTTP."""

# ruff: noqa: E501  (GraphQL documents and query tables read best one per line)

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLError, build_schema

from posdesk.sandbox.graphql_api import ROOT_PERMISSIONS, format_error
from posdesk.sandbox.seed import FIXTURES
from tests.sandbox.conftest import Gql

F = FIXTURES
NO_PERMISSIONS = ("GraphQL User",)
SCHEMA = build_schema((Path(__file__).parents[2] / "posdesk/sandbox/schema.graphql").read_text())


def trans_add(kind: str, amount: str) -> str:
    return (
        f'mutation {{ giftcardTransAdd(trans: {{ codeType: PHYSICAL, code: "{F.gc_physical_code}", '
        f'transType: {kind}, amount: "{amount}" }}) {{ id }} }}'
    )


def terminal(kind: str) -> str:
    return (
        f'mutation {{ terminalPayment {{ start(input: {{ paymentType: {kind}, amount: "1.00", '
        'terminalId: "LANE-1" }) { continuation { id } } } }'
    )


# (root field, document, the permission a caller without any gets told about)
GUARDED: list[tuple[str, str, str]] = [
    ("customer", "{ customer(first: 1) { results { id } } }", "ViewCustomers"),
    ("giftcard", f'{{ giftcard(code: "{F.gc_physical_code}") {{ results {{ id }} }} }}', "FindGiftCardByCode"),
    ("giftcard", "{ giftcard(first: 1) { results { id } } }", "ListGiftCards"),
    ("item", "{ item(first: 1) { results { sku } } }", "ViewInventory"),
    ("itemSerialLot", "{ itemSerialLot(first: 1) { results { sku } } }", "ViewInventory"),
    ("itemWarehouse", "{ itemWarehouse(first: 1) { results { sku } } }", "ViewInventory"),
    ("sale", "{ sale(first: 1) { results { id } } }", "ViewSales"),
    ("giftcardTrans", "{ giftcardTrans(first: 1) { results { id } } }", "ListGiftCardTrans"),
    ("purchase", "{ purchase(first: 1) { results { id } } }", "ViewPurchases"),
    ("giftcardAdd", 'mutation { giftcardAdd(giftcard: { physicalCode: "P-1" }) { id } }', "CreateGiftCard"),
    ("giftcardEdit", f'mutation {{ giftcardEdit(giftcard: {{ id: "{F.gc_zero_id}", revokePhysicalCode: true }}) {{ id }} }}', "EditGiftCard"),
    ("giftcardTransAdd", trans_add("ADD", "1"), "GiftCardTransAdd"),
    ("giftcardTransAdd", trans_add("ADJUST", "1"), "GiftCardTransAdjust"),
    ("giftcardTransAdd", trans_add("EXTERNAL", "1"), "GiftCardTransExternal"),
    ("giftcardTransAdd", trans_add("IMPORT", "1"), "GiftCardTransImport"),
    ("giftcardTransAdd", trans_add("USE", "-1"), "GiftCardTransUse"),
    ("giftcardTransCapture", f'mutation {{ giftcardTransCapture(id: "{F.gc_history_pending_trans_id}") {{ id }} }}', "GiftCardTransUse"),
    ("giftcardTransCancel", f'mutation {{ giftcardTransCancel(id: "{F.gc_history_pending_trans_id}") {{ id }} }}', "GiftCardTransUse"),
    ("purchaseAdd", 'mutation { purchaseAdd(add: { transactionId: "T", storeCode: "AUSTIN", purchasedOn: "2024-01-01T00:00:00", payAmount: "1", saleDiscountAmount: "0", itemDiscountAmount: "0", subTotal: "1", refundAmount: "0", taxAmount: "0", lineItems: [] }) { id } }', "AddPurchase"),
    ("terminalPayment", terminal("SALE"), "MakeSaleTerminalPayment"),
    ("terminalPayment", terminal("REFUND"), "MakeRefundTerminalPayment"),
    ("terminalPayment", terminal("AUTH"), "MakeSaleTerminalPayment"),
    ("terminalPayment", 'mutation { terminalPayment { capture(paymentId: "tp-1") { error { code } } } }', "MakeSaleTerminalPayment"),
]  # fmt: skip

OPEN: list[tuple[str, str]] = [
    ("environment", "{ environment { name } }"),
    ("viewer", "{ viewer { subject } }"),
    ("location", "{ location { results { code } } }"),
    ("product", "{ product(first: 1) { results { sku } } }"),
    ("productBanner", "{ productBanner { results { code } } }"),
    ("productGroup", "{ productGroup { results { code } } }"),
    ("productNotice", "{ productNotice { results { code } } }"),
    ("productSection", "{ productSection { results { code } } }"),
    ("productSortOption", "{ productSortOption { results { code } } }"),
]


def test_tables_cover_every_root_field() -> None:
    query_type, mutation_type = SCHEMA.query_type, SCHEMA.mutation_type
    assert query_type is not None
    assert mutation_type is not None
    roots = set(query_type.fields) | set(mutation_type.fields)
    assert roots == set(ROOT_PERMISSIONS)
    assert {field for field, _d, _p in GUARDED} | {field for field, _d in OPEN} == roots


@pytest.mark.parametrize(("field", "document", "permission"), GUARDED)
def test_missing_permission_is_not_authorized(
    gql: Gql, field: str, document: str, permission: str
) -> None:
    assert gql.error(document, roles=NO_PERMISSIONS) == {
        "code": "NOT_AUTHORIZED",
        "data": {"Permission": permission},
    }


@pytest.mark.parametrize(("field", "document"), OPEN)
def test_authentication_is_enough(gql: Gql, field: str, document: str) -> None:
    """A principal without permissions gets the whole answer, exactly what an administrator
    gets (nothing filtered out by permission); the viewer is the caller itself."""
    answer = gql.data(document, roles=NO_PERMISSIONS)[field]
    if field == "viewer":
        assert answer == {"subject": f"test-{NO_PERMISSIONS[0]}"}
        return
    assert answer == gql.data(document)[field]
    if "results" in answer:
        assert answer["results"], "the demo seed has rows for every open list"
        assert all(all(value for value in row.values()) for row in answer["results"])
    else:
        assert answer == {"name": "posdesk sandbox (demo)"}


@pytest.mark.parametrize(
    ("field", "document"), [(f, d) for f, d, _p in GUARDED] + OPEN, ids=lambda v: v[:40]
)
def test_no_token_is_not_authenticated(gql: Gql, field: str, document: str) -> None:
    assert gql.error(document, roles=None) == {"code": "NOT_AUTHENTICATED"}


def test_salesperson_role_reaches_what_it_holds(gql: Gql) -> None:
    sales = ("Salesperson",)
    assert gql.data("{ item(first: 1) { results { sku } } }", roles=sales)["item"]["results"]
    assert gql.error("{ sale(first: 1) { results { id } } }", roles=sales) == {
        "code": "NOT_AUTHORIZED",
        "data": {"Permission": "ViewSales"},
    }


def test_malformed_documents_have_a_code(gql: Gql) -> None:
    assert gql.error("{ customer { nope } }") == {"code": "GRAPHQL_VALIDATION_FAILED"}
    assert gql.error("{ customer(") == {"code": "GRAPHQL_VALIDATION_FAILED"}


def test_unexpected_errors_are_fusion_errors() -> None:
    """A crash inside a resolver (which a healthy server cannot be made to produce)."""
    error = GraphQLError("boom", original_error=RuntimeError("database is on fire"))
    formatted = format_error(error)
    assert formatted["extensions"] == {"code": "FUSION_ERROR"}
    assert "fire" not in formatted["message"]
    assert "fire" in format_error(error, debug=True)["message"]


@pytest.mark.parametrize(
    ("argument", "value", "validator"),
    [
        ("fromDate", '"03/01/2024"', "DateValidator"),
        ("toDate", '"2024-02-30"', "DateValidator"),
        ("fromTime", '"yesterday"', "DateTimeValidator"),
        ("toTime", "20240301", "TypeValidator"),
    ],
)
def test_bad_dates_are_validation_errors(
    gql: Gql, argument: str, value: str, validator: str
) -> None:
    extensions = gql.error(f"{{ sale({argument}: {value}) {{ results {{ id }} }} }}")
    assert extensions == {
        "code": "VALIDATION",
        "data": {"ValidationType": validator, "Property": argument[0].upper() + argument[1:]},
    }
    as_variable = gql.error(
        f"query($v: {'Date' if 'Date' in argument else 'DateTime'}) {{ sale({argument}: $v) {{ results {{ id }} }} }}",
        {"v": value.strip('"') if value.startswith('"') else int(value)},
    )
    assert as_variable["code"] == "VALIDATION"


def test_documents_are_parsed_and_validated_once() -> None:
    from graphql import GraphQLSyntaxError
    from graphql.validation import specified_rules

    from posdesk.sandbox.db import Database
    from posdesk.sandbox.graphql_api import QueryCache, build_schema

    schema = build_schema(Database(":memory:", None))
    cache = QueryCache(size=2)
    good = {"query": "{ viewer { name } }"}
    first = cache.parse(None, good)
    assert cache.parse(None, dict(good)) is first
    assert cache.validate(schema, first, specified_rules) == []
    assert cache.validate(schema, first, specified_rules) == []
    bad = cache.parse(None, {"query": "{ viewer { nope } }"})
    assert cache.validate(schema, bad, specified_rules)  # invalid stays invalid
    assert cache.validate(schema, bad, specified_rules)
    cache.parse(None, {"query": "{ environment { name } }"})  # evicts the oldest
    assert cache.parse(None, good) is not first
    with pytest.raises(GraphQLSyntaxError):
        cache.parse(None, {"query": "{ viewer("})


def test_repeated_invalid_documents_keep_failing(gql: Gql) -> None:
    for _ in range(3):
        assert gql.error("{ customer { nope } }") == {"code": "GRAPHQL_VALIDATION_FAILED"}
