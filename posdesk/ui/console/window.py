"""The Query console window: GraphiQL's ad-hoc queries with a grid, Load all and CSV.

One window per signed-in profile (``open_console``). Runs go through
``PosClient.run_query`` (the read path: token renewal, retries; mutations refused before
sending). Only the operation name and the timing are logged, never the query or variables.

The widgets are built by ``layout.ConsoleLayout``; this module runs, loads, saves and remembers.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from graphql import DocumentNode, OperationDefinitionNode, print_ast
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QWidget,
)
from typing_extensions import override

from posdesk.api import adhoc
from posdesk.api.errors import PosError
from posdesk.domain import Page
from posdesk.models.formatting import plural
from posdesk.ui.common.runner import Runner
from posdesk.ui.console.flatten import Envelope, Row, envelope
from posdesk.ui.console.layout import ConsoleLayout
from posdesk.ui.console.presets import PRESETS, SavedQuery
from posdesk.ui.console.results import ResultModel
from posdesk.ui.console.schema_help import Problem, type_html
from posdesk.ui.console.words import explain
from posdesk.ui.shell.context import SessionContext

if TYPE_CHECKING:
    from posdesk.api.client import PosClient

_log = logging.getLogger(__name__)
R = TypeVar("R")

HISTORY_LIMIT = 100
BIG_ANSWER = 200
"""Answers with more rows than this are flattened on a worker thread."""
RAW_LIMIT = 1_000_000
"""Characters of raw JSON shown (a Load all of 100k rows would not fit a text view)."""
_FILE_FILTER = "GraphQL files (*.graphql *.gql);;All files (*)"


class ConsoleWindow(ConsoleLayout):
    """Editor, variables, documentation and results for one profile's session."""

    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # reopening makes a new one
        self.setObjectName("queryConsole")
        self.setAccessibleName("Query console")
        self.setWindowTitle(f"Query console — {context.profile_name}")
        self.context = context
        self.client: PosClient = context.client
        self.runner = Runner(self)
        self.current: asyncio.Task[None] | None = None
        self.model: ResultModel | None = None
        self.last_result: adhoc.QueryResult | None = None
        self.last_error: BaseException | None = None
        self._listing: tuple[Any, str | None, dict[str, Any], adhoc.Listing] | None = None

        self._raw_data: object = None
        self._build_toolbar()
        self._build_body()
        self._wire()
        self.saved = self._load_saved()
        self.history: list[dict[str, Any]] = self._load_json("console/history", [])
        self._fill_saved()
        self._fill_history()
        self.editor.set_schema(self.client.schema)
        self._set_busy(False)
        self.resize(1280, 800)
        self.schema_task = self.runner.spawn(self._load_documented_schema(), name="console-schema")

    def _wire(self) -> None:
        """Actions, combos and panes to what they do."""
        for action, slot in (
            (self.run_action, self.run),
            (self.prettify_action, self.prettify),
            (self.load_all_action, self.load_all),
            (self.cancel_action, self.cancel),
            (self.export_action, self.ask_export),
            (self.open_action, self.ask_open),
            (self.save_file_action, self.ask_save_file),
            (self.save_query_action, self.ask_save_query),
        ):
            action.triggered.connect(lambda _checked=False, slot=slot: slot())
        self.saved_combo.activated.connect(self._saved_chosen)
        self.history_combo.activated.connect(self._history_chosen)
        self.editor.runRequested.connect(self.run)
        self.editor.problemsChanged.connect(self._show_problems)
        self.editor.docRequested.connect(self.show_doc)
        self.result_tabs.currentChanged.connect(self._render_raw)
        self.cancel_button.clicked.connect(self.cancel)
        self.docs.anchorClicked.connect(lambda url: self.show_type(url.toString()[5:]))

    # ------------------------------------------------------------------ schema and docs

    async def _load_documented_schema(self) -> None:
        schema = await self.client.documented_schema()
        if schema is not None:
            self.editor.set_schema(schema)
        elif self.editor.schema is None:
            self.problem_label.setText(
                "This server does not describe its schema: no completion or checking as you type."
            )

    def show_doc(self, html: str) -> None:
        self.docs.setHtml(html)

    def show_type(self, name: str) -> None:
        schema = self.editor.schema
        named = schema.get_type(name) if schema is not None else None
        if named is not None:
            self.docs.setHtml(type_html(named))

    def _show_problems(self, problems: list[Problem]) -> None:
        if problems:
            first = problems[0]
            line = self.editor.toPlainText().count("\n", 0, first.start) + 1
            more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
            self.problem_label.setText(f"Line {line}: {first.message}{more}")
        elif _has_mutation(self.editor.toPlainText()):
            self.problem_label.setText(
                "This document changes data: the Query console will not send it (read-only)."
            )
        else:
            self.problem_label.setText("")

    # ------------------------------------------------------------------ running

    def _variables(self) -> dict[str, Any] | None:
        text = self.variables.toPlainText().strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except ValueError as exc:
            self.show_message(f"Not sent: the variables are not valid JSON ({exc}).", str(exc))
            return None
        if not isinstance(value, dict):
            self.show_message("Not sent: the variables must be a JSON object ({…}).", text[:200])
            return None
        return value

    def _operation_name(self, text: str) -> str | None:
        """The operation under the cursor when the document holds several."""
        try:
            document = adhoc.parse_document(text)
        except adhoc.QuerySyntaxError:
            return None
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) <= 1:
            return None
        position = self.editor.textCursor().position()
        for op in operations:
            if op.loc is not None and op.loc.start <= position <= op.loc.end and op.name:
                return op.name.value
        return operations[0].name.value if operations[0].name else None

    def run(self) -> asyncio.Task[None] | None:
        """Run the editor's query (Ctrl+Enter); returns the task (tests await it)."""
        if self.current is not None and not self.current.done():
            return None
        variables = self._variables()
        if variables is None:
            return None
        text = self.editor.toPlainText()
        self.current = self.runner.spawn(
            self._run(text, variables, self._operation_name(text)), name="console-run"
        )
        return self.current

    async def _run(self, text: str, variables: dict[str, Any], name: str | None) -> None:
        result = await self._busy(
            self.client.run_query(text, variables, name),
            "Running…",
            lambda: self.status.setText("Cancelled."),
        )
        if result is None:
            return
        _log.info("Console query %s: %.0f ms", _label(text, name), result.elapsed * 1000)
        self.last_result = result
        self.last_error = None
        self.error_frame.hide()
        document = adhoc.parse_document(text)
        op = adhoc.read_only_operation(document, name)
        listing = adhoc.listing_of(op)
        answer = await flatten_answer(result.data, listing.key if listing else None)
        self._listing = (document, name, variables, listing) if listing else None
        self.show_rows(answer.rows)
        self.show_raw(result.data)
        ms = result.elapsed * 1000
        more = " · more on the server (Load all)" if answer.has_more else ""
        limited = " · some rows hidden by your role's permissions" if answer.limited else ""
        self.status.setText(f"{plural(len(answer.rows), 'row')} · {ms:.0f} ms{more}{limited}")
        self._remember(text, variables, name, len(answer.rows), ms)

    def show_rows(self, rows: list[Row]) -> ResultModel:
        old = self.model
        self.model = ResultModel(rows, formatter=self.context.formatter, parent=self)
        self.view.setModel(self.model, load=False)
        self.view.table.resizeColumnsToContents()
        if old is not None:
            old.deleteLater()
        self.result_tabs.setCurrentWidget(self.view)
        return self.model

    def show_raw(self, data: object) -> None:
        """Keep the answer for the Raw JSON tab; it is rendered when that tab is shown
        (indenting and laying out a 1,000-row answer costs more than the grid)."""
        self._raw_data = data
        self.raw_json.clear()
        if self.result_tabs.currentWidget() is self.raw_json:
            self._render_raw()

    def _render_raw(self, *_: object) -> None:
        if self._raw_data is None or self.result_tabs.currentWidget() is not self.raw_json:
            return
        text = json.dumps(self._raw_data, indent=2, ensure_ascii=False)
        if len(text) > RAW_LIMIT:
            text = text[:RAW_LIMIT] + "\n… (cut here: the whole answer is in the table)"
        self._raw_data = None
        self.raw_json.setPlainText(text)

    def load_all(self) -> asyncio.Task[None] | None:
        """Page through every result of the last query's listing (skip/first or since)."""
        if self._listing is None or self.model is None:
            self.status.setText("Load all needs a query whose answer has a results list.")
            return None
        if self.current is not None and not self.current.done():
            return None
        self.current = self.runner.spawn(self._load_all(), name="console-load-all")
        return self.current

    async def _load_all(self) -> None:
        assert self._listing is not None
        assert self.model is not None
        document, name, variables, listing = self._listing
        model = self.model
        until: list[str | None] = [None]

        async def fetch(skip: int, first: int) -> Page[Row]:
            text, values = adhoc.page_request(
                document, name, variables, listing, skip=skip, first=first, since=until[0]
            )
            result = await self.client.run_query(text, values, name)
            answer = await flatten_answer(result.data, listing.key)
            # a since/until listing whose cursor does not move would repeat itself forever
            stuck = listing.mode == "since" and answer.until in (None, until[0])
            until[0] = answer.until
            model.ensure_columns(answer.rows)
            return Page(answer.rows, answer.has_more and not stuck, answer.limited)

        def stopped() -> None:
            model.cancel()
            self.status.setText(f"Stopped: {plural(model.rowCount(), 'row')} loaded.")

        started = asyncio.get_running_loop().time()
        model.set_fetch(fetch)
        loaded = await self._busy(
            model.fetch_all(lambda n: self.status.setText(f"Loaded {plural(n, 'row')}…")),
            "Loading all rows…",
            stopped,
        )
        if loaded is None:
            return
        seconds = asyncio.get_running_loop().time() - started
        _log.info(
            "Console load all %s: %d rows, %.0f ms",
            _label(document, name),
            model.rowCount(),
            seconds * 1000,
        )
        self.view.table.resizeColumnsToContents()
        self.status.setText(f"{plural(model.rowCount(), 'row')} (all) · {seconds:.1f} s")

    async def _busy(self, work: Awaitable[R], text: str, on_cancel: Callable[[], None]) -> R | None:
        """Await ``work`` with progress and Cancel shown; a failure is shown, None returned."""
        self._set_busy(True, text)
        try:
            return await work
        except asyncio.CancelledError:
            on_cancel()
            raise
        except Exception as exc:
            self.show_error(exc)
            return None
        finally:
            self._set_busy(False)

    def cancel(self) -> None:
        if self.current is not None and not self.current.done():
            self.current.cancel()

    def _set_busy(self, busy: bool, text: str | None = None) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.cancel_action.setEnabled(busy)
        self.run_action.setEnabled(not busy)
        self.load_all_action.setEnabled(not busy)
        if text:
            self.status.setText(text)

    # ------------------------------------------------------------------ errors

    def show_error(self, exc: BaseException) -> None:
        """A failed run in plain words; the raw error one click away."""
        self.last_error = exc
        sentence, raw = explain(exc)
        self.context.reporter.observe(exc)  # an expired sign-in reaches the shell's bar
        if not hasattr(exc, "user_message"):
            _log.error("Console query failed unexpectedly", exc_info=exc)
        self.show_message(sentence, raw)

    def show_message(self, sentence: str, raw: str) -> None:
        self.error_text.setText(sentence)
        self.raw_error.setPlainText(raw)
        self.raw_error_button.setChecked(False)
        self.raw_error.setVisible(False)  # toggled is not emitted when it was unchecked already
        self.error_frame.show()
        self.status.setText("No results — see the message above.")

    # ------------------------------------------------------------------ editing

    def prettify(self) -> None:
        """Reformat the document (graphql-core's printer); a broken document stays as is."""
        try:
            pretty = print_ast(adhoc.parse_document(self.editor.toPlainText()))
        except adhoc.QuerySyntaxError as exc:
            self.problem_label.setText(exc.user_message)
            return
        self.editor.setPlainText(pretty + "\n")

    def set_query(self, query: str, variables: str = "") -> None:
        self.editor.setPlainText(query)
        self.variables.setPlainText(variables)

    # ------------------------------------------------------------------ files and CSV

    def ask_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open query", "", _FILE_FILTER)
        if path:
            self.open_file(Path(path))

    def ask_save_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save query", "query.graphql", _FILE_FILTER)
        if path:
            self.save_file(Path(path))

    def open_file(self, path: Path) -> None:
        self._file(path, save=False)

    def save_file(self, path: Path) -> None:
        self._file(path, save=True)

    def _file(self, path: Path, *, save: bool) -> None:
        try:
            if save:
                path.write_text(self.editor.toPlainText(), encoding="utf-8")
            else:
                self.set_query(path.read_text(encoding="utf-8"), self.variables.toPlainText())
        except (OSError, UnicodeDecodeError) as exc:
            self.show_message(f"Could not {'save' if save else 'open'} {path.name}.", str(exc))
            return
        self.context.show_status(f"{'Saved' if save else 'Opened'} {path.name}.")

    def ask_export(self) -> None:
        if self.model is None or self.model.rowCount() == 0:
            self.status.setText("Nothing to export yet: run a query first.")
            return
        self.view.ask_export(all_rows=False)

    # ------------------------------------------------------------------ saved and history

    def _load_json(self, key: str, default: Any) -> Any:
        raw = self.context.settings().value(key)
        if not isinstance(raw, str):
            return default
        try:
            value = json.loads(raw)
        except ValueError:
            return default
        return value if isinstance(value, type(default)) else default

    def _store_json(self, key: str, value: Any) -> None:
        settings = self.context.settings()
        settings.setValue(key, json.dumps(value))
        settings.sync()

    def _load_saved(self) -> list[SavedQuery]:
        if not self.context.settings().contains("console/saved"):
            return list(PRESETS)  # a new profile starts with the documented common tasks
        stored = self._load_json("console/saved", [])
        return [
            SavedQuery(str(s.get("name", "")), str(s.get("query", "")), str(s.get("variables", "")))
            for s in stored
            if isinstance(s, dict)
        ]

    def _fill_saved(self) -> None:
        self.saved_combo.clear()
        self.saved_combo.addItem("My queries…")
        for query in self.saved:
            self.saved_combo.addItem(query.name)

    def _saved_chosen(self, index: int) -> None:
        if 1 <= index <= len(self.saved):
            chosen = self.saved[index - 1]
            self.set_query(chosen.query, chosen.variables)
        self.saved_combo.setCurrentIndex(0)

    def ask_save_query(self) -> None:
        name, ok = QInputDialog.getText(self, "Save query", "Name:")
        if ok and name.strip():
            self.save_query(name.strip())

    def save_query(self, name: str) -> None:
        """Keep the editor's query under ``name`` in this profile (replacing the same name)."""
        entry = SavedQuery(name, self.editor.toPlainText(), self.variables.toPlainText())
        self.saved = [q for q in self.saved if q.name != name] + [entry]
        self._store_json("console/saved", [asdict(q) for q in self.saved])
        self._fill_saved()

    def _remember(
        self, text: str, variables: dict[str, Any], name: str | None, rows: int, ms: float
    ) -> None:
        entry = {
            "query": text,
            "variables": json.dumps(variables) if variables else "",
            "name": _label(text, name),
            "at": datetime.now().isoformat(timespec="seconds"),
            "rows": rows,
            "ms": round(ms),
        }
        self.history = [entry, *self.history][:HISTORY_LIMIT]
        self._store_json("console/history", self.history)
        self._fill_history()

    def _fill_history(self) -> None:
        self.history_combo.clear()
        self.history_combo.addItem(f"History ({len(self.history)})…")
        for entry in self.history:
            at = str(entry.get("at", ""))[11:16]
            self.history_combo.addItem(
                f"{at} {entry.get('name') or 'query'} — {plural(int(entry.get('rows', 0)), 'row')}"
            )

    def _history_chosen(self, index: int) -> None:
        if 1 <= index <= len(self.history):
            entry = self.history[index - 1]
            self.set_query(str(entry.get("query", "")), str(entry.get("variables", "")))
        self.history_combo.setCurrentIndex(0)

    # ------------------------------------------------------------------ lifecycle

    @override
    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.editor.highlighter.refresh_colors()
            self.variables_highlighter.refresh_colors()

    @override
    def closeEvent(self, event: QCloseEvent) -> None:
        self.runner.cancel()
        if self.context.extras.get("query_console") is self:
            del self.context.extras["query_console"]
        super().closeEvent(event)


async def flatten_answer(data: dict[str, Any], key: str | None) -> Envelope:
    """Rows of an answer; a big one is flattened on a worker thread (the loop stays free)."""
    listed = data.get(key) if key is not None else None
    results = listed.get("results") if isinstance(listed, dict) else None
    if isinstance(results, list) and len(results) > BIG_ANSWER:
        return await asyncio.to_thread(envelope, data, key)
    return envelope(data, key)


def _has_mutation(text: str) -> bool:
    try:
        adhoc.read_only_operation(text)
    except adhoc.ReadOnlyRefused:
        return True
    except PosError:
        return False
    return False


def _label(document: str | DocumentNode, operation_name: str | None = None) -> str:
    """The operation's name, else its first root field (history list and log lines)."""
    try:
        op = adhoc.read_only_operation(document, operation_name)
    except PosError:
        return "query"
    if op.name is not None:
        return op.name.value
    first = op.selection_set.selections[0] if op.selection_set.selections else None
    name = getattr(first, "name", None)
    return str(name.value) if name is not None else "query"
