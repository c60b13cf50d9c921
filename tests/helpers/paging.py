"""An in-memory paged "server" and row type for model and view tests (no HTTP involved)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from posdesk.api.errors import NetworkError
from posdesk.domain import Page
from posdesk.models.formatting import Kind
from posdesk.models.paged import Column, PagedTableModel


@dataclass(frozen=True)
class Row:
    n: int
    price: Decimal
    when: datetime


COLUMNS: list[Column[Row]] = [
    Column("Number", lambda r: r.n, Kind.INTEGER),
    Column(
        "Price", lambda r: r.price, Kind.MONEY, tone=lambda r: "danger" if r.n % 7 == 0 else None
    ),
    Column("When", lambda r: r.when, Kind.DATETIME, tooltip=lambda r: f"row {r.n}"),
]


def make_rows(total: int) -> list[Row]:
    base = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    return [Row(i, Decimal(i) / 4 + Decimal("1000"), base) for i in range(total)]


class FakeServer:
    """An in-memory fetch whose answers the test can hold back, fail or count."""

    def __init__(self, total: int, *, hold: bool = False, delay: float = 0) -> None:
        self.rows = make_rows(total)
        self.calls: list[tuple[int, int]] = []
        self.hold = hold
        self.delay = delay
        self.gates: list[asyncio.Future[None]] = []
        self.fail_next: Exception | None = None
        self.limited = False

    async def fetch(self, skip: int, first: int) -> Page[Row]:
        self.calls.append((skip, first))
        if self.hold:
            gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self.gates.append(gate)
            await gate
        else:
            await asyncio.sleep(self.delay)
        if self.fail_next is not None:
            exc, self.fail_next = self.fail_next, None
            raise exc
        chunk = self.rows[skip : skip + first]
        return Page(
            chunk, has_more=skip + first < len(self.rows), limited_by_permission=self.limited
        )


class ExpectedError(NetworkError):
    """A network failure as the API reports it."""

    default_message = "The server is not reachable."


def busy(model: PagedTableModel[Row]) -> bool:
    return model.has_more or model.loading


async def release_next(server: FakeServer) -> None:
    for _ in range(100):
        if server.gates:
            server.gates.pop().set_result(None)
            return
        await asyncio.sleep(0)
    raise AssertionError("no request arrived")


async def wait_loaded(model: PagedTableModel[Row]) -> None:
    """Wait until the model has no page loading (pure model/view tests)."""
    # a generous bound (>= 10 s): it only matters when loading really hangs, and a busy CI
    # machine must not turn a slow-but-fine load into a failure
    for _ in range(2000):
        if not model.loading:
            return
        await asyncio.sleep(0.005)
    raise AssertionError("model never finished loading")
