"""The report's table: every number of the chart, accessible, copyable and sortable.

A plain ``QAbstractTableModel`` over the result's rows (a report has hundreds of rows, not
100k, so no paging); the totals row stays last whatever the sort, and copy / CSV take the
rows in the order shown.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget
from typing_extensions import override

from posdesk.models.formatting import Formatter
from posdesk.reports.model import ReportResult
from posdesk.ui.reports.cells import cell_text, is_numeric, sort_key

_Index = QModelIndex | QPersistentModelIndex
_NO_INDEX = QModelIndex()
RESIZE_ROWS = 100


class ReportTableModel(QAbstractTableModel):
    """Rows of one ``ReportResult`` shown with the app's formatter; totals pinned last."""

    def __init__(self, formatter: Formatter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.formatter = formatter
        self.result: ReportResult | None = None
        self.rows: list[tuple[object, ...]] = []
        self._shown: list[tuple[object, ...]] = []  # rows + totals, kept in step with rows

    def set_result(self, result: ReportResult | None) -> None:
        self.beginResetModel()
        self.result = result
        self.rows = list(result.rows) if result else []
        self._refresh_shown()
        self.endResetModel()

    def _refresh_shown(self) -> None:
        """Rebuilt once per result or sort, not per cell: the view asks ``data`` for every
        visible cell and the header for a thousand rows (a reorder list has 38,000)."""
        totals = self.result.totals if self.result else None
        self._shown = self.rows + ([totals] if totals is not None else [])

    def all_rows(self) -> list[tuple[object, ...]]:
        """Rows in the order shown, then the totals row (if any)."""
        return self._shown

    def text(self, row: int, column: int) -> str:
        assert self.result is not None
        value = self.all_rows()[row][column]
        return cell_text(value, self.result.columns[column].kind, self.formatter)

    @override
    def rowCount(self, parent: _Index = _NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self.all_rows())

    @override
    def columnCount(self, parent: _Index = _NO_INDEX) -> int:
        return 0 if parent.isValid() or self.result is None else len(self.result.columns)

    @override
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if self.result is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.result.columns[section].title
        return None

    @override
    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.result is None:
            return None
        column = self.result.columns[index.column()]
        totals = self.result.totals is not None and index.row() == len(self.rows)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.text(index.row(), index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignRight if is_numeric(column) else Qt.AlignmentFlag.AlignLeft
            )
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and totals:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.UserRole:
            return self.all_rows()[index.row()][index.column()]
        return None

    @override
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows by the exact value (not the text); the totals row stays last."""
        if self.result is None or not 0 <= column < len(self.result.columns):
            return
        self.layoutAboutToBeChanged.emit()
        self.rows.sort(
            key=lambda row: sort_key(row[column]),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )
        self._refresh_shown()
        self.layoutChanged.emit()


class ReportTable(QTableView):
    """The table view: sortable by any column, Ctrl+C copies the selection as TSV (with the
    column titles), so a manager can paste the figures into a spreadsheet."""

    def __init__(self, model: ReportTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportsTable")
        self.setAccessibleName("Report table")
        self.setModel(model)
        self.report_model = model
        self.setSortingEnabled(True)
        self.horizontalHeader().setSortIndicatorShown(True)
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # columns fit the first rows (Qt's default measures 1,000 rows of every column on each
        # result: ~0.5 s of the loop for a 38,000-row reorder list); widths are the same text
        self.horizontalHeader().setResizeContentsPrecision(RESIZE_ROWS)
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().hide()
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

    def copy_text(self, *, everything: bool = False) -> str:
        """The selected rows (or all) as tab-separated text with a header line."""
        model = self.report_model
        if model.result is None:
            return ""
        rows = (
            range(model.rowCount())
            if everything
            else sorted({i.row() for i in self.selectionModel().selectedIndexes()})
        )
        lines = ["\t".join(c.title for c in model.result.columns)]
        lines += ["\t".join(model.text(r, c) for c in range(model.columnCount())) for r in rows]
        return "\n".join(lines)

    @override
    def keyPressEvent(self, event: Any) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            QGuiApplication.clipboard().setText(
                self.copy_text(everything=not self.selectionModel().hasSelection())
            )
            return
        super().keyPressEvent(event)
