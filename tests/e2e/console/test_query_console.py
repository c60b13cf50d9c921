"""The Query console against the real sandbox over HTTP (pytest-qt, real widgets).

Completion and validation use the live schema; runs compare the grid with the server's own
answer (fetched with plain httpx); Load all is checked row by row through the CSV; a mutation
is refused with a request counter on the client's transport showing nothing was sent.
"""

from __future__ import annotations

import asyncio
import csv
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from posdesk.api.client import RetryPolicy
from posdesk.sandbox.server import SandboxServer
from posdesk.ui.console import close_console, open_console
from posdesk.ui.console.flatten import NestedList
from posdesk.ui.console.presets import PRESETS
from posdesk.ui.console.window import ConsoleWindow
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.shell.errors import ErrorReporter
from posdesk.ui.shell.main_window import MainWindow
from tests.helpers.accessibility import unnamed
from tests.helpers.session import signed_in
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.asyncio

CUSTOMERS = """query Members {
  customer(first: 40, skip: 3) {
    hasMoreResults
    results { id memberId fullName email phone { raw } }
  }
}"""

SERVER_LOGGERS = ("posdesk.sandbox", "ariadne", "graphql", "uvicorn", "starlette")

#: every sale of one store: more than 1,000 rows in the demo seed
STORE_SALES = (
    'query StoreSales { sale(locationCode: "AUSTIN", first: 100) { results { id tranNo total } } }'
)


@asynccontextmanager
async def console(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path, client_id: str = "posdesk-demo"
) -> AsyncIterator[tuple[SessionContext, ConsoleWindow]]:
    # the console is a top-level window: closing it must not quit the tests' QApplication
    # (the app itself runs with quitOnLastWindowClosed off)
    quit_on_close = QApplication.quitOnLastWindowClosed()
    QApplication.setQuitOnLastWindowClosed(False)
    async with signed_in(sandbox, tmp_path, client_id) as ctx:
        window = open_console(ctx)
        assert isinstance(window, ConsoleWindow)
        await window.schema_task  # the documented schema (descriptions) is loaded on open
        try:
            yield ctx, window
        finally:
            window.runner.cancel()
            close_console(ctx)
            await asyncio.sleep(0)
            QApplication.setQuitOnLastWindowClosed(quit_on_close)


def server_answer(sandbox: SandboxServer, token: str, query: str) -> dict[str, Any]:
    assert sandbox.info is not None
    response = httpx.post(
        sandbox.info.graphql_url,
        json={"query": query},
        headers={"Authorization": f"Bearer {token}"},
    )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def count_requests(ctx: SessionContext) -> list[httpx.Request]:
    """Every request the session's client sends from now on (its own transport's hook)."""
    sent: list[httpx.Request] = []

    async def hook(request: httpx.Request) -> None:
        sent.append(request)

    ctx.client._http.event_hooks["request"].append(hook)
    return sent


async def run(window: ConsoleWindow, query: str, variables: str = "") -> None:
    window.set_query(query, variables)
    task = window.run()
    assert task is not None
    await task


def headers(window: ConsoleWindow) -> list[str]:
    assert window.model is not None
    return [c.title for c in window.model.columns]


@dataclass
class Rig:
    """What every console test needs: the session sandbox, a folder, a way to ask the server."""

    qtbot: QtBot
    sandbox: SandboxServer
    tmp_path: Path
    token: Callable[[str], str]

    def console(
        self, client_id: str = "posdesk-demo"
    ) -> AbstractAsyncContextManager[tuple[SessionContext, ConsoleWindow]]:
        return console(self.qtbot, self.sandbox, self.tmp_path, client_id)

    def ask(self, query: str) -> dict[str, Any]:
        """The server's own answer (plain httpx, the owner's token) to compare with."""
        return server_answer(self.sandbox, self.token("posdesk-demo"), query)


@pytest.fixture
def rig(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path, sandbox_token: Callable[[str], str]
) -> Rig:
    return Rig(qtbot, sandbox, tmp_path, sandbox_token)


async def test_completion_offers_schema_fields_at_the_cursor(rig: Rig) -> None:
    async with rig.console() as (_ctx, window):
        window.show()
        editor = window.editor
        editor.setPlainText("query { customer(first: 5) { results { ")
        editor.moveCursor(editor.textCursor().MoveOperation.End)
        editor.setFocus()
        QTest.keyClicks(editor, "fullN")
        popup = editor.popup()
        assert popup.isVisible()
        shown = [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())]
        assert shown == ["fullName"]
        QTest.keyClick(popup, Qt.Key.Key_Return)
        assert editor.toPlainText().endswith("results { fullName")
        # argument names inside (…) and enum values after a colon
        editor.setPlainText('query { giftcard(code: "X", codeType: ')
        editor.moveCursor(editor.textCursor().MoveOperation.End)
        QTest.keyClicks(editor, "P")
        values = [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())]
        assert set(values) == {"PHYSICAL", "PERSONAL"}
        QTest.keyClick(popup, Qt.Key.Key_Escape)
        # the documentation pane: the live schema's own descriptions (fetched on open)
        editor.setPlainText("query { customer(first: 5) { results { id } } }")
        cursor = editor.textCursor()
        cursor.setPosition(10)
        editor.setTextCursor(cursor)
        editor.describe_cursor()
        assert "Query.customer: CustomerResults" in window.docs.toPlainText()
        assert "requires ViewCustomers" in window.docs.toPlainText()


async def test_typo_is_underlined_with_the_validation_message(rig: Rig) -> None:
    async with rig.console() as (_ctx, window):
        text = "query { customer { results { fulName } } }"
        window.editor.setPlainText(text)
        await wait_until(lambda: window.editor.underlined() != [], 5)  # as you type (debounced)
        start = text.index("fulName")
        assert window.editor.underlined() == [(start, start + len("fulName"))]
        message = window.problem_label.text()
        assert "Cannot query field 'fulName' on type 'Customer'" in message
        assert "Did you mean 'fullName'?" in message
        window.editor.setPlainText(text.replace("fulName", "fullName"))
        await wait_until(lambda: window.editor.underlined() == [], 5)
        assert window.problem_label.text() == ""


async def test_customer_query_grid_equals_the_servers_answer(rig: Rig) -> None:
    async with rig.console() as (_ctx, window):
        window.show()
        window.set_query(CUSTOMERS)
        window.editor.setFocus()
        QTest.keyClick(window.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert window.current is not None  # Ctrl+Enter runs, as in GraphiQL
        await window.current
        assert window.editor.toPlainText() == CUSTOMERS  # no newline was typed
        expected = rig.ask(CUSTOMERS)
        results = expected["customer"]["results"]
        assert window.model is not None
        assert headers(window) == ["id", "memberId", "fullName", "email", "phone.raw"]
        assert window.model.rowCount() == len(results) == 40
        for row, customer in enumerate(results):
            texts = window.model.row_texts(row)
            assert texts[0] == customer["id"]
            assert texts[2] == customer["fullName"]
            assert texts[4] == ((customer["phone"] or {}).get("raw") or "")
        assert window.status.text().startswith("40 rows · ")
        assert window.raw_json.toPlainText() == ""  # rendered when its tab is shown
        window.result_tabs.setCurrentWidget(window.raw_json)
        assert json.loads(window.raw_json.toPlainText()) == expected
        assert window.history[0]["name"] == "Members"
        assert window.history_combo.count() == 2


async def test_load_all_then_csv_has_every_row_once(rig: Rig) -> None:
    async with rig.console() as (_ctx, window):
        await run(window, STORE_SALES)
        assert window.model is not None
        assert window.model.rowCount() == 100
        task = window.load_all()
        assert task is not None
        await task
        everything = rig.ask(
            'query { sale(locationCode: "AUSTIN", first: 1000, skip: 0) { hasMoreResults '
            "results { id } } }",
        )["sale"]
        ids: list[str] = [r["id"] for r in everything["results"]]
        skip = len(ids)
        while everything["hasMoreResults"]:
            everything = rig.ask(
                f'query {{ sale(locationCode: "AUSTIN", first: 1000, skip: {skip}) '
                "{ hasMoreResults results { id } } }",
            )["sale"]
            ids += [r["id"] for r in everything["results"]]
            skip = len(ids)
        assert len(ids) > 1000
        assert window.model.rowCount() == len(ids)
        assert window.status.text().startswith(f"{len(ids):,} rows (all)")
        path = rig.tmp_path / "sales.csv"
        export = window.view.start_export(path, all_rows=False)
        await export
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        exported = [r["id"] for r in rows]
        assert len(exported) == len(set(exported)) == len(ids)
        assert set(exported) == set(ids)
        assert all(r["total"] for r in rows)


async def test_load_all_follows_since_and_until(rig: Rig) -> None:
    async with rig.console() as (_ctx, window):
        await run(window, 'query Sync { customer(since: "", first: 40) { results { id } } }')
        task = window.load_all()
        assert task is not None
        await task
        assert window.model is not None
        ids = [window.model.row_texts(r)[0] for r in range(window.model.rowCount())]
        everyone = rig.ask("{ customer(first: 1000) { results { id } } }")["customer"]["results"]
        assert len(ids) == len(set(ids)) == len(everyone) > 40
        assert set(ids) == {c["id"] for c in everyone}


async def test_load_all_can_be_cancelled(rig: Rig) -> None:
    async with rig.console() as (_ctx, window):
        await run(window, STORE_SALES)
        rig.sandbox.faults.latency_ms = 300
        task = window.load_all()
        assert task is not None
        await wait_until(window.cancel_button.isVisible, 5)
        window.cancel_button.click()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert window.status.text().startswith("Stopped:")
        assert window.run_action.isEnabled()


async def test_mutation_is_refused_before_anything_is_sent(rig: Rig) -> None:
    async with rig.console() as (ctx, window):
        sent = count_requests(ctx)
        await run(
            window,
            'mutation Topup { giftcardTransAdd(trans: {code: "X", codeType: PHYSICAL, '
            'transType: ADD, amount: "5"}) { id } }',
        )
        assert sent == []
        text = window.error_text.text()
        assert text.startswith("Not sent: the Query console only reads data")
        assert "giftcardTransAdd" in text
        assert "Gift Cards tab" in text
        window.editor.validate_now()  # and said while typing already
        assert "will not send it" in window.problem_label.text()
        await run(window, 'mutation { purchaseAdd(add: {transactionId: "T"}) { id } }')
        assert "Sales › Record purchase" in window.error_text.text()
        # a query hiding a mutation next to it is refused too
        await run(
            window, "query A { viewer { name } }\nmutation B { giftcardTransCancel(id: 1) { id } }"
        )
        assert "giftcardTransCancel" in window.error_text.text()
        assert sent == []
        assert not window.raw_error.isVisibleTo(
            window
        )  # the sentence first, the raw one click away
        window.raw_error_button.click()
        assert window.raw_error.isVisibleTo(window)
        assert "ReadOnlyRefused" in window.raw_error.toPlainText()


async def test_role_without_view_customers_sees_the_permission_named(rig: Rig) -> None:
    async with rig.console("demo-reporting") as (_ctx, window):
        await run(window, CUSTOMERS)
        assert "permission ViewCustomers" in window.error_text.text()
        assert "NOT_AUTHORIZED" in window.raw_error.toPlainText()


async def test_errors_in_plain_words(rig: Rig) -> None:
    async with rig.console() as (_ctx, window):
        await run(window, "query { customer { results { fulName } } }")
        assert window.error_text.text().startswith("The server did not accept the query:")
        assert "fulName" in window.error_text.text()
        window.set_query(CUSTOMERS, '{"first": ')
        assert window.run() is None  # nothing is sent
        assert "variables are not valid JSON" in window.error_text.text()
        window.client.retry = RetryPolicy(attempts=1)
        rig.sandbox.faults.error_rate = 1.0
        rig.sandbox.faults.error_kind = "502"
        await run(window, CUSTOMERS)
        assert "temporarily unavailable (HTTP 502)" in window.error_text.text()
        rig.sandbox.faults.reset()
        # a network failure (nothing listens there: a fault the sandbox cannot make itself)
        url = window.client._url
        window.client._url = "http://127.0.0.1:9/graphql"
        try:
            await run(window, CUSTOMERS)
        finally:
            window.client._url = url
        assert window.error_text.text().startswith("Network failure: Cannot reach the POS server")


async def test_nested_lists_open_a_sub_table(rig: Rig) -> None:
    async with rig.console() as (_ctx, window):
        await run(
            window,
            "query { item(first: 3) { results { sku "
            "warehouses { warehouseCode quantityAvailable } } } }",
        )
        model = window.model
        assert model is not None
        assert headers(window) == ["sku", "warehouses"]
        value = model.value(0, 1)
        assert isinstance(value, NestedList)
        assert model.row_texts(0)[1] == str(value)
        window.show()
        window.view.table.doubleClicked.emit(model.index(0, 1))
        dialog = window.view.sub_tables[-1]
        sub = dialog.findChild(type(window.view), "consoleSubTableView")
        assert sub is not None
        sub_model = sub.model()
        assert sub_model is not None
        assert [c.title for c in sub_model.columns] == ["warehouseCode", "quantityAvailable"]
        assert sub_model.rowCount() == len(value.items)
        dialog.close()
        # copy cells: the selected cells, tab-separated
        window.view.table.selectionModel().select(
            model.index(1, 0), window.view.table.selectionModel().SelectionFlag.Select
        )
        assert window.view.copy_selection() == model.row_texts(1)[0]
        assert QApplication.clipboard().text() == model.row_texts(1)[0]


async def test_saved_queries_history_files_and_prettify(rig: Rig) -> None:
    async with rig.console() as (ctx, window):
        assert [q.name for q in window.saved] == [p.name for p in PRESETS]
        window._saved_chosen(1)
        assert window.editor.toPlainText() == PRESETS[0].query
        await wait_until(
            lambda: window.editor.problems == [] and not window.editor._validate_timer.isActive(), 5
        )
        window.set_query("query Mine{viewer{name}}")
        window.prettify()
        assert window.editor.toPlainText() == "query Mine {\n  viewer {\n    name\n  }\n}\n"
        window.save_query("Who am I")
        path = rig.tmp_path / "mine.graphql"
        window.save_file(path)
        assert path.read_text(encoding="utf-8") == window.editor.toPlainText()
        await run(window, window.editor.toPlainText())
        close_console(ctx)
        # a new window for the same profile finds the saved query and the history
        again = open_console(ctx)
        assert isinstance(again, ConsoleWindow)
        assert again is not window
        assert again.saved[-1].name == "Who am I"
        assert again.history[0]["name"] == "Mine"
        again.set_query("")
        again.open_file(path)
        assert again.editor.toPlainText() == path.read_text(encoding="utf-8")
        assert open_console(ctx) is again  # one per profile


async def test_every_control_is_named(rig: Rig) -> None:
    async with rig.console() as (_ctx, window):
        await run(
            window, "query { item(first: 2) { results { sku warehouses { warehouseCode } } } }"
        )
        window.show()
        assert window.model is not None
        dialog = window.view.open_sub_table("warehouses", window.model.value(0, 1))  # type: ignore[arg-type]
        problems = {"console": unnamed(window), "sub-table": unnamed(dialog)}
        dialog.close()
        assert problems == {"console": [], "sub-table": []}


async def test_view_menu_opens_one_console_per_profile(rig: Rig) -> None:
    quit_on_close = QApplication.quitOnLastWindowClosed()
    QApplication.setQuitOnLastWindowClosed(False)
    main = MainWindow(QSettings(), tabs=[], reporter=ErrorReporter(show_dialogs=False))
    rig.qtbot.addWidget(main)
    try:
        main.query_console_action.trigger()
        assert main.statusBar().currentMessage() == "Sign in first to use the Query console."
        assert main.query_console_action.shortcut().toString() == "Ctrl+Shift+Q"
        async with signed_in(rig.sandbox, rig.tmp_path) as ctx:
            main.set_session(ctx)
            main.query_console_action.trigger()
            first = ctx.extras["query_console"]
            assert isinstance(first, ConsoleWindow)
            assert first.isVisible()
            assert first.windowTitle() == f"Query console — {ctx.profile_name}"
            main.query_console_action.trigger()
            assert ctx.extras["query_console"] is first  # raised, not duplicated
            await first.schema_task
            main.set_session(None)  # the session ends: its console closes with it
            assert "query_console" not in ctx.extras
            assert not first.isVisible()
    finally:
        main.hide()
        QApplication.setQuitOnLastWindowClosed(quit_on_close)


async def test_nothing_but_the_operation_name_and_timing_is_logged(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # the app's default level (qasync/httpx stay at INFO)
    async with rig.console() as (_ctx, window):
        marker = "ZQXMARKER"
        await run(
            window,
            "query FindMarker($s: String) { customer(search: $s) { results { id } } }",
            json.dumps({"s": marker}),
        )
        task = window.load_all()
        assert task is not None
        await task
        await run(window, 'query BadMarker { customer(search: "ZQXMARKER") { results { x } } }')
    # what posdesk itself logged (the sandbox shares this process and logs its own requests)
    client_side = [r.getMessage() for r in caplog.records if not r.name.startswith(SERVER_LOGGERS)]
    assert any(m.startswith("Console query FindMarker: ") for m in client_side)
    assert any(m.startswith("Console load all FindMarker: ") for m in client_side)
    assert not [m for m in client_side if marker in m or "customer(" in m]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"data": {"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}", "cannot read"),
        (b'{"data": {"a": ' + b'{"b": ' * 200 + b"1" + b"}" * 200 + b"}}", "cannot read"),
        (b'{"data": {"customer": {"results": "not a list"}}}', "1 row"),
        (b'{"data": {"customer": {"results": [1, "two", null, [3]]}}}', "4 rows"),
        (b'{"data": [1, 2]}', "cannot read"),
        (b"<html>busy</html>", "cannot read"),
    ],
)
async def test_no_answer_crashes_the_console(rig: Rig, body: bytes, expected: str) -> None:
    """Answers the sandbox would never send (a stand-in transport after a real sign-in)."""
    async with rig.console() as (ctx, window):
        await ctx.client._http._transport.aclose()  # its pooled connections are ours to close
        ctx.client._http._transport = httpx.MockTransport(
            lambda request: httpx.Response(200, content=body)
        )
        await run(window, "query { customer { results { id } } }")
        shown = window.error_text.text() if window.error_frame.isVisibleTo(window) else ""
        assert expected in (shown or window.status.text())
