"""Benchmark: the Reports tab on screen, on the cached mirror of the ``large`` seed.

Run:  uv run python -m tests.perf.bench_reports_ui [--runs 10] [report keys…]

The mirror is the one ``bench_reports`` syncs and caches (tests/perf/bench_reports.py,
``large-mirror.sqlite3``). A real ``ReportsTab`` (offscreen, 1440×860, qasync loop) reads it
through ``LocalData`` with the mirror's own sync status (no server: nothing syncs). For every
report in ``REPORTS``:

1. A year of all stores on screen: from ``recompute()`` until the result is in the cards, chart
   and table and the tab has painted (``grab()``). Target: p95 ≤ 500 ms.
2. Changing the period (a month, shifted month by month, through the period field) or the store
   (each store in turn, through the store box), to painted. Target: p95 ≤ 200 ms. The stock
   reports have neither (their filter is the warehouse): each warehouse in turn, then all.
3. The longest event-loop stall a 1 ms heartbeat saw during all of it: ≤ 50 ms.
4. The floor: ``run_report`` alone (the figures, no widgets) for the same filters.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import qasync
from PySide6.QtCore import QEvent, QObject, QSettings
from PySide6.QtWidgets import QApplication, QWidget
from typing_extensions import override

from posdesk.mirror import Mirror
from posdesk.models import heap
from posdesk.models.date_range import DateRange
from posdesk.models.local_data import LocalData
from posdesk.reports import REPORTS, ReportInfo, run_report
from posdesk.ui.common.tables import TZ_EXTRA
from posdesk.ui.reports.tab import ReportsTab
from tests.helpers.session import session_context
from tests.perf.bench_client import percentile
from tests.perf.bench_mirror import longest_stall
from tests.perf.bench_reports import CHANGE_P95_MS, STALL_MS, TZ, YEAR_P95_MS, large_mirror

PAINT_TIMEOUT_S = 5.0
Row = tuple[str, list[float], list[float], list[float], list[float], float]


class PaintWatch(QObject):
    """When the table and the chart last painted, and when the table last got a result: the
    tab is on screen once both have painted after it (the window system's own paint, not an
    extra ``grab()`` that would paint everything a second time)."""

    def __init__(self, tab: ReportsTab) -> None:
        super().__init__(tab)
        self.tab = tab
        self.painted: dict[QObject, float] = {}
        self.result_at = 0.0
        for widget in self.widgets():
            widget.installEventFilter(self)
        tab.ui.model.modelReset.connect(self._result)

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.tab.ui.table.viewport(), self.tab.ui.chart)

    def _result(self) -> None:
        self.result_at = time.perf_counter()

    def pending(self) -> bool:
        """A visible widget has not painted since the last result."""
        return any(
            w.isVisible() and self.painted.get(w, 0.0) < self.result_at for w in self.widgets()
        )

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted[watched] = time.perf_counter()
        return False


async def shown(tab: ReportsTab, watch: PaintWatch) -> float:
    """Milliseconds from now until the running computation is on screen and painted."""
    started = time.perf_counter()
    while tab.runner.running:
        assert tab.runner.task is not None
        await asyncio.gather(tab.runner.task, return_exceptions=True)
    deadline = time.perf_counter() + PAINT_TIMEOUT_S
    while watch.pending():
        if time.perf_counter() > deadline:
            raise RuntimeError("the Reports tab did not paint its result")
        await asyncio.sleep(0)
    return (time.perf_counter() - started) * 1000


async def timed_figures(mirror: Mirror, tab: ReportsTab, key: str) -> float:
    started = time.perf_counter()
    await run_report(mirror, key, tab.filters(), tab.tz)
    return (time.perf_counter() - started) * 1000


async def one_report(
    tab: ReportsTab, watch: PaintWatch, mirror: Mirror, info: ReportInfo, year: DateRange, runs: int
) -> Row:
    key = info.key
    stores = [tab.ui.store.itemData(i) for i in range(1, tab.ui.store.count())]
    tab.select_report(key)
    tab.ui.period.set_range(year)
    tab.ui.store.setCurrentIndex(0)
    tab.ui.warehouse.setCurrentIndex(0)
    await shown(tab, watch)  # warm
    year_ms, year_floor = [], []
    for _ in range(runs):
        tab.recompute()
        year_ms.append(await shown(tab, watch))
        year_floor.append(await timed_figures(mirror, tab, key))
    change_ms, change_floor = [], []
    for n in range(max(runs, 12)):
        if not info.period:  # stock reports: their filter is the warehouse (each, then all)
            tab.ui.warehouse.setCurrentIndex((n + 1) % tab.ui.warehouse.count())
        elif n % 2 == 0:
            first = year.first + timedelta(days=30 * (n % 12))
            tab.ui.store.blockSignals(True)  # one change at a time: the period only
            tab.ui.store.setCurrentIndex(0)
            tab.ui.store.blockSignals(False)
            tab.ui.period.set_range(DateRange(first, first + timedelta(days=29)))
        else:
            tab.ui.period.blockSignals(True)
            tab.ui.period.set_range(year)
            tab.ui.period.blockSignals(False)
            tab.ui.store.setCurrentIndex(1 + n % len(stores) if stores and info.stores else 0)
        change_ms.append(await shown(tab, watch))
        change_floor.append(await timed_figures(mirror, tab, key))
    return key, year_ms, year_floor, change_ms, change_floor, 0.0


async def measure(path: Path, runs: int, only: set[str] | None = None) -> list[Row]:
    mirror = await Mirror.open(path)
    local = LocalData(None, mirror)  # type: ignore[arg-type]  # never syncs: no server here
    for entity, status in (await mirror.status()).items():
        if entity in local.sync.progress:
            local.sync.progress[entity] = replace(
                local.sync.progress[entity], last_synced=status.last_synced, rows=status.rows
            )
    context = session_context(None, profile_name="bench-reports-ui", extras={TZ_EXTRA: TZ})
    context.local_data = local
    tab = ReportsTab(context)
    tab.resize(1440, 860)
    tab.show()
    watch = PaintWatch(tab)
    with heap.app_policy():  # the app's collector policy (posdesk.app.run)
        out: list[Row] = []
        try:
            await shown(tab, watch)
            last = date.fromisoformat(
                await mirror.read(
                    lambda c: c.execute("SELECT max(local_day) FROM sale").fetchone()[0]
                )
            )
            year = DateRange(last - timedelta(days=364), last)
            for info in REPORTS:
                if only and info.key not in only:
                    continue
                row, stall, _ = await longest_stall(
                    one_report(tab, watch, mirror, info, year, runs)
                )
                out.append((*row[:5], stall))
                print(f"{info.key}: year p95 {percentile(row[1], 0.95):.0f} ms", flush=True)
        finally:
            tab.close()
            tab.deleteLater()
            await mirror.close()
    return out


def met(row: Row) -> bool:
    _, year, _, change, _, stall = row
    return (
        percentile(year, 0.95) <= YEAR_P95_MS
        and percentile(change, 0.95) <= CHANGE_P95_MS
        and stall <= STALL_MS
    )


def table(results: list[Row]) -> str:
    lines = [
        "| report | a year, all stores, on screen: median / p95 | figures only (run_report) "
        "p95 | change period or store, on screen: median / p95 | figures only p95 | "
        "longest loop stall | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in results:
        key, year, year_floor, change, change_floor, stall = row
        lines.append(
            f"| {key} | {statistics.median(year):.0f} / {percentile(year, 0.95):.0f} ms | "
            f"{percentile(year_floor, 0.95):.0f} ms | {statistics.median(change):.0f} / "
            f"{percentile(change, 0.95):.0f} ms | {percentile(change_floor, 0.95):.0f} ms | "
            f"{stall:.0f} ms | {'yes' if met(row) else 'NO'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("reports", nargs="*", help="report keys (default: all)")
    args = parser.parse_args(argv)
    path = large_mirror()
    with tempfile.TemporaryDirectory(prefix="bench-reports-ui-") as settings_dir:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)  # never the user's settings
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir)
        app = QApplication.instance() or QApplication([])
        QApplication.setQuitOnLastWindowClosed(False)  # closing the tab must not stop the loop
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            results = loop.run_until_complete(measure(path, args.runs, set(args.reports)))
    print(
        f"\nReports tab on a mirror of the large seed ({path}), 1440×860 offscreen; targets: "
        f"a year p95 ≤ {YEAR_P95_MS:.0f} ms, a change p95 ≤ {CHANGE_P95_MS:.0f} ms, "
        f"stall ≤ {STALL_MS:.0f} ms\n"
    )
    print(table(results))
    return 0 if all(met(r) for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
