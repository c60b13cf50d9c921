"""The reconcile table: every journal kind has its way to be settled, an unknown kind (written
by a newer posdesk) goes to review instead of crashing, and codes are masked in one place."""

from __future__ import annotations

from pathlib import Path

import pytest

from posdesk.api.client import mask_code
from posdesk.domain import mask_code as domain_mask_code
from posdesk.sandbox.server import SandboxServer
from posdesk.store.journal import Journal, JournalKind, JournalState
from tests.api.helpers import connect


def test_kinds_read_back_as_enums_and_unknown_kinds_stay_text(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    for ref, kind in (("A", JournalKind.PURCHASE_ADD), ("B", "loyalty_points")):
        journal.record_intent(ref, profile="p", kind=kind, request={}, summary=ref)
    known, future = journal.get("A"), journal.get("B")
    assert known is not None
    assert known.kind is JournalKind.PURCHASE_ADD
    assert future is not None
    assert future.kind == "loyalty_points"
    assert not isinstance(future.kind, JournalKind)
    assert [e.reference for e in journal.entries(kind=JournalKind.PURCHASE_ADD)] == ["A"]


def test_one_mask_code_two_shapes() -> None:
    assert domain_mask_code("GC50311427") == "•••• 1427"  # screens: the length is hidden too
    assert mask_code("GC50311427") == "••••••1427"  # the journal's records, as they always were
    assert mask_code("GC50311427") == domain_mask_code("GC50311427", keep_length=True)
    for short in ("AB12", "ABC"):  # a short code is not shown whole, in either shape
        assert domain_mask_code(short) != short
        assert mask_code(short) != short
        assert mask_code(short).endswith(short[-2:])


@pytest.mark.asyncio
async def test_every_kind_is_settled_and_an_unknown_kind_goes_to_review(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    client = await connect(sandbox, tmp_path, journal=journal)
    try:
        # every kind this version writes has exactly one way to be settled
        by_lookup, by_protocol = set(client._lookups), set(client._reconcilers)
        assert not by_lookup & by_protocol
        assert by_lookup | by_protocol == set(JournalKind)
        profile = client.profile.name
        journal.record_intent("F-1", profile=profile, kind="loyalty_points", request={}, summary="")
        journal.mark_sent("F-1")
        journal.record_intent("F-2", profile=profile, kind="loyalty_points", request={}, summary="")
        settled = {e.reference: e.state for e in await client.reconcile_pending()}
        # sent: it may have happened, a manager must look; never sent: it did not happen
        assert settled == {"F-1": JournalState.NEEDS_REVIEW, "F-2": JournalState.FAILED}
        entry = journal.get("F-1")
        assert entry is not None
        assert "loyalty_points" in (entry.error or "")
    finally:
        await client.aclose()
