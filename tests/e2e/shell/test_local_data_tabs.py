"""The tabs on local data, as a new user would try them against a server with only the
documented API (``SandboxServer(api="documented")``: no search, no sale filters): find a
customer by part of the last name and by a phone typed with punctuation, open their sales,
find an item by a word of its description, filter sales by register — and keep working when
the server goes away, then come back on their own when it returns (no restart).

The session is built as the shell builds it (client, context, ``LocalData`` on a mirror file
in the scope folder, one sync pass) on a private documented sandbox with a database file on a
fixed port, so the offline test can stop the server and start a new one on the same port.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
import pytest_asyncio
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from posdesk.api.client import PosClient
from posdesk.models.local_data import LocalData
from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from posdesk.store.scope import LocalScope, ScopedData
from posdesk.ui.common.tables import TZ_EXTRA
from posdesk.ui.customers.tab import CustomersTab
from posdesk.ui.giftcards.tab import GiftCardsTab
from posdesk.ui.inventory.tab import InventoryTab
from posdesk.ui.sales.tab import SalesTab
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.shell.main_window import MainWindow
from tests.api.helpers import connect
from tests.helpers.restartable import Restartable
from tests.helpers.sales import CHICAGO, chicago_context, idle
from tests.helpers.session import quiesce, session_context
from tests.helpers.waiting import wait_until

F = FIXTURES
W = TypeVar("W", bound=QWidget)


@pytest.fixture(scope="module")
def documented(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Restartable]:
    holder = Restartable.started(
        tmp_path_factory.mktemp("documented") / "pos.sqlite3", "documented"
    )
    yield holder
    holder.stop()


async def open_local_data(client: PosClient, tmp_path: Path) -> LocalData:
    """The scope's mirror file, one full sync pass (as after sign-in)."""
    scoped = ScopedData(LocalScope(client.issuer, "client:posdesk-demo"), tmp_path / "scope")
    local_data = await LocalData.open(client, scoped)
    progress = await local_data.sync.sync_once()
    assert all(p.error is None for p in progress.values() if p.mode != "off"), progress
    return local_data


@pytest_asyncio.fixture
async def session(documented: Restartable, tmp_path: Path) -> AsyncIterator[SessionContext]:
    client = await connect(documented.sandbox, tmp_path, "posdesk-demo")
    assert "customer_search" not in client.features
    assert "sale_search" not in client.features
    # no `viewer` on a documented server: the shell then knows no permissions (as here)
    context = session_context(
        client,
        environment=await client.environment(),
        profile_name=f"documented-{tmp_path.name}",
        extras={TZ_EXTRA: CHICAGO},
    )
    context.local_data = await open_local_data(client, tmp_path)
    yield context
    await quiesce()
    await context.local_data.aclose()
    await client.aclose()


def shell(qtbot: QtBot, context: SessionContext) -> MainWindow:
    window = MainWindow(QSettings(), reporter=context.reporter)
    qtbot.addWidget(window)
    window.show()
    window.set_session(context)
    return window


@pytest.fixture
def window(qtbot: QtBot, session: SessionContext) -> Iterator[MainWindow]:
    """The main window on the documented session (tabs built as the user opens them)."""
    main = shell(qtbot, session)
    yield main
    main.set_session(None)


def tab(window: MainWindow, key: str, kind: type[W]) -> W:
    widget = window.open_tab(key)
    assert isinstance(widget, kind)
    return widget


async def customer_ids(customers: CustomersTab, text: str) -> list[str]:
    customers.search_edit.setText(text)
    customers.search_now()
    await wait_until(lambda: idle(customers.model) and customers.last_search == text)
    return [customers.model.item(r).id for r in range(customers.model.rowCount())]


@pytest.mark.asyncio
async def test_documented_server_find_customer_by_name_and_phone_then_their_sales(
    window: MainWindow, session: SessionContext
) -> None:
    customers = tab(window, "customers", CustomersTab)
    last = F.customer_with_sales_name.split()[-1]
    assert F.customer_with_sales_id in await customer_ids(customers, last[:5].lower())
    # a phone typed as people write it: "(512) 555-0148", stored as +15125550148
    digits = F.customer_with_sales_phone_norm[-10:]
    typed = f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    assert await customer_ids(customers, typed) == [F.customer_with_sales_id]
    # online, the answer came from local data: said quietly, not as a warning
    assert customers.note.isVisible()
    assert customers.note.label.text().startswith("From local data as of ")
    await wait_until(lambda: customers.detail.customer is not None)
    sales = customers.detail.sales_model
    await wait_until(lambda: idle(sales) and sales.rowCount() > 0)
    await sales.fetch_all()
    assert sales.rowCount() >= F.customer_with_sales_sale_count
    # "Open in Sales tab": every sale of this customer, from the mirror
    customers.detail.open_in_sales.click()
    sales_tab = window.current_tab()
    assert isinstance(sales_tab, SalesTab)
    await wait_until(lambda: idle(sales_tab.model) and sales_tab.model.rowCount() > 0)
    await sales_tab.model.fetch_all()
    rows = [sales_tab.model.item(r) for r in range(sales_tab.model.rowCount())]
    assert {s.customer_id for s in rows} == {F.customer_with_sales_id}
    assert len(rows) == sales.rowCount()


@pytest.mark.asyncio
async def test_documented_server_item_by_description_word_and_sales_by_register(
    window: MainWindow, session: SessionContext
) -> None:
    inventory = tab(window, "inventory", InventoryTab)
    gum = await session.client.lookup_item(F.ean_sku)
    assert gum is not None
    word = next(w for w in (gum.name or "").split() if len(w) > 3)
    inventory.lookup.setText(word.lower())
    inventory.lookup.commit()
    model = inventory.results_model
    await wait_until(lambda: idle(model) and model.rowCount() > 0)
    assert F.ean_sku in [model.item(r).sku for r in range(model.rowCount())]

    sales_tab = tab(window, "sales", SalesTab)
    filters = sales_tab.filters
    # the documented server cannot filter by register; the mirror can, so the filter is on
    await wait_until(lambda: filters.register.isEnabled() and filters.register.count() > 1)
    assert filters.tran_no.isEnabled()
    assert filters.time_of_day.isEnabled()
    register = str(filters.register.itemData(1))
    filters.set_register(register)
    sales_tab.search()
    await wait_until(lambda: idle(sales_tab.model) and sales_tab.model.rowCount() > 0)
    shown = {sales_tab.model.item(r).register_code for r in range(sales_tab.model.rowCount())}
    assert shown == {register}
    # and the time of day: evening sales only (local clock of the store's zone)
    filters.time_of_day.setCurrentIndex(filters.time_of_day.findText("Evening (17–22)"))
    sales_tab.search()
    await wait_until(lambda: idle(sales_tab.model) and sales_tab.model.rowCount() > 0)
    assert sales_tab.last_query is not None
    assert sales_tab.last_query.time_of_day is not None


@pytest.mark.asyncio
async def test_extended_server_store_filter_from_the_mirror(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """On a server whose sales name their store, the store filter answers from the mirror."""
    client = await connect(sandbox, tmp_path, "posdesk-demo")
    context = await chicago_context(client, tmp_path)
    local_data = context.local_data = await open_local_data(client, tmp_path)
    try:
        window = shell(qtbot, context)
        sales_tab = tab(window, "sales", SalesTab)
        await wait_until(lambda: sales_tab.filters.location.count() > 1)
        sales_tab.filters.set_location(F.boundary_store)
        sales_tab.search()
        model = sales_tab.model
        await wait_until(lambda: idle(model) and model.rowCount() > 0)
        assert sales_tab.fetch is not None
        assert sales_tab.fetch.from_local
        assert {model.item(r).location_code for r in range(model.rowCount())} == {F.boundary_store}
        window.set_session(None)
    finally:
        await quiesce()
        await local_data.aclose()
        await client.aclose()


@pytest.mark.asyncio
async def test_offline_tabs_read_local_data_money_off_then_back_without_restart(
    window: MainWindow, documented: Restartable, session: SessionContext
) -> None:
    local_data = session.local_data
    assert local_data is not None
    local_data.probe_interval = 0.3  # the app probes every ~12 s; the test need not wait
    cards = tab(window, "giftcards", GiftCardsTab)
    assert cards.issue_button.isEnabled()

    documented.stop()
    try:
        # the user opens a sale: its detail is re-read from the server, which is gone
        sales_tab = tab(window, "sales", SalesTab)
        await wait_until(lambda: idle(sales_tab.model) and sales_tab.model.rowCount() > 0)
        first = sales_tab.model.item(0)
        await sales_tab.open_sale(first.id)
        assert not local_data.online
        assert sales_tab.detail.sale is not None
        assert sales_tab.detail.sale.id == first.id
        offline = "Offline — local data as of "
        assert sales_tab.note.isVisible()
        assert sales_tab.note.label.text().startswith(offline)
        assert window.connection_label.text().startswith(f"○ {offline}")
        assert not window.record_purchase_action.isEnabled()
        assert "needs it" in window.record_purchase_action.toolTip()

        customers = tab(window, "customers", CustomersTab)
        assert F.customer_with_sales_id in await customer_ids(customers, "delgado")
        assert customers.note.label.text().startswith(offline)

        inventory = tab(window, "inventory", InventoryTab)
        assert inventory.note.label.text().startswith(offline)
        # the counter's exact look-up answers from the mirror now (the documented Item
        # carries no barcodes, so by SKU here)
        looked_up = inventory.lookup_exact(F.ean_sku)
        assert looked_up is not None
        await looked_up
        assert inventory.detail.item is not None
        assert inventory.detail.item.sku == F.ean_sku

        tab(window, "giftcards", GiftCardsTab)
        for button in cards.money_buttons():
            assert not button.isEnabled()
            assert "cannot be reached" in button.toolTip()
        assert cards.why_label.text().startswith(offline)
    finally:
        documented.start()  # same port, same database file

    await wait_until(lambda: local_data.online, 30)
    assert not cards.why_label.text().startswith("Offline")
    assert cards.issue_button.isEnabled()
    assert window.record_purchase_action.isEnabled()
    assert window.connection_label.text() == "● Connected"
    tab(window, "sales", SalesTab)
    assert not sales_tab.note.label.text().startswith("Offline")
