"""The Query console's widgets: toolbar actions and their buttons, saved / history combos,
editor + variables | results | documentation. ``ConsoleWindow`` (``window.py``) wires them to
running, Load all, files and saved queries.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
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

from posdesk.ui.console.editor import QueryEditor, monospace
from posdesk.ui.console.highlighter import GraphQLHighlighter
from posdesk.ui.console.results import ResultTableView
from posdesk.ui.widgets.paged_view import TintedFrame
from posdesk.ui.widgets.splitter import QuietSplitter

DOC_HINT = "Click a field, argument or type in the editor to see its documentation here."


class ConsoleLayout(QMainWindow):
    """The widget tree only (signals are connected by ``ConsoleWindow``)."""

    def _action(self, text: str, name: str, *keys: str, tip: str = "") -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setToolTip(f"{tip or text.replace('&', '')} ({', '.join(keys)})" if keys else tip)
        self.addAction(action)
        return action

    def _build_toolbar(self) -> None:
        bar = QToolBar("Query", self)
        bar.setObjectName("consoleToolbar")
        bar.setAccessibleName("Query console toolbar")
        bar.setMovable(False)
        self.addToolBar(bar)
        self.run_action = self._action("&Run", "consoleRunAction", "Ctrl+Return", "Ctrl+Enter")
        self.prettify_action = self._action("&Prettify", "consolePrettifyAction", "Ctrl+Shift+F")
        self.load_all_action = self._action(
            "Load &all", "consoleLoadAllAction", tip="Page through every result"
        )
        self.cancel_action = self._action("&Cancel", "consoleCancelAction", "Esc")
        self.export_action = self._action("&Export CSV…", "consoleExportAction", "Ctrl+E")
        self.open_action = self._action("&Open…", "consoleOpenAction", "Ctrl+O")
        self.save_file_action = self._action("&Save…", "consoleSaveFileAction", "Ctrl+S")
        self.save_query_action = self._action(
            "Save to my &queries…", "consoleSaveQueryAction", "Ctrl+Shift+S"
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
        self.saved_combo = self._combo(bar, "consoleSaved", "Saved queries")
        self.history_combo = self._combo(bar, "consoleHistory", "History of runs")

    @staticmethod
    def _combo(bar: QToolBar, name: str, accessible: str) -> QComboBox:
        combo = QComboBox(bar)
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        combo.setMinimumContentsLength(22)
        bar.addWidget(combo)
        return combo

    def _build_body(self) -> None:
        """Editor and variables | results | documentation, side by side."""
        left = self._build_editor_pane()
        right = self._build_results_pane()
        self.docs = QTextBrowser(self)
        self.docs.setObjectName("consoleDocs")
        self.docs.setAccessibleName("Documentation")
        self.docs.setOpenLinks(False)
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

    def _build_editor_pane(self) -> QWidget:
        """The query editor with its problem line over the variables."""
        self.editor = QueryEditor(self)
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
        return left

    def _build_results_pane(self) -> QWidget:
        """The error strip (raw error one click away), grid / raw JSON tabs, status + progress."""
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
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.progress)
        status_row.addWidget(self.cancel_button)
        right_layout.addWidget(self.error_frame)
        right_layout.addWidget(self.result_tabs, 1)
        right_layout.addLayout(status_row)
        return right
