"""The Inventory tab against the real sandbox over HTTP: scanner, look-up, search, filters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from posdesk.api.client import PosClient
from posdesk.api.credentials import Credentials
from posdesk.api.profile import ConnectionProfile
from posdesk.domain import Item
from posdesk.models.paged import ToneRole
from posdesk.models.tasks import TaskOwner
from posdesk.sandbox.security import DEMO_CLIENTS
from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from posdesk.ui.inventory.tab import InventoryTab
from tests.helpers.accessibility import unnamed
from tests.helpers.scanner import scan
from tests.helpers.session import connected_context
from tests.helpers.waiting import wait_until


@asynccontextmanager
async def open_tab(
    qtbot: QtBot, sandbox: SandboxServer, client_id: str = "demo-manager", profile: str = "inv"
) -> AsyncIterator[InventoryTab]:
    assert sandbox.info is not None
    credentials = Credentials()
    credentials.set_client_secret(profile, DEMO_CLIENTS[client_id].secret)
    client = await PosClient.connect(
        ConnectionProfile(profile, sandbox.info.base_url, client_id=client_id),
        credentials=credentials,
    )
    tasks = TaskOwner()
    try:
        context = await connected_context(client, profile, tasks=tasks)
        tab = InventoryTab(context)
        qtbot.addWidget(tab)
        tab.resize(1300, 800)
        tab.show()
        await wait_until(lambda: tab.warehouse.count() > 1 or tab.message_kind == "permission")
        yield tab
        await tab.results_model.aclose()
        await tab.runner.aclose()
    finally:
        await tasks.aclose()
        await client.aclose()


def shown(tab: InventoryTab, sku: str) -> bool:
    return tab.detail.item is not None and tab.detail.item.sku == sku


def column_texts(tab: InventoryTab, column: int) -> list[str]:
    model = tab.results_model
    return [model.index(r, column).data() for r in range(model.rowCount())]


def no_dialogs(tab: InventoryTab) -> bool:
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    return not boxes and not tab.context.reporter.seen


@pytest.mark.asyncio
async def test_scanner_burst_with_focus_elsewhere_opens_the_item(
    qtbot: QtBot, sandbox: SandboxServer
) -> None:
    async with open_tab(qtbot, sandbox) as tab:
        assert tab.lookup.hasFocus() or tab.window().focusWidget() is tab.lookup
        tab.warehouse.setFocus()
        before = tab.warehouse.currentIndex()
        scan(tab.warehouse, FIXTURES.ean_barcode)
        await wait_until(lambda: shown(tab, FIXTURES.ean_sku))
        assert tab.warehouse.currentIndex() == before  # keys did not leak into the combo
        assert tab.lookup.text() == FIXTURES.ean_barcode
        assert tab.detail.title.text().startswith(f"{FIXTURES.ean_sku} · Spearmint Gum")
        assert FIXTURES.ean_barcode in tab.detail.barcodes.text()
        assert tab.recent_skus()[0] == FIXTURES.ean_sku
        assert tab.message_kind == ""
        timing = tab.last_timing
        assert timing["scan"] <= timing["request"] <= timing["response"] <= timing["shown"]
        # The stock grid has one row per warehouse, with location names.
        labels = [
            tab.detail.stock_model.index(r, 0).data()
            for r in range(tab.detail.stock_model.rowCount())
        ]
        assert len(labels) == len(tab.detail.item.warehouses) if tab.detail.item else False
        assert any("(WEST)" in label for label in labels)


@pytest.mark.asyncio
async def test_exact_sku_with_enter_opens_item_and_copy_actions(
    qtbot: QtBot, sandbox: SandboxServer
) -> None:
    async with open_tab(qtbot, sandbox) as tab:
        tab.lookup.setFocus()
        tab.lookup.setText(FIXTURES.plain_sku)
        QTest.keyClick(tab.lookup, Qt.Key.Key_Return)
        await wait_until(lambda: shown(tab, FIXTURES.plain_sku))
        tab.activateWindow()
        await wait_until(tab.isActiveWindow)
        QGuiApplication.clipboard().clear()
        ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        QTest.keyClick(tab.lookup, Qt.Key.Key_C, ctrl_shift)  # Copy SKU
        assert QGuiApplication.clipboard().text() == FIXTURES.plain_sku
        details = tab.copy_details()
        assert details.startswith(f"SKU: {FIXTURES.plain_sku}\nName: Peppermint Mints")
        assert QGuiApplication.clipboard().text() == details
        # Low stock in PORTLAND is highlighted (tone "warning" and the word "Low").
        model = tab.detail.stock_model
        row = next(r for r in range(model.rowCount()) if "(PORTLAND)" in model.index(r, 0).data())
        assert model.index(row, 1).data(ToneRole) == "warning"
        assert model.index(row, 6).data() == "Low"
        # Esc clears everything and leaves the focus in the look-up field.
        QTest.keyClick(tab.lookup, Qt.Key.Key_Escape)
        assert tab.lookup.text() == ""
        assert tab.detail.item is None
        assert not tab.copy_sku_action.isEnabled()


@pytest.mark.asyncio
async def test_partial_sku_search_then_keyboard_open(qtbot: QtBot, sandbox: SandboxServer) -> None:
    async with open_tab(qtbot, sandbox) as tab:
        tab.lookup.setFocus()
        tab.lookup.setText("MINTS")
        tab.lookup.textEdited.emit("MINTS")  # as typed: debounced search as you type
        await wait_until(lambda: FIXTURES.plain_sku in column_texts(tab, 0))
        # SKU prefix or a word of the name: every row matches "mints" one way or the other.
        rows = zip(column_texts(tab, 0), column_texts(tab, 1), strict=True)
        assert all(s.startswith("MINTS") or "mints" in n.lower() for s, n in rows)
        assert tab.detail.item is None  # a search does not open anything by itself
        QTest.keyClick(tab.lookup, Qt.Key.Key_Down)
        assert tab.window().focusWidget() is tab.results.table
        row = column_texts(tab, 0).index(FIXTURES.plain_sku)
        tab.results.table.setCurrentIndex(tab.results_model.index(row, 0))
        QTest.keyClick(tab.results.table, Qt.Key.Key_Return)
        await wait_until(lambda: shown(tab, FIXTURES.plain_sku))
        # Ctrl+L comes back to the look-up field (a real shortcut: the window must be active).
        tab.activateWindow()
        await wait_until(tab.isActiveWindow)
        tab.results.table.setFocus()
        QTest.keyClick(tab.results.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        assert tab.window().focusWidget() is tab.lookup
        assert tab.lookup.selectedText() == "MINTS"


@pytest.mark.asyncio
async def test_description_search_and_typed_miss_fall_back_to_the_list(
    qtbot: QtBot, sandbox: SandboxServer
) -> None:
    async with open_tab(qtbot, sandbox) as tab:
        tab.lookup.setFocus()
        tab.lookup.setText("spearmint gum")
        QTest.keyClick(tab.lookup, Qt.Key.Key_Return)  # no exact SKU/barcode: a search
        await wait_until(lambda: FIXTURES.ean_sku in column_texts(tab, 0))
        assert tab.detail.item is None
        assert tab.message_kind == ""
        names = column_texts(tab, 1)
        assert "Spearmint Gum" in names


@pytest.mark.asyncio
async def test_serial_tracked_item_shows_serial_numbers(
    qtbot: QtBot, sandbox: SandboxServer
) -> None:
    async with open_tab(qtbot, sandbox) as tab:
        scan(tab.lookup, FIXTURES.serial_sku)
        await wait_until(lambda: shown(tab, FIXTURES.serial_sku))
        lots = tab.detail.serial_model
        numbers = {lots.index(r, 1).data() for r in range(lots.rowCount())}
        assert set(FIXTURES.serial_numbers) <= numbers
        row = [lots.index(r, 1).data() for r in range(lots.rowCount())].index(
            FIXTURES.serial_numbers[0]
        )
        assert lots.index(row, 2).data() == "Serial"
        assert "Austin" in lots.index(row, 0).data() or lots.index(row, 0).data() == "AUSTIN"
        assert not tab.detail.serial_box.isHidden()
        assert tab.detail.serial_box.title().startswith("Serial numbers (")


@pytest.mark.asyncio
async def test_scanned_barcode_of_a_serial_item_shows_its_serials(
    qtbot: QtBot, sandbox: SandboxServer
) -> None:
    async with open_tab(qtbot, sandbox) as tab:
        scan(tab.lookup, "072968000026")  # the UPC-A printed on TAB-PRO-11
        await wait_until(lambda: shown(tab, FIXTURES.serial_sku))
        lots = tab.detail.serial_model
        numbers = {lots.index(r, 1).data() for r in range(lots.rowCount())}
        assert set(FIXTURES.serial_numbers) <= numbers


@pytest.mark.asyncio
async def test_lot_tracked_item_shows_lots_with_expiry(
    qtbot: QtBot, sandbox: SandboxServer
) -> None:
    async with open_tab(qtbot, sandbox) as tab:
        scan(tab.lookup, FIXTURES.lot_sku)
        await wait_until(lambda: shown(tab, FIXTURES.lot_sku))
        lots = tab.detail.serial_model
        rows = {lots.index(r, 1).data(): r for r in range(lots.rowCount())}
        assert set(FIXTURES.lot_numbers) <= set(rows)
        for number in FIXTURES.lot_numbers:
            assert lots.index(rows[number], 2).data() == "Lot"
            assert lots.index(rows[number], 4).data()  # the expiry date is shown
        assert tab.detail.serial_box.title().startswith("Lot numbers (")


@pytest.mark.asyncio
async def test_warehouse_filter_and_my_store_default(qtbot: QtBot, sandbox: SandboxServer) -> None:
    wh = FIXTURES.out_of_stock_warehouse
    async with open_tab(qtbot, sandbox, profile="inv-filter") as tab:
        tab.warehouse.setCurrentIndex(tab.warehouse.findData(wh))
        tab.lookup.setText("BATT")
        tab.lookup.textEdited.emit("BATT")
        await wait_until(lambda: FIXTURES.out_of_stock_sku in column_texts(tab, 0))
        model = tab.results_model
        assert model.headerData(2, Qt.Orientation.Horizontal) == "Available here"
        row = column_texts(tab, 0).index(FIXTURES.out_of_stock_sku)
        assert model.index(row, 2).data() == "0"
        assert model.index(row, 2).data(ToneRole) == "danger"
        # Every result carries only the chosen warehouse's stock (item(warehouseCode)).
        items: list[Item] = list(model.items())
        assert items
        assert all({s.warehouse_code for s in i.warehouses} == {wh} for i in items)
        tab.set_home_button.click()
    async with open_tab(qtbot, sandbox, profile="inv-filter") as again:
        assert again.current_warehouse == wh  # "my store" remembered for this profile
        scan(again.lookup, FIXTURES.out_of_stock_sku)
        await wait_until(lambda: shown(again, FIXTURES.out_of_stock_sku))
        first = again.detail.stock_model.index(0, 0).data()
        assert first.endswith("— my store")
        assert again.detail.stock_model.index(0, 6).data() == "Out of stock"
    async with open_tab(qtbot, sandbox, profile="inv-other") as other:
        # Another profile keeps its own default: the signed-in user's store, not DENVER.
        assert other.current_warehouse == (other.context.viewer.location_code or "")
        assert other.current_warehouse != wh


@pytest.mark.asyncio
async def test_unknown_code_says_not_found_inline(qtbot: QtBot, sandbox: SandboxServer) -> None:
    async with open_tab(qtbot, sandbox) as tab:
        not_found: list[str] = []
        tab.notFound.connect(not_found.append)
        scan(tab.lookup, "0000000000000")
        await wait_until(lambda: tab.message_kind == "notfound")
        assert not_found == ["0000000000000"]
        assert "Not found" in tab.message.text()
        assert "0000000000000" in tab.message.text()
        assert tab.message.isVisible()
        assert tab.detail.item is None
        assert no_dialogs(tab)
        # Typing a search that matches nothing says so too, and Esc clears the message.
        tab.lookup.setText("zzqx")
        tab.lookup.textEdited.emit("zzqx")
        await wait_until(lambda: "nothing matches" in tab.message.text())
        QTest.keyClick(tab.lookup, Qt.Key.Key_Escape)
        assert tab.message_kind == ""


@pytest.mark.asyncio
async def test_without_view_inventory_the_permission_is_named(
    qtbot: QtBot, sandbox: SandboxServer
) -> None:
    async with open_tab(qtbot, sandbox, client_id="demo-clerk", profile="clerk") as tab:
        assert not tab.context.viewer.can("ViewInventory")
        failures: list[str] = []
        tab.lookupFailed.connect(failures.append)
        tab.clear_message()
        scan(tab.lookup, FIXTURES.plain_sku)
        await wait_until(lambda: failures == ["permission"])
        assert tab.message_kind == "permission"
        assert "ViewInventory" in tab.message.text()
        assert tab.detail.item is None
        assert no_dialogs(tab)


@pytest.mark.asyncio
async def test_recent_lookups_are_keyboard_navigable_and_kept(
    qtbot: QtBot, sandbox: SandboxServer
) -> None:
    async with open_tab(qtbot, sandbox, profile="inv-recent") as tab:
        for code in (FIXTURES.plain_sku, FIXTURES.lot_sku, FIXTURES.plain_sku):
            scan(tab.lookup, code)
            await wait_until(lambda code=code: shown(tab, code))  # type: ignore[misc]
        # Most recent first, no duplicates.
        assert tab.recent_skus()[:2] == [FIXTURES.plain_sku, FIXTURES.lot_sku]
        assert tab.recent_skus().count(FIXTURES.plain_sku) == 1
        tab.clear()
        QTest.keyClick(tab.lookup, Qt.Key.Key_Down)  # no results: Down goes to recent
        assert tab.window().focusWidget() is tab.recent
        QTest.keyClick(tab.recent, Qt.Key.Key_Down)
        assert tab.recent.currentRow() == 1
        QTest.keyClick(tab.recent, Qt.Key.Key_Return)
        await wait_until(lambda: shown(tab, FIXTURES.lot_sku))
        QTest.keyClick(tab.recent, Qt.Key.Key_Escape)  # back to the look-up field
        assert tab.window().focusWidget() is tab.lookup
        tab.save_state()
    async with open_tab(qtbot, sandbox, profile="inv-recent") as again:
        assert again.recent_skus()[:2] == [FIXTURES.lot_sku, FIXTURES.plain_sku]


@pytest.mark.asyncio
async def test_scan_while_the_result_list_has_focus(qtbot: QtBot, sandbox: SandboxServer) -> None:
    async with open_tab(qtbot, sandbox) as tab:
        tab.lookup.setText("mints")
        tab.lookup.textEdited.emit("mints")
        await wait_until(lambda: tab.results_model.rowCount() > 0)
        QTest.keyClick(tab.lookup, Qt.Key.Key_Down)
        assert tab.window().focusWidget() is tab.results.table
        scan(tab.results.table, FIXTURES.serial_sku)
        await wait_until(lambda: shown(tab, FIXTURES.serial_sku))
        assert tab.results.table.currentIndex().row() == 0  # keys did not move the list


@pytest.mark.asyncio
async def test_interactive_widgets_are_named(qtbot: QtBot, sandbox: SandboxServer) -> None:
    async with open_tab(qtbot, sandbox) as tab:
        scan(tab.lookup, FIXTURES.lot_sku)
        await wait_until(lambda: shown(tab, FIXTURES.lot_sku))
        assert unnamed(tab) == []
