"""The console's results: a grid over flattened rows, sub-tables for nested lists.

``ResultModel`` is the shared ``PagedTableModel`` (CSV export, copy, banners all come with
``PagedTableView``) with columns made from the answer. It never pages on scroll: a query
shows what it asked for; "Load all" pages explicitly (``fetch_all``). Cells show the values
exactly as the server sent them; CSV gets the same text (nested lists as compact JSON).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import QLocale, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from posdesk.models.formatting import Formatter
from posdesk.models.paged import Column, Fetch, PagedTableModel
from posdesk.ui.console.flatten import NestedList, Row, column_keys, nested_rows
from posdesk.ui.shell.errors import ErrorReporter
from posdesk.ui.widgets.paged_view import PagedTableView

SIZE_SAMPLE_ROWS = 100
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def cell_text(value: object) -> str:
    """A value as the server sent it (``true``/``false``, exact decimals, empty for null)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _export(value: object) -> object:
    return value.to_json() if isinstance(value, NestedList) else cell_text(value)


def make_column(key: str, rows: Sequence[Row]) -> Column[Row]:
    sample = next((r[key] for r in rows if r.get(key) is not None), None)
    numeric = isinstance(sample, int | Decimal) and not isinstance(sample, bool)
    return Column(
        title=key,
        key=key,
        value=lambda row: _export(row.get(key)),
        text=lambda row, _locale: cell_text(row.get(key)),
        alignment=_RIGHT if numeric or isinstance(sample, NestedList) else _LEFT,
        tooltip=(lambda row: "Double-click to open") if isinstance(sample, NestedList) else None,
    )


class ResultModel(PagedTableModel[Row]):
    """Rows of one answer; more arrive only through ``fetch_all`` (Load all)."""

    def __init__(
        self,
        rows: Sequence[Row],
        *,
        has_more: bool = False,
        fetch: Fetch[Row] | None = None,
        formatter: Formatter | None = None,
        locale: QLocale | None = None,
        parent: QObject | None = None,
    ) -> None:
        columns = [make_column(k, rows) for k in column_keys(rows)]
        super().__init__(
            columns, fetch, page_size=500, formatter=formatter, locale=locale, parent=parent
        )
        self._rows = list(rows)
        self._has_more = has_more and fetch is not None

    @override
    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return False  # no paging on scroll: the user asked for this page

    def ensure_columns(self, rows: Sequence[Row]) -> None:
        """Add columns for keys first seen in a later page (e.g. an object null until now)."""
        known = {c.key for c in self.columns}
        new = [k for k in column_keys(rows) if k not in known]
        if not new:
            return
        start = len(self.columns)
        self.beginInsertColumns(QModelIndex(), start, start + len(new) - 1)
        self.columns = (*self.columns, *(make_column(k, rows) for k in new))
        self._forget_texts()
        self.endInsertColumns()

    def value(self, row: int, column: int) -> object:
        """The raw value behind a cell (a ``NestedList`` for a list)."""
        key = self.columns[column].key or ""
        return self._rows[row].get(key)


class ResultTableView(PagedTableView):
    """PagedTableView whose Ctrl+C copies the selected *cells* (tab-separated)."""

    def __init__(
        self, name: str, parent: QWidget | None = None, *, reporter: ErrorReporter | None = None
    ) -> None:
        super().__init__(name, parent, reporter=reporter, accessible_name="Query results")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        # column widths from the first rows only: sizing looked at 1,000 rows per column
        self.table.horizontalHeader().setResizeContentsPrecision(SIZE_SAMPLE_ROWS)
        self.copy_action.setText("&Copy cells")
        self.table.doubleClicked.connect(self._open_nested)
        self.sub_tables: list[QDialog] = []

    @override
    def selected_rows(self) -> list[int]:
        selection = self.table.selectionModel()
        return sorted({i.row() for i in selection.selectedIndexes()})

    @override
    def copy_selection(self) -> str:
        """Copy the selected cells as tab-separated rows (the bounding rectangle)."""
        model = self.model()
        indexes = self.table.selectionModel().selectedIndexes()
        if model is None or not indexes:
            return ""
        rows = sorted({i.row() for i in indexes})
        columns = sorted({i.column() for i in indexes})
        chosen = {(i.row(), i.column()) for i in indexes}
        lines = []
        if len(rows) > 1 or len(columns) > 1:
            lines.append("\t".join(model.columns[c].title for c in columns))
        for row in rows:
            texts = model.row_texts(row)
            lines.append("\t".join(texts[c] if (row, c) in chosen else "" for c in columns))
        text = "\n".join(lines)
        QGuiApplication.clipboard().setText(text)
        return text

    def _open_nested(self, index: QModelIndex) -> None:
        model = self.model()
        if not isinstance(model, ResultModel) or not index.isValid():
            return
        value = model.value(index.row(), index.column())
        if isinstance(value, NestedList):
            self.open_sub_table(model.columns[index.column()].title, value)

    def open_sub_table(self, title: str, value: NestedList) -> QDialog:
        """A nested list in a window of its own (its lists open further sub-tables)."""
        dialog = QDialog(self)
        dialog.setObjectName("consoleSubTableDialog")
        dialog.setAccessibleName(f"{title} ({value})")
        dialog.setWindowTitle(f"{title} — {value}")
        layout = QVBoxLayout(dialog)
        view = ResultTableView("consoleSubTable", dialog, reporter=self.reporter)
        view.setModel(ResultModel(nested_rows(value.items), parent=view), load=False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.setObjectName("consoleSubTableButtons")
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("consoleSubTableClose")
        close.setAccessibleName("Close")
        buttons.rejected.connect(dialog.reject)
        layout.addWidget(view)
        layout.addWidget(buttons)
        dialog.resize(640, 360)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self._forget(dialog))
        self.sub_tables.append(dialog)
        dialog.show()
        return dialog

    def _forget(self, dialog: QDialog) -> None:
        if dialog in self.sub_tables:
            self.sub_tables.remove(dialog)
