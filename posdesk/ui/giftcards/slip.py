"""Printable slip for an issued or topped-up card (printer or PDF).

The slip leaves the building in a customer's pocket, so the code is masked except its last
four characters and no PIN ever appears on it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QFileDialog, QWidget

from posdesk.models.formatting import Formatter, app_locale
from posdesk.ui.giftcards.card_view import local_time, mask_code


@dataclass(frozen=True, slots=True)
class GiftCardSlip:
    title: str  # "Gift card issued" / "Gift card top-up"
    code: str
    balance: Decimal | None
    when: datetime
    store: str
    amount: Decimal | None = None
    payment: str | None = None
    reference: str | None = None
    currency: str | None = None  # the server's, when the slip was made


def slip_html(slip: GiftCardSlip) -> str:
    """The slip as simple HTML (QTextDocument's subset), every value escaped."""

    def row(label: str, value: str) -> str:
        return (
            f"<tr><td>{html.escape(label)}</td>"
            f"<td align='right'><b>{html.escape(value)}</b></td></tr>"
        )

    money = Formatter(app_locale(), slip.currency).money
    rows = [
        row("Store", slip.store),
        row("Date", local_time(slip.when)),
        row("Card", mask_code(slip.code)),
    ]
    if slip.amount is not None:
        rows.append(row("Amount", money(slip.amount)))
    if slip.payment:
        rows.append(row("Paid by", slip.payment))
    rows.append(row("Balance", money(slip.balance) if slip.balance is not None else "unknown"))
    if slip.reference:
        rows.append(row("Reference", slip.reference))
    return (
        "<html><body style='font-family: sans-serif;'>"
        f"<h2 align='center'>{html.escape(slip.title)}</h2>"
        f"<table width='100%' cellpadding='3'>{''.join(rows)}</table>"
        "<p align='center'><small>Keep this slip. The full card number is not printed "
        "for your security.</small></p></body></html>"
    )


def slip_document(slip: GiftCardSlip, parent: QWidget | None = None) -> QTextDocument:
    doc = QTextDocument(parent)
    doc.setHtml(slip_html(slip))
    return doc


def write_slip_pdf(slip: GiftCardSlip, path: Path) -> Path:
    """Write the slip as a receipt-sized PDF (80 mm wide) and return the path."""
    writer = QPdfWriter(str(path))
    writer.setTitle(slip.title)
    writer.setCreator("posdesk")
    writer.setPageSize(QPageSize(QSizeF(80, 120), QPageSize.Unit.Millimeter, "Slip"))
    writer.setPageMargins(QMarginsF(4, 4, 4, 4), QPageLayout.Unit.Millimeter)
    doc = slip_document(slip)
    doc.print_(writer)
    del writer  # finishes the file
    return path


def print_slip(slip: GiftCardSlip, parent: QWidget | None = None) -> bool:
    """Ask for a printer and print the slip; True when it was sent to the printer."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(slip.title)
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    slip_document(slip).print_(printer)
    return True


def save_slip_as(slip: GiftCardSlip, parent: QWidget | None = None) -> Path | None:
    """Ask where to save the slip as PDF and write it there."""
    name, _ = QFileDialog.getSaveFileName(
        parent, "Save slip as PDF", "giftcard-slip.pdf", "PDF (*.pdf)"
    )
    return write_slip_pdf(slip, Path(name)) if name else None
