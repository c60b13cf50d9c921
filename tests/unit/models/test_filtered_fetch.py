"""FilteredFetch: dense pages over a sparse server result, continuing where it stopped."""

from __future__ import annotations

import pytest

from posdesk.domain import Page
from posdesk.models.filtered_fetch import FilteredFetch


class Server:
    """Offset paging over 0..n-1, recording every request."""

    def __init__(self, n: int, limited: bool = False) -> None:
        self.n = n
        self.limited = limited
        self.requests: list[tuple[int, int]] = []

    async def __call__(self, skip: int, first: int) -> Page[int]:
        self.requests.append((skip, first))
        items = list(range(skip, min(skip + first, self.n)))
        return Page(items, has_more=skip + first < self.n, limited_by_permission=self.limited)


@pytest.mark.asyncio
async def test_pages_are_dense_and_continue_without_rereading() -> None:
    server = Server(1000)
    fetch = FilteredFetch(server, lambda i: i % 10 == 0, server_page=100)
    first = await fetch(0, 20)
    assert list(first.items) == list(range(0, 200, 10))
    assert first.has_more
    second = await fetch(20, 20)
    assert list(second.items) == list(range(200, 400, 10))
    skips = [s for s, _ in server.requests]
    assert skips == sorted(set(skips))  # never read the same server page twice
    rest = await fetch(40, 1000)
    assert list(rest.items) == list(range(400, 1000, 10))
    assert not rest.has_more


@pytest.mark.asyncio
async def test_a_jump_rereads_from_the_start() -> None:
    server = Server(100)
    fetch = FilteredFetch(server, lambda i: i % 2 == 1, server_page=10)
    await fetch(0, 5)
    again = await fetch(3, 4)
    assert list(again.items) == [7, 9, 11, 13]
    reload = await fetch(0, 2)
    assert list(reload.items) == [1, 3]


@pytest.mark.asyncio
async def test_nothing_kept_and_limited_flag() -> None:
    server = Server(50, limited=True)
    page = await FilteredFetch(server, lambda i: False, server_page=20)(0, 10)
    assert list(page.items) == []
    assert not page.has_more
    assert page.limited_by_permission
    assert server.requests == [(0, 20), (20, 20), (40, 20)]
