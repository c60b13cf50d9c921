"""The session's local data for the UI: the mirror, its background sync and whether the
server can be reached, as one QObject with signals on the event loop thread.

The mirror (``posdesk.mirror``) is a cache, never the truth for money or stock: tabs search
and filter from it when an entity is ``ready``, re-read what they open in detail from the
server when ``online``, and send every write to the server. See docs/architecture.md,
"Local mirror" and "Local data in the UI".
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from posdesk.api.errors import NetworkError, PosError
from posdesk.mirror import (
    ENTITIES,
    Mirror,
    MirrorSettings,
    MirrorSync,
    SyncProgress,
    mirror_path,
)
from posdesk.models.tasks import TaskOwner
from posdesk.store.scope import ScopedData

if TYPE_CHECKING:
    from posdesk.api.client import PosClient

#: Seconds between incremental passes while nothing asks for one sooner.
SYNC_INTERVAL = 300.0
#: While offline, seconds between light probes of the server (is it back?).
PROBE_INTERVAL = 12.0
#: A probe that takes longer than this counts as "still unreachable".
PROBE_DEADLINE = 5.0


class LocalData(QObject):
    """One session's mirror and sync. Made by the shell after sign-in
    (``await LocalData.open(client, scoped)``), handed to tabs as ``context.local_data``,
    closed (``await aclose()``) when the session ends."""

    progressed = Signal(object)  # SyncProgress of one entity, on every change
    synced = Signal()  # a pass ended: rows may have changed (refresh what is on screen)
    onlineChanged = Signal(bool)  # the server became reachable (True) or not (False)

    def __init__(
        self, client: PosClient, mirror: Mirror, settings: MirrorSettings | None = None
    ) -> None:
        super().__init__()
        self.client = client
        self.mirror = mirror
        self.sync = MirrorSync(client, mirror, settings, on_progress=self._on_progress)
        self.tasks = TaskOwner(self)
        self._online = True
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._probe: asyncio.Task[None] | None = None
        self.probe_interval = PROBE_INTERVAL
        self._interval = SYNC_INTERVAL
        self.forgotten = False  # the file was deleted; nothing is copied until reopen()

    @classmethod
    async def open(
        cls, client: PosClient, scoped: ScopedData, settings: MirrorSettings | None = None
    ) -> LocalData:
        """Open (or create) this scope's mirror file; the sync starts with ``start()``."""
        return cls(client, await Mirror.open(mirror_path(scoped)), settings)

    # ------------------------------------------------------------------ state

    @property
    def online(self) -> bool:
        """Whether the server answered the last time anyone asked (offline: read-only)."""
        return self._online

    def set_online(self, online: bool) -> None:
        """Offline: tabs read from the mirror, money operations are off, and a light probe
        every ``probe_interval`` s notices the server coming back (then: online, sync now)."""
        if online == self._online:
            return
        self._online = online
        if not online and (self._probe is None or self._probe.done()):
            self._probe = self.tasks.spawn(self._watch(), name="local data probe")
        if online:
            self.sync_now()  # catch up on what changed while we could not see it
        self.onlineChanged.emit(online)

    def observe(self, exc: BaseException) -> None:
        """Any read that failed because the server could not be reached means offline."""
        if isinstance(exc, NetworkError):
            self.set_online(False)

    @property
    def progress(self) -> dict[str, SyncProgress]:
        return self.sync.progress

    def ready(self, entity: str) -> bool:
        """Whether a whole pass of ``entity`` finished at least once (then searching the
        mirror finds what the server would)."""
        progress = self.sync.progress.get(entity)
        return progress is not None and progress.last_synced is not None

    def as_of(self, entity: str | None = None) -> datetime | None:
        """When ``entity`` (or the oldest ready entity) was last synced: "as of 10:42"."""
        if entity is not None:
            progress = self.sync.progress.get(entity)
            return progress.last_synced if progress else None
        times = [p.last_synced for p in self.sync.progress.values() if p.last_synced]
        return min(times) if times else None

    # ------------------------------------------------------------------ control

    def start(self, interval: float = SYNC_INTERVAL) -> None:
        """Sync in the background: a pass now, then every ``interval`` s or on ``sync_now``."""
        self._interval = interval
        if self._task is None or self._task.done():
            self._task = self.tasks.spawn(self._run(interval), name="local data sync")

    def apply_settings(self, settings: MirrorSettings) -> None:
        """A new scope setting (which stores' sales, how many months): the next pass, at
        once, empties the sales and copies them again if the scope changed."""
        self.sync.settings = settings
        self.sync_now()

    @property
    def paused(self) -> bool:
        return self.sync.paused

    def sync_now(self) -> None:
        """A pass as soon as possible (F5, after a write posdesk made, back online)."""
        self._wake.set()

    def pause(self) -> None:
        self.sync.pause()

    def resume(self) -> None:
        self.sync.resume()

    async def aclose(self) -> None:
        """Stop syncing and close the file (the session ended)."""
        await self.tasks.aclose()
        await self.mirror.close()

    async def forget(self) -> None:
        """Stop syncing and delete this scope's mirror file ("Forget local data"). Nothing is
        copied again until ``reopen()`` (the panel's "Sync now"): forgetting means forgetting."""
        await self._stop()
        await self.mirror.forget()
        self.forgotten = True
        self.sync.progress = {e: SyncProgress(e) for e in ENTITIES}  # ready() is False now
        for progress in self.sync.progress.values():
            self.progressed.emit(progress)
        self.synced.emit()

    async def reopen(self) -> None:
        """After ``forget()``: a new, empty file in the same place, and the sync again."""
        if not self.forgotten:
            return
        self.mirror = await Mirror.open(self.mirror.path)
        self.sync = MirrorSync(
            self.client, self.mirror, self.sync.settings, on_progress=self._on_progress
        )
        self.forgotten = False
        self.start(self._interval)

    async def _stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait([task])

    # ------------------------------------------------------------------ internals

    async def _run(self, interval: float) -> None:
        while True:
            self._wake.clear()
            progress = await self.sync.sync_once()
            self.synced.emit()
            failed = any(p.error for p in progress.values() if p.mode != "off")
            # an entity failed: if the server is gone, that is the network, not the data
            if self._online and failed and not await self.reachable():
                self.set_online(False)
            # asyncio.timeout, not wait_for: before Python 3.12, wait_for swallows a cancel
            # that lands while the wake is set (a dialog closed, then quit in the same turn)
            # and this loop then ran on, so quitting waited for it forever
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(interval):
                    await self._wake.wait()

    async def reachable(self) -> bool:
        """One light read (the environment) with a short deadline: does the server answer?"""
        try:
            async with asyncio.timeout(self.probe_interval_deadline):  # not wait_for: see _run
                await self.client.environment()
        except (NetworkError, TimeoutError):
            return False
        except PosError:
            return True  # it answered, even if with a refusal
        return True

    @property
    def probe_interval_deadline(self) -> float:
        return min(PROBE_DEADLINE, max(self.probe_interval, 0.5))

    async def _watch(self) -> None:
        """While offline: probe every ``probe_interval`` s until the server answers."""
        while not self._online:
            await asyncio.sleep(self.probe_interval)
            if await self.reachable():
                self.set_online(True)  # no-op when something else noticed first

    def _on_progress(self, progress: SyncProgress) -> None:
        self.progressed.emit(progress)
