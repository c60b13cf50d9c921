"""Scenes of the Customers and Sales tabs: populated, empty result, error banner."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QWidget

from posdesk.models.date_range import DateRange
from posdesk.sandbox.seed import FIXTURES
from shots import Scene, ShotContext

SIZE = (1440, 860)


async def _customers(ctx: ShotContext, text: str) -> Any:
    tab: Any = await ctx.show_tab("customers")
    tab.search_edit.setText(text)
    tab.search_now()
    await ctx.settle(0.2)
    return tab


async def customers(ctx: ShotContext) -> QWidget | None:
    tab = await _customers(ctx, FIXTURES.customer_with_sales_name)
    await ctx.wait_until(lambda: tab.detail.customer is not None)
    await ctx.settle()
    return None


async def customers_empty(ctx: ShotContext) -> QWidget | None:
    await _customers(ctx, "no such customer zz")
    return None


def _faults(ctx: ShotContext) -> Any:
    return ctx.controller.demo.server.faults


async def customers_error(ctx: ShotContext) -> QWidget | None:
    _faults(ctx).fail_next = 1
    try:
        tab = await _customers(ctx, "Whitfield")
        await ctx.wait_until(lambda: tab.model.error is not None)
        await ctx.settle()
    finally:
        _faults(ctx).reset()
    return None


async def _sales(ctx: ShotContext, dates: DateRange | None, location: str | None) -> Any:
    tab: Any = await ctx.show_tab("sales")
    await ctx.wait_until(lambda: tab.filters.location.count() > 1)
    tab.filters.customer.clear()
    tab.filters.tran_no.clear()
    tab.filters.set_range(dates)
    tab.filters.set_location(location)
    tab.search()
    await ctx.settle(0.2)
    return tab


async def sales(ctx: ShotContext) -> QWidget | None:
    period = DateRange(date(2024, 3, 1), date(2024, 3, 31))
    tab = await _sales(ctx, period, FIXTURES.boundary_store)
    tab.view.table.selectRow(3)
    tab.open_sale(tab.model.item(3).id)
    await ctx.wait_until(lambda: tab.detail.sale is not None)
    await ctx.settle()
    return None


async def sales_split_tender(ctx: ShotContext) -> QWidget | None:
    tab = await _sales(ctx, None, None)
    await tab.show_sale(FIXTURES.sale_split_tender_id)
    await ctx.settle()
    return None


async def sales_empty(ctx: ShotContext) -> QWidget | None:
    tab = await _sales(ctx, DateRange(date(2030, 1, 1), date(2030, 1, 7)), None)
    tab.detail.show_message("Select a sale to see its lines, tenders and totals.")
    await ctx.settle()
    return None


async def sales_error(ctx: ShotContext) -> QWidget | None:
    _faults(ctx).fail_next = 1
    try:
        tab = await _sales(ctx, DateRange(date(2024, 4, 1), date(2024, 4, 30)), None)
        await ctx.wait_until(lambda: tab.model.error is not None)
        await ctx.settle()
    finally:
        _faults(ctx).reset()
    return None


SCENES = [
    Scene("customers", customers, SIZE),
    Scene("customers-empty", customers_empty, SIZE),
    Scene("customers-error", customers_error, SIZE),
    Scene("sales", sales, SIZE),
    Scene("sales-split-tender", sales_split_tender, SIZE),
    Scene("sales-empty", sales_empty, SIZE),
    Scene("sales-error", sales_error, SIZE),
]
