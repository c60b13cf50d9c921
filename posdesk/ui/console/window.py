"""The Query console window: GraphiQL's ad-hoc queries with a grid, Load all and CSV.

One window per signed-in profile (``open_console``). Runs go through
``PosClient.run_query`` (the read path: token renewal, retries; mutations refused before
sending). Only the operation name and the timing are logged, never the query or variables.

Long module: editor, grid, Load all and saved queries of one window, wired together.
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
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QToolBar,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from posdesk.api import adhoc
from posdesk.api.errors import PosError
from posdesk.domain import Page
from posdesk.models.formatting import plural
from posdesk.ui.common.runner import Runner
from posdesk.ui.console.editor import QueryEditor, monospace
from posdesk.ui.console.flatten import Envelope, Row, envelope
from posdesk.ui.console.highlighter import GraphQLHighlighter
from posdesk.ui.console.presets import PRESETS, SavedQuery
from posdesk.ui.console.results import ResultModel, ResultTableView
from posdesk.ui.console.schema_help import Problem, type_html
from posdesk.ui.console.words import explain
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.widgets.paged_view import TintedFrame
from posdesk.ui.widgets.splitter import QuietSplitter

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
DOC_HINT = "Click a field, argument or type in the editor to see its documentation here."


class ConsoleWindow(QMainWindow):
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

        self._build_toolbar()
        self._build_body()
        self.saved = self._load_saved()
        self.history: list[dict[str, Any]] = self._load_json("console/history", [])
        self._fill_saved()
        self._fill_history()
        self.editor.set_schema(self.client.schema)
        self._set_busy(False)
        self.resize(1280, 800)
        self.schema_task = self.runner.spawn(self._load_documented_schema(), name="console-schema")

    # ------------------------------------------------------------------ layout

    def _action(
        self, text: str, name: str, slot: Callable[[], object], *keys: str, tip: str = ""
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setToolTip(f"{tip or text.replace('&', '')} ({', '.join(keys)})" if keys else tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_toolbar(self) -> None:
        bar = QToolBar("Query", self)
        bar.setObjectName("consoleToolbar")
        bar.setAccessibleName("Query console toolbar")
        bar.setMovable(False)
        self.addToolBar(bar)
        self.run_action = self._action(
            "&Run", "consoleRunAction", self.run, "Ctrl+Return", "Ctrl+Enter"
        )
        self.prettify_action = self._action(
            "&Prettify", "consolePrettifyAction", self.prettify, "Ctrl+Shift+F"
        )
        self.load_all_action = self._action(
            "Load &all", "consoleLoadAllAction", self.load_all, tip="Page through every result"
        )
        self.cancel_action = self._action("&Cancel", "consoleCancelAction", self.cancel, "Esc")
        self.export_action = self._action(
            "&Export CSV…", "consoleExportAction", self.ask_export, "Ctrl+E"
        )
        self.open_action = self._action("&Open…", "consoleOpenAction", self.ask_open, "Ctrl+O")
        self.save_file_action = self._action(
            "&Save…", "consoleSaveFileAction", self.ask_save_file, "Ctrl+S"
        )
        self.save_query_action = self._action(
            "Save to my &queries…", "consoleSaveQueryAction", self.ask_save_query, "Ctrl+Shift+S"
        )
        for action in (self.run_action, self.prettify_action):
            bar.addAction(action)
        bar.addSeparator()
        for action in (self.load_all_action, self.cancel_action, self.export_action):
            bar.addAction(action)
        bar.addSeparator()
        for action in (self.open_action, self.save_file_action, self.save_query_action):
            bar.addAction(action)
        for action in bar.actions():
            button = bar.widgetForAction(action)
            if action.objectName():
                button.setObjectName(action.objectName().replace("Action", "Button"))
                button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
        bar.addSeparator()
        self.saved_combo = self._combo(bar, "consoleSaved", "Saved queries", self._saved_chosen)
        self.history_combo = self._combo(
            bar, "consoleHistory", "History of runs", self._history_chosen
        )

    @staticmethod
    def _combo(
        bar: QToolBar, name: str, accessible: str, chosen: Callable[[int], None]
    ) -> QComboBox:
        combo = QComboBox(bar)
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        combo.setMinimumContentsLength(22)
        combo.activated.connect(chosen)
        bar.addWidget(combo)
        return combo

    def _build_body(self) -> None:
        """Long: builds the widget tree top to bottom, one block per row (splitting scatters it)."""
        self.editor = QueryEditor(self)
        self.editor.runRequested.connect(self.run)
        self.editor.problemsChanged.connect(self._show_problems)
        self.editor.docRequested.connect(self.show_doc)
        self.problem_label = QLabel(self)
        self.problem_label.setObjectName("consoleProblem")
        self.problem_label.setAccessibleName("Query problems")
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.variables = QPlainTextEdit(self)
        self.variables.setObjectName("consoleVariables")
        self.variables.setAccessibleName("Query variables (JSON)")
        self.variables.setPlaceholderText('Variables as JSON, e.g. {"first": 50}')
        monospace(self.variables)
        self.variables_highlighter = GraphQLHighlighter(self.variables.document())
        variables_label = QLabel("&Variables (JSON)", self)
        variables_label.setObjectName("consoleVariablesLabel")
        variables_label.setBuddy(self.variables)

        left = QWidget(self)
        left.setObjectName("consoleEditorPane")
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 6, 6)
        editor_split = QuietSplitter(Qt.Orientation.Vertical, left)
        editor_split.setObjectName("consoleEditorSplitter")
        editor_split.setChildrenCollapsible(False)
        top = QWidget(editor_split)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.editor, 1)
        top_layout.addWidget(self.problem_label)
        bottom = QWidget(editor_split)
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(variables_label)
        bottom_layout.addWidget(self.variables, 1)
        editor_split.addWidget(top)
        editor_split.addWidget(bottom)
        editor_split.setSizes([520, 160])
        left_layout.addWidget(editor_split)

        # results: error strip, tabs (grid / raw JSON), status + progress
        right = QWidget(self)
        right.setObjectName("consoleResultsPane")
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(6, 6, 6, 6)
        self.error_frame = TintedFrame(right)
        self.error_frame.setObjectName("consoleError")
        self.error_frame.tint("danger")
        error_layout = QVBoxLayout(self.error_frame)
        error_row = QHBoxLayout()
        self.error_text = QLabel(self.error_frame)
        self.error_text.setObjectName("consoleErrorText")
        self.error_text.setAccessibleName("Error")
        self.error_text.setWordWrap(True)
        self.error_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.raw_error_button = QPushButton("Show raw error", self.error_frame)
        self.raw_error_button.setObjectName("consoleRawErrorButton")
        self.raw_error_button.setAccessibleName("Show raw error")
        self.raw_error_button.setCheckable(True)
        self.raw_error = QPlainTextEdit(self.error_frame)
        self.raw_error.setObjectName("consoleRawError")
        self.raw_error.setAccessibleName("Raw error")
        self.raw_error.setReadOnly(True)
        self.raw_error.setMaximumHeight(90)
        self.raw_error.hide()
        self.raw_error_button.toggled.connect(self.raw_error.setVisible)
        error_row.addWidget(self.error_text, 1)
        error_row.addWidget(self.raw_error_button, 0, Qt.AlignmentFlag.AlignTop)
        error_layout.addLayout(error_row)
        error_layout.addWidget(self.raw_error)
        self.error_frame.hide()

        self.result_tabs = QTabWidget(right)
        self.result_tabs.setObjectName("consoleResultTabs")
        self.result_tabs.setAccessibleName("Results")
        self.view = ResultTableView("consoleResults", self.result_tabs, reporter=None)
        self.view.status.hide()  # the console's own status line says rows and time
        self.raw_json = QPlainTextEdit(self.result_tabs)
        self.raw_json.setObjectName("consoleRawJson")
        self.raw_json.setAccessibleName("Raw JSON answer")
        self.raw_json.setReadOnly(True)
        monospace(self.raw_json)
        self.result_tabs.addTab(self.view, "&Table")
        self.result_tabs.addTab(self.raw_json, "Raw &JSON")
        self.result_tabs.currentChanged.connect(self._render_raw)
        self._raw_data: object = None

        status_row = QHBoxLayout()
        self.status = QLabel("Write a query and press Ctrl+Enter.", right)
        self.status.setObjectName("consoleStatus")
        self.status.setAccessibleName("Result status")
        self.progress = QProgressBar(right)
        self.progress.setObjectName("consoleProgress")
        self.progress.setAccessibleName("Loading progress")
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel", right)
        self.cancel_button.setObjectName("consoleCancelButton")
        self.cancel_button.setAccessibleName("Cancel loading")
        self.cancel_button.clicked.connect(self.cancel)
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.progress)
        status_row.addWidget(self.cancel_button)
        right_layout.addWidget(self.error_frame)
        right_layout.addWidget(self.result_tabs, 1)
        right_layout.addLayout(status_row)

        self.docs = QTextBrowser(self)
        self.docs.setObjectName("consoleDocs")
        self.docs.setAccessibleName("Documentation")
        self.docs.setOpenLinks(False)
        self.docs.anchorClicked.connect(lambda url: self.show_type(url.toString()[5:]))
        self.docs.setHtml(f"<p><i>{DOC_HINT}</i></p>")

        split = QuietSplitter(Qt.Orientation.Horizontal, self)
        split.setObjectName("consoleSplitter")
        split.setChildrenCollapsible(False)
        split.addWidget(left)
        split.addWidget(right)
        split.addWidget(self.docs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 4)
        split.setStretchFactor(2, 2)
        split.setSizes([400, 640, 240])
        self.setCentralWidget(split)

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
