"""Scenes of the Inventory tab: a look-up with results and detail, a serial-tracked item's
stock grid with its serial numbers, and an unknown scanned code ("not found")."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from posdesk.sandbox.seed import FIXTURES
from posdesk.ui.inventory.tab import InventoryTab
from shots import Scene, ShotContext


async def _tab(ctx: ShotContext) -> InventoryTab:
    tab = await ctx.show_tab("inventory")
    assert isinstance(tab, InventoryTab)
    await ctx.wait_until(lambda: tab.warehouse.count() > 1)
    tab.clear()
    return tab


def _scan(tab: InventoryTab, code: str) -> None:
    """Type the code the way a keyboard-wedge scanner does (into whatever has focus)."""
    target = tab.window().focusWidget() or tab.lookup
    QTest.keyClicks(target, code)
    QTest.keyClick(target, Qt.Key.Key_Return)


async def lookup(ctx: ShotContext) -> QWidget | None:
    tab = await _tab(ctx)
    tab.lookup.setFocus()
    tab.lookup.setText("mints")
    tab.lookup.textEdited.emit("mints")
    await ctx.wait_until(lambda: tab.results_model.rowCount() > 0)
    _scan(tab, FIXTURES.plain_upc)
    await ctx.wait_until(lambda: tab.detail.item is not None)
    await ctx.settle(0.8)
    return None


async def serials(ctx: ShotContext) -> QWidget | None:
    tab = await _tab(ctx)
    tab.warehouse.setFocus()
    _scan(tab, FIXTURES.serial_sku)
    await ctx.wait_until(lambda: tab.detail.item is not None)
    await ctx.settle(0.8)
    return None


async def not_found(ctx: ShotContext) -> QWidget | None:
    tab = await _tab(ctx)
    _scan(tab, "0799999999991")
    await ctx.wait_until(lambda: tab.message_kind == "notfound")
    await ctx.settle(0.3)
    return None


SCENES = [
    Scene("inventory-lookup", lookup, (1440, 860)),
    Scene("inventory-serials", serials, (1440, 860)),
    Scene("inventory-not-found", not_found, (1280, 720)),
]
