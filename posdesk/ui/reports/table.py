"""The report's table: every number of the chart, accessible, copyable and sortable.

A plain ``QAbstractTableModel`` over the result's rows (a reorder list may have 38,000: rows
are formatted when first seen, and widths come from the first rows); the totals row stays
last whatever the sort, and copy / CSV take the rows in the order shown.
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
from posdesk.reports.model import ReportResult, ValueKind
from posdesk.ui.common.tables import fit_columns
from posdesk.ui.reports.cells import cell_text, is_numeric, sort_key

_Index = QModelIndex | QPersistentModelIndex
_NO_INDEX = QModelIndex()
#: rows measured for the starting column widths (the first screenful and then some)
FIT_ROWS = 100
FIT_PADDING = 20  # the cell's text margins and the header's sort arrow
# roles as plain ints: ``data`` is called for every role of every visible cell on each paint
# (several thousand calls per result), so the common ones are answered first and cheaply
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole.value)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
_FONT = int(Qt.ItemDataRole.FontRole.value)
_USER = int(Qt.ItemDataRole.UserRole.value)
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
_LEFT = int((Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter).value)


class ReportTableModel(QAbstractTableModel):
    """Rows of one ``ReportResult`` shown with the app's formatter; totals pinned last.

    A row's texts are formatted the first time the view asks for one of its cells and kept
    until the next result or sort: a 38,000-row reorder list formats the rows on screen,
    not all of them."""

    def __init__(self, formatter: Formatter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.formatter = formatter
        self.result: ReportResult | None = None
        self.rows: list[tuple[object, ...]] = []
        self._shown: list[tuple[object, ...]] = []  # rows + totals, kept in step with rows
        self._texts: list[list[str] | None] = []  # per shown row, formatted on first use
        self._kinds: tuple[ValueKind, ...] = ()
        self._alignment: tuple[int, ...] = ()
        self._bold = QFont()
        self._bold.setBold(True)

    def set_result(self, result: ReportResult | None) -> None:
        self.beginResetModel()
        self.result = result
        self.rows = list(result.rows) if result else []
        columns = result.columns if result else ()
        self._kinds = tuple(column.kind for column in columns)
        self._alignment = tuple(_RIGHT if is_numeric(c) else _LEFT for c in columns)
        self._refresh_shown()
        self.endResetModel()

    def _refresh_shown(self) -> None:
        """Rebuilt once per result or sort, not per cell (a reorder list has 38,000 rows)."""
        totals = self.result.totals if self.result else None
        self._shown = self.rows + ([totals] if totals is not None else [])
        self._texts = [None] * len(self._shown)

    def all_rows(self) -> list[tuple[object, ...]]:
        """Rows in the order shown, then the totals row (if any)."""
        return self._shown

    def row_texts(self, row: int) -> list[str]:
        """Every cell of shown row ``row`` as displayed (formatted once, then kept)."""
        texts = self._texts[row]
        if texts is None:
            formatter = self.formatter
            texts = [
                cell_text(value, kind, formatter)
                for value, kind in zip(self._shown[row], self._kinds, strict=True)
            ]
            self._texts[row] = texts
        return texts

    def text(self, row: int, column: int) -> str:
        return self.row_texts(row)[column]

    def formatted_rows(self) -> int:
        """How many rows have been formatted so far (the ones seen, not all)."""
        return sum(texts is not None for texts in self._texts)

    @override
    def rowCount(self, parent: _Index = _NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self._shown)

    @override
    def columnCount(self, parent: _Index = _NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self._kinds)

    @override
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if self.result is None or role != _DISPLAY:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.result.columns[section].title
        return None

    @override
    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = index.row()
        if not 0 <= row < len(self._shown):
            return None
        if role in (_DISPLAY, _ACCESSIBLE):
            return self.row_texts(row)[index.column()]
        if role == _ALIGNMENT:
            return self._alignment[index.column()]
        if role == _FONT:
            return self._bold if row == len(self.rows) else None  # the totals row
        if role == _USER:
            return self._shown[row][index.column()]
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
        self.content_width = 0  # every column as ``fit`` measured it (the last one too)
        self.setSortingEnabled(True)
        self.horizontalHeader().setSortIndicatorShown(True)
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        # widths from the first rows' texts (``fit``), not ResizeToContents: Qt would ask the
        # model for every role of 100+ rows of every column on each result and each sort
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        model.modelReset.connect(self.fit)
        self.verticalHeader().hide()
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

    def fit(self) -> None:
        """Each column as wide as its title or the widest of the first rows and the totals."""
        model = self.report_model
        count = model.rowCount()
        rows = [*range(min(count, FIT_ROWS)), *([count - 1] if count > FIT_ROWS else [])]
        samples = [[model.text(r, c) for r in rows] or [""] for c in range(model.columnCount())]
        self.content_width = sum(fit_columns(self, samples, padding=FIT_PADDING))

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
