"""The exactly-once property of money-moving writes, under the sandbox's drop-after-commit
fault: 500 random gift card operations and 200 purchases, 20 % of the mutations answered by a
dropped connection *after* they committed. The journal and the server must agree exactly:
final balances equal the journal's intended totals, no reference twice, none lost."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from posdesk.api import errors
from posdesk.api.client import PosClient
from posdesk.domain import (
    GiftCardCodeType,
    GiftCardTransaction,
    GiftCardTransStatus,
    GiftCardTransType,
    PurchaseDraft,
    PurchaseLine,
)
from posdesk.sandbox.faults import FaultConfig
from posdesk.sandbox.server import SandboxServer
from posdesk.store.journal import JournalState
from tests.api.helpers import connect

GIFT_CARD_OPS = 500
PURCHASES = 200
CARDS = 10
DROP_RATE = 0.2
SEED = 20261126


@pytest.fixture(scope="module")
def lossy_sandbox() -> Iterator[SandboxServer]:
    """A sandbox of its own (fixtures-only seed), so other tests' writes don't interfere."""
    server = SandboxServer(seed="empty", faults=FaultConfig(seed=SEED))
    server.start()
    yield server
    server.stop()


def _cents(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low, high)) / 100


async def _card_worker(
    client: PosClient, card_id: str, code: str, ops: int, rng: random.Random, sent: Counter[str]
) -> None:
    """Random operations on one card, one at a time (as one till would, knowing the card)."""
    available = Decimal(0)
    while ops > 0:
        roll = rng.random()
        if available < 5 or roll < 0.35:
            amount = _cents(rng, 100, 5000)
            trans = await client.giftcard_transaction(
                code, GiftCardCodeType.PHYSICAL, GiftCardTransType.ADD, amount, giftcard_id=card_id
            )
            available += amount
            ops -= 1
        elif roll < 0.7 or ops < 2:
            amount = -_cents(rng, 1, int(available * 100))
            trans = await client.giftcard_transaction(
                code, GiftCardCodeType.PHYSICAL, GiftCardTransType.USE, amount, giftcard_id=card_id
            )
            available += amount
            ops -= 1
        else:  # authorize, then capture or cancel: two mutations
            spend = rng.random() < 0.6
            amount = -_cents(rng, 1, int(available * 100)) if spend else _cents(rng, 100, 2000)
            kind = GiftCardTransType.USE if spend else GiftCardTransType.ADD
            hold = await client.giftcard_transaction(
                code, GiftCardCodeType.PHYSICAL, kind, amount, authorize=True, giftcard_id=card_id
            )
            assert hold.status is GiftCardTransStatus.AUTHORIZED
            finished: GiftCardTransaction
            if rng.random() < 0.5:
                finished = await client.capture(hold)
                assert finished.status is GiftCardTransStatus.COMPLETED
                available += amount
            else:
                finished = await client.cancel(hold)
                assert finished.status is GiftCardTransStatus.CANCELLED
            ops -= 2
            trans = finished
        assert trans.balance == available, (code, trans, available)
        sent[code] += 1


@pytest.mark.asyncio
async def test_gift_card_operations_exactly_once(
    lossy_sandbox: SandboxServer, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    client = await connect(lossy_sandbox, tmp_path)
    try:
        cards: dict[str, str] = {}
        for n in range(CARDS):
            created = await client.giftcard_add(physical_code=f"EXO{SEED}{n:04d}")
            cards[created.id] = f"EXO{SEED}{n:04d}"
        lossy_sandbox.faults.drop_rate = DROP_RATE
        share = GIFT_CARD_OPS // CARDS
        sent: Counter[str] = Counter()
        await asyncio.gather(
            *(
                _card_worker(client, card_id, code, share, random.Random(rng.random()), sent)
                for card_id, code in cards.items()
            )
        )
        dropped = lossy_sandbox.faults.dropped
        lossy_sandbox.faults.drop_rate = 0

        entries = [e for e in client.journal.entries() if e.kind != "giftcard_add"]
        assert len(entries) == GIFT_CARD_OPS
        assert {e.state for e in entries} == {JournalState.DONE}
        assert 0.1 * GIFT_CARD_OPS < dropped < 0.3 * GIFT_CARD_OPS  # the fault really bit

        # intended totals from the journal: what each card should hold now
        intended: dict[str, Decimal] = dict.fromkeys(cards, Decimal(0))
        holds: dict[str, tuple[str, Decimal, bool]] = {}
        for entry in entries:
            result = entry.result or {}
            if entry.kind == "giftcard_trans":
                amount = Decimal(entry.request["amount"])
                card_id = str(result["giftcardId"])
                if entry.request["authorize"]:
                    holds[str(result["id"])] = (card_id, amount, amount < 0)
                    if amount < 0:
                        intended[card_id] += amount  # spending holds reserve at once
                else:
                    intended[card_id] += amount
        for entry in entries:
            if entry.kind == "giftcard_capture":
                card_id, amount, reserved = holds[entry.request["transaction_id"]]
                if not reserved:
                    intended[card_id] += amount
            elif entry.kind == "giftcard_cancel":
                card_id, amount, reserved = holds[entry.request["transaction_id"]]
                if reserved:
                    intended[card_id] -= amount

        journal_refs = Counter(e.request["ref_no"] for e in entries if e.kind == "giftcard_trans")
        on_server = 0
        for card_id in cards:
            card = await client.giftcard_by_id(card_id)
            assert card is not None
            assert card.balance == intended[card_id], card_id
            server = [
                t
                async for p in client.pages(
                    client.giftcard_transactions, giftcard_id=card_id, first=200
                )
                for t in p.items
            ]
            server_refs = Counter(t.ref_no for t in server)
            assert all(n == 1 for n in server_refs.values()), "duplicate on the server"
            mine = {r for r in journal_refs if r in server_refs}
            assert set(server_refs) == mine  # nothing on the server the journal lacks
            on_server += len(server)
        assert on_server == len(journal_refs)  # nothing the journal has is missing
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_purchases_exactly_once(lossy_sandbox: SandboxServer, tmp_path: Path) -> None:
    rng = random.Random(SEED + 1)
    client = await connect(lossy_sandbox, tmp_path)
    try:
        lossy_sandbox.faults.drop_rate = DROP_RATE
        dropped_before = lossy_sandbox.faults.dropped
        base = datetime(2025, 1, 1, tzinfo=UTC)

        async def record(n: int) -> None:
            amount = _cents(rng, 100, 20000)
            draft = PurchaseDraft(
                transaction_id=f"EXO-P-{SEED}-{n:04d}",
                store_code="AUSTIN",
                purchased_on=base + timedelta(minutes=n),
                pay_amount=amount,
                sub_total=amount,
                tax_amount=Decimal(0),
                lines=(PurchaseLine(1, "MINTS01", Decimal(1), amount, amount),),
            )
            purchase = await client.purchase_add(draft)
            assert purchase.transaction_id == draft.transaction_id
            # a user pressing "record" again is stopped on this machine
            if rng.random() < 0.1:
                with pytest.raises(errors.DuplicateReference):
                    await client.purchase_add(draft)

        for start in range(0, PURCHASES, 20):
            await asyncio.gather(*(record(n) for n in range(start, start + 20)))
        dropped = lossy_sandbox.faults.dropped - dropped_before
        lossy_sandbox.faults.drop_rate = 0
        assert 0.1 * PURCHASES < dropped < 0.3 * PURCHASES

        entries = client.journal.entries(kind="purchase_add")
        assert len(entries) == PURCHASES
        assert {e.state for e in entries} == {JournalState.DONE}
        for entry in entries:
            on_server = await client.purchases(entry.reference)
            assert len(on_server.items) == 1, entry.reference  # zero duplicates, zero lost
            assert on_server.items[0].pay_amount == Decimal(entry.request["payAmount"])
    finally:
        await client.aclose()
