"""The Reports tab on a real mirror synced from the demo sandbox, with the real figures
(``posdesk.reports``): every report's chart, table, cards and CSV show what ``run_report``
computes for the same filters; a few figures against the sandbox's own data over HTTP; the
overview's comparisons; the filters each report uses; the saved choice; a documented-API
server's notes."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest
import pytest_asyncio
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from posdesk.domain import SaleFilter
from posdesk.models.date_range import DateRange
from posdesk.models.local_data import LocalData
from posdesk.reports import REPORTS, run_report
from posdesk.reports.model import ChartKind, ReportResult
from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from posdesk.ui.common.tables import TZ_EXTRA
from posdesk.ui.reports.cells import cell_text
from posdesk.ui.reports.comparisons import change_text, delta_text
from posdesk.ui.reports.tab import ReportsTab
from posdesk.ui.shell.context import SessionContext
from tests.api.helpers import connect
from tests.e2e.reports.fixtures import synced_local_data
from tests.e2e.reports.test_tab import settle
from tests.helpers.sales import CHICAGO
from tests.helpers.session import quiesce, session_context
from tests.mirror.conftest import documented_sandbox, everything

pytestmark = pytest.mark.asyncio
documented = documented_sandbox  # a private documented-API demo sandbox for this module

MARCH = DateRange(date(2024, 3, 1), date(2024, 3, 31))
AUSTIN = FIXTURES.boundary_store
CENT = Decimal("0.01")


def cents(value: Decimal | int) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_EVEN)


@pytest_asyncio.fixture
async def real(
    qtbot: QtBot, owner: SessionContext, tmp_path: Path
) -> AsyncIterator[tuple[ReportsTab, LocalData]]:
    """The tab with the real figures on a mirror synced once from the demo sandbox."""
    owner.local_data = local = await synced_local_data(owner.client, tmp_path)
    tab = ReportsTab(owner)
    qtbot.addWidget(tab)
    tab.resize(1300, 800)
    tab.show()
    await settle(tab)
    tab.ui.period.set_range(MARCH)
    await settle(tab)
    yield tab, local
    await local.aclose()


async def choose(tab: ReportsTab, key: str) -> ReportResult:
    tab.select_report(key)
    await settle(tab)
    assert tab.result is not None
    assert tab.result.key == key
    return tab.result


def column_of(result: ReportResult, title: str) -> int | None:
    titles = [c.title for c in result.columns]
    return titles.index(title) if title in titles else None


def assert_chart_is_the_table(tab: ReportsTab, result: ReportResult) -> None:
    """Every drawn value is a table value, with the table's own text in its tooltip."""
    spec = tab.ui.chart.spec
    tab.ui.chart.grab()  # paint: marks are where values are drawn
    texts = [m.text for m in tab.ui.chart.marks]
    if spec.kind is ChartKind.HEATMAP:  # rows: weekday, hour, sales, net sales
        net = column_of(result, "Net sales")
        assert net is not None
        for row in result.rows:
            y, x = spec.y_labels.index(str(row[0])), spec.x_labels.index(f"{row[1]:02d}")
            assert spec.grid[y][x] == Decimal(str(row[net] or 0)), row
        assert len(texts) == sum(len(r) for r in spec.grid)
        busiest = max(v for r in spec.grid for v in r)  # the key: none to the busiest cell
        assert tab.ui.chart.scale == (
            f"{spec.value_name}:",
            tab.ui.chart.text(Decimal(0)),
            tab.ui.chart.text(busiest),
        )
        assert spec.value_name in ("Net sales", "Number of sales")
        return
    assert spec.series, result.key
    drawn = [v for _, values in spec.series for v in values]
    assert len(texts) == len(drawn)
    for (name, values), first in zip(
        spec.series, range(0, len(drawn), len(spec.x_labels) or 1), strict=False
    ):
        column = column_of(result, name)
        for offset, value in enumerate(values):
            text = cell_text(value, spec.y_kind, tab.context.formatter)
            assert texts[first + offset].endswith(f": {text}"), (name, texts[first + offset])
        if column is not None and spec.kind is not ChartKind.LINE:
            by_label = {str(r[0]): r[column] for r in result.rows}
            for label, value in zip(spec.x_labels, values, strict=True):
                if label in by_label:
                    assert Decimal(str(by_label[label] or 0)) == value, (name, label)


async def test_every_report_on_screen_is_run_report_for_the_same_filters(
    real: tuple[ReportsTab, LocalData], tmp_path: Path
) -> None:
    tab, local = real
    for info in REPORTS:
        shown = await choose(tab, info.key)
        want = await run_report(local.mirror, info.key, tab.filters(), tab.tz)
        assert shown == want, info.key
        model = tab.ui.model
        assert model.rowCount() == len(want.rows) + (want.totals is not None)
        assert [model.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(len(want.rows))]
        if want.chart.kind is not ChartKind.NONE and (want.chart.series or want.chart.grid):
            assert tab.ui.chart.isVisible(), info.key
            assert_chart_is_the_table(tab, want)
        # CSV of each report equals its table (machine-readable text, totals last)
        path = tmp_path / f"{info.key}.csv"
        count = tab.export_to(path)
        with path.open(encoding="utf-8-sig", newline="") as handle:
            written = list(csv.reader(handle))
        assert written[0] == [c.title for c in want.columns]
        assert len(written) - 1 == model.rowCount()
        assert count == model.rowCount()
        for r, line in enumerate(written[1:]):
            for c, text in enumerate(line):
                value = model.index(r, c).data(Qt.ItemDataRole.UserRole)
                assert text == ("" if value is None else _export(value)), (info.key, r, c)


def _export(value: object) -> str:
    from posdesk.models.formatting import export_value

    return export_value(value)


async def test_sales_by_store_for_one_store_and_month_is_the_servers_sales(
    real: tuple[ReportsTab, LocalData], owner: SessionContext
) -> None:
    tab, _ = real
    await choose(tab, "sales_by_store")
    tab.ui.store.setCurrentIndex(tab.ui.store.findData(AUSTIN))
    await settle(tab)
    assert tab.filters().stores == {AUSTIN}
    result = tab.result
    assert result is not None
    zone = tab.tz
    locations = await everything(owner.client, owner.client.locations)
    store_zone = next(loc.time_zone for loc in locations if loc.code == AUSTIN)
    if store_zone:
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(store_zone)
    sales = await everything(
        owner.client,
        owner.client.sales,
        SaleFilter(
            from_time=datetime.combine(MARCH.first, time(0), zone),
            to_time=datetime.combine(MARCH.last + timedelta(days=1), time(0), zone),
            location_code=AUSTIN,
        ),
    )
    assert sales, "the demo seed has sales in March 2024 at the boundary store"
    net = cents(sum(((s.total or 0) - (s.tax_amount or 0) for s in sales), Decimal(0)))
    row = next(r for r in result.rows if r[0] == AUSTIN)
    net_column = column_of(result, "Net sales")
    assert net_column is not None
    assert row[net_column] == net
    assert tab.ui.model.text(0, net_column) == tab.context.formatter.money(net)


async def test_giftcard_outstanding_is_the_sum_of_every_cards_balance(
    real: tuple[ReportsTab, LocalData], owner: SessionContext
) -> None:
    tab, _ = real
    result = await choose(tab, "giftcard_liability")
    cards = await everything(owner.client, owner.client.giftcards)
    total = cents(sum((c.balance or 0 for c in cards), Decimal(0)))
    row = next(r for r in result.rows if (r[0], r[1]) == ("Outstanding", "All cards"))
    assert row[-1] == total
    texts = [tab.ui.model.text(0, c) for c in range(tab.ui.model.columnCount())]
    assert tab.context.formatter.money(total) in texts
    # the KPI card says it the same way: the server's currency, the PC's locale
    card = tab.findChild(QLabel, "reportsKpi0")
    assert card is not None
    assert card.accessibleName() == f"Outstanding balance: {tab.context.formatter.money(total)}"


async def test_overview_cards_and_table_show_the_comparisons(
    real: tuple[ReportsTab, LocalData],
) -> None:
    tab, _ = real
    result = await choose(tab, "sales_overview")
    assert result.comparisons
    f = tab.context.formatter
    cards = [
        w for w in tab.ui.highlights.findChildren(QLabel) if w.objectName().startswith("reportsKpi")
    ]
    assert len(cards) == len(result.comparisons)
    table = tab.ui.comparison_model
    assert tab.ui.comparisons.isVisible()
    assert table.rowCount() == len(result.comparisons)
    for index, c in enumerate(result.comparisons):
        card = tab.ui.highlights.findChild(QLabel, f"reportsKpi{index}")
        assert card is not None
        previous = delta_text(c.previous_delta, c.previous_change, c, f)
        last_year = delta_text(c.last_year_delta, c.last_year_change, c, f)
        assert f"vs previous period: {previous}" in card.accessibleName()
        assert f"vs same period last year: {last_year}" in card.accessibleName()
        assert table.text(index, 0) == c.label
        for column, change in ((4, c.previous_change), (7, c.last_year_change)):
            assert table.text(index, column) == (change_text(change, f) if change else "—")
        for column in range(1, table.columnCount()):  # figures line up on the right
            alignment = table.index(index, column).data(Qt.ItemDataRole.TextAlignmentRole)
            assert alignment & Qt.AlignmentFlag.AlignRight.value
        if c.current is not None:
            assert table.text(index, 1) == cell_text(c.current, c.kind, f)
    net = next(c for c in result.comparisons if c.label == "Net sales")
    assert net.current is not None
    assert net.previous is not None
    assert net.previous_delta == net.current - net.previous  # the card shows this Δ
    await choose(tab, "sales_by_store")
    assert not tab.ui.comparisons.isVisible()


async def test_filters_follow_the_report_and_reach_the_figures(
    real: tuple[ReportsTab, LocalData],
) -> None:
    tab, local = real
    ui = tab.ui
    for info in REPORTS:
        await choose(tab, info.key)
        assert ui.top_n.isEnabled() == info.top_n, info.key
        assert ui.dormant.isEnabled() == ui.open_auth.isEnabled() == info.giftcard_options
        assert ui.warehouse.isEnabled() == info.warehouse, info.key
        assert ui.period.isEnabled() == info.period, info.key
        assert ui.store.isEnabled() == info.stores, info.key
    result = await choose(tab, "top_items")
    ui.top_n.setValue(5)
    await settle(tab)
    assert tab.filters().top_n == 5
    assert tab.result is not None
    assert tab.result != result
    assert tab.result == await run_report(local.mirror, "top_items", tab.filters(), tab.tz)
    await choose(tab, "giftcard_liability")
    ui.dormant.setValue(3)
    ui.open_auth.setValue(30)
    await settle(tab)
    assert (tab.filters().dormant_months, tab.filters().open_auth_days) == (3, 30)
    assert tab.result == await run_report(local.mirror, "giftcard_liability", tab.filters(), tab.tz)
    every = await choose(tab, "stock_value")
    assert ui.warehouse.count() > 1
    code = ui.warehouse.itemData(1)
    ui.warehouse.setCurrentIndex(1)
    await settle(tab)
    assert tab.filters().warehouse == code
    assert tab.result is not None
    assert {r[0] for r in tab.result.rows} == {code}
    assert len(every.rows) >= len(tab.result.rows)


async def test_report_and_filters_are_saved_per_scope_and_restored(
    real: tuple[ReportsTab, LocalData], owner: SessionContext, qtbot: QtBot
) -> None:
    tab, _ = real
    await choose(tab, "top_customers")
    tab.ui.store.setCurrentIndex(tab.ui.store.findData(AUSTIN))
    tab.ui.top_n.setValue(7)
    tab.ui.dormant.setValue(9)
    await settle(tab)
    tab.save_state()
    again = ReportsTab(owner)
    qtbot.addWidget(again)
    again.show()
    await settle(again)
    assert again.current_key() == "top_customers"
    assert again.ui.period.dates() == MARCH
    assert again.ui.store.currentData() == AUSTIN
    assert (again.ui.top_n.value(), again.ui.dormant.value()) == (7, 9)
    assert again.filters() == tab.filters()
    assert again.result == tab.result


async def test_tab_reads_dates_in_the_tenants_zone(
    real: tuple[ReportsTab, LocalData], owner: SessionContext, qtbot: QtBot
) -> None:
    owner.extras.pop(TZ_EXTRA)
    zone = owner.environment.time_zone
    assert zone, "the sandbox says its tenant's zone"
    tab = ReportsTab(owner)
    qtbot.addWidget(tab)
    await settle(tab)
    assert str(tab.tz) == zone


async def test_documented_server_shows_the_notes_and_the_rest(
    qtbot: QtBot, documented: SandboxServer, tmp_path: Path
) -> None:
    client = await connect(documented, tmp_path, "posdesk-demo")
    context = session_context(client, profile_name="documented", extras={TZ_EXTRA: CHICAGO})
    context.local_data = local = await synced_local_data(client, tmp_path)
    try:
        tab = ReportsTab(context)
        qtbot.addWidget(tab)
        tab.show()
        await settle(tab)
        tab.ui.period.set_range(MARCH)
        overview = await choose(tab, "sales_overview")
        assert overview.notes
        assert tab.ui.notes.isVisible()
        assert all(n in tab.ui.notes.text() for n in overview.notes)
        sales = next(c for c in overview.comparisons if c.label == "Sales")
        assert isinstance(sales.current, int)
        assert sales.current > 0
        items = await choose(tab, "top_items")
        assert items.notes
        assert tab.ui.notes.isVisible()
        liability = await choose(tab, "giftcard_liability")
        assert liability.rows
        assert tab.ui.stack.currentWidget() is tab.ui.body
    finally:
        await local.aclose()
        await quiesce()
        await client.aclose()
