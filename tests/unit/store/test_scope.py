"""Local scopes: stable keys per server + principal, and what an older posdesk left per PC."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from pathlib import Path

from posdesk.domain import GiftCardCodeType
from posdesk.store.issue_drafts import IssueDraft, IssueDraftStore, PaymentMethod
from posdesk.store.journal import Journal
from posdesk.store.scope import (
    LocalScope,
    adopt_legacy,
    demo_scope,
    legacy_drafts_path,
    open_scope,
    remove_demo,
    token_subject,
)


def test_key_is_stable_and_differs_per_server_and_principal() -> None:
    a = LocalScope("https://pos.example.com", "client:till-1")
    assert a.key == LocalScope("https://pos.example.com/", "client:till-1", "Renamed").key
    assert a.key != LocalScope("https://test.example.com", "client:till-1").key
    assert a.key != LocalScope("https://pos.example.com", "user:alice").key
    assert a.key.isalnum()


def test_describe_names_the_server_and_who() -> None:
    scope = LocalScope("https://pos.example.com", "user:42", "Production", "Alice")
    assert scope.describe() == "on Production (pos.example.com) as Alice"
    assert LocalScope("http://127.0.0.1:8080", "client:x").describe() == (
        "on 127.0.0.1:8080 as client:x"
    )


def test_token_subject_reads_a_jwt_and_ignores_opaque_tokens() -> None:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    jwt = f"{part({'alg': 'RS256'})}.{part({'sub': 'alice', 'x': 'é'})}.c2ln"
    assert token_subject(jwt) == "alice"
    assert token_subject("opaque-token") is None
    assert token_subject("a.!!!.c") is None
    assert token_subject(f"{part({})}.{part({'sub': 3})}.c2ln") is None


def _draft() -> IssueDraft:
    return IssueDraft.new(
        code_type=GiftCardCodeType.PHYSICAL,
        amount=Decimal("20.00"),
        payment_method=PaymentMethod.CASH,
        code="GC-1",
    )


def test_older_per_pc_state_is_adopted_by_profile_or_set_apart(tmp_path: Path) -> None:
    old = Journal(tmp_path / "journal.sqlite3")
    for ref, profile in (("T-1", "Store"), ("T-2", "Test server")):
        old.record_intent(ref, profile=profile, kind="purchase_add", request={}, summary=ref)
    old.close()
    old_draft = IssueDraftStore(tmp_path / "issue_drafts.json").save(_draft())

    store = open_scope(tmp_path, LocalScope("https://pos.example.com", "client:till"))
    assert json.loads((store.directory / "scope.json").read_text())["principal"] == "client:till"
    assert adopt_legacy(tmp_path, store, "Store") == 1
    adopted = Journal(store.journal_path)
    assert [e.reference for e in adopted.entries()] == ["T-1"]
    adopted.close()
    left = Journal(tmp_path / "journal.sqlite3")
    assert [e.reference for e in left.entries()] == ["T-2"]  # another profile's stays
    left.close()
    # the drafts file names no server: set apart, never in a server's own folder
    assert not (tmp_path / "issue_drafts.json").exists()
    assert IssueDraftStore(store.drafts_path).unfinished() == []
    assert store.legacy_drafts == legacy_drafts_path(tmp_path)
    assert [d.draft_id for d in IssueDraftStore(store.legacy_drafts).unfinished()] == [
        old_draft.draft_id
    ]
    assert adopt_legacy(tmp_path, store, "Store") == 0  # once only


def test_demo_folder_is_temporary_and_has_its_own_settings_file(tmp_path: Path) -> None:
    data = demo_scope(LocalScope("http://127.0.0.1:5000", "client:posdesk-demo"))
    assert not data.directory.is_relative_to(tmp_path)
    assert data.settings_file is not None
    assert data.settings_file.parent == data.directory
    assert data.legacy_drafts is None
    IssueDraftStore(data.drafts_path).save(_draft())
    remove_demo(data)
    assert not data.directory.exists()
