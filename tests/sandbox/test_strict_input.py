"""Strict input (issue 14): money, quantities, purchase lines and dates are checked before
anything is written; every refusal is a VALIDATION error naming the property. And a terminal
authorization is captured exactly once, however many captures race for it."""

# ruff: noqa: E501  (GraphQL documents read best one per line)

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import httpx
import pytest

from posdesk.sandbox.server import SandboxServer
from tests.sandbox.conftest import Gql
from tests.sandbox.test_terminal import CAPTURE, call, finish, start

TRANS_ADD = (
    """mutation($t: GiftcardTransAddInput) { giftcardTransAdd(trans: $t) { id amount balance } }"""
)
CARD = """query($c: String) { giftcard(code: $c) { results { id balance transactions: id } } }"""
ADD_CARD = """mutation($g: GiftcardAddInput) { giftcardAdd(giftcard: $g) { id } }"""
PURCHASE_ADD = """mutation($a: PurchaseAddInput) { purchaseAdd(add: $a) { id transactionId } }"""
PURCHASES = """query($t: String) { purchase(transactionId: $t) { results { id } } }"""


def _validation(extensions: dict[str, Any], prop: str) -> None:
    assert extensions["code"] == "VALIDATION", extensions
    assert extensions["data"]["Property"] == prop, extensions


def _new_card(gql: Gql, code: str) -> str:
    card_id: str = gql.data(ADD_CARD, {"g": {"physicalCode": code}})["giftcardAdd"]["id"]
    return card_id


def _trans(code: str, amount: str, kind: str = "ADD") -> dict[str, Any]:
    return {"t": {"code": code, "codeType": "PHYSICAL", "transType": kind, "amount": amount}}


@pytest.mark.parametrize(
    ("amount", "validator"),
    [
        ("92233720368547758.07", "RangeValidator"),  # overflowed the balance before
        ("1" * 40, "DecimalValidator"),  # 40 digits: FUSION_ERROR before
        ("10000000.00", "RangeValidator"),  # just over the documented maximum
        ("٥", "DecimalValidator"),  # Arabic-Indic five, taken as 5.00 before
        ("５.00", "DecimalValidator"),  # full-width five
        ("1.001", "ScalePrecisionValidator"),
    ],
)
def test_gift_card_amounts_are_strict(gql: Gql, amount: str, validator: str) -> None:
    _new_card(gql, f"STRICT-{abs(hash(amount))}")
    extensions = gql.error(TRANS_ADD, _trans(f"STRICT-{abs(hash(amount))}", amount))
    _validation(extensions, "Amount")
    assert extensions["data"]["ValidationType"] == validator


def test_the_maximum_is_accepted_and_the_balance_stays_the_sum(gql: Gql) -> None:
    _new_card(gql, "STRICT-MAX")
    first = gql.data(TRANS_ADD, _trans("STRICT-MAX", "9999999.99"))["giftcardTransAdd"]
    assert Decimal(first["balance"]) == Decimal("9999999.99")
    used = gql.data(TRANS_ADD, _trans("STRICT-MAX", "-0.99", "USE"))["giftcardTransAdd"]
    assert Decimal(used["balance"]) == Decimal("9999999.00")


def test_a_forty_digit_terminal_sale_is_refused_not_approved(gql: Gql) -> None:
    body = gql.run(
        "mutation($i: TerminalPaymentStartInput) { terminalPayment { start(input: $i) { payment { amount } } } }",
        {"i": {"paymentType": "SALE", "amount": "9" * 40, "terminalId": "LANE-FAST"}},
    )
    _validation(body["errors"][0]["extensions"], "Amount")
    kind, _ = start(gql, "SALE", "9999999.99", "LANE-FAST")
    assert kind == "payment"


@pytest.mark.parametrize(
    "when",
    [
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:00:00-05:00",
        "1999-12-31T23:59:59Z",
        "2100-01-01T00:00:00Z",
    ],
)
def test_card_code_expiry_out_of_range_writes_nothing(
    gql: Gql, own_sandbox: SandboxServer, when: str
) -> None:
    before = own_sandbox.db.query("SELECT count(*) FROM giftcard")[0][0]
    code = f"STRICT-EXP-{when[:4]}"
    extensions = gql.error(ADD_CARD, {"g": {"physicalCode": code, "physicalCodeExpiresOn": when}})
    assert extensions["code"] == "VALIDATION", extensions
    assert extensions["data"]["Property"] == "PhysicalCodeExpiresOn"
    assert own_sandbox.db.query("SELECT count(*) FROM giftcard")[0][0] == before
    # every listing still answers (a committed row broke them before)
    assert "errors" not in gql.run(
        "{ giftcard(first: 1000) { results { id codes { expiresOn } } } }"
    )


def _purchase(transaction_id: str, **line: Any) -> dict[str, Any]:
    item = {
        "lineNumber": 1,
        "sku": "MINTS01",
        "isRefund": False,
        "unitPrice": "3.49",
        "extPrice": "5.24",
        "itemDiscountAmount": "0",
        "saleDiscountAmount": "0",
        "quantity": "1.5",
        "uom": "EA",
        **line,
    }
    return {
        "a": {
            "transactionId": transaction_id,
            "storeCode": "AUSTIN",
            "purchasedOn": "2026-11-01T10:00:00",
            "payAmount": "5.24",
            "saleDiscountAmount": "0",
            "itemDiscountAmount": "0",
            "subTotal": "5.24",
            "refundAmount": "0",
            "taxAmount": "0",
            "lineItems": [item],
        }
    }


@pytest.mark.parametrize(
    ("line", "prop"),
    [
        ({"unitPrice": "0.001"}, "UnitPrice"),
        ({"quantity": "0.0000001"}, "Quantity"),
        ({"quantity": "0"}, "Quantity"),
        ({"quantity": "-1"}, "Quantity"),
        ({"extPrice": "-99999999"}, "ExtPrice"),
        ({"extPrice": "4.00"}, "ExtPrice"),  # not 3.49 × 1.5
        ({"itemDiscountAmount": "-1.00"}, "ItemDiscountAmount"),
        ({"lineNumber": 0}, "LineNumber"),
    ],
)
def test_purchase_lines_are_checked_and_nothing_is_written(
    gql: Gql, line: dict[str, Any], prop: str
) -> None:
    transaction_id = f"STRICT-P-{prop}-{abs(hash(str(line)))}"
    _validation(gql.error(PURCHASE_ADD, _purchase(transaction_id, **line)), prop)
    assert gql.data(PURCHASES, {"t": transaction_id})["purchase"]["results"] == []


@pytest.mark.parametrize(
    "when", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00", "1990-05-01T00:00:00Z"]
)
def test_purchase_dates_are_in_range(gql: Gql, when: str) -> None:
    variables = _purchase(f"STRICT-D-{when[:4]}")
    variables["a"]["purchasedOn"] = when
    _validation(gql.error(PURCHASE_ADD, variables), "PurchasedOn")
    assert "errors" not in gql.run("{ purchase(first: 1000) { results { id purchasedOn } } }")


def test_what_record_purchase_sends_is_accepted(gql: Gql) -> None:
    # quantity with 3 places, a discount, and ext = qty × price − discount rounded half-even
    ok = _purchase(
        "STRICT-OK", quantity="2.125", unitPrice="1.99", itemDiscountAmount="0.50", extPrice="3.73"
    )
    assert gql.data(PURCHASE_ADD, ok)["purchaseAdd"]["transactionId"] == "STRICT-OK"
    refund = _purchase("STRICT-REFUND", isRefund=True, extPrice="-5.24")
    assert gql.data(PURCHASE_ADD, refund)["purchaseAdd"]["transactionId"] == "STRICT-REFUND"


def _race_captures(
    server: SandboxServer, token: str, payment_id: str, amounts: tuple[str, ...]
) -> list[tuple[str, dict[str, Any]]]:
    """Capture ``payment_id`` once per amount, all released at the same moment."""
    assert server.info is not None
    url = server.info.graphql_url
    results: list[tuple[str, dict[str, Any]]] = []
    barrier = threading.Barrier(len(amounts))

    def capture(amount: str) -> None:
        with httpx.Client(timeout=10) as http:
            barrier.wait()
            response = http.post(
                url,
                json={"query": CAPTURE, "variables": {"p": payment_id, "a": amount}},
                headers={"Authorization": f"Bearer {token}"},
            )
        (result,) = response.json()["data"]["terminalPayment"].values()
        results.extend((k, v) for k, v in result.items() if v is not None)

    threads = [threading.Thread(target=capture, args=(a,)) for a in amounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return results


def test_two_concurrent_captures_of_one_authorization_capture_once(
    gql: Gql, own_sandbox: SandboxServer
) -> None:
    for attempt in range(5):
        kind, payment = start(gql, "AUTH", "10.00", "LANE-FAST")
        assert kind == "payment"
        results = _race_captures(own_sandbox, gql.token(), payment["id"], ("5.00", "3.00"))
        kinds = sorted(k for k, _ in results)
        assert kinds == ["continuation", "error"], (attempt, results)
        error = next(v for k, v in results if k == "error")
        assert error["code"] == "ALREADY_CAPTURED"
        continuation = next(v for k, v in results if k == "continuation")
        # while it processes, a third capture gets no new continuation either
        again = call(gql, CAPTURE, {"p": payment["id"], "a": "1.00"})
        assert again == ("error", {"code": "ALREADY_CAPTURED", "message": again[1]["message"]})
        done_kind, done = finish(gql, continuation)
        assert done_kind == "payment"
        assert done["status"] == "CAPTURED"
        assert done["amount"] in ("5.00", "3.00")
        assert (
            call(gql, CAPTURE, {"p": payment["id"], "a": "1.00"})[1]["code"] == "ALREADY_CAPTURED"
        )
