"""One sale in full: header, lines, totals, tenders; print, PDF and copy as text.

The on-screen widgets and the printed receipt come from the same :class:`Receipt`, so what the
user sees is what prints. Printing renders the receipt's HTML with ``QTextDocument``.
"""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path

from PySide6.QtCore import QLocale, QMarginsF, Qt
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from posdesk.domain import Sale
from posdesk.models.receipt import Receipt
from posdesk.ui.common.tables import title_label

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def receipt_document(receipt: Receipt) -> QTextDocument:
    """The printable receipt (HTML laid out by Qt)."""
    document = QTextDocument()
    document.setDocumentMargin(0)
    document.setHtml(receipt.html())
    return document


def write_pdf(receipt: Receipt, path: Path) -> None:
    """Write the receipt as a one-or-more page A4 PDF (no dialog: testable, scriptable)."""
    writer = QPdfWriter(str(path))
    writer.setTitle(receipt.title)
    writer.setCreator("posdesk")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(15, 15, 15, 15),
            QPageLayout.Unit.Millimeter,
        )
    )
    receipt_document(receipt).print_(writer)


class SaleDetailView(QWidget):
    """Shows one sale, or a placeholder / loading / error message instead of it."""

    def __init__(
        self, tz: tzinfo, locale: QLocale | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.tz = tz
        if locale is not None:
            self.setLocale(locale)
        self.currency: str | None = None
        self.location_names: dict[str, str] = {}
        self._sale: Sale | None = None
        self._receipt: Receipt | None = None

        self._stack = QStackedWidget(self)
        self._message = QLabel(self)
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._message.setObjectName("saleDetailMessage")
        self._stack.addWidget(self._message)

        body = QWidget(self)
        top = self._build_top(body)

        self._header = QGridLayout()
        self._header.setHorizontalSpacing(16)
        self._header_values: dict[str, QLabel] = {}

        columns = ("SKU", "Description", "Qty", "Price", "Discount", "Amount")
        self.lines_table = self._table(columns, stretch=1, right_from=2)
        self.lines_table.setObjectName("saleLines")
        self.lines_table.setAccessibleName("Sale lines")
        self.tenders_table = self._table(("Tender", "Amount"), stretch=0, right_from=1)
        self.tenders_table.setObjectName("saleTenders")
        self.tenders_table.setAccessibleName("Tenders")
        self.tenders_table.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        self._totals = QGridLayout()
        self._totals.setColumnStretch(0, 1)
        totals_box = QWidget(body)
        totals_box.setLayout(self._totals)

        lines_box = QGroupBox("Lines", body)
        QVBoxLayout(lines_box).addWidget(self.lines_table)
        tenders_box = QGroupBox("Tenders", body)
        QVBoxLayout(tenders_box).addWidget(self.tenders_table)
        bottom = QHBoxLayout()
        bottom.addWidget(tenders_box, 3, Qt.AlignmentFlag.AlignTop)
        bottom.addWidget(totals_box, 2, Qt.AlignmentFlag.AlignTop)

        layout = QVBoxLayout(body)
        layout.addLayout(top)
        layout.addLayout(self._header)
        layout.addWidget(lines_box, 1)
        layout.addLayout(bottom)
        self._stack.addWidget(body)
        self._body = body

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._stack)
        self.show_message("Select a sale to see its lines, tenders and totals.")

    def _build_top(self, body: QWidget) -> QHBoxLayout:
        """The sale's title beside Copy / Preview / Print / PDF."""
        self._title = title_label("saleDetailTitle", body)

        self.copy_button = QPushButton("&Copy", body)
        self.preview_button = QPushButton("Pre&view…", body)
        self.print_button = QPushButton("&Print…", body)
        self.pdf_button = QPushButton("P&DF…", body)
        for button, name, tip in (
            (self.copy_button, "saleCopyButton", "Copy the receipt as text"),
            (self.preview_button, "salePreviewButton", "Print preview of the receipt"),
            (self.print_button, "salePrintButton", "Print the receipt"),
            (self.pdf_button, "salePdfButton", "Save the receipt as a PDF file"),
        ):
            button.setObjectName(name)
            button.setToolTip(tip)
            button.setAccessibleName(tip)
        self.copy_button.clicked.connect(self.copy_text)
        self.preview_button.clicked.connect(self.preview)
        self.print_button.clicked.connect(self.print_dialog)
        self.pdf_button.clicked.connect(self.save_pdf_dialog)
        top = QHBoxLayout()
        top.addWidget(self._title, 1)
        for button in (self.copy_button, self.preview_button, self.print_button, self.pdf_button):
            top.addWidget(button)
        return top

    def _table(self, headers: tuple[str, ...], stretch: int, right_from: int) -> QTableWidget:
        table = QTableWidget(0, len(headers), self)
        table.setHorizontalHeaderLabels(list(headers))
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().setVisible(False)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setAlternatingRowColors(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        for column in range(len(headers)):
            item = table.horizontalHeaderItem(column)
            if item is not None:
                item.setTextAlignment(_RIGHT if column >= right_from else _LEFT)
        return table

    # ------------------------------------------------------------------ state

    @property
    def sale(self) -> Sale | None:
        return self._sale

    @property
    def receipt(self) -> Receipt | None:
        return self._receipt

    def show_message(self, text: str) -> None:
        """Placeholder, "Loading…" or an error sentence instead of a sale."""
        self._sale = None
        self._receipt = None
        self._message.setText(text)
        self._stack.setCurrentWidget(self._message)
        self._set_actions_enabled(False)

    @property
    def message(self) -> str:
        return self._message.text() if self._stack.currentWidget() is self._message else ""

    def set_sale(self, sale: Sale) -> None:
        self._sale = sale
        location_name = self.location_names.get(sale.location_code or "")
        receipt = Receipt.of(
            sale, self.tz, self.locale(), currency=self.currency, location_name=location_name
        )
        self._receipt = receipt
        self._title.setText(receipt.title)
        self._fill_grid(self._header, receipt.header, columns=2)
        self._fill_grid(self._totals, receipt.totals, columns=1, right=True)

        self.lines_table.setRowCount(0)
        for line in receipt.lines:
            description = line.description + (f"\n{line.detail}" if line.detail else "")
            cells = (
                line.sku,
                description,
                line.quantity,
                line.unit_price,
                line.discount,
                line.extended,
            )
            self._append_row(self.lines_table, cells, right_from=2)
        self.lines_table.resizeRowsToContents()
        self.tenders_table.setRowCount(0)
        for label, amount in receipt.tenders:
            self._append_row(self.tenders_table, (label, amount), right_from=1)
        self._fit_height(self.tenders_table)
        self._stack.setCurrentWidget(self._body)
        self._set_actions_enabled(True)

    def _fill_grid(
        self,
        grid: QGridLayout,
        pairs: tuple[tuple[str, str], ...],
        columns: int,
        right: bool = False,
    ) -> None:
        while grid.count():
            taken = grid.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.deleteLater()
        per_column = -(-len(pairs) // columns)
        for i, (label, value) in enumerate(pairs):
            row, col = i % per_column, (i // per_column) * 2
            name = QLabel(f"{label}:", self._body)
            name.setAlignment(_RIGHT if right else _LEFT)
            shown = QLabel(value, self._body)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            shown.setAlignment(_RIGHT if right else _LEFT)
            shown.setWordWrap(not right and label != "Date")  # a date never breaks
            shown.setObjectName(f"value_{label.lower().replace(' ', '_')}")
            if label == "Total":
                font = shown.font()
                font.setBold(True)
                shown.setFont(font)
                name.setFont(font)
            grid.addWidget(name, row, col)
            grid.addWidget(shown, row, col + 1)
        if not right:
            grid.setColumnStretch(grid.columnCount() - 1, 1)

    @staticmethod
    def _fit_height(table: QTableWidget) -> None:
        """Tenders are few: size the table to its rows instead of leaving a tall empty box."""
        table.resizeRowsToContents()
        rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
        header = table.horizontalHeader().sizeHint().height()
        table.setFixedHeight(header + max(rows, table.verticalHeader().defaultSectionSize()) + 4)

    @staticmethod
    def _append_row(table: QTableWidget, cells: tuple[str, ...], right_from: int) -> None:
        row = table.rowCount()
        table.insertRow(row)
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setTextAlignment(_RIGHT if column >= right_from else _LEFT)
            table.setItem(row, column, item)

    def _set_actions_enabled(self, enabled: bool) -> None:
        for button in (self.copy_button, self.preview_button, self.print_button, self.pdf_button):
            button.setEnabled(enabled)

    # ---------------------------------------------------------------- actions

    def copy_text(self) -> None:
        """Put the fixed-width receipt on the clipboard (pastes well into mail and tickets)."""
        if self._receipt is not None:
            QGuiApplication.clipboard().setText(self._receipt.text())

    def preview(self) -> None:
        if self._receipt is None:
            return
        document = receipt_document(self._receipt)
        dialog = QPrintPreviewDialog(self)
        dialog.setWindowTitle(f"Print preview – {self._receipt.title}")
        dialog.paintRequested.connect(document.print_)
        dialog.exec()

    def print_dialog(self) -> None:
        if self._receipt is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self._receipt.title)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            receipt_document(self._receipt).print_(printer)

    def save_pdf_dialog(self) -> None:
        if self._receipt is None:
            return
        suggested = self._receipt.title.replace(" ", "-") + ".pdf"
        path, _ = QFileDialog.getSaveFileName(self, "Save receipt as PDF", suggested, "PDF (*.pdf)")
        if path:
            write_pdf(self._receipt, Path(path))
