"""The shared table view: banners, Retry, copy and CSV export (loaded and all rows)."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot

from posdesk.models.paged import PagedTableModel
from posdesk.ui.shell.errors import ErrorReporter
from posdesk.ui.widgets.paged_view import PagedTableView
from tests.helpers.paging import COLUMNS, ExpectedError, FakeServer, Row, wait_loaded


def make_view(qtbot: QtBot, server: FakeServer, page_size: int = 100) -> PagedTableView:
    view = PagedTableView("things", reporter=ErrorReporter(show_dialogs=False))
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.setModel(PagedTableModel(COLUMNS, server.fetch, page_size=page_size))
    view.show()
    return view


def model_of(view: PagedTableView) -> PagedTableModel[Row]:
    model = view.model()
    assert model is not None
    return model


@pytest.mark.asyncio
async def test_error_banner_with_retry_then_rows(qtbot: QtBot) -> None:
    server = FakeServer(30)
    server.fail_next = ExpectedError()
    view = make_view(qtbot, server)
    assert view.status.text() == "Loading…"
    await wait_loaded(model_of(view))
    assert view.banner.isVisible()
    assert view.banner.kind == "error"
    assert view.banner.label.text() == "The server is not reachable."
    assert view.banner.button.isVisible()
    view.banner.button.click()
    await wait_loaded(model_of(view))
    assert not view.banner.isVisible()
    assert view.status.text() == "30 rows"


@pytest.mark.asyncio
async def test_status_line_is_pluralised(qtbot: QtBot) -> None:
    view = make_view(qtbot, FakeServer(1))
    await wait_loaded(model_of(view))
    assert view.status.text() == "1 row"


@pytest.mark.asyncio
async def test_limited_and_empty_states(qtbot: QtBot) -> None:
    server = FakeServer(0)
    server.limited = True
    view = make_view(qtbot, server)
    await wait_loaded(model_of(view))
    assert view.banner.kind == "limited"
    assert not view.banner.button.isVisible()
    assert view.status.text() == "No results."


@pytest.mark.asyncio
async def test_copy_selected_rows_as_tab_separated_text(qtbot: QtBot) -> None:
    view = make_view(qtbot, FakeServer(10))
    model = model_of(view)
    await wait_loaded(model)
    selection = view.table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    selection.select(model.index(2, 0), flags)
    selection.select(model.index(4, 0), flags)
    text = view.copy_selection()
    lines = text.split("\n")
    assert lines[0] == "Number\tPrice\tWhen"
    assert lines[1].startswith("2\t")
    assert lines[2].startswith("4\t")
    assert len(lines) == 3
    assert QApplication.clipboard().text() == text


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


@pytest.mark.asyncio
async def test_export_loaded_rows(qtbot: QtBot, tmp_path: Path) -> None:
    view = make_view(qtbot, FakeServer(250))
    await wait_loaded(model_of(view))
    out = tmp_path / "loaded.csv"
    await view.start_export(out, all_rows=False)
    rows = read_csv(out)
    assert rows[0] == ["Number", "Price", "When"]
    assert len(rows) == 101
    assert rows[6][1] == "1001.25"  # exact decimal, no locale, no float
    assert rows[6][2] == "2026-01-01T12:00:00+00:00"
    assert "Exported 100 rows" in view.status.text()


@pytest.mark.asyncio
async def test_export_all_rows_pages_to_the_end(qtbot: QtBot, tmp_path: Path) -> None:
    server = FakeServer(2345)
    view = make_view(qtbot, server)
    await wait_loaded(model_of(view))
    out = tmp_path / "all.csv"
    await view.start_export(out, all_rows=True)
    rows = read_csv(out)
    assert len(rows) == 2346
    assert rows[-1][0] == "2344"
    assert model_of(view).rowCount() == 2345


@pytest.mark.asyncio
async def test_export_all_can_be_cancelled_from_the_progress_dialog(
    qtbot: QtBot, tmp_path: Path
) -> None:
    server = FakeServer(100_000, delay=0.01)
    view = make_view(qtbot, server)
    await wait_loaded(model_of(view))
    out = tmp_path / "cancelled.csv"
    results: list[int | None] = []
    task = view.start_export(out, all_rows=True, done=results.append)
    dialog = None
    for _ in range(100):
        await asyncio.sleep(0.01)
        dialog = view.findChild(QProgressDialog, "exportProgressDialog")
        if dialog is not None and model_of(view).rowCount() > 1000:
            break
    assert dialog is not None
    cancel = dialog.findChild(QPushButton)
    assert cancel is not None
    cancel.click()
    await task
    assert results == [None]
    assert not out.exists()
    assert view.status.text() == "Export cancelled."
    assert model_of(view).rowCount() < 100_000


@pytest.mark.asyncio
async def test_export_error_is_reported_as_a_sentence(qtbot: QtBot, tmp_path: Path) -> None:
    server = FakeServer(1000)
    view = make_view(qtbot, server)
    await wait_loaded(model_of(view))
    server.fail_next = ExpectedError()
    await view.start_export(tmp_path / "x.csv", all_rows=True)
    assert model_of(view).error_text == "The server is not reachable."
    assert view.banner.isVisible()
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.asyncio
async def test_tones_are_brushes_from_the_model_and_follow_the_theme(qtbot: QtBot) -> None:
    """No Python delegate per cell: the model answers ForegroundRole with the view's brushes."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPalette

    from posdesk.ui.widgets.paged_view import tone_color

    view = make_view(qtbot, FakeServer(10))
    model = model_of(view)
    await wait_loaded(model)
    foreground = Qt.ItemDataRole.ForegroundRole
    assert model.index(1, 1).data(foreground) is None  # no tone, no colour
    assert view.table.itemDelegateForColumn(1) is None  # Qt's own C++ delegate paints
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = QPalette(app.palette())
    light = QPalette(original)
    light.setColor(QPalette.ColorRole.Window, Qt.GlobalColor.white)
    dark = QPalette(original)
    dark.setColor(QPalette.ColorRole.Window, Qt.GlobalColor.black)
    try:
        app.setPalette(light)
        QApplication.processEvents()
        brush = model.index(7, 1).data(foreground)
        assert brush.color() == tone_color("danger", light)
        app.setPalette(dark)
        QApplication.processEvents()
        brush = model.index(7, 1).data(foreground)
        assert brush.color() == tone_color("danger", dark)
        assert brush.color() != tone_color("danger", light)
    finally:
        app.setPalette(original)
