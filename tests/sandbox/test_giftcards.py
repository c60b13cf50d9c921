"""Gift cards and purchases over HTTP: codes and masking, balance rules, every validation."""

# ruff: noqa: E501  (GraphQL documents and query tables read best one per line)

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from tests.sandbox.conftest import Gql

F = FIXTURES
CARD = "id memberId balance codes { id codeType code expiresOn isMasked hasPin }"
TRANS = (
    "id giftcardId balance status transType amount sourceId refNo createdOn completedOn cancelledOn"
)
ADD_TRANS = f"mutation($t: GiftcardTransAddInput) {{ giftcardTransAdd(trans: $t) {{ {TRANS} }} }}"
CAPTURE = f"mutation($id: ID) {{ giftcardTransCapture(id: $id) {{ {TRANS} }} }}"
CANCEL = f"mutation($id: ID) {{ giftcardTransCancel(id: $id) {{ {TRANS} }} }}"
_numbers = itertools.count(1)


def validation(validation_type: str, prop: str) -> dict[str, Any]:
    return {"code": "VALIDATION", "data": {"ValidationType": validation_type, "Property": prop}}


def new_card(gql: Gql, balance: str = "10.00", pin: str | None = None) -> str:
    """A fresh physical card funded with one immediate ADD; returns its code."""
    code = f"TEST{next(_numbers):08d}"
    card = {"physicalCode": code, **({"physicalPin": pin} if pin else {})}
    gql.data("mutation($g: GiftcardAddInput) { giftcardAdd(giftcard: $g) { id } }", {"g": card})
    trans(gql, code, "ADD", balance, pin=pin)
    return code


def trans(gql: Gql, code: str, kind: str, amount: str, **extra: Any) -> dict[str, Any]:
    t = {"codeType": "PHYSICAL", "code": code, "transType": kind, "amount": amount, **extra}
    t = {k: v for k, v in t.items() if v is not None}
    result: dict[str, Any] = gql.data(ADD_TRANS, {"t": t})["giftcardTransAdd"]
    return result


def trans_error(gql: Gql, t: dict[str, Any], **kw: Any) -> Any:
    return gql.error(ADD_TRANS, {"t": {"codeType": "PHYSICAL", **t}}, **kw)


def balance(gql: Gql, code: str) -> str:
    cards = gql.data(
        "query($c: String) { giftcard(code: $c, codeType: PHYSICAL) { results { balance } } }",
        {"c": code},
    )["giftcard"]["results"]
    value: str = cards[0]["balance"]
    return value


# --- balance rules (REFERENCE §9.3: $10 card, $1 transaction) --------------------------------


def test_spending_authorization_reserves_at_once(gql: Gql) -> None:
    code = new_card(gql)
    auth = trans(gql, code, "USE", "-1.00", authorize=True)
    assert auth["status"] == "AUTHORIZED"
    assert auth["completedOn"] is None
    assert auth["balance"] == "9.00"
    assert balance(gql, code) == "9.00"
    captured = gql.data(CAPTURE, {"id": auth["id"]})["giftcardTransCapture"]
    assert captured["status"] == "COMPLETED"
    assert captured["completedOn"]
    assert balance(gql, code) == "9.00"
    other = new_card(gql)
    auth = trans(gql, other, "USE", "-1.00", authorize=True)
    assert balance(gql, other) == "9.00"
    cancelled = gql.data(CANCEL, {"id": auth["id"]})["giftcardTransCancel"]
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["cancelledOn"]
    assert balance(gql, other) == "10.00"


def test_top_up_authorization_credits_only_at_capture(gql: Gql) -> None:
    code = new_card(gql)
    auth = trans(gql, code, "ADD", "1.00", authorize=True)
    assert auth["balance"] == "10.00"
    assert balance(gql, code) == "10.00"
    gql.data(CAPTURE, {"id": auth["id"]})
    assert balance(gql, code) == "11.00"
    other = new_card(gql)
    auth = trans(gql, other, "ADD", "1.00", authorize=True)
    gql.data(CANCEL, {"id": auth["id"]})
    assert balance(gql, other) == "10.00"


def test_immediate_transactions_change_the_balance(gql: Gql) -> None:
    code = new_card(gql, pin="9911")
    used = trans(gql, code, "USE", "-2.50", pin="9911", refNo="R-1", sourceId="tests")
    assert used["status"] == "COMPLETED"
    assert used["amount"] == "-2.50"
    assert used["balance"] == "7.50"
    adjusted = trans(gql, code, "ADJUST", "-0.50", pin="9911")
    assert adjusted["balance"] == "7.00"
    imported = trans(gql, code, "IMPORT", "3", pin="9911")
    assert imported["balance"] == "10.00"


def test_capture_and_cancel_only_authorized_transactions(gql: Gql) -> None:
    code = new_card(gql)
    auth = trans(gql, code, "USE", "-1.00", authorize=True)
    gql.data(CAPTURE, {"id": auth["id"]})
    assert gql.error(CAPTURE, {"id": auth["id"]}) == validation("TransStatusValidator", "Id")
    assert gql.error(CANCEL, {"id": auth["id"]}) == validation("TransStatusValidator", "Id")
    auth = trans(gql, code, "USE", "-1.00", authorize=True)
    gql.data(CANCEL, {"id": auth["id"]})
    assert gql.error(CAPTURE, {"id": auth["id"]}) == validation("TransStatusValidator", "Id")
    assert gql.error(CAPTURE, {"id": "999999999"}) == validation("NotFoundValidator", "Id")
    assert gql.error(CAPTURE, {"id": None}) == validation("NotEmptyValidator", "Id")
    assert balance(gql, code) == "9.00"


# --- validation errors ------------------------------------------------------------------------


def test_code_pin_and_expiry_errors(gql: Gql) -> None:
    use = {"transType": "USE", "amount": "-1.00"}
    assert trans_error(gql, {**use, "code": F.unknown_code}) == validation(
        "NotFoundValidator", "Code"
    )
    assert trans_error(gql, {**use, "code": F.gc_pin_code, "pin": "0000"}) == validation(
        "PinValidator", "Pin"
    )
    assert trans_error(gql, {**use, "code": F.gc_pin_code}) == validation(
        "NotEmptyValidator", "Pin"
    )
    assert trans_error(gql, {**use, "code": F.gc_expired_code}) == validation(
        "ExpiredCodeValidator", "Code"
    )
    assert trans_error(gql, {**use, "code": ""}) == validation("NotEmptyValidator", "Code")
    assert balance(gql, F.gc_pin_code) == F.gc_pin_balance


def test_pin_guards_taking_funds_not_adding_them(gql: Gql) -> None:
    code = new_card(gql, "10.00", pin="5151")
    assert trans(gql, code, "ADD", "5.00")["balance"] == "15.00"  # a top-up needs no PIN
    assert trans_error(gql, {"code": code, "transType": "ADD", "amount": "5", "pin": "1"}) == (
        validation("PinValidator", "Pin")
    )
    assert trans_error(gql, {"code": code, "transType": "ADJUST", "amount": "-1"}) == (
        validation("NotEmptyValidator", "Pin")
    )
    assert trans(gql, code, "ADJUST", "-1", pin="5151")["balance"] == "14.00"
    assert trans(gql, F.gc_physical_code, "ADD", "1", pin="ignored")["balance"] == "26.00"


def test_amount_errors(gql: Gql) -> None:
    code = new_card(gql, "5.00")
    base = {"code": code}
    assert trans_error(gql, {**base, "transType": "USE", "amount": "-5.01"}) == validation(
        "InsufficientFundsValidator", "Amount"
    )
    assert trans_error(gql, {**base, "transType": "ADD", "amount": "-1"}) == validation(
        "GreaterThanValidator", "Amount"
    )
    assert trans_error(gql, {**base, "transType": "USE", "amount": "1"}) == validation(
        "LessThanValidator", "Amount"
    )
    assert trans_error(gql, {**base, "transType": "ADJUST", "amount": "0.00"}) == validation(
        "NotEqualValidator", "Amount"
    )
    assert trans_error(gql, {**base, "transType": "ADD", "amount": "1.005"}) == validation(
        "ScalePrecisionValidator", "Amount"
    )
    assert trans_error(gql, {**base, "transType": "ADD"}) == validation(
        "NotEmptyValidator", "Amount"
    )
    assert trans_error(gql, {**base, "amount": "1"}) == validation("NotEmptyValidator", "TransType")
    assert balance(gql, code) == "5.00"


@pytest.mark.parametrize("bad", [1.5, "12,50", "1e3", "NaN", "", " 1", True])
def test_bad_decimals_are_rejected(gql: Gql, bad: Any) -> None:
    extensions = trans_error(gql, {"code": F.gc_physical_code, "transType": "ADD", "amount": bad})
    assert extensions == validation("DecimalValidator", "Amount")


def test_float_literal_is_rejected(gql: Gql) -> None:
    query = (
        f'mutation {{ giftcardTransAdd(trans: {{ codeType: PHYSICAL, code: "{F.gc_physical_code}", '
        "transType: ADD, amount: 1.5 }) { id } }"
    )
    assert gql.error(query) == validation("DecimalValidator", "Amount")


def test_expiry_follows_the_server_clock(gql: Gql, own_sandbox: SandboxServer) -> None:
    personal = {
        "codeType": "PERSONAL",
        "code": F.gc_personal_code,
        "transType": "USE",
        "amount": "-1",
    }
    db = own_sandbox.db
    saved = db.clock
    db.clock = lambda: datetime(2032, 1, 1, tzinfo=UTC)  # after the code's expiry
    try:
        assert gql.error(ADD_TRANS, {"t": personal}) == validation("ExpiredCodeValidator", "Code")
    finally:
        db.clock = saved
    assert gql.data(ADD_TRANS, {"t": personal})["giftcardTransAdd"]["balance"] == "39.00"


# --- visibility of code kinds and masking -----------------------------------------------------

LOOKUP = f"query($c: String, $t: GiftcardCodeType) {{ giftcard(code: $c, codeType: $t) {{ limitedByPermission results {{ {CARD} }} }} }}"


def lookup(gql: Gql, code: str, kind: str | None, roles: tuple[str, ...]) -> dict[str, Any]:
    page: dict[str, Any] = gql.data(LOOKUP, {"c": code, "t": kind}, roles=roles)["giftcard"]
    return page


def test_personal_codes_are_masked_unless_allowed(gql: Gql) -> None:
    masked = lookup(gql, F.gc_personal_code, "PERSONAL", ("Service Clerk",))
    (card,) = masked["results"]
    (code,) = card["codes"]
    assert code["isMasked"] is True
    assert code["code"] == "*" * (len(F.gc_personal_code) - 4) + F.gc_personal_code[-4:]
    assert masked["limitedByPermission"] is False
    clear = lookup(gql, F.gc_personal_code, "PERSONAL", ("Gift Card Administrator",))
    assert clear["results"][0]["codes"][0] == {
        **code,
        "code": F.gc_personal_code,
        "isMasked": False,
    }


def test_code_kinds_the_caller_may_not_use_are_hidden(gql: Gql, own_sandbox: SandboxServer) -> None:
    hidden = lookup(gql, F.gc_personal_code, "PERSONAL", ("Salesperson",))
    assert hidden == {"limitedByPermission": True, "results": []}
    external = lookup(gql, F.gc_external_code, "EXTERNAL", ("Integration",))
    assert external["results"][0]["id"] == F.gc_external_id
    assert external["limitedByPermission"] is False
    assert lookup(gql, F.gc_external_code, None, ("Salesperson",))["limitedByPermission"] is True
    row = own_sandbox.db.query_one(
        "SELECT p.code FROM giftcard_code p JOIN giftcard_code q ON q.giftcard_id = p.giftcard_id "
        "WHERE p.code_type = 'PHYSICAL' AND q.code_type = 'PERSONAL' AND p.pin IS NOT NULL LIMIT 1"
    )
    assert row is not None
    both = lookup(gql, row[0], "PHYSICAL", ("Salesperson",))
    assert [c["codeType"] for c in both["results"][0]["codes"]] == ["PHYSICAL"]
    assert both["results"][0]["codes"][0]["hasPin"] is True
    assert both["limitedByPermission"] is True
    # using a code kind needs its permission too
    assert gql.error(
        ADD_TRANS,
        {
            "t": {
                "codeType": "EXTERNAL",
                "code": F.gc_external_code,
                "transType": "USE",
                "amount": "-1",
            }
        },
        roles=("Salesperson",),
    ) == {"code": "NOT_AUTHORIZED", "data": {"Permission": "UseExternalGiftCardCodes"}}


def test_listing_cards_needs_list_permission(gql: Gql) -> None:
    query = f'{{ giftcard(memberId: "{F.card_owner_member_id}") {{ results {{ id memberId }} }} }}'
    cards = gql.data(query, roles=("Gift Card Administrator",))["giftcard"]["results"]
    assert {F.gc_personal_id, F.gc_edit_id} <= {c["id"] for c in cards}
    assert {c["memberId"] for c in cards} == {F.card_owner_member_id}
    assert gql.error(query, roles=("Salesperson",)) == {
        "code": "NOT_AUTHORIZED",
        "data": {"Permission": "ListGiftCards"},
    }
    by_id = gql.data(f'{{ giftcard(id: "{F.gc_zero_id}") {{ results {{ balance }} }} }}')
    assert by_id["giftcard"]["results"] == [{"balance": "0.00"}]


def test_transaction_listing_filters(gql: Gql) -> None:
    query = "query($g: ID, $r: String, $s: String) { giftcardTrans(giftcardId: $g, refNo: $r, sourceId: $s) { hasMoreResults results { id status amount refNo sourceId } } }"
    rows = gql.data(query, {"g": F.gc_history_id})["giftcardTrans"]["results"]
    assert [r["status"] for r in rows] == ["COMPLETED", "COMPLETED", "AUTHORIZED", "CANCELLED"]
    assert [r["amount"] for r in rows] == ["50.00", "-10.00", "-5.00", "-7.00"]
    assert rows[2]["id"] == F.gc_history_pending_trans_id
    assert rows[3]["id"] == F.gc_history_cancelled_trans_id
    by_ref = gql.data(query, {"r": F.gc_history_ref_no})["giftcardTrans"]["results"]
    assert [r["id"] for r in by_ref] == [F.gc_history_pending_trans_id]
    by_source = gql.data(query, {"s": F.gc_history_source_id})["giftcardTrans"]["results"]
    assert len(by_source) == 4
    salesperson = gql.data(query, {"g": F.gc_history_id}, roles=("Salesperson",))
    assert len(salesperson["giftcardTrans"]["results"]) == 4
    assert gql.error(query, {"r": F.gc_history_ref_no}, roles=("Salesperson",)) == {
        "code": "NOT_AUTHORIZED",
        "data": {"Permission": "ListGiftCardTrans"},
    }


# --- giftcardAdd / giftcardEdit ---------------------------------------------------------------

ADD_CARD = f"mutation($g: GiftcardAddInput) {{ giftcardAdd(giftcard: $g) {{ {CARD} }} }}"
EDIT_CARD = f"mutation($g: GiftcardEditInput) {{ giftcardEdit(giftcard: $g) {{ {CARD} }} }}"


def test_create_card_validations(gql: Gql) -> None:
    assert gql.error(ADD_CARD, {"g": {"addPersonalCode": True}}) == validation(
        "NotEmptyValidator", "Member"
    )
    assert gql.error(
        ADD_CARD, {"g": {"addPersonalCode": True, "memberId": "C999999999"}}
    ) == validation("MemberValidator", "Member")
    assert gql.error(ADD_CARD, {"g": {"physicalCode": F.gc_pin_code}}) == validation(
        "UniqueCodeValidator", "PhysicalCode"
    )
    assert gql.error(ADD_CARD, {"g": {}}) == validation("NotEmptyValidator", "PhysicalCode")
    assert gql.error(ADD_CARD, {"g": {"physicalPin": "1234"}}) == validation(
        "NotEmptyValidator", "PhysicalCode"
    )


def test_create_card_with_expiry_and_all_code_kinds(gql: Gql) -> None:
    card = gql.data(
        ADD_CARD,
        {
            "g": {
                "physicalCode": "EXPIRY-TEST-1",
                "physicalPin": "2468",
                "physicalCodeExpiresOn": "2020-01-01T00:00:00",
                "addPersonalCode": True,
                "memberId": F.card_owner_member_id,
                "externalCode": "EXT-EXPIRY-1",
            }
        },
    )["giftcardAdd"]
    assert card["balance"] == "0.00"
    kinds = {c["codeType"]: c for c in card["codes"]}
    assert set(kinds) == {"PHYSICAL", "PERSONAL", "EXTERNAL"}
    assert kinds["PHYSICAL"]["expiresOn"] == "2020-01-01T00:00:00Z"
    assert kinds["PHYSICAL"]["hasPin"] is True
    assert kinds["PERSONAL"]["isMasked"] is False  # Administrator may see unmasked codes
    assert trans_error(
        gql, {"code": "EXPIRY-TEST-1", "pin": "2468", "transType": "ADD", "amount": "5"}
    ) == validation("ExpiredCodeValidator", "Code")


def test_edit_card(gql: Gql) -> None:
    card = gql.data(
        ADD_CARD, {"g": {"physicalCode": "EDIT-TEST-1", "memberId": F.card_owner_member_id}}
    )["giftcardAdd"]
    assert gql.error(
        EDIT_CARD,
        {
            "g": {
                "id": card["id"],
                "addPersonalCode": True,
                "memberId": F.customer_with_sales_member_id,
            }
        },
    ) == validation("OwnerValidator", "Member")
    assert gql.error(EDIT_CARD, {"g": {"id": "987654321"}}) == validation("NotFoundValidator", "Id")
    assert gql.error(EDIT_CARD, {"g": {"addPersonalCode": True}}) == validation(
        "NotEmptyValidator", "Id"
    )
    first = gql.data(
        EDIT_CARD,
        {"g": {"id": card["id"], "addPersonalCode": True, "memberId": F.card_owner_member_id}},
    )["giftcardEdit"]
    second = gql.data(
        EDIT_CARD,
        {
            "g": {
                "id": card["id"],
                "addPersonalCode": True,
                "memberId": F.card_owner_member_id,
                "physicalCode": "EDIT-TEST-2",
            }
        },
    )["giftcardEdit"]
    personal = [c["code"] for c in second["codes"] if c["codeType"] == "PERSONAL"]
    assert len(personal) == 1
    assert personal != [c["code"] for c in first["codes"] if c["codeType"] == "PERSONAL"]
    assert [c["code"] for c in second["codes"] if c["codeType"] == "PHYSICAL"] == ["EDIT-TEST-2"]
    assert lookup(gql, "EDIT-TEST-1", "PHYSICAL", ("Administrator",))["results"] == []
    gql.data(
        EDIT_CARD, {"g": {"id": card["id"], "revokePhysicalCode": True, "revokePersonalCode": True}}
    )
    assert lookup(gql, "EDIT-TEST-2", "PHYSICAL", ("Administrator",))["results"] == []


# --- purchases --------------------------------------------------------------------------------

PURCHASE = """mutation($a: PurchaseAddInput) { purchaseAdd(add: $a) {
  id transactionId storeCode purchasedOn payAmount memberId createdOn } }"""


def purchase_input(tid: str, **extra: Any) -> dict[str, Any]:
    return {
        "transactionId": tid, "storeCode": "AUSTIN", "purchasedOn": "2024-05-02T14:30:00",
        "payAmount": "3.49", "saleDiscountAmount": "0", "itemDiscountAmount": "0",
        "subTotal": "3.49", "refundAmount": "0", "taxAmount": "0",
        "lineItems": [{"lineNumber": 1, "sku": "MINTS01", "isRefund": False, "unitPrice": "3.49",
                       "extPrice": "3.49", "itemDiscountAmount": "0", "saleDiscountAmount": "0",
                       "quantity": "1", "uom": "EA"}],
        **extra,
    }  # fmt: skip


def test_duplicate_purchases_are_recorded_and_found(gql: Gql) -> None:
    first = gql.data(PURCHASE, {"a": purchase_input("DUP-1", memberId=F.card_owner_member_id)})
    second = gql.data(PURCHASE, {"a": purchase_input("DUP-1")})
    assert first["purchaseAdd"]["id"] != second["purchaseAdd"]["id"]
    assert first["purchaseAdd"]["purchasedOn"] == "2024-05-02T14:30:00Z"  # no offset = UTC
    assert first["purchaseAdd"]["payAmount"] == "3.49"
    found = gql.data('{ purchase(transactionId: "DUP-1") { results { id memberId } } }')
    assert [p["id"] for p in found["purchase"]["results"]] == [
        first["purchaseAdd"]["id"],
        second["purchaseAdd"]["id"],
    ]
    seeded = gql.data(
        f'{{ purchase(transactionId: "{F.purchase_transaction_id}") {{ results {{ id }} }} }}'
    )
    assert len(seeded["purchase"]["results"]) == 1


def test_purchase_validations(gql: Gql) -> None:
    assert gql.error(PURCHASE, {"a": purchase_input("X", storeCode="NOWHERE")}) == validation(
        "LocationValidator", "StoreCode"
    )
    assert gql.error(PURCHASE, {"a": purchase_input("")}) == validation(
        "NotEmptyValidator", "TransactionId"
    )
    missing = purchase_input("Y")
    del missing["transactionId"]
    assert gql.error(PURCHASE, {"a": missing}) == validation("NotEmptyValidator", "TransactionId")
    assert gql.error(PURCHASE, {"a": purchase_input("Z", payAmount=3.49)}) == validation(
        "DecimalValidator", "PayAmount"
    )


def test_concurrent_spending_never_overdraws(gql: Gql) -> None:
    """20 clients spend 1.00 each from a 10.00 card at the same time: exactly 10 succeed."""
    from concurrent.futures import ThreadPoolExecutor

    code = new_card(gql, "10.00")
    variables = {"t": {"codeType": "PHYSICAL", "code": code, "transType": "USE", "amount": "-1.00"}}
    token = gql.token()

    def spend(_: int) -> dict[str, Any]:
        with httpx.Client(timeout=10) as http:
            response = http.post(
                gql.url,
                json={"query": ADD_TRANS, "variables": variables},
                headers={"Authorization": f"Bearer {token}"},
            )
        body: dict[str, Any] = response.json()
        return body

    with ThreadPoolExecutor(max_workers=20) as pool:
        bodies = list(pool.map(spend, range(20)))
    ok = [b for b in bodies if not b.get("errors")]
    refused = [b["errors"][0]["extensions"] for b in bodies if b.get("errors")]
    assert len(ok) == 10
    assert refused == [validation("InsufficientFundsValidator", "Amount")] * 10
    assert sorted(b["data"]["giftcardTransAdd"]["balance"] for b in ok) == sorted(
        f"{n}.00" for n in range(10)
    )
    assert balance(gql, code) == "0.00"
