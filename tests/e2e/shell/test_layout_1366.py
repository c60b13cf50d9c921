"""Every tab at 1366×768 (a common back-office laptop), fresh settings, against the sandbox:
the columns a manager reads (names, figures, status) are fully inside the table's viewport —
no scrolling sideways — and no such column is cut to "…" (issue 12, the 1366×768 bullet)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from posdesk.domain import GiftCardCodeType
from posdesk.sandbox.seed import FIXTURES
from posdesk.ui.customers.tab import CustomersTab
from posdesk.ui.giftcards.tab import GiftCardsTab
from posdesk.ui.inventory.tab import InventoryTab
from posdesk.ui.sales.tab import SalesTab
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.shell.main_window import MainWindow
from tests.helpers.sales import idle
from tests.helpers.session import quiesce
from tests.helpers.waiting import wait_until

SIZE = (1366, 768)
CELL_MARGIN = 6  # Qt's item text margins (3 px each side in the Fusion style)


def titles(table: QTableView) -> list[str]:
    model = table.model()
    return [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())]


def column(table: QTableView, title: str) -> int:
    return titles(table).index(title)


def outside_viewport(table: QTableView, wanted: Sequence[str]) -> list[str]:
    """Titles of ``wanted`` columns that start left of, or end right of, the visible area."""
    header = table.horizontalHeader()
    width = table.viewport().width()
    bad = []
    for title in wanted:
        c = column(table, title)
        left = header.sectionViewportPosition(c)
        if header.isSectionHidden(c) or left < 0 or left + header.sectionSize(c) > width:
            bad.append(f"{title}: {left}+{header.sectionSize(c)} of {width}")
    return bad


def elided(table: QTableView, wanted: Sequence[str]) -> list[str]:
    """Cells (and titles) of ``wanted`` columns whose text is wider than the column."""
    model, header = table.model(), table.horizontalHeader()
    metrics = table.fontMetrics()
    bad = []
    for title in wanted:
        c = column(table, title)
        room = header.sectionSize(c) - CELL_MARGIN
        texts = [str(model.index(r, c).data() or "") for r in range(min(model.rowCount(), 50))]
        bad += [f"{title}: {t!r}" for t in texts if metrics.horizontalAdvance(t) > room]
        if header.fontMetrics().horizontalAdvance(title) > header.sectionSize(c):
            bad.append(f"title {title!r}")
    return bad


def no_sideways_scroll(table: QTableView) -> bool:
    bar = table.horizontalScrollBar()
    return bar.maximum() == 0 or not bar.isVisible()


@pytest.mark.asyncio
async def test_key_columns_of_every_tab_fit_at_1366x768(
    qtbot: QtBot, owner: SessionContext
) -> None:
    window = MainWindow(QSettings(), reporter=owner.reporter)
    qtbot.addWidget(window)
    window.resize(*SIZE)
    window.show()
    window.set_session(owner)

    # Customers: who, how to reach them, and their sales' totals in the detail pane.
    customers = window.open_tab("customers")
    assert isinstance(customers, CustomersTab)
    await wait_until(lambda: idle(customers.model) and customers.model.rowCount() > 0)
    wanted = ["Name", "Member id", "Status", "Phone", "E-mail"]
    assert outside_viewport(customers.view.table, wanted) == []
    assert elided(customers.view.table, ["Name", "Member id", "Status", "Phone"]) == []
    sales_of_customer = customers.detail.sales.view.table
    await wait_until(lambda: sales_of_customer.model().rowCount() > 0)
    assert outside_viewport(sales_of_customer, ["Date", "Location", "Total"]) == []

    # Inventory: a search list (name stretches) and a serial item whose stock grid has an
    # out-of-stock warehouse (the longest status text).
    inventory = window.open_tab("inventory")
    assert isinstance(inventory, InventoryTab)
    await wait_until(lambda: inventory.warehouse.count() > 1)
    inventory.lookup.setText("mints")
    inventory.lookup.textEdited.emit("mints")
    await wait_until(lambda: inventory.results_model.rowCount() > 0)
    await wait_until(lambda: idle(inventory.results_model))
    results = inventory.results.table
    wanted = ["SKU", "Name", "Available (all)", "Price"]
    assert outside_viewport(results, wanted) == []
    assert elided(results, wanted) == []
    inventory.lookup_exact(FIXTURES.serial_sku)
    await wait_until(lambda: inventory.detail.item is not None)
    stock = inventory.detail.stock_view
    figures = ["Available", "On hand", "Reorder at", "Price", "Status"]
    assert outside_viewport(stock, ["Warehouse", *figures]) == []
    assert elided(stock, figures) == []
    assert any(
        "Out of stock" in str(stock.model().index(r, column(stock, "Status")).data())
        for r in range(stock.model().rowCount())
    )
    assert no_sideways_scroll(stock)

    # Sales: the default period (all dates) fills the table; the detail pane keeps its room.
    sales = window.open_tab("sales")
    assert isinstance(sales, SalesTab)
    await wait_until(lambda: idle(sales.model) and sales.model.rowCount() > 0)
    table = sales.view.table
    wanted = ["Date", "Location", "Register", "Tran no", "Tender", "Items", "Total", "Sale id"]
    assert outside_viewport(table, [*wanted, "Customer"]) == []
    assert elided(table, wanted) == []
    assert no_sideways_scroll(table)

    # Gift Cards: a card with history; amount and status in view.
    cards = window.open_tab("giftcards")
    assert isinstance(cards, GiftCardsTab)
    cards.code_type.setCurrentIndex(cards.code_type.findData(GiftCardCodeType.PHYSICAL.value))
    cards.code_edit.setText(FIXTURES.gc_history_code)
    task = cards.lookup()
    assert task is not None
    await task
    trans = cards.view.trans_table
    await wait_until(lambda: trans.model().rowCount() > 0)
    wanted = ["Date", "Type", "Amount", "Status"]
    assert outside_viewport(trans, wanted) == []
    assert elided(trans, wanted) == []
    window.set_session(None)
    await quiesce()
