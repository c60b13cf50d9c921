"""The operation journal: intent before send, outcome after, survives restarts."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from posdesk.store.journal import DuplicateReferenceError, Journal, JournalState


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
