"""Card-present terminal payments are journaled: a lost answer never starts a second charge."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from posdesk.api import errors
from posdesk.domain import TerminalPaymentType
from posdesk.sandbox.graphql_api import TERMINAL_FAST
from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from posdesk.store.journal import (
    Journal,
    JournalState,
    capture_reference,
    terminal_reference,
)
from tests.api.helpers import CountedHttp, connect


@pytest.mark.asyncio
async def test_lost_start_goes_to_review_and_is_never_restarted(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    counter = CountedHttp()
    client = await connect(sandbox, tmp_path, http=counter.http)
    try:
        sandbox.faults.drop_next_mutations = 1  # the start commits, its answer is lost
        with pytest.raises(errors.NeedsReview) as info:
            await client.terminal_start(
                TerminalPaymentType.SALE, Decimal("25.00"), "LANE-7", ref_no="PT-LOST-1"
            )
        assert sandbox.faults.dropped == 1
        ref = terminal_reference("PT-LOST-1")
        assert info.value.reference == ref
        entry = client.journal.get(ref)
        assert entry is not None
        assert entry.state is JournalState.NEEDS_REVIEW
        # everything a manager needs to check the terminal
        for fact in ("SALE", "25.00", "LANE-7", "PT-LOST-1", f"{entry.created_at:%Y-%m-%d}"):
            assert fact in (entry.error or ""), fact
        posts = counter.posts
        with pytest.raises(errors.DuplicateReference):
            await client.terminal_start(
                TerminalPaymentType.SALE, Decimal("25.00"), "LANE-7", ref_no="PT-LOST-1"
            )
        assert counter.posts == posts  # refused before anything was sent
        # a manager checked: it did not happen → the same reference may be used again
        client.journal.resolve_by_hand(ref, happened=False, note="no charge on the terminal")
        again = await client.terminal_start(
            TerminalPaymentType.SALE, Decimal("25.00"), TERMINAL_FAST, ref_no="PT-LOST-1"
        )
        assert again.payment is not None
        assert client.journal.get(ref).state is JournalState.DONE  # type: ignore[union-attr]
    finally:
        await client.aclose()
        await counter.http.aclose()


@pytest.mark.asyncio
async def test_lost_continue_is_settled_by_asking_the_continuation_again(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        started = await client.terminal_start(
            TerminalPaymentType.SALE, Decimal("9.50"), "LANE-8", ref_no="PT-CONT-1"
        )
        assert started.continuation is not None
        ref = terminal_reference("PT-CONT-1")
        waiting = client.journal.get(ref)
        assert waiting is not None
        assert waiting.state is JournalState.SENT  # unresolved while the customer taps
        sandbox.faults.drop_next_mutations = 1
        done = await client.terminal_finish(started)
        assert sandbox.faults.dropped == 1
        assert done.payment is not None
        assert done.payment.status == "APPROVED"
        settled = client.journal.get(ref)
        assert settled is not None
        assert settled.state is JournalState.DONE
        assert client.journal.unresolved() == []
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_lost_capture_is_settled_without_capturing_twice(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        auth = await client.terminal_start(
            TerminalPaymentType.AUTH, Decimal("30.00"), TERMINAL_FAST
        )
        assert auth.payment is not None
        assert auth.payment.status == "AUTHORIZED"
        sandbox.faults.drop_next_mutations = 1
        captured = await client.terminal_finish(
            await client.terminal_capture(auth.payment.id, Decimal("30.00"))
        )
        assert sandbox.faults.dropped == 1
        # the lost answer is settled by asking again: the server took the first capture and
        # says so (issue 14: a second capture never gets a continuation of its own)
        assert captured.error is not None
        assert captured.error.code == "ALREADY_CAPTURED"
        ref = capture_reference(auth.payment.id)
        assert client.journal.get(ref).state is JournalState.DONE  # type: ignore[union-attr]
        # asked again (e.g. resumed before the caller saved it): answered from the journal
        again = await client.terminal_capture(auth.payment.id, Decimal("30.00"))
        assert again.error is not None
        assert again.error.code == "ALREADY_CAPTURED"
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_restart_while_the_customer_taps_reconciles_by_continuation(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    first = await connect(sandbox, tmp_path)
    started = await first.terminal_start(
        TerminalPaymentType.SALE, Decimal("4.00"), "LANE-9", ref_no="PT-RESTART-1"
    )
    assert started.continuation is not None
    await first.aclose()  # the app dies while the customer is at the terminal
    journal = Journal(tmp_path / "journal.sqlite3")
    second = await connect(sandbox, tmp_path, journal=journal)
    try:
        ref = terminal_reference("PT-RESTART-1")
        for _ in range(50):
            await second.reconcile_pending()
            entry = journal.get(ref)
            assert entry is not None
            if entry.state is not JournalState.SENT:
                break
            await asyncio.sleep(started.continuation.wait_ms / 1000)
        assert entry is not None
        assert entry.state is JournalState.DONE
        assert (entry.result or {}).get("payment", {}).get("refNo") == "PT-RESTART-1"
    finally:
        await second.aclose()


@pytest.mark.asyncio
async def test_card_creation_and_changes_are_journaled(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    """A lost giftcardAdd is looked up by its code, one without a code (personal) goes to
    review, a lost giftcardEdit is settled by re-reading the card. The journal never keeps a
    card code in full."""
    client = await connect(sandbox, tmp_path)
    try:
        code = f"JRN{uuid.uuid4().hex[:12].upper()}"
        sandbox.faults.drop_next_mutations = 1
        card = await client.giftcard_add(physical_code=code)
        [added] = client.journal.entries(kind="giftcard_add")
        assert added.state is JournalState.DONE
        assert added.result == {"id": card.id}
        assert added.card_last4 == code[-4:]
        sandbox.faults.drop_next_mutations = 1
        with pytest.raises(errors.NeedsReview):
            await client.giftcard_add(
                add_personal_code=True, member_id=FIXTURES.card_owner_member_id
            )
        sandbox.faults.drop_next_mutations = 1
        edited = await client.giftcard_edit(card.id, external_code="EXT-" + code)
        assert sandbox.faults.dropped == 3
        assert "EXT-" + code in {c.code for c in edited.codes}  # re-read: it went through
        [review] = client.journal.needs_review()
        assert review.kind == "giftcard_add"
        assert review.member_id == FIXTURES.card_owner_member_id
        [edit] = client.journal.entries(kind="giftcard_edit")
        assert edit.state is JournalState.DONE
        assert edit.card_id == card.id
        assert edit.request["changes"] == ["externalCode"]
        assert edit.request["expect"] == {"EXTERNAL": code[-4:]}
        stored = _journal_bytes(tmp_path)
        assert card.id.encode() in stored  # the journal (and its WAL) was read
        assert code.encode() not in stored
        assert b"EXT-" not in stored
    finally:
        await client.aclose()


def _journal_bytes(folder: Path) -> bytes:
    """The journal database and its write-ahead log, as stored on disk."""
    return b"".join(p.read_bytes() for p in sorted(folder.glob("journal.sqlite3*")))


@pytest.mark.asyncio
async def test_start_and_capture_asked_again_resume_the_same_payment(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    """A caller that resumes (its own record lost the continuation) gets the same payment."""
    client = await connect(sandbox, tmp_path)
    try:
        started = await client.terminal_start(
            TerminalPaymentType.AUTH, Decimal("8.00"), "LANE-3", ref_no="PT-AGAIN-1"
        )
        assert started.continuation is not None
        again = await client.terminal_start(
            TerminalPaymentType.AUTH, Decimal("8.00"), "LANE-3", ref_no="PT-AGAIN-1"
        )
        if again.continuation is not None:
            assert again.continuation.id == started.continuation.id  # same interaction
            again = await client.terminal_finish(again)
        assert again.payment is not None
        assert again.payment.ref_no == "PT-AGAIN-1"
        capture = await client.terminal_capture(again.payment.id)
        assert capture.continuation is not None
        resumed = await client.terminal_finish(await client.terminal_capture(again.payment.id))
        assert resumed.payment is not None
        assert resumed.payment.status == "CAPTURED"
        done = client.journal.get(capture_reference(again.payment.id))
        assert done is not None
        assert done.state is JournalState.DONE
    finally:
        await client.aclose()
