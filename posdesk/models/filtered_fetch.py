"""Client-side filtering behind an offset-paged fetch, with dense pages.

Used when the server cannot filter exactly (a documented POS server takes sale dates but not
instants, so posdesk asks for a wider date range and keeps only the sales in the user's
local range). The paged model keeps asking ``fetch(skip, first)`` with ``skip`` = rows it has;
this adapter remembers where in the server's result it stopped so each call continues there
instead of re-reading from the start.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from posdesk.domain import Page

T = TypeVar("T")


class FilteredFetch(Generic[T]):
    """``fetch(skip, first)`` over ``server(skip, first)``, keeping only items ``keep`` accepts."""

    def __init__(
        self,
        server: Callable[[int, int], Awaitable[Page[T]]],
        keep: Callable[[T], bool],
        *,
        server_page: int = 200,
    ) -> None:
        self._server = server
        self._keep = keep
        self._server_page = server_page
        self._reset()

    def _reset(self) -> None:
        self._delivered = 0
        self._server_skip = 0
        self._buffer: list[T] = []
        self._server_done = False
        self._limited = False

    async def __call__(self, skip: int, first: int) -> Page[T]:
        if skip != self._delivered:
            # Not a continuation (a reload, or a caller that jumped): read again from the start
            # and drop the first ``skip`` kept items.
            self._reset()
            await self._fill(skip)
            del self._buffer[:skip]
            self._delivered = skip
        await self._fill(first)
        items, self._buffer = self._buffer[:first], self._buffer[first:]
        self._delivered += len(items)
        has_more = bool(self._buffer) or not self._server_done
        return Page(items=items, has_more=has_more, limited_by_permission=self._limited)

    async def _fill(self, wanted: int) -> None:
        while len(self._buffer) < wanted and not self._server_done:
            page = await self._server(self._server_skip, max(self._server_page, wanted))
            self._server_skip += len(page.items)
            self._limited = self._limited or page.limited_by_permission
            self._buffer.extend(item for item in page.items if self._keep(item))
            self._server_done = not page.has_more or not page.items
