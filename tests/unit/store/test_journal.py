"""The operation journal: intent before send, outcome after, survives restarts."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from posdesk.store.journal import SCHEMA_VERSION, DuplicateReferenceError, Journal, JournalState


def _intent(journal: Journal, ref: str, kind: str = "purchase_add") -> None:
    journal.record_intent(ref, profile="p", kind=kind, request={"amount": "1.00"}, summary=ref)


def test_states_and_restart(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path)
    _intent(journal, "A")
    _intent(journal, "B")
    _intent(journal, "C")
    journal.mark_sent("A")
    journal.mark_sent("B")
    journal.mark_done("B", {"id": "17"})
    _intent(journal, "D")
    journal.mark_sent("D")
    journal.mark_unknown("D", "ReadTimeout")
    assert journal.get("A") is not None
    assert journal.get("A").state is JournalState.SENT  # type: ignore[union-attr]
    journal.close()

    reopened = Journal(path)
    unresolved = {e.reference: e.state for e in reopened.unresolved()}
    assert unresolved == {
        "A": JournalState.SENT,
        "C": JournalState.PENDING,
        "D": JournalState.UNKNOWN,
    }
    done = reopened.get("B")
    assert done is not None
    assert done.result == {"id": "17"}
    assert done.request == {"amount": "1.00"}
    reopened.mark_needs_review("D", "no look-up")
    assert [e.reference for e in reopened.needs_review()] == ["D"]
    reopened.resolve_by_hand("D", happened=True, note="seen in admin console")
    assert reopened.get("D").state is JournalState.DONE  # type: ignore[union-attr]
    reopened.close()


def test_reference_used_once(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    _intent(journal, "T-1")
    for state in ("pending", "sent", "unknown", "done"):
        if state == "sent":
            journal.mark_sent("T-1")
        elif state == "unknown":
            journal.mark_unknown("T-1", "x")
        elif state == "done":
            journal.mark_done("T-1", {})
        with pytest.raises(DuplicateReferenceError) as info:
            _intent(journal, "T-1")
        assert info.value.state.value == state


def test_confirmed_failure_may_be_retried(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    _intent(journal, "T-2")
    journal.mark_failed("T-2", "connect failed, not sent")
    entry = journal.record_intent(
        "T-2", profile="p", kind="purchase_add", request={"amount": "2"}, summary="again"
    )
    assert entry.state is JournalState.PENDING
    assert entry.attempts == 2
    assert entry.request == {"amount": "2"}


def test_filters(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    journal.record_intent("X", profile="one", kind="giftcard_trans", request={}, summary="")
    journal.record_intent("Y", profile="two", kind="purchase_add", request={}, summary="")
    assert [e.reference for e in journal.unresolved("one")] == ["X"]
    assert [e.reference for e in journal.entries(kind="purchase_add")] == ["Y"]
    with pytest.raises(KeyError):
        journal.mark_done("nope", {})


def test_structured_fields_survive_a_restart(tmp_path: Path) -> None:
    """Screens describe entries from fields, not from the technical summary line."""
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path)
    journal.record_intent(
        "T-9",
        profile="p",
        kind="purchase_add",
        request={"transactionId": "T-9", "storeCode": "AUSTIN", "payAmount": "12.40"},
        summary="Record purchase T-9",
    )
    journal.mark_waiting("T-9", {"continuation": {"id": "c1"}})
    journal.close()
    entry = Journal(path).get("T-9")
    assert entry is not None
    assert entry.state is JournalState.SENT
    assert entry.store == "AUSTIN"
    assert entry.amount == Decimal("12.40")
    assert entry.external_ref == "T-9"
    assert entry.card_last4 is None


def test_not_found_and_late_keep_their_reference(tmp_path: Path) -> None:
    """Given up on after the grace period is not "failed": the reference is never reused,
    stays watched, and turns late when it appears."""
    journal = Journal(tmp_path / "j.sqlite3")
    _intent(journal, "G-1")
    assert journal.get("G-1").sent_at is None  # type: ignore[union-attr]
    journal.mark_sent("G-1")
    sent = journal.get("G-1")
    assert sent is not None
    assert sent.sent_at is not None
    assert sent.sent_at >= sent.created_at
    journal.mark_not_found("G-1", "not on the server after the grace period")
    with pytest.raises(DuplicateReferenceError) as info:
        _intent(journal, "G-1")
    assert info.value.state is JournalState.NOT_FOUND
    assert journal.unresolved() == []
    assert [e.reference for e in journal.watched(since=sent.sent_at)] == ["G-1"]
    later = sent.sent_at + timedelta(seconds=1)
    assert journal.watched(since=later) == []  # watched for a while, not forever
    journal.mark_late("G-1", {"id": "99"})
    late = journal.get("G-1")
    assert late is not None
    assert (late.state, late.result) == (JournalState.LATE, {"id": "99"})
    assert journal.watched(since=sent.sent_at) == []
    with pytest.raises(DuplicateReferenceError):
        _intent(journal, "G-1")


def test_a_version_1_journal_is_migrated(tmp_path: Path) -> None:
    """Databases written before sent_at existed keep working: their sent rows count as sent
    when they were created (the grace period counts from there)."""
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.execute(
        """CREATE TABLE operation (reference TEXT PRIMARY KEY, profile TEXT NOT NULL,
        kind TEXT NOT NULL, state TEXT NOT NULL, request TEXT NOT NULL, summary TEXT NOT NULL,
        result TEXT, error TEXT, attempts INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL)"""
    )
    created = "2025-03-01T10:00:00+00:00"
    for ref, state in (("OLD-SENT", "unknown"), ("OLD-PENDING", "pending")):
        db.execute(
            "INSERT INTO operation (reference, profile, kind, state, request, summary,"
            " created_at, updated_at) VALUES (?, 'p', 'purchase_add', ?, '{}', '', ?, ?)",
            (ref, state, created, created),
        )
    db.execute("PRAGMA user_version=1")
    db.commit()
    db.close()

    journal = Journal(path)
    sent = journal.get("OLD-SENT")
    pending = journal.get("OLD-PENDING")
    assert sent is not None
    assert pending is not None
    assert sent.sent_at == datetime.fromisoformat(created)
    assert pending.sent_at is None
    assert {e.reference for e in journal.unresolved()} == {"OLD-SENT", "OLD-PENDING"}
    journal.mark_not_found("OLD-SENT", "after grace")
    journal.close()
    reopened = Journal(path)  # opening again does not migrate twice
    assert reopened.get("OLD-SENT").state is JournalState.NOT_FOUND  # type: ignore[union-attr]
    version = reopened._db.execute("PRAGMA user_version").fetchone()[0]
    assert version == SCHEMA_VERSION == 2
    reopened.close()
