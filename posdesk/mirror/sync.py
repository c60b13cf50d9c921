"""``MirrorSync``: keeps a :class:`Mirror` up to date from a ``PosClient``.

Per entity, whatever the server offers (``client.features``):

* ``since`` — the documented since/until sync (customer, sale, item, item_warehouse,
  serial_lot): each page is upserted and its ``until`` cursor saved in the SAME transaction, so
  a crash or a cancelled task resumes exactly after the last stored page (no gaps; a page seen
  twice is upserted twice: no duplicates). A cursor the server no longer accepts makes
  ``client.sync`` restart from ``""``; the upserts make that re-read harmless.
* ``refresh`` — a paged full refresh (locations, products, gift cards and their transactions,
  and any entity whose sync the server lacks), at most every ``refresh_interval``. Each page
  stores the next offset with it; rows carry the pass's generation and the last page deletes
  rows an older pass saw and this one did not (removed on the server).

Pages are fetched while the previous one is being written (one write in flight), and all
SQLite work happens on the mirror's writer thread: the event loop only awaits.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import sys
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Container,
    Iterable,
    Iterator,
    Sequence,
)
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from posdesk.api.errors import FeatureUnavailable, NetworkError, NotAuthorized, PosError
from posdesk.domain import Page, Sale, SaleFilter
from posdesk.mirror import registers, rows, writes
from posdesk.mirror.mirror import Mirror
from posdesk.mirror.writes import ENTITIES, SyncState

if TYPE_CHECKING:
    from posdesk.api.client import PosClient

log = logging.getLogger(__name__)

#: The since/until feature of each entity that has one.
SINCE_FEATURES: dict[str, str] = {
    "customer": "customer_sync",
    "item": "item_sync",
    "item_warehouse": "item_warehouse_sync",
    "serial_lot": "serial_lot_sync",
    "sale": "sale_sync",
}
#: The plain list feature a paged full refresh uses.
REFRESH_FEATURES: dict[str, str] = {
    "location": "locations",
    "customer": "customers",
    "item": "items",
    "item_warehouse": "item_warehouses",
    "serial_lot": "serial_lots",
    "sale": "sales",
    "product": "products",
    "giftcard": "giftcards",
    "giftcard_transaction": "giftcard_transactions",
}


#: Python's thread switch interval while a pass runs (the default is 5 ms). The worker thread
#: (parse, map) and the writer thread keep the GIL busy; the UI thread waiting for it lost the
#: hand-over again and again, stalling the loop 150-400 ms on a busy 2-core PC (measured:
#: customers + items, same load, 207 ms longest stall at 5 ms, 41 ms at 1 ms).
SWITCH_INTERVAL = 0.001
_passes_running = 0
_interval_before = 0.005


@contextlib.contextmanager
def _responsive() -> Iterator[None]:
    """A short thread switch interval for as long as any pass runs, then the old one."""
    global _passes_running, _interval_before
    if _passes_running == 0:
        _interval_before = sys.getswitchinterval()
        sys.setswitchinterval(min(_interval_before, SWITCH_INTERVAL))
    _passes_running += 1
    try:
        yield
    finally:
        _passes_running -= 1
        if _passes_running == 0:
            sys.setswitchinterval(_interval_before)


def entity_mode(features: Container[str], entity: str) -> str:
    """'since' when the server offers the entity's since/until sync, else 'refresh' when it
    can list it, else 'off'."""
    if entity in SINCE_FEATURES and SINCE_FEATURES[entity] in features:
        return "since"
    return "refresh" if REFRESH_FEATURES[entity] in features else "off"


@dataclass(frozen=True, slots=True)
class MirrorSettings:
    """The scope setting: which stores' sales and how many months (bounds the mirror for
    large chains; ``None`` = all), and how often full refreshes run."""

    sale_locations: frozenset[str] | None = None
    sale_months: int | None = None
    refresh_interval: timedelta = timedelta(minutes=15)
    #: Rows per sync page. Small on purpose: ``json.loads`` of a page is one C call that holds
    #: the GIL, so a 1,000-sale page (~3 MB) froze the UI thread for ~100 ms; 250 keeps each
    #: parse short (the benchmark's event-loop stall) at a few more round trips.
    page_size: int = 250

    def sale_scope(self) -> str:
        stores = sorted(self.sale_locations) if self.sale_locations is not None else None
        return json.dumps({"stores": stores, "months": self.sale_months})

    def sale_cutoff(self, now: datetime) -> datetime | None:
        if self.sale_months is None:
            return None
        month = now.year * 12 + now.month - 1 - self.sale_months
        return now.replace(
            year=month // 12, month=month % 12 + 1, day=1, hour=0, minute=0, second=0, microsecond=0
        )


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """One entity's sync, for a status bar / Local data panel (sent on every change)."""

    entity: str
    mode: str = ""  # 'since' | 'refresh' | 'off' (the server offers neither)
    running: bool = False
    pages: int = 0  # this pass
    fetched: int = 0  # rows received this pass
    rows: int = 0  # rows in the mirror
    last_synced: datetime | None = None
    error: str | None = None


class MirrorSync:
    """Sync engine. ``await sync.sync_once()`` runs one pass; ``await sync.run()`` keeps
    syncing every ``interval`` (and at once after ``sync_now()``); ``pause()``/``resume()``
    hold it between pages. ``on_progress`` is called on the event loop thread."""

    def __init__(
        self,
        client: PosClient,
        mirror: Mirror,
        settings: MirrorSettings | None = None,
        *,
        on_progress: Callable[[SyncProgress], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.mirror = mirror
        self.settings = settings or MirrorSettings()
        self.on_progress = on_progress
        self.clock = clock
        self.progress: dict[str, SyncProgress] = {e: SyncProgress(e) for e in ENTITIES}
        self._running = asyncio.Event()
        self._running.set()
        self._register_store: dict[str, str] = {}  # for sales without a store (documented)
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()

    # ---------------------------------------------------------------- control

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def pause(self) -> None:
        """Stop after the page in flight (its write completes; nothing is lost)."""
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def sync_now(self) -> None:
        """Wake ``run()`` now (F5, after a write posdesk made)."""
        self._wake.set()

    async def run(self, interval: float = 300.0) -> None:
        """Sync forever: a pass, then wait ``interval`` seconds or until ``sync_now()``.
        Cancel the task to stop. Errors are reported per entity, never raised."""
        while True:
            self._wake.clear()
            await self.sync_once()
            # not wait_for: before 3.12 it swallows a cancel that lands with the wake set
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(interval):
                    await self._wake.wait()

    def mode_of(self, entity: str) -> str:
        return entity_mode(self.client.features, entity)

    async def sync_once(
        self, entities: Iterable[str] | None = None, *, force_refresh: bool = False
    ) -> dict[str, SyncProgress]:
        """One pass over ``entities`` (all by default). Since-entities always catch up;
        refresh-entities only when due (or ``force_refresh``). Returns the progress."""
        async with self._lock:
            with _responsive():
                wanted = [e for e in ENTITIES if entities is None or e in set(entities)]
                for entity in wanted:
                    self.progress[entity] = replace(self.progress[entity], pages=0, fetched=0)
                await self._prepare()
                # locations first (sales need the stores' time zones), then sales alongside the
                # rest: the server prepares one lane's page while the other's is mapped and stored
                await self._lane([e for e in wanted if e == "location"], force_refresh)
                await asyncio.gather(
                    self._lane([e for e in wanted if e == "sale"], force_refresh),
                    self._lane([e for e in wanted if e not in ("location", "sale")], force_refresh),
                )
        return dict(self.progress)

    async def _lane(self, entities: list[str], force: bool) -> None:
        for entity in entities:
            try:
                await self._entity(entity, force)
            except NetworkError as exc:  # the server is gone: the lane's other entities too
                self._report(entity, running=False, error=exc.user_message)
                return

    # ---------------------------------------------------------------- one pass

    async def _prepare(self) -> None:
        """The tenant's time zone (local days of stores without one) and the sale scope."""
        zone = None
        if "environment" in self.client.features:
            try:
                zone = (await self.client.environment()).time_zone
            except PosError as exc:
                log.info("mirror: no environment time zone: %s", exc.details)
        self._register_store = await self.mirror.write(
            _prepare, zone, self.settings.sale_scope(), self.settings.sale_locations is not None
        )
        for entity, status in (await self.mirror.status()).items():
            self.progress[entity] = replace(
                self.progress[entity],
                rows=status.rows,
                last_synced=status.last_synced,
                error=status.error,
            )

    async def _entity(self, entity: str, force: bool) -> None:
        mode = self.mode_of(entity)
        state = await self.mirror.read(writes.state, entity)
        if mode == "off":
            reason = f"{entity}: not offered by this server"
            self._report(entity, mode=mode, error=reason)
            return
        if mode == "refresh" and not force and not self._due(state):
            return
        self._report(entity, mode=mode, running=True, pages=0, fetched=0, error=None)
        try:
            await self._pass(entity, mode, state)
        except NotAuthorized as exc:
            # this principal may not see these: the mirror holds nothing of them
            await self.mirror.write(_forbidden, entity, exc.user_message)
            self._report(entity, running=False, rows=0, error=exc.user_message)
            return
        except FeatureUnavailable as exc:
            self._report(entity, running=False, error=exc.user_message)
            return
        except NetworkError:
            raise
        except PosError as exc:
            await self.mirror.write(_error, entity, exc.user_message)
            self._report(entity, running=False, error=exc.user_message)
            return
        except (sqlite3.Error, ValueError, TypeError) as exc:
            # a record the mirror cannot store (or a full disk): this entity waits, the others
            # go on; what was stored before stays consistent (one transaction per page)
            log.exception("mirror: storing %s failed", entity)
            self._report(entity, running=False, error=f"Local data could not be stored: {exc}")
            return
        count = await self.mirror.read(writes.count, entity)
        done = await self.mirror.read(writes.state, entity)
        self._report(entity, running=False, rows=count, last_synced=rows.instant(done.last_synced))

    def _due(self, state: SyncState) -> bool:
        if state.mode != "refresh" or not state.complete or state.cursor:
            return True
        last = rows.instant(state.last_synced)
        return last is None or self.clock() - last >= self.settings.refresh_interval

    async def _pass(self, entity: str, mode: str, state: SyncState) -> None:
        pages = self._since(entity, state) if mode == "since" else self._refresh(entity, state)
        queued: list[asyncio.Future[None]] = []  # page writes not awaited yet, oldest first
        try:
            async for page in pages:
                await self._running.wait()
                queued.append(self.mirror.submit(_store, entity, page))
                if len(queued) > 1:  # store page N-1 while page N+1 is fetched
                    await queued.pop(0)
                progress = self.progress[entity]
                self._report(
                    entity, pages=progress.pages + 1, fetched=progress.fetched + len(page.items)
                )
                await asyncio.sleep(0)  # let the UI run between pages
            while queued:
                await queued.pop(0)
        finally:
            # cancelled: the queued writes still run, in order (the writer is ordered); their
            # errors are the next pass's to see
            for write in queued:
                write.add_done_callback(_consume)

    async def _since(self, entity: str, state: SyncState) -> AsyncIterator[_Page]:
        cursor = state.cursor if state.mode == "since" else ""
        cutoff = self.settings.sale_cutoff(self.clock())
        stores = self.settings.sale_locations
        sync: Any = self.client.sync
        async for page, until in sync(entity, cursor, first=self.settings.page_size):
            done = not page.has_more
            items: Sequence[Any] = page.items
            dropped: list[str] = []
            if entity == "sale":
                items, dropped = _in_scope(page.items, stores, cutoff, self._register_store)
            yield _Page(
                items=items,
                state=SyncState(
                    entity,
                    "since",
                    until,
                    0,
                    state.complete or done,
                    writes.now_iso() if done else state.last_synced,
                    page.limited_by_permission,
                    None,
                ),
                drop=dropped,
                sweep=None,
                prune=_ts(cutoff) if done and entity == "sale" else None,
            )

    async def _refresh(self, entity: str, state: SyncState) -> AsyncIterator[_Page]:
        resume = state.mode == "refresh" and state.cursor != ""
        generation = state.generation if resume else state.generation + 1
        skip = int(state.cursor) if resume else 0
        cutoff = self.settings.sale_cutoff(self.clock())
        fetch = self._fetcher(entity, cutoff)
        limited = state.limited if resume else False
        while True:
            page = await fetch(skip, self.settings.page_size)
            skip += len(page.items)
            done = not page.has_more or not page.items
            limited = limited or page.limited_by_permission
            items: Sequence[Any] = page.items
            if entity == "sale":
                items, _ = _in_scope(
                    page.items, self.settings.sale_locations, cutoff, self._register_store
                )
            yield _Page(
                items=items,
                state=SyncState(
                    entity,
                    "refresh",
                    "" if done else str(skip),
                    generation,
                    state.complete or done,
                    writes.now_iso() if done else state.last_synced,
                    limited,
                    None,
                ),
                drop=[],
                sweep=generation if done else None,
                prune=_ts(cutoff) if done and entity == "sale" else None,
            )
            if done:
                return

    def _fetcher(
        self, entity: str, cutoff: datetime | None
    ) -> Callable[[int, int], Awaitable[Page[Any]]]:
        c = self.client

        async def fetch(skip: int, first: int) -> Page[Any]:
            if entity == "location":
                return await c.locations(skip=skip, first=first)
            if entity == "customer":
                return await c.customers(skip=skip, first=first)
            if entity == "item":
                return await c.items(skip=skip, first=first)
            if entity == "item_warehouse":
                return await c.item_warehouses(skip=skip, first=first)
            if entity == "serial_lot":
                return await c.serial_lots(skip=skip, first=first)
            if entity == "sale":
                since = cutoff.date() if cutoff else None
                return await c.sales(SaleFilter(from_date=since), skip=skip, first=first)
            if entity == "product":
                return await c.products(skip=skip, first=first)
            if entity == "giftcard":
                return await c.giftcards(skip=skip, first=first)
            return await c.giftcard_transactions(skip=skip, first=first)

        return fetch

    def _report(self, entity: str, **changes: Any) -> None:
        self.progress[entity] = replace(self.progress[entity], **changes)
        if self.on_progress is not None:
            self.on_progress(self.progress[entity])


@dataclass(frozen=True, slots=True)
class _Page:
    """What one transaction writes: rows, the cursor/state after them, rows to drop (sales
    out of scope), the generation to sweep below (end of a refresh), sales to prune."""

    items: Sequence[Any]
    state: SyncState
    drop: list[str]
    sweep: int | None
    prune: int | None


def _consume(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()


def _ts(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def _in_scope(
    sales: Sequence[Sale],
    stores: frozenset[str] | None,
    cutoff: datetime | None,
    register_store: dict[str, str],
) -> tuple[list[Sale], list[str]]:
    """Sales inside the scope setting. A sale without a store (documented API) is judged by
    its register's store; one whose register has no store yet is kept (it cannot be told)."""
    keep: list[Sale] = []
    drop: list[str] = []
    for s in sales:
        store = s.location_code or register_store.get(s.register_code or "")
        ok = (stores is None or store is None or store in stores) and (
            cutoff is None or (s.sale_date is not None and s.sale_date >= cutoff)
        )
        if ok:
            keep.append(s)
        else:
            drop.append(s.id)
    return keep, drop


def _store(conn: sqlite3.Connection, entity: str, page: _Page) -> None:
    """One page, its cursor and any sweep, in ONE transaction (writer thread)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        writes.upsert(conn, entity, page.items, page.state.generation)
        if page.drop:
            marks = ",".join("?" * len(page.drop))
            writes.delete_where(conn, entity, f"id IN ({marks})", page.drop)
        if page.sweep is not None:
            writes.delete_where(conn, entity, "gen < ?", [page.sweep])
        if page.prune is not None:
            writes.delete_where(conn, entity, "sale_ts < ?", [page.prune])
        writes.save_state(conn, page.state)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _prepare(
    conn: sqlite3.Connection, zone: str | None, sale_scope: str, by_store: bool
) -> dict[str, str]:
    """Time zone and scope; returns the register → store mapping. With a store-bound scope
    the manager's register choices are part of the scope (changing one re-syncs sales)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if by_store:
            chosen = conn.execute(
                "SELECT register_code, location_code FROM register_store "
                "WHERE source = 'manager' ORDER BY register_code"
            ).fetchall()
            sale_scope += json.dumps([list(r) for r in chosen])
        if zone:
            writes.set_meta(conn, "time_zone", zone)
        if writes.meta(conn, "sale_scope") != sale_scope:
            # another scope setting: start the sales over (nothing outside the new scope stays)
            writes.delete_where(conn, "sale", "1", [])
            conn.execute("DELETE FROM sync_state WHERE entity = 'sale'")
            writes.set_meta(conn, "sale_scope", sale_scope)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return registers.mapping(conn)


def _forbidden(conn: sqlite3.Connection, entity: str, message: str) -> None:
    conn.execute("BEGIN IMMEDIATE")
    writes.delete_where(conn, entity, "1", [])
    writes.save_state(conn, SyncState(entity, "", "", 0, False, None, True, message))
    conn.execute("COMMIT")


def _error(conn: sqlite3.Connection, entity: str, message: str) -> None:
    conn.execute("UPDATE sync_state SET error = ? WHERE entity = ?", (message, entity))
