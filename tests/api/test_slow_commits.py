"""Sent means unknown, against a sandbox that is slow on purpose (``commit_delay_ms``): the
server commits a mutation after the client gave up waiting. A missing answer is never
"nothing happened": the entry stays unknown until the grace period is over, the same
reference is never sent twice, and a commit that lands after the grace period is found and
reported as late."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import random
import signal
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from posdesk.api import errors
from posdesk.api.client import PosClient, new_reference
from posdesk.api.credentials import Credentials
from posdesk.api.profile import ConnectionProfile
from posdesk.domain import (
    GiftCardCodeType,
    GiftCardTransaction,
    GiftCardTransType,
    PurchaseDraft,
    PurchaseLine,
)
from posdesk.sandbox.faults import FaultConfig
from posdesk.sandbox.security import DEMO_CLIENTS
from posdesk.sandbox.server import SandboxServer
from posdesk.store.journal import UNRESOLVED, Journal, JournalEntry, JournalState
from tests.api.helpers import FAST_RETRY, connect

PHYSICAL = GiftCardCodeType.PHYSICAL
SEED = 20261206
CLIENT_TIMEOUT = 0.3  # seconds the client waits for an answer
GRACE = 2.0  # seconds after sending during which "not found" proves nothing (scaled down)


@pytest.fixture(scope="module")
def slow_sandbox() -> Iterator[SandboxServer]:
    """A sandbox of its own (fixtures-only seed): its commit delays must not slow others."""
    server = SandboxServer(seed="empty", faults=FaultConfig(seed=SEED))
    server.start()
    yield server
    server.stop()


def impatient(client: PosClient, read: float = CLIENT_TIMEOUT) -> None:
    """Give up on answers after ``read`` seconds (only now: connecting may take longer)."""
    client._http.timeout = httpx.Timeout(10.0, read=read)


async def new_card(client: PosClient, funds: Decimal) -> tuple[str, str]:
    code = "SLOW" + new_reference("").replace("-", "")[:14]
    card = await client.giftcard_add(physical_code=code)
    if funds:
        await client.giftcard_transaction(code, PHYSICAL, GiftCardTransType.ADD, funds)
    return card.id, code


# --- the scenario, scaled down ---------------------------------------------------------


@pytest.mark.asyncio
async def test_slow_commit_is_unknown_never_failed_and_a_late_commit_is_detected(
    slow_sandbox: SandboxServer, tmp_path: Path
) -> None:
    """Issue 11: 2 s timeout, 4 s commit (here 0.3 s and 1.6 s, grace 0.8 s). The top-up
    must not be "failed", the same refNo is refused, after the grace period the user may do
    it again with a new refNo, and when the first one lands it is reported as late."""
    client = await connect(slow_sandbox, tmp_path, grace_period=0.8)
    try:
        card_id, code = await new_card(client, Decimal(0))
        impatient(client)
        slow_sandbox.faults.commit_delay_ms = 1600
        slow_sandbox.faults.commit_delay_next_mutations = 1
        with pytest.raises(errors.UnknownOutcome) as info:
            await client.giftcard_transaction(
                code, PHYSICAL, GiftCardTransType.ADD, Decimal("20.00"), giftcard_id=card_id
            )
        ref = info.value.reference
        first = client.journal.get(ref)
        assert first is not None
        assert first.state is JournalState.UNKNOWN  # never "failed": it was sent

        async def top_up() -> GiftCardTransaction:
            return await client.giftcard_transaction(
                code, PHYSICAL, GiftCardTransType.ADD, Decimal("20.00"), ref_no=ref
            )

        with pytest.raises(errors.DuplicateReference):  # the same refNo is never sent twice
            await top_up()
        [early] = await client.reconcile_pending()  # inside the grace period: proves nothing
        assert early.state is JournalState.UNKNOWN
        await until_state(client, ref, JournalState.NOT_FOUND, limit=5.0)
        assert client.reconcile_due()  # still watched
        with pytest.raises(errors.DuplicateReference):  # not even after the grace period
            await top_up()
        # the user does it again, as a new operation with a new reference
        again = await client.giftcard_transaction(
            code, PHYSICAL, GiftCardTransType.ADD, Decimal("20.00"), giftcard_id=card_id
        )
        assert again.ref_no != ref
        # the slow server finally commits the first one: the watch finds it
        late = await until_state(client, ref, JournalState.LATE, limit=5.0)
        assert late.result is not None
        assert late.result["refNo"] == ref
        on_server = await client.giftcard_transactions(giftcard_id=card_id)
        assert Counter(t.ref_no for t in on_server.items) == {ref: 1, again.ref_no: 1}
        card = await client.giftcard_by_id(card_id)
        assert card is not None
        assert card.balance == Decimal("40.00")  # credited twice: exactly what "late" warns
        assert not client.reconcile_due()
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_commit_within_the_grace_period_is_done_after_a_restart(
    slow_sandbox: SandboxServer, tmp_path: Path
) -> None:
    """Killed while waiting: on start, "not found yet" keeps the entry unknown; once the slow
    server commits, the next pass settles it as done — sent once."""
    journal_path = tmp_path / "journal.sqlite3"
    client = await connect(slow_sandbox, tmp_path, journal=Journal(journal_path))
    card_id, _code = await new_card(client, Decimal(0))
    impatient(client)
    slow_sandbox.faults.commit_delay_ms = 1200
    slow_sandbox.faults.commit_delay_next_mutations = 1
    write = asyncio.ensure_future(
        client.purchase_add(_draft("SLOW-RESTART-" + card_id, Decimal("12.34")))
    )
    await asyncio.sleep(0.15)  # the request is on the wire
    write.cancel()  # the app is gone: no answer, no clean-up
    with pytest.raises(asyncio.CancelledError):
        await write
    client.journal.close()

    restarted = await connect(slow_sandbox, tmp_path, journal=Journal(journal_path))
    try:
        [entry] = await restarted.reconcile_pending()
        assert entry.state is JournalState.UNKNOWN  # not committed yet: proves nothing
        done = await until_state(restarted, entry.reference, JournalState.DONE, limit=5.0)
        assert done.attempts == 1
        assert len((await restarted.purchases(entry.reference)).items) == 1
    finally:
        await restarted.aclose()
        await client.aclose()


async def until_state(
    client: PosClient, ref: str, state: JournalState, *, limit: float
) -> JournalEntry:
    """Reconcile (as the periodic pass does) until ``ref`` reaches ``state``."""
    deadline = asyncio.get_running_loop().time() + limit
    while True:
        await client.reconcile_pending()
        entry = client.journal.get(ref)
        assert entry is not None
        if entry.state is state:
            return entry
        assert asyncio.get_running_loop().time() < deadline, (entry.state, state)
        await asyncio.sleep(0.1)


def _draft(transaction_id: str, amount: Decimal) -> PurchaseDraft:
    return PurchaseDraft(
        transaction_id=transaction_id,
        store_code="AUSTIN",
        purchased_on=datetime(2025, 2, 1, tzinfo=UTC) + timedelta(seconds=len(transaction_id)),
        pay_amount=amount,
        sub_total=amount,
        tax_amount=Decimal(0),
        lines=(PurchaseLine(1, "MINTS01", Decimal(1), amount, amount),),
    )


# --- exactly once under slow commits and killed app processes ----------------------------------

APPS = 20  # app processes; 10 % of them are killed mid-flight
KILLED = 2
GIFT_CARD_OPS = 200  # mutations on gift cards (a hold + its capture / cancel count as two)
PURCHASES = 50
FUNDS = Decimal("500.00")  # each card starts with this (small amounts can never overdraw it)


def app_profile(base_url: str, index: int) -> ConnectionProfile:
    """Till ``index``'s connection; its secret is in the keyring (inherited by the fork)."""
    name = f"slow-{index}"
    Credentials().set_client_secret(name, DEMO_CLIENTS["posdesk-demo"].secret)
    return ConnectionProfile(
        name=name, base_url=base_url, auth_flow="client_credentials", client_id="posdesk-demo"
    )


def _app_process(base_url: str, journal: str, job: dict[str, Any]) -> None:
    """One posdesk "app": its own journal, a short timeout, the operations of one till."""
    asyncio.run(_app(base_url, journal, job))


async def _app(base_url: str, journal: str, job: dict[str, Any]) -> None:
    profile = app_profile(base_url, job["index"])
    client = await PosClient.connect(
        profile, journal=Journal(journal), retry=FAST_RETRY, settle_delay=0.0, grace_period=GRACE
    )
    impatient(client)
    rng = random.Random(job["seed"])
    card_id, code = job["card_id"], job["code"]

    async def trans(kind: GiftCardTransType, amount: Decimal, **kw: Any) -> Any:
        ref = new_reference("SLOW")
        try:
            return await client.giftcard_transaction(
                code, PHYSICAL, kind, amount, ref_no=ref, giftcard_id=card_id, **kw
            )
        except errors.UnknownOutcome:
            # a user pressing Confirm again: refused here, never sent twice
            try:
                await client.giftcard_transaction(
                    code, PHYSICAL, kind, amount, ref_no=ref, giftcard_id=card_id, **kw
                )
            except errors.DuplicateReference:
                return None
            raise AssertionError(f"{ref} was accepted twice") from None

    ops = job["ops"]
    while ops > 0:
        roll = rng.random()
        if roll < 0.35:
            await trans(GiftCardTransType.ADD, Decimal(rng.randint(100, 5000)) / 100)
            ops -= 1
        elif roll < 0.7 or ops < 2:
            await trans(GiftCardTransType.USE, -Decimal(rng.randint(1, 2000)) / 100)
            ops -= 1
        else:
            spend = rng.random() < 0.6
            amount = Decimal(rng.randint(1, 2000)) / 100
            kind = GiftCardTransType.USE if spend else GiftCardTransType.ADD
            hold = await trans(kind, -amount if spend else amount, authorize=True)
            ops -= 2
            if isinstance(hold, GiftCardTransaction):
                settle = client.capture if rng.random() < 0.5 else client.cancel
                with contextlib.suppress(errors.UnknownOutcome):  # reconciled on restart
                    await settle(hold)
    for n in range(job["purchases"]):
        tid = f"SLOW-P-{job['index']:02d}-{n}"
        with contextlib.suppress(errors.UnknownOutcome):
            await client.purchase_add(_draft(tid, Decimal(rng.randint(100, 20000)) / 100))
    os._exit(0)  # an app that simply ends: no clean-up needed for correctness


async def _run_apps(server: SandboxServer, tmp_path: Path, cards: list[tuple[str, str]]) -> None:
    assert server.info is not None
    rng = random.Random(SEED)
    context = multiprocessing.get_context("fork")  # fast: posdesk is already imported
    killed = set(rng.sample(range(APPS), KILLED))
    jobs: list[dict[str, Any]] = []
    for index, (card_id, code) in enumerate(cards):
        job: dict[str, Any] = {
            "index": index,
            "seed": rng.random(),
            "card_id": card_id,
            "code": code,
            "ops": GIFT_CARD_OPS // APPS,
            "purchases": PURCHASES // APPS + (1 if index < PURCHASES % APPS else 0),
        }
        jobs.append(job)
    for job in jobs:
        app_profile(server.info.base_url, job["index"])  # secrets in before the fork
    loop = asyncio.get_running_loop()
    for start in range(0, APPS, 5):  # five tills at a time
        batch = []
        for job in jobs[start : start + 5]:
            journal = str(tmp_path / f"journal-{job['index']}.sqlite3")
            process = context.Process(
                target=_app_process,
                args=(server.info.base_url, journal, job),
            )
            process.start()
            batch.append((job["index"], process, loop.time() + rng.uniform(0.8, 2.5)))
        while any(p.is_alive() for _, p, _ in batch):
            for index, process, kill_at in batch:
                if index in killed and process.is_alive() and loop.time() >= kill_at:
                    os.kill(process.pid or 0, signal.SIGKILL)  # mid-flight, no clean-up
            await asyncio.sleep(0.05)
        for index, process, _ in batch:
            process.join()
            if index in killed:
                assert process.exitcode in (-signal.SIGKILL, 0), process.exitcode
            else:
                assert process.exitcode == 0, (index, process.exitcode)


@pytest.mark.asyncio
async def test_exactly_once_under_slow_commits_and_killed_apps(
    slow_sandbox: SandboxServer, tmp_path: Path
) -> None:
    setup = await connect(slow_sandbox, tmp_path, journal=Journal(tmp_path / "setup.sqlite3"))
    try:
        cards = [await new_card(setup, FUNDS) for _ in range(APPS)]
        faults = slow_sandbox.faults
        faults.commit_delay_ms = 100  # delays in [0.1, 0.5] s around the 0.3 s timeout
        faults.commit_delay_jitter_ms = 400
        await _run_apps(slow_sandbox, tmp_path, cards)
        held = faults.delayed
        assert held >= GIFT_CARD_OPS // 2  # the slow server really was slow

        # every app starts again on its own journal and reconciles until all is explained
        entries: list[JournalEntry] = []
        for index in range(APPS):
            entries += await _restart_and_settle(slow_sandbox, tmp_path, index, cards[index][1])
        faults.commit_delay_ms = faults.commit_delay_jitter_ms = 0
        await _check(setup, cards, entries)
    finally:
        await setup.aclose()


async def _restart_and_settle(
    server: SandboxServer, tmp_path: Path, index: int, code: str
) -> list[JournalEntry]:
    """A fresh client on app ``index``'s journal: reconcile (every pass looks again) until
    nothing is unresolved; a not-found-after-grace operation is done again by the user with a
    new reference, and the old one stays watched."""
    assert server.info is not None
    journal = Journal(tmp_path / f"journal-{index}.sqlite3")
    client = await PosClient.connect(
        app_profile(server.info.base_url, index),
        journal=journal,
        retry=FAST_RETRY,
        settle_delay=0.0,
        grace_period=GRACE,
    )
    try:
        deadline = asyncio.get_running_loop().time() + GRACE + 10
        while journal.unresolved(client.profile.name):
            await client.reconcile_pending()
            assert asyncio.get_running_loop().time() < deadline, journal.unresolved()
            await asyncio.sleep(0.2)
        for entry in journal.entries(JournalState.NOT_FOUND):
            if entry.kind == "giftcard_trans" and not entry.authorize:
                await client.giftcard_transaction(
                    code,
                    PHYSICAL,
                    GiftCardTransType(str(entry.trans_type)),
                    Decimal(str(entry.amount)),
                    giftcard_id=entry.card_id,
                )
        await client.reconcile_pending()  # the watch: nothing turned up late
        return journal.entries()
    finally:
        await client.aclose()
        journal.close()


async def _check(
    client: PosClient, cards: list[tuple[str, str]], entries: list[JournalEntry]
) -> None:
    by_state = Counter(e.state for e in entries)
    assert not any(s in UNRESOLVED for s in by_state), by_state  # every entry explained
    happened = [e for e in entries if e.state in (JournalState.DONE, JournalState.LATE)]
    gift = [e for e in happened if e.kind == "giftcard_trans"]
    assert len([e for e in entries if e.kind != "purchase_add"]) >= GIFT_CARD_OPS * 0.6

    # intended totals from the journals (the same rules as test_exactly_once.py)
    intended = {card_id: FUNDS for card_id, _ in cards}
    holds: dict[str, tuple[str, Decimal, bool]] = {}
    for entry in gift:
        amount = Decimal(entry.request["amount"])
        card_id = str((entry.result or {})["giftcardId"])
        if entry.authorize:
            holds[str((entry.result or {})["id"])] = (card_id, amount, amount < 0)
            if amount < 0:
                intended[card_id] += amount
        else:
            intended[card_id] += amount
    for entry in happened:
        if entry.kind in ("giftcard_capture", "giftcard_cancel"):
            card_id, amount, reserved = holds[entry.request["transaction_id"]]
            if entry.kind == "giftcard_capture" and not reserved:
                intended[card_id] += amount
            elif entry.kind == "giftcard_cancel" and reserved:
                intended[card_id] -= amount

    journal_refs = {e.reference for e in gift}
    absent_refs = {
        e.reference
        for e in entries
        if e.kind == "giftcard_trans" and e.state in (JournalState.FAILED, JournalState.NOT_FOUND)
    }
    for card_id, _code in cards:
        card = await client.giftcard_by_id(card_id)
        assert card is not None
        assert card.balance == intended[card_id], card_id  # balances equal the journal
        server = [
            t
            async for page in client.pages(client.giftcard_transactions, giftcard_id=card_id)
            for t in page.items
        ]
        refs = Counter(t.ref_no for t in server if t.ref_no and t.ref_no.startswith("SLOW-"))
        assert all(n == 1 for n in refs.values()), "two transactions with one refNo"
        assert set(refs) <= journal_refs, "on the server but not done in a journal (lost)"
        assert not set(refs) & absent_refs, "journaled as not happened, yet on the server"
    on_server_refs = set()
    for card_id, _code in cards:
        page = await client.giftcard_transactions(giftcard_id=card_id, first=500)
        on_server_refs |= {t.ref_no for t in page.items}
    assert journal_refs <= on_server_refs, "done in a journal but missing on the server"
    for entry in entries:
        if entry.kind != "purchase_add":
            continue
        found = len((await client.purchases(entry.reference)).items)
        expected = 1 if entry.state in (JournalState.DONE, JournalState.LATE) else 0
        assert found == expected, (entry.reference, entry.state, found)
