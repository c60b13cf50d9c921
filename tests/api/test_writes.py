"""Journaled money-moving writes over real HTTP: intent before send, reconcile, never resend."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from typing_extensions import override

from posdesk.api import errors
from posdesk.api.auth import TokenSet
from posdesk.api.client import PosClient, RetryPolicy, new_reference
from posdesk.domain import (
    GiftCardCodeType,
    GiftCardTransStatus,
    GiftCardTransType,
)
from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from posdesk.store.journal import Journal, JournalState
from tests.api.helpers import cc_profile, connect
from tests.api.helpers import purchase_draft as _draft

PHYSICAL = GiftCardCodeType.PHYSICAL


async def _new_card(client: PosClient) -> tuple[str, str]:
    code = "T" + new_reference("").replace("-", "")[:15]
    card = await client.giftcard_add(physical_code=code)
    assert card.balance == Decimal(0)
    return card.id, code


@pytest.mark.asyncio
async def test_gift_card_operations(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        card_id, code = await _new_card(client)
        added = await client.giftcard_transaction(
            code, PHYSICAL, GiftCardTransType.ADD, Decimal("20.00")
        )
        assert added.balance == Decimal("20.00")
        assert added.ref_no is not None
        assert added.ref_no.startswith("PD-")
        used = await client.giftcard_transaction(
            code, PHYSICAL, GiftCardTransType.USE, Decimal("-3.50"), ref_no="ORDER-1-" + card_id
        )
        assert used.balance == Decimal("16.50")
        hold = await client.giftcard_transaction(
            code, PHYSICAL, GiftCardTransType.USE, Decimal("-6.00"), authorize=True
        )
        assert hold.status is GiftCardTransStatus.AUTHORIZED
        assert hold.balance == Decimal("10.50")  # a spending authorization reserves at once
        captured = await client.capture(hold)
        assert captured.status is GiftCardTransStatus.COMPLETED
        topup = await client.giftcard_transaction(
            code, PHYSICAL, GiftCardTransType.ADD, Decimal("5.00"), authorize=True
        )
        cancelled = await client.cancel(topup)
        assert cancelled.status is GiftCardTransStatus.CANCELLED
        card = await client.giftcard_by_id(card_id)
        assert card is not None
        assert card.balance == Decimal("10.50")

        # each reference is used once from this machine: a repeat is refused before sending
        with pytest.raises(errors.DuplicateReference):
            await client.capture(hold)
        with pytest.raises(errors.DuplicateReference):
            await client.giftcard_transaction(
                code, PHYSICAL, GiftCardTransType.USE, Decimal("-3.50"), ref_no="ORDER-1-" + card_id
            )
        history = await client.giftcard_transactions(giftcard_id=card_id)
        assert len(history.items) == 4
        states = {e.kind: e.state for e in client.journal.entries()}
        assert set(states.values()) == {JournalState.DONE}
        # (the card's creation is journaled too: a lost answer must not create a second card)
        assert set(states) == {
            "giftcard_add",
            "giftcard_trans",
            "giftcard_capture",
            "giftcard_cancel",
        }
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_dropped_connection_is_reconciled_not_resent(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        card_id, code = await _new_card(client)
        checking: list[bool] = []
        sandbox.faults.drop_next_mutations = 1
        trans = await client.giftcard_transaction(
            code,
            PHYSICAL,
            GiftCardTransType.ADD,
            Decimal("7.25"),
            on_checking=lambda: checking.append(True),
        )
        assert sandbox.faults.dropped == 1
        assert checking == [True]
        assert trans.amount == Decimal("7.25")
        assert trans.balance == Decimal("7.25")
        on_server = await client.giftcard_transactions(ref_no=trans.ref_no)
        assert len(on_server.items) == 1
        entry = client.journal.get(trans.ref_no or "")
        assert entry is not None
        assert entry.state is JournalState.DONE

        sandbox.faults.drop_next_mutations = 1
        purchase = await client.purchase_add(_draft("ERP-DROP-" + card_id))
        assert purchase.transaction_id == "ERP-DROP-" + card_id
        assert len((await client.purchases("ERP-DROP-" + card_id)).items) == 1
        with pytest.raises(errors.DuplicateReference):  # the server would accept it twice
            await client.purchase_add(_draft("ERP-DROP-" + card_id))
        assert len((await client.purchases("ERP-DROP-" + card_id)).items) == 1
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_timeout_is_unknown_then_reconciled_on_restart(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    """Sent means unknown, also across a restart: a look-up that finds nothing yet (the slow
    server has not committed) leaves the entry unknown, never "failed"; a later pass finds it."""
    journal_path = tmp_path / "journal.sqlite3"
    client = await PosClient.connect(
        cc_profile(sandbox),
        journal=Journal(journal_path),
        retry=RetryPolicy(attempts=2, base_delay=0.01),
        settle_delay=0.0,
    )
    try:
        card_id, code = await _new_card(client)
        # short read timeout only now: connecting and creating the card may take longer than
        # 0.3 s on a busy machine
        client._http.timeout = httpx.Timeout(10.0, read=0.3)
        sandbox.faults.commit_delay_ms = 1500  # the server commits after the client gave up
        with pytest.raises(errors.UnknownOutcome) as info:
            await client.giftcard_transaction(
                code, PHYSICAL, GiftCardTransType.ADD, Decimal("4.00"), giftcard_id=card_id
            )
        ref = info.value.reference
        assert "do not repeat" in info.value.user_message
        assert client.journal.get(ref).state is JournalState.UNKNOWN  # type: ignore[union-attr]
        sandbox.faults.commit_delay_ms = 0
    finally:
        await client.aclose()
        client.journal.close()

    restarted = await connect(sandbox, tmp_path, journal=Journal(journal_path))
    try:
        states = []
        for _ in range(100):
            [settled] = await restarted.reconcile_pending()
            assert settled.reference == ref
            states.append(settled.state)
            if settled.state is JournalState.DONE:
                break
            await asyncio.sleep(0.05)
        assert states[0] is JournalState.UNKNOWN  # not committed yet: proves nothing
        assert set(states) == {JournalState.UNKNOWN, JournalState.DONE}
        on_server = await restarted.giftcard_transactions(ref_no=ref)
        assert len(on_server.items) == 1  # sent once, found once
        card = await restarted.giftcard_by_id(card_id)
        assert card is not None
        assert card.balance == Decimal("4.00")
        assert restarted.journal.unresolved() == []
    finally:
        await restarted.aclose()


@pytest.mark.asyncio
async def test_crash_before_and_after_send(sandbox: SandboxServer, tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    client = await connect(sandbox, tmp_path, journal=journal)
    try:
        _, code = await _new_card(client)
        profile = client.profile.name
        # crash after sending: intent journaled, request reached the server, no outcome stored
        sent_ref = new_reference()
        journal.record_intent(
            sent_ref,
            profile=profile,
            kind="giftcard_trans",
            request={"ref_no": sent_ref},
            summary="crash after send",
        )
        journal.mark_sent(sent_ref)
        await client._write(
            "giftcard_trans_add",
            {
                "trans": {
                    "code": code,
                    "codeType": "PHYSICAL",
                    "transType": "ADD",
                    "amount": "2.00",
                    "refNo": sent_ref,
                    "sourceId": "posdesk",
                }
            },
        )
        # crash before sending: intent journaled only
        lost_ref = new_reference()
        journal.record_intent(
            lost_ref,
            profile=profile,
            kind="giftcard_trans",
            request={"ref_no": lost_ref},
            summary="crash before send",
        )
        purchase_ref = "ERP-CRASH-" + new_reference()
        journal.record_intent(
            purchase_ref,
            profile=profile,
            kind="purchase_add",
            request={},
            summary="purchase never sent",
        )

        settled = {e.reference: e.state for e in await client.reconcile_pending()}
        assert settled == {
            sent_ref: JournalState.DONE,
            lost_ref: JournalState.FAILED,
            purchase_ref: JournalState.FAILED,
        }
        assert journal.unresolved() == []
        # a confirmed failure may be tried again with the same reference
        purchase = await client.purchase_add(_draft(purchase_ref))
        assert purchase.transaction_id == purchase_ref
        assert journal.get(purchase_ref).attempts == 2  # type: ignore[union-attr]
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_connect_failure_means_not_sent(sandbox: SandboxServer, tmp_path: Path) -> None:
    """A refused connection never reached the server: a confirmed failure, safe to retry."""

    class Refusing(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.real = httpx.AsyncHTTPTransport()
            self.refuse = False

        @override
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if self.refuse and request.url.path == "/graphql":
                raise httpx.ConnectError("connection refused", request=request)
            return await self.real.handle_async_request(request)

        @override
        async def aclose(self) -> None:
            await self.real.aclose()

    transport = Refusing()
    http = httpx.AsyncClient(transport=transport)
    client = await connect(sandbox, tmp_path, http=http)
    try:
        transport.refuse = True
        with pytest.raises(errors.NetworkError):
            await client.purchase_add(_draft("ERP-REFUSED-1"))
        entry = client.journal.get("ERP-REFUSED-1")
        assert entry is not None
        assert entry.state is JournalState.FAILED
        transport.refuse = False
        purchase = await client.purchase_add(_draft("ERP-REFUSED-1"))
        assert purchase.transaction_id == "ERP-REFUSED-1"
    finally:
        await client.aclose()
        await http.aclose()


@pytest.mark.asyncio
async def test_store_role_reconciles_by_card_or_goes_to_review(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    """A salesperson may not list all transactions or view purchases: the card's own
    transactions (by its id) still settle a dropped redemption; a dropped purchase needs a
    manager's review — it is never resent."""
    admin = await connect(sandbox, tmp_path)
    try:
        _, code = await _new_card(admin)
        await admin.giftcard_transaction(code, PHYSICAL, GiftCardTransType.ADD, Decimal("9.00"))
    finally:
        await admin.aclose()
    client = await connect(sandbox, tmp_path, "demo-sales", journal=Journal(tmp_path / "s.db"))
    try:
        sandbox.faults.drop_next_mutations = 1
        used = await client.giftcard_transaction(
            code, PHYSICAL, GiftCardTransType.USE, Decimal("-2.00")
        )
        assert used.balance == Decimal("7.00")
        with pytest.raises(errors.NotFound):  # checked before anything is journaled
            await client.giftcard_transaction(
                FIXTURES.unknown_code, PHYSICAL, GiftCardTransType.ADD, Decimal("1.00")
            )
        sandbox.faults.drop_next_mutations = 1
        with pytest.raises(errors.NeedsReview) as info:
            await client.purchase_add(_draft("ERP-SALES-" + (used.ref_no or "")))
        [entry] = client.journal.needs_review()
        assert entry.reference == info.value.reference
        assert "ViewPurchases" in (entry.error or "")
        assert [e.state for e in client.journal.entries(kind="giftcard_trans")] == [
            JournalState.DONE
        ]
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_dropped_card_creation_is_looked_up(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        code = "T" + new_reference("").replace("-", "")[:15]
        sandbox.faults.drop_next_mutations = 1
        card = await client.giftcard_add(physical_code=code)  # created, answer lost, found
        assert sandbox.faults.dropped == 1
        assert [c.code for c in card.codes] == [code]
        with pytest.raises(errors.ValidationError):  # and it was not created twice
            await client.giftcard_add(physical_code=code)
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_gift_card_edit(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        card_id, code = await _new_card(client)
        external = "EXT-" + code
        edited = await client.giftcard_edit(card_id, external_code=external)
        assert {c.code_type for c in edited.codes} == {PHYSICAL, GiftCardCodeType.EXTERNAL}
        revoked = await client.giftcard_edit(card_id, revoke_physical_code=True)
        assert [c.code for c in revoked.codes] == [external]
        assert await client.giftcard(code, PHYSICAL) is None
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_no_token_means_not_sent(sandbox: SandboxServer, tmp_path: Path) -> None:
    """The token endpoint failing before a write is a confirmed failure, not an unknown."""
    client = await connect(sandbox, tmp_path)
    try:
        card_id, code = await _new_card(client)
        # the token has expired and must be renewed; the token endpoint fails
        client._auth.set_token(TokenSet("expired", renew_at=0.0))
        sandbox.faults.paths = ("/token",)
        sandbox.faults.error_kind = "500"
        sandbox.faults.fail_next = 1
        with pytest.raises(errors.HttpStatusError):
            await client.giftcard_transaction(
                code, PHYSICAL, GiftCardTransType.ADD, Decimal("1.00"), giftcard_id=card_id
            )
        [entry] = client.journal.entries(kind="giftcard_trans")
        assert entry.state is JournalState.FAILED
        assert (await client.giftcard_transactions(giftcard_id=card_id)).items == ()
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_reconcile_skips_what_is_in_flight(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        card_id, code = await _new_card(client)
        sandbox.faults.latency_ms = 300
        write = asyncio.ensure_future(
            client.giftcard_transaction(
                code, PHYSICAL, GiftCardTransType.ADD, Decimal("2.00"), giftcard_id=card_id
            )
        )
        await asyncio.sleep(0.1)
        sandbox.faults.latency_ms = 0
        assert await client.reconcile_pending() == []  # the in-flight entry is left alone
        trans = await write
        assert client.journal.get(trans.ref_no or "").state is JournalState.DONE  # type: ignore[union-attr]
    finally:
        await client.aclose()
