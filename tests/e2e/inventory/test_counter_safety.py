"""Counter safety: after a miss or a failed look-up, no price or stock of the previous item
can be read as current (issue 12, item 3). Real sandbox over HTTP."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from posdesk.ui.inventory.tab import InventoryTab
from tests.e2e.inventory.test_tab import open_tab, shown
from tests.helpers.scanner import scan
from tests.helpers.waiting import wait_until

UNKNOWN = "0400000000017"


def visible_texts(tab: InventoryTab) -> list[str]:
    """Every label text a person at the counter could read in the tab right now."""
    return [label.text() for label in tab.findChildren(QLabel) if label.isVisible()]


def old_item_readable(tab: InventoryTab, name: str, price: str) -> bool:
    detail = tab.detail
    texts = " ".join(visible_texts(tab))
    return (
        detail.isVisible()
        or name in texts
        or price in texts
        or (detail.stock_view.isVisible() and detail.stock_model.rowCount() > 0)
    )


@pytest.mark.asyncio
async def test_unknown_scan_after_a_known_one_clears_the_old_item(
    qtbot: QtBot, sandbox: SandboxServer
) -> None:
    async with open_tab(qtbot, sandbox) as tab:
        scan(tab.lookup, FIXTURES.plain_sku)
        await wait_until(lambda: shown(tab, FIXTURES.plain_sku))
        price = tab.detail.price.text()
        name = tab.detail.title.text()
        assert price
        assert tab.detail.price.isVisible()
        assert tab.detail.stock_model.rowCount() > 0

        scan(tab.lookup, UNKNOWN)
        await wait_until(lambda: tab.message_kind == "notfound")

        assert UNKNOWN in tab.message.text()
        assert tab.message.isVisible()
        assert tab.detail.item is None
        assert not old_item_readable(tab, name, price)
        assert tab.detail.price.text() == ""
        assert tab.detail.title.text() == ""
        assert tab.detail.stock_model.rowCount() == 0
        assert tab.placeholder.isVisible()
        assert UNKNOWN in tab.placeholder.text()
        assert not tab.copy_sku_action.isEnabled()  # nothing to copy as if current


@pytest.mark.asyncio
async def test_failed_look_up_after_a_known_one_clears_the_old_item(
    qtbot: QtBot, sandbox: SandboxServer
) -> None:
    async with open_tab(qtbot, sandbox) as tab:
        scan(tab.lookup, FIXTURES.ean_barcode)
        await wait_until(lambda: shown(tab, FIXTURES.ean_sku))
        price, name = tab.detail.price.text(), tab.detail.title.text()
        failures: list[str] = []
        tab.lookupFailed.connect(failures.append)

        # The catalogue page loads after the item: let it finish, so the fault below hits
        # the look-up and not that request.
        await wait_until(lambda: "Loading" not in tab.detail.catalogue.toPlainText())
        sandbox.faults.fail_next = 1  # the server answers 500 to the next request
        sandbox.faults.error_kind = "500"
        tab.lookup_exact(FIXTURES.plain_sku)
        await wait_until(lambda: failures == ["error"], limit=30)

        assert tab.message.isVisible()
        assert tab.detail.item is None
        assert not old_item_readable(tab, name, price)


@pytest.mark.asyncio
async def test_typed_code_that_is_no_item_clears_the_old_item(
    qtbot: QtBot, sandbox: SandboxServer
) -> None:
    async with open_tab(qtbot, sandbox) as tab:
        scan(tab.lookup, FIXTURES.plain_sku)
        await wait_until(lambda: shown(tab, FIXTURES.plain_sku))
        price, name = tab.detail.price.text(), tab.detail.title.text()
        tab.lookup.setText("zzqx-no-such")
        tab.lookup_exact("zzqx-no-such")
        await wait_until(lambda: tab.message_kind == "notfound")
        assert "zzqx-no-such" in tab.message.text()
        assert not old_item_readable(tab, name, price)
