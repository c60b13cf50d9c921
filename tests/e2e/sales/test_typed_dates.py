"""A typed period reaches the server (issue 12, item 5): key clicks "3/1/2024" into the Sales
tab's From field, Enter, and the sales query sent to the sandbox covers exactly that local day
onwards; the rows shown are the sandbox's own answer for that period."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from posdesk.domain import SaleFilter
from posdesk.models.date_range import DateRange, Preset
from posdesk.ui.sales.tab import SalesTab
from posdesk.ui.shell.context import SessionContext
from tests.helpers.dates import type_date, us_locale
from tests.helpers.sales import CHICAGO, all_sales, idle
from tests.helpers.session import quiesce
from tests.helpers.waiting import wait_until

__all__ = ["us_locale"]  # the fixture, shared with other tests


pytestmark = pytest.mark.usefixtures("us_locale")


@pytest.mark.asyncio
async def test_typed_dates_are_the_period_sent_to_the_server(
    qtbot: QtBot, owner: SessionContext
) -> None:
    client = owner.client
    sent: list[SaleFilter] = []
    real_sales = client.sales

    async def recording_sales(sale_filter: SaleFilter, *args: Any, **kwargs: Any) -> Any:
        sent.append(sale_filter)
        return await real_sales(sale_filter, *args, **kwargs)

    client.sales = recording_sales  # type: ignore[method-assign,assignment]
    try:
        tab = SalesTab(owner)
        qtbot.addWidget(tab)
        tab.show()
        await wait_until(lambda: idle(tab.model) and bool(sent))
        index = tab.filters.preset.findData(Preset.CUSTOM.value)
        tab.filters.preset.setCurrentIndex(index)
        type_date(tab.filters.to_date.edit, "3/31/2024")
        type_date(tab.filters.from_date.edit, "3/1/2024")  # Enter in the field searches now
        period = DateRange(date(2024, 3, 1), date(2024, 3, 31))
        start, end = period.instants(CHICAGO)
        await wait_until(lambda: bool(sent) and sent[-1].from_time == start)
        await wait_until(lambda: idle(tab.model))
        assert tab.last_query is not None
        assert tab.last_query.dates == period
        assert (sent[-1].from_time, sent[-1].to_time) == (start, end)
        assert start.isoformat() == "2024-03-01T06:00:00+00:00"  # Chicago midnight, in UTC
        await tab.load_all()
        shown = [tab.model.item(r).id for r in range(tab.model.rowCount())]
        client.sales = real_sales  # type: ignore[method-assign]
        expected = await all_sales(client, SaleFilter(from_time=start, to_time=end))
        assert shown  # the demo seed has sales in March 2024
        assert sorted(shown) == sorted(s.id for s in expected)
    finally:
        client.sales = real_sales  # type: ignore[method-assign]
        await quiesce()
