"""The paged model over the real client and sandbox: paging, a search that supersedes a slow
page, an error then Retry, and export of all rows."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from pytestqt.qtbot import QtBot

from posdesk.api.client import PosClient
from posdesk.domain import Customer, Page
from posdesk.models.paged import PagedTableModel
from posdesk.models.sales import customer_columns
from posdesk.sandbox.server import SandboxServer
from posdesk.ui.shell.errors import ErrorReporter
from posdesk.ui.widgets.paged_view import PagedTableView
from tests.api.helpers import connect
from tests.helpers.waiting import wait_until


@pytest_asyncio.fixture
async def client(sandbox: SandboxServer, tmp_path: Path) -> AsyncIterator[PosClient]:
    client = await connect(sandbox, tmp_path)
    yield client
    await client.aclose()


def customers(client: PosClient, search: str | None = None):  # type: ignore[no-untyped-def]
    async def fetch(skip: int, first: int) -> Page[Customer]:
        return await client.customers(search=search, skip=skip, first=first)

    return fetch


@pytest.mark.asyncio
async def test_search_supersedes_a_slow_page_and_retry_recovers(
    qtbot: QtBot, sandbox: SandboxServer, client: PosClient, tmp_path: Path
) -> None:
    view = PagedTableView("customers", reporter=ErrorReporter(show_dialogs=False))
    qtbot.addWidget(view)
    model: PagedTableModel[Customer] = PagedTableModel(
        customer_columns(), customers(client), page_size=20
    )
    view.setModel(model)
    view.show()
    await wait_until(lambda: model.rowCount() == 20)
    # A slow page is in flight when the user searches: its answer must not land.
    sandbox.faults.latency_ms = 400
    model.fetchMore()
    assert model.loading
    await asyncio.sleep(0.05)
    sandbox.faults.latency_ms = 0
    model.set_fetch(customers(client, "Daniels"))
    await wait_until(lambda: not model.loading)
    await asyncio.sleep(0.5)  # the superseded answer has arrived by now (and was dropped)
    names = [model.item(r).full_name or "" for r in range(model.rowCount())]
    assert names
    assert all("daniels" in n.lower() for n in names), names
    # The server fails the next request: inline error; Retry loads the page.
    model.set_fetch(customers(client))
    await wait_until(lambda: model.rowCount() == 20 and not model.loading)
    sandbox.faults.error_kind = "500"
    sandbox.faults.fail_next = 1
    model.fetchMore()
    await wait_until(lambda: model.error is not None, 20)
    assert view.banner.isVisible()
    assert "HTTP 500" in view.banner.label.text()
    view.banner.button.click()
    await wait_until(lambda: model.rowCount() == 40)
    assert not view.banner.isVisible()
    # Export every row matching a search, paging to the end.
    model.set_fetch(customers(client, "an"))
    await wait_until(lambda: model.rowCount() > 0 and not model.loading)
    out = tmp_path / "customers.csv"
    await view.start_export(out, all_rows=True)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == model.columns[0].title
    assert len(rows) - 1 == model.rowCount()
    assert not model.has_more
