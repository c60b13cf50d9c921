"""Report results built in tests (one per chart kind, with totals, highlights and a note) and
a source that serves them, so the Reports tab is checked independently of the figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from pathlib import Path

from posdesk.api.client import PosClient
from posdesk.mirror import Mirror
from posdesk.models.local_data import LocalData
from posdesk.reports.model import (
    ChartKind,
    ChartSpec,
    ReportColumn,
    ReportFilters,
    ReportResult,
    ValueKind,
)

AS_OF = datetime(2026, 12, 5, 16, 42, tzinfo=UTC)
STORES = ("AUSTIN", "DALLAS", "HOUSTON")
NET = (Decimal("12345.67"), Decimal("0.10"), Decimal("-42.05"))
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def by_store() -> ReportResult:
    return ReportResult(
        key="sales_by_store",
        title="Sales by store",
        filters_text="Dec 1 – Dec 5, 2026 · all stores",
        columns=(
            ReportColumn("Store", ValueKind.TEXT, "store"),
            ReportColumn("Sales", ValueKind.INTEGER, "count"),
            ReportColumn("Net sales", ValueKind.MONEY, "net"),
            ReportColumn("Share", ValueKind.PERCENT, "share"),
        ),
        rows=tuple(
            (store, count, net, share)
            for store, count, net, share in zip(
                STORES,
                (120, 1, 3),
                NET,
                (Decimal("0.9990"), Decimal("0.0010"), Decimal(0)),
                strict=True,
            )
        ),
        chart=ChartSpec(ChartKind.BAR, x_labels=STORES, series=(("Net sales", NET),)),
        as_of=AS_OF,
        totals=("Total", 124, sum(NET, Decimal(0)), Decimal(1)),
        highlights=(("Net sales", "$12,303.72"), ("Sales", "124")),
    )


def by_day() -> ReportResult:
    days = tuple(date(2026, 12, d) for d in range(1, 6))
    net = (
        Decimal("100.00"),
        Decimal("250.50"),
        Decimal("0.00"),
        Decimal("99.99"),
        Decimal("1000.01"),
    )
    last = (
        Decimal("90.00"),
        Decimal("200.00"),
        Decimal("10.00"),
        Decimal("0.00"),
        Decimal("800.00"),
    )
    return ReportResult(
        key="sales_overview",
        title="Sales overview",
        filters_text="Dec 1 – Dec 5, 2026 · all stores",
        columns=(
            ReportColumn("Day", ValueKind.DATE, "day"),
            ReportColumn("Net sales", ValueKind.MONEY, "net"),
            ReportColumn("Last year", ValueKind.MONEY, "last_year"),
        ),
        rows=tuple(zip(days, net, last, strict=True)),
        chart=ChartSpec(
            ChartKind.LINE,
            x_labels=tuple(d.strftime("%b %d") for d in days),
            series=(("Net sales", net), ("Last year", last)),
        ),
        as_of=AS_OF,
        notes=("This server sends no sale lines, so items per sale cannot be shown.",),
    )


def heat() -> ReportResult:
    grid = tuple(tuple(Decimal(h * (w + 1)) / 4 for h in range(24)) for w in range(7))
    return ReportResult(
        key="sales_heatmap",
        title="Sales by hour and weekday",
        filters_text="Dec 1 – Dec 5, 2026 · AUSTIN",
        columns=(
            ReportColumn("Weekday", ValueKind.TEXT, "weekday"),
            *(ReportColumn(f"{h:02d}", ValueKind.MONEY, f"h{h}") for h in range(24)),
        ),
        rows=tuple((WEEKDAYS[w], *grid[w]) for w in range(7)),
        chart=ChartSpec(
            ChartKind.HEATMAP,
            x_labels=tuple(f"{h:02d}" for h in range(24)),
            y_labels=WEEKDAYS,
            grid=grid,
        ),
        as_of=AS_OF,
    )


RESULTS = {r.key: r for r in (by_store(), by_day(), heat())}


@dataclass(frozen=True)
class Info:
    key: str
    title: str
    description: str
    stores: bool = True
    registers: bool = True
    period: bool = True
    top_n: bool = False
    giftcard_options: bool = False
    warehouse: bool = False


@dataclass
class FixtureSource:
    """Serves ``RESULTS``; records the filters each run was asked for."""

    asked: list[tuple[str, ReportFilters]] = field(default_factory=list)

    @property
    def reports(self) -> tuple[Info, ...]:
        return tuple(Info(r.key, r.title, f"{r.title} for the period") for r in RESULTS.values())

    async def run(
        self, mirror: Mirror, key: str, filters: ReportFilters, tz: tzinfo
    ) -> ReportResult:
        self.asked.append((key, filters))
        return RESULTS[key]


async def synced_local_data(client: PosClient, folder: Path) -> LocalData:
    """A real mirror of the sandbox with one finished pass (so reports have data)."""
    local = LocalData(client, await Mirror.open(folder / "mirror.sqlite3"))
    await local.sync.sync_once()
    return local
