"""A sale as a receipt: plain text (copy to clipboard) and HTML (QTextDocument print/PDF).

No widgets (QtCore only, for the locale's separators), so both renderings are testable and
carry the same content: one :class:`Receipt` is computed from the sale, then written twice.
"""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal

from PySide6.QtCore import QLocale

from posdesk.domain import Sale
from posdesk.models.formatting import app_locale, format_datetime, format_decimal, format_money


def money(amount: Decimal | None, locale: QLocale, currency: str | None = None) -> str:
    """Locale money text; ``—`` when the server did not say."""
    return "—" if amount is None else format_money(amount, locale, currency)


def quantity(value: Decimal | None, locale: QLocale) -> str:
    """Quantities without trailing zeros (``2``, ``1.5``, ``-1``)."""
    return "—" if value is None else format_decimal(value, locale)


def local_time(instant: datetime | None, tz: tzinfo, locale: QLocale | None = None) -> str:
    """A sale instant (UTC from the API) in ``tz``, in the app's one date-time format."""
    if instant is None:
        return "—"
    return format_datetime(instant, locale or app_locale(), tz)


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    sku: str
    description: str
    quantity: str
    unit_price: str
    discount: str
    extended: str
    detail: str | None  # serial/lot number, shown under the line


@dataclass(frozen=True, slots=True)
class Receipt:
    """Everything a receipt shows, already formatted."""

    title: str
    header: tuple[tuple[str, str], ...]
    lines: tuple[ReceiptLine, ...]
    totals: tuple[tuple[str, str], ...]
    tenders: tuple[tuple[str, str], ...]

    @classmethod
    def of(
        cls,
        sale: Sale,
        tz: tzinfo,
        locale: QLocale,
        *,
        currency: str | None = None,
        location_name: str | None = None,
    ) -> Receipt:
        location = sale.location_code or "—"
        if location_name and location_name != sale.location_code:
            location = f"{location_name} ({sale.location_code})"
        customer = sale.customer_name or sale.customer_id or "Walk-in"
        if sale.customer_name and sale.customer_id:
            customer = f"{sale.customer_name} ({sale.customer_id})"
        header = (
            ("Date", local_time(sale.sale_date, tz, locale)),
            ("Location", location),
            ("Register", sale.register_code or "—"),
            ("Transaction", sale.tran_no or "—"),
            ("Sale id", sale.id),
            ("Customer", customer),
        )
        lines = tuple(
            ReceiptLine(
                sku=line.sku,
                description=line.description or "",
                quantity=quantity(line.quantity, locale),
                unit_price=money(line.unit_price, locale),
                discount=money(line.discount_amount, locale) if line.discount_amount else "",
                extended=money(line.ext_price, locale),
                detail=f"S/N {line.serial_lot_no}" if line.serial_lot_no else None,
            )
            for line in sale.lines
        )
        totals: list[tuple[str, str]] = [
            ("Items", quantity(sale.item_count, locale)),
            ("Subtotal", money(sale.sub_total, locale)),
        ]
        if sale.discount_amount:
            totals.append(("Discounts", money(sale.discount_amount, locale)))
        totals += [
            ("Tax", money(sale.tax_amount, locale)),
            ("Total", money(sale.total, locale, currency)),
        ]
        tenders = tuple(
            (
                " ".join(p for p in (t.tender_type, t.description) if p)
                + (f" [{t.reference}]" if t.reference else ""),
                money(t.amount, locale),
            )
            for t in sale.tenders
        )
        title = f"Sale {sale.tran_no or sale.id}"
        return cls(title, header, lines, tuple(totals), tenders)

    def text(self, width: int = 72) -> str:
        """Fixed-width receipt for the clipboard (monospace-friendly, no tabs)."""
        rule = "-" * width
        out = [self.title.center(width).rstrip(), rule]
        label_width = max(len(k) for k, _ in self.header)
        out += [f"{k.ljust(label_width)}  {v}" for k, v in self.header]
        out.append(rule)
        cols = (14, width - 14 - 6 - 10 - 9 - 10 - 5, 6, 10, 9, 10)
        names = ("SKU", "Description", "Qty", "Price", "Disc", "Amount")
        out.append(_row(names, cols))
        indent = " " * (cols[0] + 1)
        for line in self.lines:
            wrapped = textwrap.wrap(line.description, cols[1]) or [""]
            cells = (line.sku, wrapped[0], line.quantity, line.unit_price, line.discount)
            out.append(_row((*cells, line.extended), cols))
            out += [indent + more for more in wrapped[1:]]
            if line.detail:
                out.append(indent + line.detail)
        if not self.lines:
            out.append("(no line detail from the server)")
        out.append(rule)
        out += [_pair(k, v, width) for k, v in self.totals]
        if self.tenders:
            out.append(rule)
            out += [_pair(k, v, width) for k, v in self.tenders]
        return "\n".join(out) + "\n"

    def html(self) -> str:
        """Receipt-style HTML for ``QTextDocument`` (the subset of HTML/CSS Qt renders)."""
        e = html.escape
        parts = [
            "<html><body style='font-family: sans-serif; font-size: 10pt;'>",
            f"<h2 align='center'>{e(self.title)}</h2>",
            "<table cellspacing='0' cellpadding='2'>",
        ]
        parts += [f"<tr><td><b>{e(k)}</b></td><td>{e(v)}</td></tr>" for k, v in self.header]
        parts.append("</table><hr/>")
        parts.append("<table width='100%' cellspacing='0' cellpadding='3'><tr>")
        for name, align in _HTML_COLUMNS:
            parts.append(f"<th align='{align}'>{name}</th>")
        parts.append("</tr>")
        for line in self.lines:
            cells = (
                line.sku,
                line.description,
                line.quantity,
                line.unit_price,
                line.discount,
                line.extended,
            )
            parts.append("<tr>")
            for (_, align), cell in zip(_HTML_COLUMNS, cells, strict=True):
                parts.append(f"<td align='{align}'>{e(cell)}</td>")
            parts.append("</tr>")
            if line.detail:
                parts.append(f"<tr><td></td><td colspan='5'><i>{e(line.detail)}</i></td></tr>")
        if not self.lines:
            parts.append("<tr><td colspan='6'><i>No line detail from the server.</i></td></tr>")
        parts.append("</table><hr/><table width='100%' cellspacing='0' cellpadding='2'>")
        for k, v in self.totals:
            weight = "bold" if k == "Total" else "normal"
            parts.append(
                f"<tr><td align='right' style='font-weight:{weight}'>{e(k)}</td>"
                f"<td align='right' width='25%' style='font-weight:{weight}'>{e(v)}</td></tr>"
            )
        parts.append("</table>")
        if self.tenders:
            parts.append("<hr/><table width='100%' cellspacing='0' cellpadding='2'>")
            parts += [
                f"<tr><td>{e(k)}</td><td align='right' width='25%'>{e(v)}</td></tr>"
                for k, v in self.tenders
            ]
            parts.append("</table>")
        parts.append("</body></html>")
        return "".join(parts)


_HTML_COLUMNS = (
    ("SKU", "left"),
    ("Description", "left"),
    ("Qty", "right"),
    ("Price", "right"),
    ("Disc", "right"),
    ("Amount", "right"),
)


def _row(cells: tuple[str, ...], widths: tuple[int, ...]) -> str:
    out = []
    for i, (cell, width) in enumerate(zip(cells, widths, strict=True)):
        text = cell if len(cell) <= width else cell[: width - 1] + "…"
        out.append(text.ljust(width) if i < 2 else text.rjust(width))
    return " ".join(out).rstrip()


def _pair(label: str, value: str, width: int) -> str:
    return label + value.rjust(width - len(label))
