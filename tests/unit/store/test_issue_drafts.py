"""Issue drafts survive a restart, never hold a PIN, and vanish once the card is funded."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from posdesk.domain import GiftCardCodeType
from posdesk.store.issue_drafts import IssueDraft, IssueDraftStore, IssueStep, PaymentMethod


def test_draft_round_trip_and_resume(tmp_path: Path) -> None:
    path = tmp_path / "drafts.json"
    store = IssueDraftStore(path)
    draft = IssueDraft.new(
        code_type=GiftCardCodeType.PHYSICAL,
        amount=Decimal("25.50"),
        payment_method=PaymentMethod.TERMINAL,
        code="GC1234567890",
        terminal_id="LANE-1",
        has_pin=True,
    )
    assert draft.fund_ref_no != draft.terminal_ref_no
    store.save(draft)
    store.save(draft.advance(IssueStep.CREATED, card_id="30117"))
    reopened = IssueDraftStore(path).unfinished()  # "the app restarted"
    assert len(reopened) == 1
    assert reopened[0].step is IssueStep.CREATED
    assert reopened[0].card_id == "30117"
    assert reopened[0].amount == Decimal("25.50")
    assert reopened[0].payment_method is PaymentMethod.TERMINAL
    assert "pin" not in path.read_text().lower().replace("has_pin", "")
    store.save(reopened[0].advance(IssueStep.FUNDED, balance=Decimal("25.50")))
    assert store.unfinished() == []


def test_two_drafts_have_distinct_references(tmp_path: Path) -> None:
    store = IssueDraftStore(tmp_path / "d.json")
    a = store.save(
        IssueDraft.new(
            code_type=GiftCardCodeType.PERSONAL,
            amount=Decimal(10),
            payment_method=PaymentMethod.CASH,
            member_id="C1",
        )
    )
    b = store.save(
        IssueDraft.new(
            code_type=GiftCardCodeType.EXTERNAL,
            amount=Decimal(10),
            payment_method=PaymentMethod.OTHER,
            code="X-1",
            payment_note="voucher 7",
        )
    )
    assert a.fund_ref_no != b.fund_ref_no
    assert [d.draft_id for d in store.unfinished()] == [a.draft_id, b.draft_id]
    store.discard(a.draft_id)
    assert store.get(a.draft_id) is None
    assert store.get(b.draft_id) == b
