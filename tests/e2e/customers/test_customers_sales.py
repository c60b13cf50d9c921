"""Customers and Sales tabs end to end: real widgets, real PosClient, the sandbox over HTTP.

Dates are pinned to the seed's boundary store zone (America/Chicago) through the session
context, so "23:59 local" means the same thing on every test machine.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from posdesk.api.client import PosClient
from posdesk.api.compat import FeatureReport
from posdesk.domain import SaleFilter
from posdesk.models.date_range import DateRange
from posdesk.models.formatting import format_money
from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from posdesk.ui.customers.tab import CustomersTab
from posdesk.ui.sales.tab import SalesTab
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.shell.main_window import MainWindow
from tests.api.helpers import connect
from tests.helpers.sales import CHICAGO, all_sales, chicago_context, idle
from tests.helpers.session import quiesce
from tests.helpers.waiting import wait_until


def without(client: PosClient, feature: str) -> None:
    """Make the client behave like a documented server that lacks ``feature``."""
    features = client.features
    client.features = FeatureReport(
        features.available - {feature}, {feature: "not on this server (test)"}, features.reduced
    )


# ----------------------------------------------------------------------------- customers


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "key",
    [
        FIXTURES.customer_with_sales_name,
        FIXTURES.customer_with_sales_member_id,
        FIXTURES.customer_with_sales_id,
        FIXTURES.customer_with_sales_phone_raw,
        FIXTURES.customer_with_sales_phone_norm,
        FIXTURES.customer_with_sales_email,
    ],
    ids=["name", "member_id", "customer_id", "phone", "phone_digits", "email"],
)
async def test_search_a_customer_by_each_key(qtbot: QtBot, owner: SessionContext, key: str) -> None:
    tab = CustomersTab(owner)
    qtbot.addWidget(tab)
    tab.show()
    tab.search_edit.setFocus()
    QTest.keyClicks(tab.search_edit, key)
    QTest.keyClick(tab.search_edit, Qt.Key.Key_Return)  # Enter searches now (no debounce)
    assert tab.last_search == key
    await wait_until(lambda: idle(tab.model) and tab.model.rowCount() > 0)
    ids = [tab.model.item(r).id for r in range(tab.model.rowCount())]
    assert FIXTURES.customer_with_sales_id in ids
    row = ids.index(FIXTURES.customer_with_sales_id)
    tab.view.table.selectRow(row)
    await wait_until(lambda: tab.detail.customer is not None)
    assert tab.detail.customer is not None
    assert tab.detail.customer.id == FIXTURES.customer_with_sales_id
    values = tab.detail.values
    assert values["email"].text() == FIXTURES.customer_with_sales_email
    assert FIXTURES.customer_with_sales_phone_raw in values["phone"].text()
    assert values["member_id"].text() == FIXTURES.customer_with_sales_member_id
    assert values["home_location_code"].text() == FIXTURES.customer_with_sales_home
    assert values["address"].text() != "—"
    await quiesce()  # nothing left in flight when pytest-qt processes events


@pytest.mark.asyncio
async def test_customer_sales_newest_first_then_open_one_in_the_sales_tab(
    qtbot: QtBot, owner: SessionContext
) -> None:
    window = MainWindow(QSettings(), reporter=owner.reporter)
    qtbot.addWidget(window)
    window.show()
    window.set_session(owner)
    tab = window.current_tab()
    assert isinstance(tab, CustomersTab)
    tab.search_edit.setText(FIXTURES.customer_with_sales_member_id)
    tab.search_now()
    await wait_until(lambda: tab.detail.customer is not None)
    sales = tab.detail.sales_model
    await wait_until(lambda: idle(sales) and sales.rowCount() > 0)
    await sales.fetch_all()
    expected = await all_sales(
        owner.client, SaleFilter(customer_id=FIXTURES.customer_with_sales_id, newest_first=True)
    )
    shown = [sales.item(r) for r in range(sales.rowCount())]
    assert [s.id for s in shown] == [s.id for s in expected]
    assert len(shown) == FIXTURES.customer_with_sales_sale_count + 4
    ids = [int(s.id) for s in shown]
    assert ids == sorted(ids, reverse=True)  # newestFirst = transaction id descending
    total = sum((s.total or Decimal(0) for s in expected), Decimal(0))
    await wait_until(lambda: "(loaded so far)" not in tab.detail.sales_total.text())
    assert f"{len(expected)} sales" in tab.detail.sales_total.text()
    assert format_money(total, sales.locale) in tab.detail.sales_total.text()

    # Enter on a sale row opens it in the Sales tab's detail pane.
    table = tab.detail.sales.view.table
    table.setFocus()
    table.selectRow(2)
    QTest.keyClick(table, Qt.Key.Key_Return)
    sales_tab = window.current_tab()
    assert isinstance(sales_tab, SalesTab)
    await wait_until(lambda: sales_tab.detail.sale is not None)
    opened = sales_tab.detail.sale
    assert opened is not None
    assert opened.id == shown[2].id
    assert opened.lines
    assert sales_tab.detail.lines_table.rowCount() == len(opened.lines)
    assert sales_tab.detail.tenders_table.rowCount() == len(opened.tenders)
    texts = {label.text() for label in sales_tab.detail.findChildren(QLabel)}
    assert opened.tran_no in texts

    # "Open in Sales tab": every sale of this customer, whatever the period was.
    window.open_tab("customers")
    tab.detail.open_in_sales.click()
    assert window.current_tab() is sales_tab
    assert sales_tab.filters.customer.text() == FIXTURES.customer_with_sales_id
    await wait_until(lambda: idle(sales_tab.model) and sales_tab.model.rowCount() > 0)
    in_sales_tab = [sales_tab.model.item(r).id for r in range(sales_tab.model.rowCount())]
    assert in_sales_tab == [s.id for s in expected]
    window.set_session(None)


# ----------------------------------------------------------------------------- sales


async def run_query(tab: SalesTab, dates: DateRange | None, location: str | None) -> list[str]:
    await wait_until(lambda: tab.filters.location.count() > 1)  # locations loaded
    tab.filters.set_range(dates)
    tab.filters.set_location(location)
    tab.search()
    await wait_until(lambda: idle(tab.model))
    await tab.load_all()
    assert tab.summary.complete
    return [tab.model.item(r).id for r in range(tab.model.rowCount())]


@pytest.mark.asyncio
@pytest.mark.parametrize("server", ["extended", "documented"])
async def test_date_range_boundary_is_local_midnight(
    qtbot: QtBot, owner: SessionContext, server: str
) -> None:
    if server == "documented":  # as if the server lacked fromTime/toTime/locationCode
        without(owner.client, "sale_search")
    tab = SalesTab(owner)
    qtbot.addWidget(tab)
    tab.show()
    location = FIXTURES.boundary_store if server == "extended" else None
    late_day = date.fromisoformat(FIXTURES.sale_late_local[:10])
    ids = await run_query(tab, DateRange(late_day, late_day), location)
    assert FIXTURES.sale_late_id in ids
    assert FIXTURES.sale_midnight_id not in ids
    next_day = late_day + timedelta(days=1)
    ids = await run_query(tab, DateRange(next_day, next_day), location)
    assert FIXTURES.sale_midnight_id in ids
    assert FIXTURES.sale_late_id not in ids
    for row in range(tab.model.rowCount()):
        when = tab.model.item(row).sale_date
        assert when is not None
        assert when.astimezone(CHICAGO).date() == next_day
    # the table shows local time
    late = tab.model.data(tab.model.index(ids.index(FIXTURES.sale_midnight_id), 0))
    assert late == "Apr 1, 2024 12:00 AM"
    await quiesce()  # nothing left in flight when pytest-qt processes events


@pytest.mark.asyncio
async def test_filters_summary_detail_and_csv_export(
    qtbot: QtBot, owner: SessionContext, tmp_path: Path
) -> None:
    tab = SalesTab(owner)
    qtbot.addWidget(tab)
    tab.show()
    period = DateRange(date(2024, 1, 1), date(2024, 6, 30))
    await wait_until(lambda: tab.filters.location.count() > 1)
    tab.filters.set_range(period)
    tab.filters.set_location(FIXTURES.boundary_store)
    tab.search()
    await wait_until(lambda: idle(tab.model) and tab.model.rowCount() > 0)
    start, end = period.instants(CHICAGO)
    expected = await all_sales(
        owner.client,
        SaleFilter(
            from_time=start,
            to_time=end,
            location_code=FIXTURES.boundary_store,
            newest_first=True,
        ),
    )
    assert len(expected) > tab.model.page_size  # more than one page: summary is partial
    assert not tab.summary.complete
    assert tab.summary_strip.load_all.isVisible()
    assert "loaded pages only" in tab.summary_strip.note.text()

    target = tmp_path / "sales.csv"
    await tab.export_to(target)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [c.title for c in tab.model.columns]
    assert [r["Sale id"] for r in rows] == [s.id for s in expected]
    for row, sale in zip(rows, expected, strict=True):
        assert Decimal(row["Total"]) == sale.total
        assert Decimal(row["Items"]) == sale.item_count
        assert row["Location"] == FIXTURES.boundary_store
        assert (row["Register"], row["Tran no"]) == (sale.register_code, sale.tran_no)
        assert row["Customer"] == (sale.customer_name or sale.customer_id or "")
        assert sale.sale_date is not None
        exported = datetime.fromisoformat(row["Date"])
        assert exported == sale.sale_date
        assert exported.utcoffset() == sale.sale_date.astimezone(CHICAGO).utcoffset()
    # the export loaded every page: the summary now covers the whole filter
    await wait_until(lambda: tab.summary.complete)
    total = sum((s.total or Decimal(0) for s in expected), Decimal(0))
    assert tab.summary.count == len(expected)
    assert tab.summary.total == total
    assert not tab.summary_strip.load_all.isVisible()

    # a transaction-number filter finds the sale; Enter in the table opens its detail
    one = expected[5]
    assert one.tran_no is not None
    tab.filters.tran_no.setText(one.tran_no)
    QTest.keyClick(tab.filters.tran_no, Qt.Key.Key_Return)
    await wait_until(lambda: idle(tab.model) and tab.model.rowCount() >= 1)
    found = [tab.model.item(r) for r in range(tab.model.rowCount())]
    assert {s.tran_no for s in found} == {one.tran_no}
    assert one.id in [s.id for s in found]
    tab.view.table.setFocus()
    tab.view.table.selectRow([s.id for s in found].index(one.id))
    QTest.keyClick(tab.view.table, Qt.Key.Key_Return)
    await wait_until(lambda: tab.detail.sale is not None and tab.detail.sale.id == one.id)
    assert tab.detail.receipt is not None
    assert one.tran_no in tab.detail.receipt.text()

    # ----------------------------------------------------------------------- permissions
    await quiesce()  # nothing left in flight when pytest-qt processes events


@pytest.mark.asyncio
async def test_not_authorized_tabs_explain_the_permission(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    reporting = await connect(sandbox, tmp_path, "demo-reporting")  # no ViewCustomers
    salesperson = await connect(sandbox, tmp_path, "demo-sales")  # no ViewSales
    try:
        customers = CustomersTab(await chicago_context(reporting, tmp_path))
        qtbot.addWidget(customers)
        customers.show()
        assert customers.table.denied
        assert customers.table.panel.isVisible()
        assert "ViewCustomers" in customers.table.panel.text()

        sales = SalesTab(await chicago_context(salesperson, tmp_path))

        qtbot.addWidget(sales)
        sales.show()
        assert sales.table.denied
        assert "ViewSales" in sales.table.panel.text()

        # Without the viewer's permission list, the server's NOT_AUTHORIZED decides.
        context = await chicago_context(salesperson, tmp_path)
        context.viewer = type(context.viewer)(name="unknown")
        blind = SalesTab(context)
        qtbot.addWidget(blind)
        blind.show()
        await wait_until(lambda: blind.table.denied)
        assert "ViewSales" in blind.table.panel.text()
        assert blind.table.panel.isVisible()

        # A salesperson sees customers, but their sales list explains ViewSales.
        allowed = CustomersTab(await chicago_context(salesperson, tmp_path))
        qtbot.addWidget(allowed)
        allowed.show()
        allowed.search_edit.setText(FIXTURES.customer_with_sales_id)
        allowed.search_now()
        await wait_until(lambda: allowed.detail.customer is not None)
        assert allowed.detail.sales.denied
        assert "ViewSales" in allowed.detail.sales.panel.text()
    finally:
        await quiesce()
        await reporting.aclose()
        await salesperson.aclose()


@pytest.mark.asyncio
async def test_permission_limited_results_show_a_note(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    manager = await connect(sandbox, tmp_path, "demo-manager")  # store-bound
    try:
        tab = CustomersTab(await chicago_context(manager, tmp_path))
        qtbot.addWidget(tab)
        tab.show()
        tab.search_edit.setText(FIXTURES.customer_with_sales_name)
        tab.search_now()
        await wait_until(lambda: idle(tab.model) and tab.model.limited_by_permission)
        assert tab.view.banner.isVisible()
        assert "permission" in tab.view.banner.label.text()
        assert not tab.table.denied
    finally:
        await quiesce()
        await manager.aclose()


@pytest.mark.asyncio
async def test_empty_results_say_so(qtbot: QtBot, owner: SessionContext) -> None:
    customers = CustomersTab(owner)
    qtbot.addWidget(customers)
    customers.search_edit.setText("no such customer zz")
    customers.search_now()
    await wait_until(lambda: "No customers match" in customers.detail.placeholder_text)
    assert customers.model.rowCount() == 0
    assert "no such customer zz" in customers.detail.placeholder_text

    sales = SalesTab(owner)
    qtbot.addWidget(sales)
    sales.filters.set_range(DateRange(date(2030, 1, 1), date(2030, 1, 7)))
    sales.search()
    await wait_until(lambda: idle(sales.model) and "No sales" in sales.summary_strip.label.text())
    assert "Jan 1, 2030" in sales.summary_strip.label.text()
    assert sales.view.status.text().startswith("No sales match")
    await quiesce()  # nothing left in flight when pytest-qt processes events


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (FIXTURES.customer_by_member_id, FIXTURES.customer_by_member_id),
        (FIXTURES.customer_by_member_member_id, FIXTURES.customer_by_member_id),
        (FIXTURES.customer_with_sales_member_id, FIXTURES.customer_with_sales_id),
    ],
    ids=["customer_id", "numeric_member_id", "member_id"],
)
async def test_documented_server_finds_customers_by_exact_keys(
    qtbot: QtBot, owner: SessionContext, key: str, expected: str
) -> None:
    without(owner.client, "customer_search")
    tab = CustomersTab(owner)
    qtbot.addWidget(tab)
    assert "no free-text search" in tab.search_edit.placeholderText()
    tab.search_edit.setText(key)
    tab.search_now()
    await wait_until(lambda: tab.detail.customer is not None)
    assert tab.detail.customer is not None
    assert tab.detail.customer.id == expected
    assert tab.model.rowCount() == 1
    await quiesce()  # nothing left in flight when pytest-qt processes events


@pytest.mark.asyncio
async def test_load_all_asks_first_for_long_periods_and_can_stop(
    qtbot: QtBot, owner: SessionContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = SalesTab(owner)  # default period: all dates, newest first
    qtbot.addWidget(tab)
    tab.show()
    await wait_until(lambda: idle(tab.model) and tab.model.rowCount() > 0)
    assert tab.last_query is not None
    assert tab.last_query.dates is None
    ids = [int(tab.model.item(r).id) for r in range(tab.model.rowCount())]
    assert ids == sorted(ids, reverse=True)
    answers: list[str] = []

    def answer(reply: QMessageBox.StandardButton) -> object:
        def ask(*args: object) -> QMessageBox.StandardButton:
            answers.append(str(args[1]))  # (parent, title, text)
            return reply

        return ask

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    tab.summary_strip.load_all.click()
    assert answers == ["Load all sales?"]
    assert not tab.model.loading
    assert not tab.summary.complete

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    tab.summary_strip.load_all.click()
    await wait_until(lambda: tab.summary_strip.load_all.text() == "Stop")
    tab.summary_strip.load_all.click()  # Stop: what was loaded stays
    await wait_until(lambda: not tab.model.loading)
    stopped_at = tab.model.rowCount()
    assert "more sales match" in tab.summary_strip.note.text()
    assert tab.summary.count == stopped_at

    await tab.load_all()  # the programmatic path does not ask
    final = tab.summary  # (a fresh name: mypy keeps the earlier narrowing of tab.summary)
    assert final.complete
    assert len(answers) == 2
    assert not tab.summary_strip.load_all.isVisible()
    await quiesce()  # nothing left in flight when pytest-qt processes events


@pytest.mark.asyncio
async def test_every_interactive_widget_is_named(qtbot: QtBot, owner: SessionContext) -> None:
    from tests.helpers.accessibility import unnamed

    customers = CustomersTab(owner)
    sales = SalesTab(owner)
    for tab in (customers, sales):
        qtbot.addWidget(tab)
    customers.search_edit.setText(FIXTURES.customer_with_sales_id)
    customers.search_now()
    await sales.show_sale(FIXTURES.sale_split_tender_id)
    await wait_until(lambda: customers.detail.customer is not None)
    assert unnamed(customers) == []
    assert unnamed(sales) == []
    await quiesce()  # nothing left in flight when pytest-qt processes events
