"""How the Reports tab fits a back-office laptop's 1366×768 screen: the chart's x-axis labels
stay inside the chart (the last one was cut at the right edge), category labels are elided
rather than dropped, and the sales overview's per-day table fits beside its chart without a
sideways scroll bar, also after the window is resized."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest
import pytest_asyncio
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from posdesk.models.date_range import DateRange
from posdesk.models.formatting import Formatter
from posdesk.reports.model import ChartKind, ChartSpec
from posdesk.ui.reports.chart import ReportChart
from posdesk.ui.reports.tab import ReportsTab
from posdesk.ui.shell.context import SessionContext
from tests.e2e.reports.fixtures import synced_local_data
from tests.e2e.reports.test_tab import settle

MARCH = DateRange(date(2024, 3, 1), date(2024, 3, 31))
#: What a 1366×768 main window leaves its tabs (menu, banner, tab bar, status bar, margins).
TAB_AREA = (1354, 660)


def month_chart(days: int) -> ChartSpec:
    labels = tuple((date(2025, 5, 1) + timedelta(days=n)).isoformat() for n in range(days))
    values = tuple(Decimal(1000 + 37 * n) for n in range(days))
    return ChartSpec(ChartKind.LINE, labels, (("Net sales", values),))


def inside(rect: QRectF, chart: ReportChart) -> bool:
    return QRectF(chart.rect()).contains(rect)


@pytest.mark.parametrize("width", [280, 360, 450, 640, 900])
@pytest.mark.parametrize("days", [5, 7, 12, 31])
def test_every_x_label_lies_inside_the_chart(qtbot: QtBot, width: int, days: int) -> None:
    chart = ReportChart(Formatter())
    qtbot.addWidget(chart)
    chart.resize(width, 260)
    chart.set_spec(month_chart(days), "Sales overview")
    chart.grab()  # paints: the labels' rectangles are where they were drawn
    rects = chart.x_label_rects
    assert rects, (width, days)
    assert all(inside(r, chart) for r in rects), (width, days, rects[-1], chart.rect())
    assert all(a.right() < b.left() for a, b in pairwise(rects))


def test_the_last_days_label_is_drawn_whole_when_there_is_room(qtbot: QtBot) -> None:
    chart = ReportChart(Formatter())
    qtbot.addWidget(chart)
    chart.resize(800, 260)
    chart.set_spec(month_chart(7), "Sales overview")
    chart.grab()
    last = chart.x_label_rects[-1]
    assert len(chart.x_label_rects) == 7  # every day labelled, the last one too
    assert inside(last, chart)
    width = chart.fontMetrics().horizontalAdvance("2025-05-07")
    assert last.width() >= width - 1  # whole, not clipped to its slot


def test_category_labels_are_elided_to_their_bar_not_dropped(qtbot: QtBot) -> None:
    stores = ("AUSTIN", "BROOKLYN", "DENVER", "PORTLAND", "Unassigned registers")
    spec = ChartSpec(
        ChartKind.BAR,
        stores,
        (("Items to reorder", tuple(Decimal(50 + n) for n in range(len(stores)))),),
    )
    chart = ReportChart(Formatter())
    qtbot.addWidget(chart)
    chart.resize(360, 260)
    chart.set_spec(spec, "Reorder list")
    chart.grab()
    assert len(chart.x_label_rects) == len(stores)
    assert all(inside(r, chart) for r in chart.x_label_rects)
    slot = (chart.x_label_rects[1].center().x() - chart.x_label_rects[0].center().x()) or 1
    assert all(r.width() <= slot for r in chart.x_label_rects)
    assert [m.text.split(":")[0] for m in chart.marks] == list(stores)  # tooltips say it all


@pytest_asyncio.fixture
async def laptop(qtbot: QtBot, owner: SessionContext, tmp_path: Path) -> AsyncIterator[ReportsTab]:
    """The tab on a real mirror of the demo sandbox, as big as a 1366×768 window has room for."""
    owner.local_data = local = await synced_local_data(owner.client, tmp_path)
    tab = ReportsTab(owner)
    qtbot.addWidget(tab)
    tab.resize(*TAB_AREA)
    tab.show()
    await settle(tab)
    tab.ui.period.set_range(MARCH)
    tab.select_report("sales_overview")
    await settle(tab)
    await laid_out()
    yield tab
    await local.aclose()


async def laid_out() -> None:
    """Let Qt run the layout requests a result or a resize posted."""
    for _ in range(5):
        await asyncio.sleep(0.02)


def assert_table_fits(tab: ReportsTab) -> None:
    table = tab.ui.table
    header = table.horizontalHeader()
    assert not table.horizontalScrollBar().isVisible()
    assert header.length() <= table.viewport().width()
    model, metrics = tab.ui.model, table.fontMetrics()
    for column in range(header.count()):  # each column's title and figures shown whole
        texts = [model.text(r, column) for r in range(model.rowCount())]
        title = str(model.headerData(column, Qt.Orientation.Horizontal))
        widest = max(metrics.horizontalAdvance(t) for t in [title, *texts])
        assert header.sectionSize(column) > widest, (column, title)


@pytest.mark.asyncio
async def test_the_overview_fits_a_1366_pixel_window_without_sideways_scrolling(
    laptop: ReportsTab,
) -> None:
    tab = laptop
    assert tab.result is not None
    assert tab.result.key == "sales_overview"
    assert len(tab.result.columns) == 8
    assert tab.ui.model.rowCount() == 32  # 31 days and the totals
    assert tab.minimumSizeHint().width() <= TAB_AREA[0]  # the window need not grow
    assert tab.ui.chart.isVisible()
    assert tab.ui.chart.width() >= 300  # the chart keeps a readable width beside it
    assert_table_fits(tab)
    cards = [
        w for w in tab.ui.highlights.findChildren(QLabel) if w.objectName()[:10] == "reportsKpi"
    ]
    assert len(cards) == 7
    assert len({c.y() for c in cards}) == 1  # one row of KPI cards
    # a wider window and back: the split follows (nobody dragged the splitter)
    tab.resize(1800, TAB_AREA[1])
    await laid_out()
    tab.resize(*TAB_AREA)
    await laid_out()
    assert_table_fits(tab)
    tab.ui.chart.grab()
    assert all(inside(r, tab.ui.chart) for r in tab.ui.chart.x_label_rects)
