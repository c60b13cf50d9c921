"""Every documented example operation (copied from shared/pos-api/examples) runs on the sandbox.

The examples are executed in a story order (create a card before spending from it, authorize
before capture, start a terminal payment before continuing it) against a private sandbox.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from posdesk.sandbox.seed import FIXTURES
from tests.sandbox.conftest import Gql

EXAMPLES = Path(__file__).with_name("examples")

TOP_UP = """mutation { giftcardTransAdd(trans: { codeType: PHYSICAL, code: "GC50311427",
  pin: "8642", transType: ADD, amount: "50.00", sourceId: "web-shop", refNo: "ORDER-100240" })
  { id balance giftcardId } }"""
AUTH_FAST = """mutation { terminalPayment { start(input: { paymentType: AUTH, amount: "42.10",
  terminalId: "LANE-FAST", refNo: "REG2-000914" }) { payment { id status } } } }"""

Check = Callable[[dict[str, Any], dict[str, Any]], None]


def results(data: dict[str, Any], field: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = data[field]["results"]
    return rows


def one_outcome(result: dict[str, Any]) -> str:
    present = [k for k in ("payment", "error", "continuation") if result[k] is not None]
    assert len(present) == 1, result
    return present[0]


def _sync(field: str) -> tuple[dict[str, Any], Check]:
    def check(data: dict[str, Any], state: dict[str, Any]) -> None:
        page = data[field]
        assert len(page["results"]) == 25
        assert page["hasMoreResults"] is True
        assert page["until"]

    return {"since": "", "first": 25}, check


def _customer_found(data: dict[str, Any], state: dict[str, Any]) -> None:
    (row,) = results(data, "customer")
    assert row["id"] == FIXTURES.customer_by_member_id
    assert row["memberId"] == FIXTURES.customer_by_member_member_id


def _immediate(data: dict[str, Any], state: dict[str, Any]) -> None:
    assert data["giftcardTransAdd"]["balance"] == "37.25"  # 50.00 - 12.75


def _authorized(data: dict[str, Any], state: dict[str, Any]) -> None:
    trans = data["giftcardTransAdd"]
    assert trans["status"] == "AUTHORIZED"
    assert trans["balance"] == "17.25"  # a spending authorization reserves at once
    state["transId"] = trans["id"]


def _captured(data: dict[str, Any], state: dict[str, Any]) -> None:
    trans = data["giftcardTransCapture"]
    assert trans["status"] == "COMPLETED"
    assert trans["balance"] == "17.25"  # capture of a spend does not change it again


def _terminal_started(data: dict[str, Any], state: dict[str, Any]) -> None:
    result = data["terminalPayment"]["start"]
    assert one_outcome(result) == "continuation"
    state["continuationId"] = result["continuation"]["id"]
    time.sleep(result["continuation"]["waitMilliseconds"] / 1000)


def _terminal_continued(data: dict[str, Any], state: dict[str, Any]) -> None:
    result = data["terminalPayment"]["continue"]
    assert one_outcome(result) == "payment"
    assert result["payment"]["status"] == "APPROVED"


def _terminal_capture(data: dict[str, Any], state: dict[str, Any]) -> None:
    assert one_outcome(data["terminalPayment"]["capture"]) == "continuation"


def _non_empty(field: str) -> Check:
    def check(data: dict[str, Any], state: dict[str, Any]) -> None:
        assert results(data, field)

    return check


# (file, variables, check) in story order; every example file must appear exactly once.
PLAN: list[tuple[str, dict[str, Any], Check]] = [
    ("get-customer-by-id.graphql", {}, _non_empty("customer")),
    ("get-customer-by-member-id.graphql", {}, _customer_found),
    ("get-customer-list.graphql", {}, lambda d, s: _assert_len(results(d, "customer"), 50)),
    ("get-customer-phone-number.graphql", {}, _non_empty("customer")),
    (
        "get-gift-card-by-code.graphql",
        {},
        lambda d, s: _assert_eq(results(d, "giftcard")[0]["balance"], FIXTURES.gc_physical_balance),
    ),
    ("get-inventory-by-warehouse.graphql", {}, _non_empty("item")),
    ("get-inventory-list.graphql", {}, lambda d, s: _assert_len(results(d, "item"), 20)),
    ("get-sale-history-by-customer.graphql", {}, _non_empty("sale")),
    ("get-sale-history-by-customer-next-page.graphql", {}, _non_empty("sale")),
    ("get-sale-history-by-date-range.graphql", {}, _non_empty("sale")),
    (
        "inferred/get-environment-info.graphql",
        {},
        lambda d, s: _assert_eq(d["environment"]["tenantType"], "Cloud"),
    ),
    ("inferred/get-sale-by-id.graphql", {"id": FIXTURES.sale_late_id}, _non_empty("sale")),
    ("inferred/list-locations.graphql", {}, lambda d, s: _assert_len(results(d, "location"), 5)),
    ("inferred/list-product-catalogue-metadata.graphql", {}, _non_empty("productGroup")),
    ("inferred/list-products.graphql", {}, _non_empty("product")),
    ("inferred/sync-inventory-since.graphql", *_sync("item")),
    ("inferred/sync-item-serial-lot-since.graphql", *_sync("itemSerialLot")),
    ("inferred/sync-item-warehouse-since.graphql", *_sync("itemWarehouse")),
    ("inferred/sync-sales-since.graphql", *_sync("sale")),
    (
        "create-gift-card-physical.graphql",
        {},
        lambda d, s: _assert_eq(d["giftcardAdd"]["codes"][0]["code"], "GC50311427"),
    ),
    ("<top-up>", {}, lambda d, s: _assert_eq(d["giftcardTransAdd"]["balance"], "50.00")),
    ("create-gift-card-transaction-immediate.graphql", {}, _immediate),
    ("inferred/create-gift-card-transaction-authorize.graphql", {}, _authorized),
    ("inferred/capture-gift-card-transaction.graphql", {"transId": "<transId>"}, _captured),
    (
        "inferred/create-gift-card-external.graphql",
        {},
        lambda d, s: _assert_eq(d["giftcardAdd"]["codes"][0]["codeType"], "EXTERNAL"),
    ),
    (
        "inferred/create-gift-card-personal.graphql",
        {},
        lambda d, s: _assert_eq(d["giftcardAdd"]["memberId"], "C000000345"),
    ),
    (
        "edit-gift-card-add-personal-code.graphql",
        {},
        lambda d, s: _assert_len(d["giftcardEdit"]["codes"], 2),
    ),
    (
        "edit-gift-card-revoke-physical-code.graphql",
        {},
        lambda d, s: _assert_eq([c["codeType"] for c in d["giftcardEdit"]["codes"]], ["PERSONAL"]),
    ),
    (
        "edit-gift-card-replace-codes.graphql",
        {},
        lambda d, s: _assert_eq([c["codeType"] for c in d["giftcardEdit"]["codes"]], ["PERSONAL"]),
    ),
    ("record-purchase-minimal.graphql", {}, lambda d, s: _assert_true(d["purchaseAdd"]["id"])),
    ("record-purchase-complete.graphql", {}, lambda d, s: _assert_true(d["purchaseAdd"]["id"])),
    ("inferred/terminal-payment-start.graphql", {}, _terminal_started),
    (
        "inferred/terminal-payment-continue.graphql",
        {"continuationId": "<continuationId>"},
        _terminal_continued,
    ),
    (
        "<auth-fast>",
        {},
        lambda d, s: s.update(paymentId=d["terminalPayment"]["start"]["payment"]["id"]),
    ),
    ("inferred/terminal-payment-capture.graphql", {"paymentId": "<paymentId>"}, _terminal_capture),
]


def _assert_len(rows: list[Any], n: int) -> None:
    assert len(rows) == n


def _assert_eq(a: Any, b: Any) -> None:
    assert a == b


def _assert_true(a: Any) -> None:
    assert a


def test_plan_covers_every_example_file() -> None:
    files = sorted(str(p.relative_to(EXAMPLES)) for p in EXAMPLES.rglob("*.graphql"))
    planned = sorted(name for name, _v, _c in PLAN if not name.startswith("<"))
    assert planned == files
    assert len(files) == 33


def test_copies_match_the_shared_examples() -> None:
    here = Path(__file__).resolve()
    candidates = [parent / "shared" / "pos-api" / "examples" for parent in here.parents[3:5]]
    shared = next((c for c in candidates if c.is_dir()), None)
    if shared is None:
        pytest.skip("no shared/ folder beside the repository")
    for original in shared.rglob("*.graphql"):
        copy = EXAMPLES / original.relative_to(shared)
        assert copy.read_text() == original.read_text(), copy


def test_every_example_runs(gql: Gql) -> None:
    state: dict[str, Any] = {}
    inline = {"<top-up>": TOP_UP, "<auth-fast>": AUTH_FAST}
    for name, variables, check in PLAN:
        document = inline.get(name) or (EXAMPLES / name).read_text()
        resolved = {
            k: state[v[1:-1]] if isinstance(v, str) and v.startswith("<") else v
            for k, v in variables.items()
        }
        body = gql.run(document, resolved)
        assert "errors" not in body, (name, body["errors"])
        data = body["data"]
        assert all(value is not None for value in data.values()), (name, data)
        check(data, state)
