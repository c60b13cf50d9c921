"""What the status bar and the Local data panel say, from sync progress alone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from posdesk.mirror import ENTITIES, SyncProgress
from posdesk.ui.localdata.words import clock, first_sync_done, state_text, status_text

CHICAGO = ZoneInfo("America/Chicago")
T = datetime(2026, 3, 2, 16, 42, tzinfo=UTC)  # 10:42 in Chicago


def progress(**entities: SyncProgress) -> dict[str, SyncProgress]:
    base = {e: SyncProgress(e, mode="since") for e in ENTITIES}
    base.update(entities)
    return base


def test_the_first_sync_counts_kinds_done_and_names_the_running_one() -> None:
    state = progress(
        location=SyncProgress("location", mode="refresh", last_synced=T),
        customer=SyncProgress("customer", mode="since", last_synced=T),
        giftcard=SyncProgress("giftcard", mode="refresh", error="Not permitted: ListGiftCards"),
        product=SyncProgress("product", mode="off", error="product: not offered"),
        sale=SyncProgress("sale", mode="since", running=True, fetched=12500),
    )
    text = status_text(state, CHICAGO, paused=False, forgotten=False)
    # 8 kinds offered (product is off); location, customer, giftcard (refused) are done
    assert text == "Copying the store's data to this PC: 38% — sales 12,500 so far…"
    assert not first_sync_done(state)


def test_after_the_first_sync_a_quiet_as_of_in_local_time() -> None:
    earlier = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)
    state = {e: SyncProgress(e, mode="since", last_synced=T) for e in ENTITIES}
    state["item"] = SyncProgress("item", mode="since", last_synced=earlier)
    assert first_sync_done(state)
    now = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    assert clock(earlier, CHICAGO, now) == "10:30 AM"  # the app's locale: en_US on a "C" PC
    assert clock(earlier, CHICAGO, datetime(2026, 3, 4, tzinfo=UTC)) == "Mar 2, 2026 10:30 AM"
    text = status_text(state, CHICAGO, paused=False, forgotten=False)
    assert text.startswith("Local data as of ")
    assert status_text(state, CHICAGO, paused=True, forgotten=False) == "Local data paused"
    assert status_text(state, CHICAGO, paused=False, forgotten=True).startswith(
        "Local data forgotten"
    )


def test_an_entitys_state_in_words() -> None:
    running = SyncProgress("sale", mode="since", running=True, fetched=1250)
    assert state_text(running, paused=False) == "copying… 1,250 received"
    assert state_text(running, paused=True) == "paused after 1,250 received"
    refused = SyncProgress("giftcard", error="You may not list gift cards (ListGiftCards).")
    assert state_text(refused, paused=False) == refused.error
    assert state_text(SyncProgress("item", last_synced=T), paused=False) == "up to date"
    assert state_text(SyncProgress("item"), paused=False) == "waiting"
