"""The simulated payment terminal: approve, decline, never answers, capture, cancel."""

# ruff: noqa: E501  (GraphQL documents and query tables read best one per line)

from __future__ import annotations

import time
from typing import Any

from posdesk.sandbox.graphql_api import (
    TERMINAL_FAST,
    TERMINAL_TIMEOUT,
    TERMINAL_WAIT_MS,
)
from tests.sandbox.conftest import Gql

RESULT = """payment { id paymentType amount status refNo cardLabel authCode }
  error { code message } continuation { id waitMilliseconds message }"""
START = f"""mutation($i: TerminalPaymentStartInput) {{ terminalPayment {{ start(input: $i) {{ {RESULT} }} }} }}"""
CONTINUE = (
    f"""mutation($c: ID) {{ terminalPayment {{ continue(continuationId: $c) {{ {RESULT} }} }} }}"""
)
CANCEL = (
    f"""mutation($c: ID) {{ terminalPayment {{ cancel(continuationId: $c) {{ {RESULT} }} }} }}"""
)
CAPTURE = f"""mutation($p: ID, $a: Decimal) {{ terminalPayment {{ capture(paymentId: $p, amount: $a) {{ {RESULT} }} }} }}"""


def outcome(result: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    present = [(k, v) for k, v in result.items() if v is not None]
    assert len(present) == 1, result
    return present[0]


def call(
    gql: Gql, document: str, variables: dict[str, Any], **kw: Any
) -> tuple[str, dict[str, Any]]:
    data = gql.data(document, variables, **kw)["terminalPayment"]
    (result,) = data.values()
    return outcome(result)


def start(
    gql: Gql, kind: str, amount: str, terminal: str = "LANE-2", **kw: Any
) -> tuple[str, dict[str, Any]]:
    return call(
        gql,
        START,
        {"i": {"paymentType": kind, "amount": amount, "terminalId": terminal, "refNo": "R-9"}},
        **kw,
    )


def finish(gql: Gql, continuation: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Honour the waits until something other than a continuation comes back."""
    for _ in range(20):
        time.sleep(continuation["waitMilliseconds"] / 1000)
        kind, value = call(gql, CONTINUE, {"c": continuation["id"]})
        if kind != "continuation":
            return kind, value
        continuation = value
    raise AssertionError("terminal never finished")


def test_sale_is_approved_after_waiting(gql: Gql) -> None:
    started = time.monotonic()  # before the server's own clock starts
    kind, continuation = start(gql, "SALE", "42.10")
    assert kind == "continuation"
    assert 0 < continuation["waitMilliseconds"] <= TERMINAL_WAIT_MS
    assert continuation["message"]
    early, again = call(gql, CONTINUE, {"c": continuation["id"]})  # polled too soon
    # (only provably too soon if this side saw less than the wait: a stalled CI machine can
    # take longer between two requests, and then an answer is right)
    if time.monotonic() - started < TERMINAL_WAIT_MS / 1000:
        assert early == "continuation"
        assert again["id"] == continuation["id"]
    kind, payment = finish(gql, continuation)
    assert kind == "payment"
    assert payment["status"] == "APPROVED"
    assert payment["amount"] == "42.10"
    assert payment["cardLabel"] == "Visa ****4242"
    assert payment["refNo"] == "R-9"
    # a client resuming after a restart gets the same answer
    assert call(gql, CONTINUE, {"c": continuation["id"]}) == ("payment", payment)


def test_amounts_ending_in_13_are_declined(gql: Gql) -> None:
    _, continuation = start(gql, "SALE", "10.13")
    assert finish(gql, continuation) == (
        "error",
        {"code": "DECLINED", "message": "The card was declined."},
    )


def test_a_terminal_that_never_answers_can_be_cancelled(gql: Gql) -> None:
    _, continuation = start(gql, "SALE", "5.00", TERMINAL_TIMEOUT)
    for _ in range(2):
        time.sleep(continuation["waitMilliseconds"] / 1000)
        kind, continuation = call(gql, CONTINUE, {"c": continuation["id"]})
        assert kind == "continuation"
    kind, error = call(gql, CANCEL, {"c": continuation["id"]})
    assert (kind, error["code"]) == ("error", "CANCELLED")
    assert call(gql, CANCEL, {"c": continuation["id"]})[1]["code"] == "ALREADY_COMPLETED"
    assert call(gql, CONTINUE, {"c": continuation["id"]})[1]["code"] == "CANCELLED"


def test_authorization_then_capture(gql: Gql) -> None:
    kind, auth = start(gql, "AUTH", "50.00", TERMINAL_FAST)
    assert kind == "payment"
    assert auth["status"] == "AUTHORIZED"
    assert (
        call(gql, CAPTURE, {"p": auth["id"], "a": "50.01"})[1]["code"]
        == "AMOUNT_EXCEEDS_AUTHORIZATION"
    )
    kind, continuation = call(gql, CAPTURE, {"p": auth["id"], "a": "30.00"})
    assert kind == "continuation"
    kind, captured = finish(gql, continuation)
    assert kind == "payment"
    assert (captured["id"], captured["status"], captured["amount"]) == (
        auth["id"],
        "CAPTURED",
        "30.00",
    )
    assert call(gql, CAPTURE, {"p": auth["id"]})[1]["code"] == "ALREADY_CAPTURED"
    _, sale = start(gql, "SALE", "1.00", TERMINAL_FAST)
    assert call(gql, CAPTURE, {"p": sale["id"]})[1]["code"] == "NOT_AN_AUTHORIZATION"
    assert call(gql, CAPTURE, {"p": "tp-unknown"})[1]["code"] == "UNKNOWN_PAYMENT"


def test_refunds_and_bad_input(gql: Gql) -> None:
    kind, refund = start(gql, "REFUND", "3.00", TERMINAL_FAST)
    assert (kind, refund["status"]) == ("payment", "REFUNDED")
    assert start(gql, "SALE", "0")[1]["code"] == "INVALID_AMOUNT"
    assert start(gql, "SALE", "-1.00")[1]["code"] == "INVALID_AMOUNT"
    assert call(gql, CONTINUE, {"c": "tc-unknown"})[1]["code"] == "UNKNOWN_CONTINUATION"
    assert gql.error(START, {"i": {"amount": "1", "terminalId": "L"}}) == {
        "code": "VALIDATION",
        "data": {"ValidationType": "NotEmptyValidator", "Property": "PaymentType"},
    }
    _, continuation = start(gql, "REFUND", "3.00")
    # continuing someone's refund needs the refund permission too
    assert gql.error(CONTINUE, {"c": continuation["id"]}, roles=("Salesperson",)) == {
        "code": "NOT_AUTHORIZED",
        "data": {"Permission": "MakeRefundTerminalPayment"},
    }
