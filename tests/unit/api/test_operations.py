"""Every packaged operation must validate against the schema the sandbox serves, and the
compatibility check must degrade (not fail) against the documented-only schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_schema, parse, validate

import posdesk.sandbox
from posdesk.api.compat import adapt, check
from posdesk.api.operations import load_all

SANDBOX_SCHEMA = Path(posdesk.sandbox.__file__).parent / "schema.graphql"
DOCUMENTED_SCHEMA = Path(__file__).parent / "data" / "documented_schema.graphql"


@pytest.fixture(scope="module")
def sandbox_schema() -> GraphQLSchema:
    return build_schema(SANDBOX_SCHEMA.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def documented_schema() -> GraphQLSchema:
    return build_schema(DOCUMENTED_SCHEMA.read_text(encoding="utf-8"))


OPERATIONS = load_all()


def test_operations_are_packaged() -> None:
    assert len(OPERATIONS) >= 35
    assert {"customers", "giftcard_trans_add", "purchase_add", "sale_sync"} <= set(OPERATIONS)
    assert OPERATIONS["purchase_add"].is_mutation
    assert not OPERATIONS["customers"].is_mutation
    assert OPERATIONS["terminal_start"].root_field == "terminalPayment"


@pytest.mark.parametrize("feature", sorted(OPERATIONS))
def test_operation_validates_against_sandbox_schema(
    sandbox_schema: GraphQLSchema, feature: str
) -> None:
    errors = validate(sandbox_schema, parse(OPERATIONS[feature].document))
    assert errors == [], f"{feature}.graphql: {[e.message for e in errors]}"


def test_everything_available_on_the_sandbox_schema(sandbox_schema: GraphQLSchema) -> None:
    report, runnable = check(sandbox_schema, OPERATIONS)
    assert dict(report.unavailable) == {}
    assert dict(report.reduced) == {}
    assert runnable == OPERATIONS


def test_documented_schema_turns_extensions_off(documented_schema: GraphQLSchema) -> None:
    report, runnable = check(documented_schema, OPERATIONS)
    # the documented API has none of these sandbox extensions
    expected_missing = {
        "customer_search",
        "giftcard_transactions",
        "giftcard_trans_cancel",
        "purchase_lookup",
        "sale_search",
        "item_search",
        "viewer",
        "terminal_cancel",
    }
    assert expected_missing <= set(report.unavailable)
    for feature in expected_missing:
        assert feature not in report
        assert report.reason(feature)
    # the documented basics still work, with extension fields dropped from the documents
    for feature in (
        "customers",
        "sales",
        "items",
        "giftcard_lookup",
        "giftcard_trans_add",
        "purchase_add",
        "environment",
        "sale_sync",
        "item_sync",
    ):
        assert feature in report, feature
        errors = validate(documented_schema, parse(runnable[feature].document))
        assert errors == []
    assert "Customer.loyaltyPoints" in report.reduced["customers"]
    assert "Sale.lines" in report.reduced["sale_detail"]
    assert "loyaltyPoints" not in runnable["customers"].document
    assert "customer_search" not in runnable


def test_identity_fields_are_never_dropped(sandbox_schema: GraphQLSchema) -> None:
    text = SANDBOX_SCHEMA.read_text(encoding="utf-8").replace(
        "  memberId: String # type inferred\n  status: String",
        "  memberId: String\n  status: String",
    )
    # a server whose Customer lacks ``id`` cannot offer customers at all
    text = text.replace("  id: String # type inferred (20-digit numeric string in examples)\n", "")
    schema = build_schema(text)
    adapted, dropped, reason = adapt(schema, OPERATIONS["customers"])
    assert adapted is None
    assert "Customer.id" in reason
    assert dropped == ()


def test_input_type_names_follow_the_live_schema() -> None:
    """Input type names are guesses: a server that names them differently still works."""
    text = (
        SANDBOX_SCHEMA.read_text(encoding="utf-8")
        .replace("GiftcardTransAddInput", "GiftCardTransactionInput")
        .replace("PurchaseAddInput", "RecordPurchaseInput")
    )
    schema = build_schema(text)
    report, runnable = check(schema, OPERATIONS)
    assert "giftcard_trans_add" in report
    assert "purchase_add" in report
    assert "$trans: GiftCardTransactionInput!" in runnable["giftcard_trans_add"].document
    assert "$add: RecordPurchaseInput!" in runnable["purchase_add"].document
    assert validate(schema, parse(runnable["purchase_add"].document)) == []
    assert dict(report.reduced) == {}
