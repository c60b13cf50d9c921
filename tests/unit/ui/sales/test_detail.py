"""The sale detail widget: shows every part of a sale, copies it as text, writes a PDF."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtPrintSupport import QPrintPreviewDialog
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from posdesk.ui.sales.detail import SaleDetailView, write_pdf
from tests.unit.models.test_receipt import SALE, US

CHICAGO = ZoneInfo("America/Chicago")


def test_shows_header_lines_tenders_and_totals(qtbot: QtBot) -> None:
    view = SaleDetailView(CHICAGO, US)
    qtbot.addWidget(view)
    assert view.message.startswith("Select a sale")
    assert not view.copy_button.isEnabled()
    view.location_names = {"S01": "Main St"}
    view.currency = "USD"
    view.set_sale(SALE)
    assert view.message == ""
    assert view.copy_button.isEnabled()
    assert view.lines_table.rowCount() == 2
    first_row = [view.lines_table.item(0, c).text() for c in range(6)]  # type: ignore[union-attr]
    assert first_row[0] == "SKU-1"
    assert "S/N L77" in first_row[1]
    assert first_row[2:] == ["2", "600.00", "10.00", "1,190.00"]
    assert view.tenders_table.rowCount() == 2
    texts = {label.text() for label in view.findChildren(QLabel)}
    assert {"Feb 28, 2026 11:59 PM", "Main St (S01)", "R2-000913", "$1,323.26", "98.76"} <= texts


def test_copy_as_text_and_back_to_a_message(qtbot: QtBot) -> None:
    view = SaleDetailView(CHICAGO, US)
    qtbot.addWidget(view)
    view.set_sale(SALE)
    view.copy_text()
    copied = QGuiApplication.clipboard().text()
    assert "Sale R2-000913" in copied
    assert "Visa ****4242" in copied
    view.show_message("Loading…")
    assert view.sale is None
    assert view.message == "Loading…"
    assert not view.pdf_button.isEnabled()


def test_pdf_export_writes_a_pdf(qtbot: QtBot, tmp_path: Path) -> None:
    view = SaleDetailView(CHICAGO, US)
    qtbot.addWidget(view)
    view.set_sale(SALE)
    assert view.receipt is not None
    target = tmp_path / "receipt.pdf"
    write_pdf(view.receipt, target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    assert b"Sale R2-000913" in data  # document title metadata


def test_print_preview_renders_the_receipt_pages(qtbot: QtBot) -> None:
    view = SaleDetailView(CHICAGO, US)
    qtbot.addWidget(view)
    view.set_sale(SALE)
    seen: list[str] = []

    def close_preview() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QPrintPreviewDialog)
        seen.append(dialog.windowTitle())
        dialog.reject()

    QTimer.singleShot(200, close_preview)
    view.preview()  # modal: returns once the timer closed it
    assert seen == ["Print preview – Sale R2-000913"]
