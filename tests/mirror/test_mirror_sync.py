"""The mirror against a real sandbox over HTTP: after a sync it equals the server, changes made
during a sync arrive with the next one, a cancelled sync resumes without gaps or duplicates,
and a principal's mirror holds only what that principal may see."""

from __future__ import annotations

import asyncio
import os
import stat
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from posdesk.api.client import PosClient
from posdesk.domain import SaleFilter
from posdesk.mirror import (
    ENTITIES,
    Mirror,
    MirrorSettings,
    MirrorSync,
    SyncProgress,
    mirror_path,
    writes,
)
from posdesk.sandbox.security import DEMO_CLIENTS
from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from posdesk.store.scope import LocalScope, open_scope
from tests.api.helpers import connect
from tests.helpers.waiting import wait_until
from tests.mirror.conftest import checksum, mirror_file, mirrored, server_side

pytestmark = pytest.mark.asyncio
F_STORE = FIXTURES.boundary_store


async def assert_equal_to_server(client: PosClient, mirror: Mirror) -> None:
    for entity in ENTITIES:
        ours = checksum(await mirrored(mirror, entity))
        theirs = checksum(await server_side(client, entity))
        assert ours == theirs, entity


async def test_full_sync_equals_the_server(client: PosClient, mirror: Mirror) -> None:
    seen: list[SyncProgress] = []
    progress = await MirrorSync(client, mirror, on_progress=seen.append).sync_once()
    assert {p.mode for p in progress.values()} <= {"since", "refresh"}
    assert progress["sale"].mode == "since"
    assert progress["giftcard"].mode == "refresh"
    assert all(p.error is None and p.last_synced for p in progress.values()), progress
    assert progress["sale"].rows > 1000
    assert progress["sale"].pages > 1
    assert any(p.running for p in seen)
    assert not any(p.running for p in progress.values())
    await assert_equal_to_server(client, mirror)
    detail = await mirror.sale(FIXTURES.sale_split_tender_id)
    assert detail is not None
    assert len(detail.tenders) == 2
    assert str(detail.total) == FIXTURES.sale_split_tender_total
    status = await mirror.status()
    assert status["customer"].rows == progress["customer"].rows
    assert await mirror.last_synced("sale") == status["sale"].last_synced


async def test_changes_during_a_sync_arrive_with_the_next(
    own_sandbox: SandboxServer, client: PosClient, mirror: Mirror
) -> None:
    db = own_sandbox.db
    changed = False

    def change_server(p: SyncProgress) -> None:
        nonlocal changed
        if p.entity == "sale" and p.pages == 1 and not changed:
            changed = True  # between the first and the second page of sales
            db.touch_sale(FIXTURES.sale_late_id)
            db.touch_customer(FIXTURES.customer_with_sales_id)
            db.adjust_stock(FIXTURES.plain_sku, FIXTURES.warehouse_code, -3)
            db.rename_item(FIXTURES.ean_sku, "Spearmint Gum (mirror test)")

    sync = MirrorSync(client, mirror, MirrorSettings(page_size=800), on_progress=change_server)
    await sync.sync_once()
    assert changed
    again = await sync.sync_once()
    # each change lands in this pass (if that entity's cursor had not passed it yet) or the
    # next: the four changed records were fetched once or twice, never missed
    assert sum(p.fetched for p in again.values()) <= 4
    item = await mirror.lookup_item(FIXTURES.ean_sku)
    assert item is not None
    assert item.name == "Spearmint Gum (mirror test)"
    await assert_equal_to_server(client, mirror)
    nothing = await sync.sync_once()
    assert nothing["sale"].fetched == 0
    assert nothing["item_warehouse"].fetched == 0


async def test_cancelled_sync_resumes_without_gaps_or_duplicates(
    client: PosClient, tmp_path: Path
) -> None:
    path = mirror_file(tmp_path)
    mirror = await Mirror.open(path)
    settings = MirrorSettings(page_size=300)
    task: asyncio.Task[object] | None = None

    def kill(p: SyncProgress) -> None:
        if p.entity == "sale" and p.pages == 3 and task is not None:
            task.cancel()

    try:
        task = asyncio.ensure_future(
            MirrorSync(client, mirror, settings, on_progress=kill).sync_once()
        )
        with pytest.raises(asyncio.CancelledError):
            await task
        await mirror.close()  # "the app was killed": reopen from the file
        mirror = await Mirror.open(path)
        half = await mirror.read(writes.state, "sale")
        assert half.mode == "since"
        assert half.cursor
        assert not half.complete
        stored = (await mirror.status())["sale"].rows
        assert 300 <= stored < 5000
        # a refresh entity cut short too: gift cards, killed after the first page
        task = None
        gift = MirrorSync(client, mirror, MirrorSettings(page_size=50), on_progress=None)

        def kill_cards(p: SyncProgress) -> None:
            if p.entity == "giftcard" and p.pages == 1 and task is not None:
                task.cancel()

        gift.on_progress = kill_cards
        task = asyncio.ensure_future(gift.sync_once(["giftcard"]))
        with pytest.raises(asyncio.CancelledError):
            await task
        await mirror.write(lambda conn: None)  # the page fetched before the kill is stored
        cards = await mirror.read(writes.state, "giftcard")
        assert cards.mode == "refresh"
        assert cards.cursor == "50"
        resumed = await MirrorSync(client, mirror, settings).sync_once()
        assert resumed["sale"].fetched <= 5000 - stored + 300
        await assert_equal_to_server(client, mirror)
    finally:
        await mirror.close()


async def test_a_queued_write_runs_in_order_even_when_its_awaiter_is_cancelled(
    tmp_path: Path,
) -> None:
    """A page's write carries its cursor: the writer must not drop page N-1 from its queue
    because the sync awaiting it was cancelled while page N was queued behind it (that stored
    N with its cursor and left N-1 out for good: the cancelled-sync test above failed ~4 in 6)."""
    mirror = await Mirror.open(mirror_file(tmp_path))
    order: list[str] = []

    def slow(conn: object) -> None:
        time.sleep(0.2)  # the writer is busy: what follows waits in its queue
        order.append("busy")

    def page(conn: object, name: str) -> None:
        order.append(name)

    try:
        busy = mirror.submit(slow)
        earlier = mirror.submit(page, "page N-1")
        later = mirror.submit(page, "page N")
        waiter = asyncio.ensure_future(earlier)  # the sync awaiting page N-1 ...
        await asyncio.sleep(0.05)
        waiter.cancel()  # ... is cancelled while N-1 still waits in the queue
        with pytest.raises(asyncio.CancelledError):
            await waiter
        await later
        await busy
        assert order == ["busy", "page N-1", "page N"]
    finally:
        await mirror.close()


async def test_a_cursor_the_server_no_longer_accepts_restarts_cleanly(
    client: PosClient, mirror: Mirror
) -> None:
    sync = MirrorSync(client, mirror)
    await sync.sync_once(["location", "customer"])
    stale = writes.SyncState("customer", "since", "djk5fGJvZ3Vz", 0, True, None, False, None)
    await mirror.write(writes.save_state, stale)
    again = await sync.sync_once(["customer"])
    assert again["customer"].error is None
    assert again["customer"].fetched > 0
    assert checksum(await mirrored(mirror, "customer")) == checksum(
        await server_side(client, "customer")
    )


async def test_a_store_bound_principal_and_two_scopes(
    own_sandbox: SandboxServer, tmp_path: Path
) -> None:
    owner = await connect(own_sandbox, tmp_path, "posdesk-demo")
    manager = await connect(own_sandbox, tmp_path, "demo-manager")
    viewer = await manager.viewer()
    assert viewer.location_code
    scopes = [
        open_scope(tmp_path, LocalScope(c.issuer, f"client:{name}"))
        for c, name in ((owner, "posdesk-demo"), (manager, "demo-manager"))
    ]
    paths = [mirror_path(s) for s in scopes]
    assert paths[0] != paths[1]
    assert paths[0].name == "mirror.sqlite3"
    mirrors = [await Mirror.open(p) for p in paths]
    try:
        for client, mirror in zip((owner, manager), mirrors, strict=True):
            await MirrorSync(client, mirror).sync_once(["location", "customer", "giftcard"])
        theirs = await mirrors[1].customers(first=1000)
        assert theirs.items
        assert {c.home_location_code for c in theirs.items} == {viewer.location_code}
        assert checksum(list(theirs.items)) == checksum(await server_side(manager, "customer"))
        state = await mirrors[1].read(writes.state, "customer")
        assert state.limited  # the server said others were hidden
        everyone = await mirrors[0].customers(first=1000)
        assert len(everyone.items) > len(theirs.items)
        other = FIXTURES.customer_with_sales_id  # an AUSTIN customer
        assert await mirrors[0].customer(other) is not None
        assert await mirrors[1].customer(other) is None
        status = await mirrors[1].status()
        if "ListGiftCards" not in viewer.permissions:
            assert status["giftcard"].rows == 0
            assert status["giftcard"].error
    finally:
        for m in mirrors:
            await m.close()
        await owner.aclose()
        await manager.aclose()


async def test_file_is_private_and_forget_removes_it(client: PosClient, tmp_path: Path) -> None:
    path = mirror_file(tmp_path)
    mirror = await Mirror.open(path)
    try:
        await MirrorSync(client, mirror).sync_once(["location", "giftcard"])
        if os.name != "nt":
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
            for side in path.parent.glob("mirror.sqlite3-*"):
                assert stat.S_IMODE(side.stat().st_mode) == 0o600, side
        raw = b"".join(p.read_bytes() for p in path.parent.glob("mirror.sqlite3*"))
        assert DEMO_CLIENTS["posdesk-demo"].secret.encode() not in raw
        assert b"Bearer" not in raw
        assert b"eyJ" not in raw
        card = await mirror.giftcard(FIXTURES.gc_personal_id)
        assert card == await client.giftcard_by_id(FIXTURES.gc_personal_id)  # codes as sent
    finally:
        await mirror.forget()
    assert not any(path.parent.glob("mirror.sqlite3*"))


async def test_pause_resume_and_sync_now(
    own_sandbox: SandboxServer, client: PosClient, mirror: Mirror
) -> None:
    sync = MirrorSync(client, mirror, MirrorSettings(page_size=500))
    sync.pause()
    first = asyncio.ensure_future(sync.sync_once(["location", "customer"]))
    await wait_until(lambda: sync.progress["location"].running)
    assert sync.paused
    assert not first.done()
    assert sync.progress["location"].pages == 0  # held before its first page was stored
    sync.resume()
    await first
    assert sync.progress["customer"].last_synced is not None

    forever = asyncio.ensure_future(sync.run(interval=3600))
    try:
        await wait_until(lambda: sync.progress["giftcard"].last_synced is not None)
        own_sandbox.db.touch_customer(FIXTURES.customer_with_sales_id)
        sync.sync_now()  # e.g. after a write posdesk made, or F5
        await wait_until(lambda: sync.progress["customer"].fetched == 1)
    finally:
        forever.cancel()
        with pytest.raises(asyncio.CancelledError):
            await forever


async def test_scope_setting_bounds_the_sales(client: PosClient, mirror: Mirror) -> None:
    """Which stores' sales and how many months: nothing outside is stored, and a changed
    setting starts the sales over."""
    now = datetime(2026, 1, 15, tzinfo=UTC)
    bounded = MirrorSettings(sale_locations=frozenset({F_STORE}), sale_months=6)
    cutoff = bounded.sale_cutoff(now)
    assert cutoff == datetime(2025, 7, 1, tzinfo=UTC)
    await MirrorSync(client, mirror, bounded, clock=lambda: now).sync_once(["location", "sale"])
    ours = await mirror.sales(first=10_000)
    wanted = SaleFilter(from_time=cutoff, location_code=F_STORE)
    theirs = [s async for p in client.pages(client.sales, wanted, first=1000) for s in p.items]
    assert ours.items
    assert {s.id for s in ours.items} == {s.id for s in theirs}
    wider = MirrorSettings()
    everything = await MirrorSync(client, mirror, wider).sync_once(["sale"])
    assert everything["sale"].rows == len(await server_side(client, "sale"))
