"""Paged model: Qt model contract, scroll-to-load, stale answers, errors and Retry."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from PySide6.QtCore import QLocale, QModelIndex, Qt
from pytestqt.qtbot import QtBot

from posdesk.domain import Page
from posdesk.models.formatting import Formatter
from posdesk.models.paged import ItemRole, PagedTableModel, SortRole, ToneRole
from tests.helpers.paging import (
    COLUMNS,
    ExpectedError,
    FakeServer,
    Row,
    busy,
    make_rows,
    release_next,
    wait_loaded,
)


@pytest.mark.asyncio
async def test_qtmodeltester_on_a_loaded_model(qtmodeltester: object) -> None:
    server = FakeServer(250)
    model = PagedTableModel(COLUMNS, server.fetch, page_size=100)
    model.fetchMore()
    await wait_loaded(model)
    model.fetchMore()
    await wait_loaded(model)
    assert model.rowCount() == 200
    qtmodeltester.check(model)  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_pages_load_one_at_a_time_and_stop_at_the_end() -> None:
    server = FakeServer(250, hold=True)
    model = PagedTableModel(COLUMNS, server.fetch, page_size=100)
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    assert model.canFetchMore()
    model.fetchMore()
    assert model.loading
    assert not model.canFetchMore()  # in flight: the view must not ask again
    model.fetchMore()  # ignored
    await asyncio.sleep(0)
    assert server.calls == [(0, 100)]
    while busy(model):
        await release_next(server)
        await wait_loaded(model)
        model.fetchMore()
    assert inserted == [(0, 99), (100, 199), (200, 249)]
    assert server.calls == [(0, 100), (100, 100), (200, 100)]
    assert not model.canFetchMore()
    assert model.item(249).n == 249


@pytest.mark.asyncio
async def test_scrolling_the_view_loads_more(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QTableView

    server = FakeServer(1000)
    model = PagedTableModel(COLUMNS, server.fetch, page_size=50)
    view = QTableView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.setModel(model)
    view.show()
    model.fetchMore()
    await wait_loaded(model)
    assert model.rowCount() == 50
    for _ in range(3):
        view.scrollToBottom()
        view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
        await asyncio.sleep(0.02)
        await wait_loaded(model)
    assert model.rowCount() >= 150


@pytest.mark.asyncio
async def test_a_new_search_drops_the_stale_answer() -> None:
    old = FakeServer(100, hold=True)
    new = FakeServer(3)
    model = PagedTableModel(COLUMNS, old.fetch)
    model.fetchMore()
    await asyncio.sleep(0)
    assert model.loading
    generation = model.generation
    model.set_fetch(new.fetch)
    assert model.generation == generation + 1
    await wait_loaded(model)
    assert [model.item(i).n for i in range(model.rowCount())] == [0, 1, 2]
    assert old.gates[0].cancelled()  # the old request was cancelled, silently


@pytest.mark.asyncio
async def test_an_answer_that_ignores_cancellation_is_still_dropped() -> None:
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    stale = make_rows(5)

    async def stubborn(skip: int, first: int) -> Page[Row]:
        try:
            await gate
        except asyncio.CancelledError:
            await asyncio.sleep(0.01)  # finishes anyway, like a shielded request
        return Page(stale, has_more=False)

    fresh = FakeServer(2)
    model = PagedTableModel(COLUMNS, stubborn)
    model.fetchMore()
    await asyncio.sleep(0)
    model.set_fetch(fresh.fetch)
    await asyncio.sleep(0.05)
    await wait_loaded(model)
    assert model.rowCount() == 2


@pytest.mark.asyncio
async def test_error_is_state_and_retry_loads_the_same_page() -> None:
    server = FakeServer(150)
    model = PagedTableModel(COLUMNS, server.fetch, page_size=100)
    errors: list[str] = []
    model.errorChanged.connect(errors.append)
    model.fetchMore()
    await wait_loaded(model)
    server.fail_next = ExpectedError()
    model.fetchMore()
    await wait_loaded(model)
    assert errors == ["The server is not reachable."]
    assert model.error_text == "The server is not reachable."
    assert not model.canFetchMore()  # no silent retry storm
    assert model.rowCount() == 100  # what was loaded stays
    model.retry()
    await wait_loaded(model)
    assert errors[-1] == ""
    assert model.rowCount() == 150
    assert server.calls[-1] == (100, 100)


@pytest.mark.asyncio
async def test_unexpected_error_goes_to_the_crash_handler_too() -> None:
    from posdesk.models import tasks

    seen: list[BaseException] = []
    tasks.set_unexpected_error_handler(seen.append)
    try:
        server = FakeServer(10)
        server.fail_next = KeyError("bug")
        model = PagedTableModel(COLUMNS, server.fetch)
        model.fetchMore()
        await wait_loaded(model)
    finally:
        tasks.set_unexpected_error_handler(None)
    assert isinstance(seen[0], KeyError)
    assert "Details are in the log" in model.error_text


@pytest.mark.asyncio
async def test_limited_by_permission_is_surfaced() -> None:
    server = FakeServer(5)
    server.limited = True
    model = PagedTableModel(COLUMNS, server.fetch)
    flags: list[bool] = []
    model.limitedChanged.connect(flags.append)
    model.fetchMore()
    await wait_loaded(model)
    assert model.limited_by_permission
    assert flags == [True]
    model.reload()
    assert not model.limited_by_permission


@pytest.mark.asyncio
async def test_fetch_all_pages_to_the_end_with_progress() -> None:
    server = FakeServer(1234)
    model = PagedTableModel(COLUMNS, server.fetch, page_size=100)
    model.fetchMore()  # one page in flight when export starts
    seen: list[int] = []
    total = await model.fetch_all(seen.append)
    assert total == model.rowCount() == 1234
    assert seen[-1] == 1234
    assert seen == sorted(seen)


@pytest.mark.asyncio
async def test_fetch_all_can_be_cancelled() -> None:
    server = FakeServer(5000)
    model = PagedTableModel(COLUMNS, server.fetch, page_size=100)

    def stop_after_two(n: int) -> None:
        if n >= 600:
            task.cancel()

    task = asyncio.ensure_future(model.fetch_all(stop_after_two))
    with pytest.raises(asyncio.CancelledError):
        await task
    assert 600 <= model.rowCount() < 5000
    await wait_loaded(model)


@pytest.mark.asyncio
async def test_roles_format_in_the_locale() -> None:
    server = FakeServer(8)
    model = PagedTableModel(COLUMNS, server.fetch, locale=QLocale(QLocale.Language.German))
    model.fetchMore()
    await wait_loaded(model)
    price = model.index(7, 1)
    assert model.data(price) == "1.001,75"
    assert model.data(price, SortRole) == Decimal("1001.75")
    assert model.data(price, ToneRole) == "danger"
    assert model.data(model.index(6, 1), ToneRole) is None
    assert model.data(price, ItemRole).n == 7
    assert model.data(model.index(0, 2), Qt.ItemDataRole.ToolTipRole) == "row 0"
    align = model.data(price, Qt.ItemDataRole.TextAlignmentRole)
    assert align & Qt.AlignmentFlag.AlignRight
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.data(QModelIndex()) is None
    assert model.export_row(7)[1] == "1001.75"


@pytest.mark.asyncio
async def test_money_cells_show_the_formatter_currency() -> None:
    server = FakeServer(8)
    us = Formatter(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates), "USD")
    model = PagedTableModel(COLUMNS, server.fetch, formatter=us)
    model.fetchMore()
    await wait_loaded(model)
    assert model.data(model.index(7, 1)) == "$1,001.75"
    assert model.row_texts(7)[1] == "$1,001.75"
    assert model.export_row(7)[1] == "1001.75"  # CSV stays machine-readable


@pytest.mark.asyncio
async def test_fetch_more_after_close_is_a_no_op(qtbot: QtBot) -> None:
    """A view painted after the session ended asks for another page: nothing happens."""
    from PySide6.QtWidgets import QTableView

    server = FakeServer(500)
    model = PagedTableModel(COLUMNS, server.fetch, page_size=50)
    model.fetchMore()
    await wait_loaded(model)
    await model.aclose()
    assert not model.canFetchMore()
    model.fetchMore()  # used to raise "TaskOwner is closed"
    model.reload()
    model.retry()
    assert not model.loading
    assert len(server.calls) == 1
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.show()
    view.scrollToBottom()
    view.viewport().repaint()
    await asyncio.sleep(0.01)
    assert len(server.calls) == 1


@pytest.mark.asyncio
async def test_display_text_cache_follows_resets() -> None:
    """Texts are cached per painted row; a new search or new columns never show stale ones."""
    server = FakeServer(20)
    model = PagedTableModel(COLUMNS, server.fetch)
    model.fetchMore()
    await wait_loaded(model)
    assert model.data(model.index(3, 0)) == "3"
    server.rows = list(reversed(server.rows))
    model.reload()
    await wait_loaded(model)
    assert model.data(model.index(3, 0)) == "16"
    model.beginResetModel()
    model.columns = (model.columns[1], model.columns[0], model.columns[2])
    model.endResetModel()
    assert model.data(model.index(3, 1)) == "16"
    assert model.data(model.index(3, 0)).startswith("1,004")
    assert model.data(model.index(3, 0), Qt.ItemDataRole.TextAlignmentRole) & (
        Qt.AlignmentFlag.AlignRight
    )
