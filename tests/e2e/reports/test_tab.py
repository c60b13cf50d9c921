"""The Reports tab renders any report result: chart and table with the same numbers, CSV equal
to the table, a one-page PDF, Refresh through the mirror's sync, the empty states and notes."""

from __future__ import annotations

import asyncio
import csv
import re
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
import pytest_asyncio
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from posdesk.reports.model import ChartKind
from posdesk.ui.reports.chart import nice_ticks
from posdesk.ui.reports.tab import NO_MIRROR, NOT_SYNCED, ReportsTab
from posdesk.ui.shell.context import SessionContext
from tests.e2e.reports.fixtures import RESULTS, FixtureSource, synced_local_data

pytestmark = pytest.mark.asyncio


async def settle(tab: ReportsTab) -> None:
    while tab.runner.running:
        assert tab.runner.task is not None
        await asyncio.gather(tab.runner.task, return_exceptions=True)
    await asyncio.sleep(0)


@pytest_asyncio.fixture
async def shown(
    qtbot: QtBot, owner: SessionContext, tmp_path: Path
) -> AsyncIterator[tuple[ReportsTab, FixtureSource]]:
    """The tab on the sandbox with a real mirror synced once, serving the fixture results."""
    owner.local_data = await synced_local_data(owner.client, tmp_path)
    source = FixtureSource()
    tab = ReportsTab(owner, source=source)
    qtbot.addWidget(tab)
    tab.resize(1300, 800)
    tab.show()
    await settle(tab)
    yield tab, source
    await owner.local_data.aclose()


def chart_values(tab: ReportsTab) -> list[Decimal]:
    spec = tab.ui.chart.spec
    if spec.kind is ChartKind.HEATMAP:
        return [v for row in spec.grid for v in row]
    return [v for _, series in spec.series for v in series]


def table_values(tab: ReportsTab, first_column: int) -> list[Decimal]:
    model = tab.ui.model
    columns = range(first_column, model.columnCount())
    return [
        model.index(r, c).data(Qt.ItemDataRole.UserRole)
        for c in columns
        for r in range(len(model.rows))
    ]


async def test_each_report_shows_chart_and_table_of_the_same_numbers(
    shown: tuple[ReportsTab, FixtureSource], owner: SessionContext, tmp_path: Path
) -> None:
    tab, _ = shown
    for key, first_value_column in (
        ("sales_by_store", 2),
        ("sales_overview", 1),
        ("sales_heatmap", 1),
    ):
        tab.select_report(key)
        await settle(tab)
        assert tab.result is RESULTS[key]
        tab.ui.chart.grab()  # paint: marks are where values are drawn
        marks = tab.ui.chart.marks
        if key == "sales_by_store":
            values = table_values(tab, 2)[:3]
            assert chart_values(tab) == values
            texts = [tab.ui.model.text(r, 2) for r in range(3)]
            assert [m.text for m in marks] == [
                f"{s}: {t}" for s, t in zip(("AUSTIN", "DALLAS", "HOUSTON"), texts, strict=True)
            ]
            assert texts == ["$12,345.67", "$0.10", "-$42.05"]
            center = marks[0].rect.center()
            assert tab.ui.chart.tooltip_at(QPointF(center)) == "AUSTIN: $12,345.67"
            assert [c.objectName() for c in tab.ui.highlights.findChildren(type(tab.ui.title))] == [
                "reportsKpi0",
                "reportsKpi1",
            ]
        elif key == "sales_overview":
            assert chart_values(tab) == table_values(tab, first_value_column)
            assert len(marks) == 10
            assert marks[9].text == "Last year · Dec 05: $800.00"
        else:
            model = tab.ui.model
            grid = [
                [model.index(r, c).data(Qt.ItemDataRole.UserRole) for c in range(1, 25)]
                for r in range(7)
            ]
            assert [list(row) for row in tab.ui.chart.spec.grid] == grid
            assert len(marks) == 7 * 24
        assert tab.ui.chart.isVisible()
        assert tab.ui.table.isVisible()


async def test_table_sorts_by_value_keeps_totals_last_and_csv_equals_the_table(
    shown: tuple[ReportsTab, FixtureSource], owner: SessionContext, tmp_path: Path
) -> None:
    tab, _ = shown
    tab.select_report("sales_by_store")
    await settle(tab)
    tab.ui.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    model = tab.ui.model
    order = [model.text(r, 0) for r in range(model.rowCount())]
    assert order == ["AUSTIN", "DALLAS", "HOUSTON", "Total"]  # by value, not by text
    tab.ui.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    assert [model.text(r, 0) for r in range(model.rowCount())] == [
        "HOUSTON",
        "DALLAS",
        "AUSTIN",
        "Total",
    ]
    path = tmp_path / "report.csv"
    assert tab.export_to(path) == 4
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Store", "Sales", "Net sales", "Share"]
    assert [r[0] for r in rows[1:]] == ["HOUSTON", "DALLAS", "AUSTIN", "Total"]
    for r, row in enumerate(rows[1:]):
        values = model.all_rows()[r]
        assert row[0] == values[0]
        assert int(row[1]) == values[1]
        assert Decimal(row[2]) == values[2]
        assert Decimal(row[3]) == values[3]
    assert Decimal(rows[-1][2]) == Decimal("12303.72")
    tab.ui.table.selectRow(0)
    QTest.keyClick(tab.ui.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert (
        QGuiApplication.clipboard().text()
        == "Store\tSales\tNet sales\tShare\nHOUSTON\t3\t-$42.05\t0.0%"
    )


async def test_pdf_is_one_page_with_the_report(
    shown: tuple[ReportsTab, FixtureSource], owner: SessionContext, tmp_path: Path
) -> None:
    tab, _ = shown
    for key in RESULTS:
        tab.select_report(key)
        await settle(tab)
        path = tmp_path / f"{key}.pdf"
        tab.write_pdf(path)
        data = path.read_bytes()
        assert data.startswith(b"%PDF")
        assert len(data) > 2000
        # QtPdf (QPdfDocument) is not in PySide6-Essentials: count the page objects.
        assert len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data)) == 1
        assert b"Helvetica" in data or b"/Font" in data  # text was drawn, not a blank page


async def test_notes_as_of_and_refresh_recompute_after_sync(
    shown: tuple[ReportsTab, FixtureSource], owner: SessionContext, tmp_path: Path
) -> None:
    tab, source = shown
    local = owner.local_data
    assert local is not None
    tab.select_report("sales_overview")
    await settle(tab)
    assert tab.ui.notes.isVisible()
    assert "no sale lines" in tab.ui.notes.text()
    assert tab.ui.as_of.text().startswith("Local data as of Dec 5, 2026")
    asked = len(source.asked)
    local.start(interval=3600)
    tab.ui.refresh.click()  # sync now; the finished pass recomputes
    for _ in range(600):
        await asyncio.sleep(0.05)
        if len(source.asked) > asked and not tab.runner.running:
            break
    assert len(source.asked) > asked
    assert tab.ui.status.text() == ""


async def test_empty_states_say_plainly_why(
    qtbot: QtBot, owner: SessionContext, tmp_path: Path
) -> None:
    from posdesk.mirror import Mirror
    from posdesk.models.local_data import LocalData

    tab = ReportsTab(owner, source=FixtureSource())
    qtbot.addWidget(tab)
    await settle(tab)
    assert tab.ui.stack.currentWidget() is tab.ui.empty
    assert tab.ui.empty.text() == NO_MIRROR
    assert not tab.ui.export.isEnabled()
    assert not tab.ui.pdf.isEnabled()
    owner.local_data = LocalData(owner.client, await Mirror.open(tmp_path / "m.sqlite3"))
    try:
        fresh = ReportsTab(owner, source=FixtureSource())
        qtbot.addWidget(fresh)
        await settle(fresh)
        assert fresh.ui.empty.text() == NOT_SYNCED
    finally:
        await owner.local_data.aclose()


async def test_axis_ticks_are_round_exact_numbers() -> None:
    assert nice_ticks(0, 12345.67) == [
        Decimal(0),
        Decimal(2500),
        Decimal(5000),
        Decimal(7500),
        Decimal(10000),
        Decimal(12500),
    ]
    assert nice_ticks(-42.05, 0)[0] <= Decimal("-42.05")
