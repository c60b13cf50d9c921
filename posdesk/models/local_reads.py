"""Reads that answer from the local mirror or from the server, whichever should.

Lists (customer and item searches, sales filters, a customer's sales) answer from the mirror
once its entity is ``ready`` — instantly, and with searches a documented server lacks — and
from the server before that (first sync, no mirror). A server read that cannot reach the
server marks the session offline (``LocalData.observe``) and, when the mirror has the entity,
answers from it instead. The mirror is a cache, never the truth for money or stock: detail
views re-read from the server while it answers (``detail``), and nothing here writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Generic, TypeVar

from posdesk.api.errors import NetworkError, PosError
from posdesk.domain import Page
from posdesk.models.formatting import app_locale, format_clock

if TYPE_CHECKING:
    from posdesk.models.local_data import LocalData

T = TypeVar("T")
R = TypeVar("R")

Fetch = Callable[[int, int], Awaitable[Page[T]]]

#: Plain words for entities in "local data for … is not ready yet".
NOUNS = {"customer": "customers", "item": "inventory", "sale": "sales"}


class LocalDataNotReadyError(PosError):
    """The mirror does not hold this entity yet, and the server cannot answer (unreachable,
    or it cannot apply these filters)."""

    default_message = "The local data is not ready yet: it fills in the background."


def _not_ready(entity: str, exc: NetworkError | None) -> LocalDataNotReadyError:
    noun = NOUNS.get(entity, entity)
    if exc is None:
        return LocalDataNotReadyError(
            f"These filters need the local copy of {noun}, which is not ready yet "
            "(it fills in the background; try again in a minute)."
        )
    return LocalDataNotReadyError(
        f"Cannot reach the POS server, and the local copy of {noun} is not ready yet "
        "(it fills in the background once connected).",
        details=exc.details,
    )


class LocalFirst(Generic[T]):
    """``fetch(skip, first)`` that reads the mirror when ``entity`` is ready (or the server is
    unreachable), else the server. ``from_local`` says where the last page came from."""

    def __init__(
        self,
        local_data: LocalData | None,
        entity: str,
        local: Fetch[T] | None,
        server: Fetch[T] | None,
        *,
        prefer_local: bool = True,
    ) -> None:
        self.local_data = local_data
        self.entity = entity
        self.local = local
        self.server = server
        self.prefer_local = prefer_local
        self.from_local = False

    def local_ready(self) -> bool:
        data = self.local_data
        return data is not None and self.local is not None and data.ready(self.entity)

    def uses_local(self) -> bool:
        """Whether the next page comes from the mirror (before trying the server)."""
        data = self.local_data
        if not self.local_ready() or data is None:
            return False
        return self.prefer_local or not data.online or self.server is None

    async def __call__(self, skip: int, first: int) -> Page[T]:
        if self.uses_local() and self.local is not None:
            self.from_local = True
            return await self.local(skip, first)
        if self.server is None:
            raise _not_ready(self.entity, None)
        try:
            page = await self.server(skip, first)
        except NetworkError as exc:
            if self.local_data is None:
                raise
            self.local_data.observe(exc)
            if not self.local_ready() or self.local is None:
                raise _not_ready(self.entity, exc) from exc
            self.from_local = True
            return await self.local(skip, first)
        self.from_local = False
        return page


async def detail(
    local_data: LocalData | None,
    server: Callable[[], Awaitable[R]],
    local: Callable[[], Awaitable[R | None]] | None,
) -> tuple[R | None, bool]:
    """One record for a detail view: from the server while it answers (the truth), from the
    mirror when it cannot be reached. Returns ``(record, from_local)``; a network failure
    without a local copy is raised as is."""
    if local_data is not None and not local_data.online and local is not None:
        return await local(), True
    try:
        return await server(), False
    except NetworkError as exc:
        if local_data is None or local is None:
            raise
        local_data.observe(exc)
        found = await local()
        if found is None:
            raise
        return found, True


def as_of_text(when: datetime | None) -> str:
    """ "10:42 PM" today, else the full date-time — the PC's time and the app's one clock
    (``formatting.format_clock``), as the status bar and the Reports tab say it."""
    if when is None:
        return "an unknown time"
    return format_clock(when, app_locale())


async def registers(local_data: LocalData, location_code: str | None) -> list[str]:
    """The registers the mirror has seen sales from (of one store, or all): the register
    filter's choices on a server whose locations do not list their registers."""

    def query(conn: sqlite3.Connection) -> list[str]:
        sql = "SELECT DISTINCT register_code FROM sale WHERE register_code IS NOT NULL"
        params: list[str] = []
        if location_code:  # a sale without a store: its register's (Local data panel)
            sql += (
                " AND (location_code = ? OR (location_code IS NULL AND register_code IN "
                "(SELECT register_code FROM register_store WHERE location_code = ?)))"
            )
            params.extend([location_code, location_code])
        return [str(row[0]) for row in conn.execute(sql + " ORDER BY 1", params)]

    return await local_data.mirror.read(query)
