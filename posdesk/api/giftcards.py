"""Gift cards: transactions (add, redeem, adjust, authorize), capture and cancel of an
authorization, new cards and changes to a card — each journaled and sent once, and how each
is looked up on the server when its answer was lost (the look-ups ``PosClient`` puts in the
reconcile table).

Codes and PINs are secrets: the journal keeps masked codes (``mask_code``) and, for a new
card, the look-up by its code lives in memory only (``_card_lookups``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any

from posdesk.api import mapping
from posdesk.api.errors import (
    FeatureUnavailable,
    FusionError,
    NotAuthorized,
    NotFound,
    ValidationError,
)
from posdesk.api.exactly_once import ExactlyOnce, UndecidableError, lookup_rows, new_reference
from posdesk.api.reads import Reads
from posdesk.api.wire import wire_decimal
from posdesk.domain import (
    GiftCard,
    GiftCardCodeType,
    GiftCardTransaction,
    GiftCardTransStatus,
    GiftCardTransType,
    mask_code,
)
from posdesk.store.journal import JournalEntry, JournalKind


class GiftCards(ExactlyOnce, Reads):
    """The gift card writes of ``PosClient`` and their reconcile look-ups."""

    async def giftcard_transaction(
        self,
        code: str,
        code_type: GiftCardCodeType | None,
        trans_type: GiftCardTransType,
        amount: Decimal,
        *,
        pin: str | None = None,
        authorize: bool = False,
        ref_no: str | None = None,
        source_id: str = "posdesk",
        giftcard_id: str | None = None,
        on_checking: Callable[[], object] | None = None,
    ) -> GiftCardTransaction:
        """``giftcardTransAdd``, journaled under a unique ``refNo`` (generated if not given)."""
        _check_sign(trans_type, amount)
        if giftcard_id is None:
            giftcard_id = await self._card_id(code, code_type)
        ref = ref_no or new_reference()
        request = {
            "code": journal_code(code),
            "code_type": code_type.value if code_type else None,
            "giftcard_id": giftcard_id,
            "trans_type": trans_type.value,
            "amount": wire_decimal(amount),
            "authorize": authorize,
            "ref_no": ref,
            "source_id": source_id,
        }
        verb = "Authorize" if authorize else "Record"
        summary = (
            f"{verb} {trans_type.value} {wire_decimal(amount)} on gift card {journal_code(code)} "
            f"(ref {ref}, source {source_id})"
        )
        entry = await self._intent(ref, JournalKind.GIFTCARD_TRANS, request, summary)
        trans: dict[str, Any] = {
            "code": code,
            "transType": trans_type.value,
            "amount": wire_decimal(amount),
            "refNo": ref,
            "sourceId": source_id,
        }
        if code_type is not None:
            trans["codeType"] = code_type.value
        if pin:
            trans["pin"] = pin
        if authorize:
            trans["authorize"] = True
        result = await self._journaled(entry, "giftcard_trans_add", {"trans": trans}, on_checking)
        return mapping.giftcard_transaction(result)

    async def _card_id(self, code: str, code_type: GiftCardCodeType | None) -> str | None:
        """The card's internal id, journaled so the outcome can be looked up later even by
        roles without ListGiftCardTrans (they may list a card's transactions by its id)."""
        if "giftcard_lookup" not in self.features:
            return None
        try:
            card = await self.giftcard(code, code_type)
        except NotAuthorized:
            return None
        if card is None:
            raise NotFound("The gift card was not found.", details=f"code {journal_code(code)}")
        return card.id

    async def capture(
        self,
        transaction: GiftCardTransaction,
        *,
        on_checking: Callable[[], object] | None = None,
    ) -> GiftCardTransaction:
        """``giftcardTransCapture`` of an authorization, journaled as ``capture:<id>``."""
        return await self._settle_authorization(
            JournalKind.GIFTCARD_CAPTURE, transaction, "giftcard_trans_capture", on_checking
        )

    async def cancel(
        self,
        transaction: GiftCardTransaction,
        *,
        on_checking: Callable[[], object] | None = None,
    ) -> GiftCardTransaction:
        """Cancel an authorization (server extension), journaled as ``cancel:<id>``."""
        return await self._settle_authorization(
            JournalKind.GIFTCARD_CANCEL, transaction, "giftcard_trans_cancel", on_checking
        )

    async def _settle_authorization(
        self,
        kind: JournalKind,
        transaction: GiftCardTransaction,
        feature: str,
        on_checking: Callable[[], object] | None,
    ) -> GiftCardTransaction:
        action = _ACTIONS[kind]
        ref = f"{action}:{transaction.id}"
        request = {
            "transaction_id": transaction.id,
            "giftcard_id": transaction.giftcard_id,
            "ref_no": transaction.ref_no,
            "amount": wire_decimal(transaction.amount) if transaction.amount is not None else None,
        }
        summary = (
            f"{action.capitalize()} authorization {transaction.id} "
            f"(card {transaction.giftcard_id}, ref {transaction.ref_no})"
        )
        entry = await self._intent(ref, kind, request, summary)
        result = await self._journaled(entry, feature, {"id": transaction.id}, on_checking)
        return mapping.giftcard_transaction(result)

    async def giftcard_add(
        self,
        *,
        physical_code: str | None = None,
        physical_pin: str | None = None,
        external_code: str | None = None,
        add_personal_code: bool = False,
        member_id: str | None = None,
    ) -> GiftCard:
        """``giftcardAdd``: journaled (``GA-…``), never retried; a lost answer is settled by
        looking the physical / external code up while this client runs, under the grace
        period rules (personal code, or after a restart: needs review)."""
        card: dict[str, Any] = {}
        if physical_code:
            card["physicalCode"] = physical_code
        if physical_pin:
            card["physicalPin"] = physical_pin
        if external_code:
            card["externalCode"] = external_code
        if add_personal_code:
            card["addPersonalCode"] = True
        if member_id:
            card["memberId"] = member_id
        code, code_type = (
            (physical_code, GiftCardCodeType.PHYSICAL)
            if physical_code
            else (external_code, GiftCardCodeType.EXTERNAL)
        )
        request = {
            "code": journal_code(code) if code else None,
            "code_type": code_type.value if code else None,
            "member_id": member_id,
            "personal": add_personal_code,
        }
        what = f"code {journal_code(code)}" if code else "a personal code"
        entry = await self._intent(
            new_reference("GA"), JournalKind.GIFTCARD_ADD, request, f"Create gift card with {what}"
        )

        async def look_up() -> GiftCard | None:
            assert code
            return await self.giftcard(code, code_type)

        return await self._card_change(
            entry, "giftcard_add", {"giftcard": card}, look_up if code else None
        )

    async def giftcard_edit(
        self,
        id: str,
        *,
        member_id: str | None = None,
        add_personal_code: bool = False,
        revoke_physical_code: bool = False,
        revoke_personal_code: bool = False,
        revoke_external_code: bool = False,
        physical_code: str | None = None,
        physical_pin: str | None = None,
        external_code: str | None = None,
        on_checking: Callable[[], object] | None = None,
    ) -> GiftCard:
        """``giftcardEdit`` (needs EditGiftCard): journaled (``GE-…``, changed field names and
        the masked codes to expect, never codes or PINs), never retried. A lost answer is
        settled by re-reading the card and comparing it with the requested change."""
        card: dict[str, Any] = {"id": id}
        flags = {
            "memberId": member_id,
            "addPersonalCode": add_personal_code or None,
            "revokePhysicalCode": revoke_physical_code or None,
            "revokePersonalCode": revoke_personal_code or None,
            "revokeExternalCode": revoke_external_code or None,
            "physicalCode": physical_code,
            "physicalPin": physical_pin,
            "externalCode": external_code,
        }
        card.update({k: v for k, v in flags.items() if v is not None})
        # codes and PINs are secrets: the journal keeps which fields changed and what the
        # card should show afterwards (masked codes), never their values
        changes = sorted(k for k in card if k != "id")
        before = await self._card_before_edit(id)
        expect = _edit_expectations(before, card)
        entry = await self._intent(
            new_reference("GE"),
            JournalKind.GIFTCARD_EDIT,
            {"giftcard_id": id, "changes": changes, "member_id": member_id, "expect": expect},
            f"Change gift card {id}: {', '.join(changes)}",
        )
        return await self._card_change(
            entry, "giftcard_edit", {"giftcard": card}, on_checking=on_checking
        )

    async def _card_before_edit(self, id: str) -> GiftCard | None:
        """The card as it is before an edit (to recognise the edit later), if readable."""
        if "giftcard_by_id" not in self.features:
            return None
        try:
            return await self.giftcard_by_id(id)
        except (NotAuthorized, NotFound):
            return None

    async def _card_change(
        self,
        entry: JournalEntry,
        feature: str,
        variables: Mapping[str, Any],
        look_up: Callable[[], Awaitable[GiftCard | None]] | None = None,
        *,
        on_checking: Callable[[], object] | None = None,
    ) -> GiftCard:
        """Send a journaled card creation / change once (it moves no money, but a blind
        retry could create a second card) and reconcile it like any journaled write:
        a lost answer is looked up (``look_up``: the new card by its code, kept in memory
        only; an edit: the card re-read) and stays unknown until the grace period ends."""
        ref = entry.reference
        if look_up is not None:
            self._card_lookups[ref] = look_up
        result, answered = await self._journaled_answer(
            entry, feature, variables, on_checking, keep=_card_id_only
        )
        if answered:
            return mapping.giftcard(result)
        card = await self.giftcard_by_id(str((result or {}).get("id")))
        if card is None:
            raise NotFound("The gift card was not found.", details=f"{feature} {ref}")
        return card

    # ---------------------------------------------------------------- reconcile look-ups

    async def _lookup_transaction(self, entry: JournalEntry) -> Mapping[str, Any] | None:
        """A transaction by its refNo (on its card, when the journal knows the card)."""
        request = entry.request
        env = await self._read(
            "giftcard_transactions",
            {
                "giftcardId": request.get("giftcard_id"),
                "refNo": request["ref_no"],
                "sourceId": None,
                "skip": 0,
                "first": 10,
            },
        )
        rows = lookup_rows(env, "GiftcardTrans")
        matching = [r for r in rows if r.get("refNo") == request["ref_no"]]
        if not matching:
            return None
        if len(matching) > 1:
            raise FusionError(details=f"{len(matching)} transactions share refNo")
        return dict(matching[0])

    async def _lookup_capture(self, entry: JournalEntry) -> Mapping[str, Any] | None:
        """A captured authorization: the transaction shows COMPLETED."""
        return await self._lookup_authorization(entry, GiftCardTransStatus.COMPLETED)

    async def _lookup_cancel(self, entry: JournalEntry) -> Mapping[str, Any] | None:
        """A cancelled authorization: the transaction shows CANCELLED."""
        return await self._lookup_authorization(entry, GiftCardTransStatus.CANCELLED)

    async def _lookup_authorization(
        self, entry: JournalEntry, wanted: GiftCardTransStatus
    ) -> Mapping[str, Any] | None:
        row = await self._find_transaction(entry.request)
        if row is None or row.get("status") != wanted.value:
            return None
        return row

    async def _lookup_new_card(self, entry: JournalEntry) -> Mapping[str, Any] | None:
        """A new card by its code, which only this run knows (the journal keeps none)."""
        look_up = self._card_lookups.get(entry.reference)
        if look_up is None:  # the journal keeps no unmasked code to look the card up by
            raise UndecidableError("the new card's code is not kept: check the POS admin")
        card = await look_up()
        return None if card is None else {"id": card.id}

    async def _lookup_card_edit(self, entry: JournalEntry) -> Mapping[str, Any] | None:
        """A card change: the card re-read and compared with what the change should show."""
        request = entry.request
        card = await self.giftcard_by_id(str(request.get("giftcard_id")))
        if card is None:
            raise UndecidableError(f"gift card {request.get('giftcard_id')} is not visible")
        return {"id": card.id} if _edit_applied(card, request.get("expect")) else None

    async def _find_transaction(self, request: Mapping[str, Any]) -> dict[str, Any] | None:
        trans_id = str(request["transaction_id"])
        variables: dict[str, Any] = {
            "giftcardId": request.get("giftcard_id"),
            "refNo": request.get("ref_no"),
            "sourceId": None,
        }
        if not variables["giftcardId"] and not variables["refNo"]:
            raise FeatureUnavailable("look-up of a transaction without card or reference")
        skip = 0
        while True:
            env = await self._read(
                "giftcard_transactions", {**variables, "skip": skip, "first": 100}
            )
            rows = lookup_rows(env, "GiftcardTrans")
            for row in rows:
                if str(row.get("id")) == trans_id:
                    return dict(row)
            if not env or env.get("hasMoreResults") is not True or not rows:
                return None
            skip += len(rows)


#: Schema check results by ``schema_key``: reconnecting to a server whose schema was already
#: checked (every reconnect, every sandbox run) skips building and validating again.


def journal_code(code: str) -> str:
    """A gift card code as the journal and its summaries record it (``••••••1427``)."""
    return mask_code(code, keep_length=True)


#: The action word of an authorization's settlement (its reference is ``<action>:<id>``).
_ACTIONS = {JournalKind.GIFTCARD_CAPTURE: "capture", JournalKind.GIFTCARD_CANCEL: "cancel"}


def _card_id_only(result: Mapping[str, Any]) -> Mapping[str, Any]:
    """What the journal keeps of a card creation / change: its id, never its codes."""
    return {"id": result.get("id")}


def _last4(code: str | None) -> str:
    return (code or "")[-4:]


def _edit_expectations(before: GiftCard | None, card: Mapping[str, Any]) -> dict[str, str]:
    """What the card must show once the edit ``card`` went through (last four characters of
    codes only), leaving out what it already showed before. Values: ``absent``,
    ``present``, ``not:<last4>`` (a replaced code), ``<last4>``, ``ambiguous`` (the new code
    ends like the old one), or the member id under ``member_id``."""
    codes = {c.code_type.value: c.code for c in before.codes} if before else None
    expect: dict[str, str] = {}
    for kind, new_key, revoke_key in (
        ("PHYSICAL", "physicalCode", "revokePhysicalCode"),
        ("EXTERNAL", "externalCode", "revokeExternalCode"),
    ):
        if card.get(new_key):
            new = _last4(card[new_key])
            same = codes is not None and kind in codes and _last4(codes[kind]) == new
            expect[kind] = "ambiguous" if same else new
        elif card.get(revoke_key) and (codes is None or kind in codes):
            expect[kind] = "absent"
    if card.get("addPersonalCode"):
        old = codes.get("PERSONAL") if codes is not None else None
        expect["PERSONAL"] = f"not:{_last4(old)}" if old else "present"
    elif card.get("revokePersonalCode") and (codes is None or "PERSONAL" in codes):
        expect["PERSONAL"] = "absent"
    member = card.get("memberId")
    if member and (before is None or before.member_id != member):
        expect["member_id"] = str(member)
    return expect


def _edit_applied(card: GiftCard, expect: Any) -> bool:
    """Whether ``card`` shows the journaled edit (True), shows none of it (False); raises
    ``UndecidableError`` when it cannot tell (no expectations, ambiguous or partial)."""
    if not isinstance(expect, dict) or not expect:
        raise UndecidableError("the change leaves nothing to compare the card with")
    codes = {c.code_type.value: c.code for c in card.codes}
    seen: list[bool] = []
    for key, want in expect.items():
        if want == "ambiguous":
            raise UndecidableError(f"the new {key.lower()} code ends like the old one")
        if key == "member_id":
            seen.append(card.member_id == want)
        elif want == "absent":
            seen.append(key not in codes)
        elif want == "present":
            seen.append(key in codes)
        elif want.startswith("not:"):
            seen.append(key in codes and _last4(codes[key]) != want[4:])
        else:
            seen.append(key in codes and _last4(codes[key]) == want)
    if all(seen):
        return True
    if not any(seen):
        return False
    raise UndecidableError("the card shows only part of the change")


def _check_sign(trans_type: GiftCardTransType, amount: Decimal) -> None:
    """Documented sign rules: ADD positive only, USE negative only, others non-zero."""
    if amount == 0:
        raise ValidationError("amount", user_message="The amount must not be zero.")
    if trans_type is GiftCardTransType.ADD and amount < 0:
        raise ValidationError("amount", user_message="An ADD amount must be positive.")
    if trans_type is GiftCardTransType.USE and amount > 0:
        raise ValidationError("amount", user_message="A USE amount must be negative.")
