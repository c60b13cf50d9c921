"""Receipt rendering: same content as text and HTML, local times, money as Decimal strings."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from PySide6.QtCore import QLocale

from posdesk.domain import Sale, SaleLine, SaleTender
from posdesk.models.receipt import Receipt, local_time, money, quantity

CHICAGO = ZoneInfo("America/Chicago")
US = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)

SALE = Sale(
    id="100234",
    register_code="R2",
    tran_no="R2-000913",
    customer_id="04120387765512093344",
    sale_date=datetime(2026, 3, 1, 5, 59, tzinfo=UTC),  # 23:59 on 28 Feb in Chicago
    location_code="S01",
    customer_name="Ana <Lopez> & Co",
    item_count=Decimal("3"),
    sub_total=Decimal("1234.50"),
    discount_amount=Decimal("10.00"),
    tax_amount=Decimal("98.76"),
    total=Decimal("1323.26"),
    lines=(
        SaleLine(
            1,
            "SKU-1",
            "Very long description of a garden hose",
            Decimal("2"),
            Decimal("600.00"),
            Decimal("10.00"),
            Decimal("1190.00"),
            serial_lot_no="L77",
        ),
        SaleLine(
            2, "SKU-2", "Nozzle", Decimal("1.500"), Decimal("29.67"), Decimal(0), Decimal("44.50")
        ),
    ),
    tenders=(
        SaleTender("CARD", Decimal("1300.00"), "Visa ****4242", "AUTH77"),
        SaleTender("CASH", Decimal("23.26")),
    ),
)


def test_formatting_helpers() -> None:
    assert money(Decimal("1234.5"), US) == "1,234.50"
    assert money(Decimal("-3"), US, "USD") == "-$3.00"
    assert money(None, US) == "—"
    assert money(Decimal("1234.5"), QLocale(QLocale.Language.German)) == "1.234,50"
    assert quantity(Decimal("2.000"), US) == "2"
    assert quantity(Decimal("1.50"), US) == "1.5"
    assert quantity(Decimal("-1"), US) == "-1"
    assert local_time(SALE.sale_date, CHICAGO) == "Feb 28, 2026 11:59 PM"


def test_text_receipt_has_every_part() -> None:
    text = Receipt.of(SALE, CHICAGO, US, currency="USD", location_name="Main St").text()
    assert "Sale R2-000913" in text
    assert "Feb 28, 2026 11:59 PM" in text
    assert "Main St (S01)" in text
    assert "Ana <Lopez> & Co (04120387765512093344)" in text
    assert "S/N L77" in text
    assert "garden hose" in text  # long descriptions wrap, never cut
    assert "1,190.00" in text
    assert "Visa ****4242 [AUTH77]" in text
    assert text.rstrip().splitlines()[-1].endswith("23.26")
    total_line = next(line for line in text.splitlines() if line.startswith("Total"))
    assert total_line.endswith("$1,323.26")
    assert max(len(line) for line in text.splitlines()) <= 72


def test_html_receipt_escapes_and_matches_text() -> None:
    receipt = Receipt.of(SALE, CHICAGO, US)
    markup = receipt.html()
    assert "Ana &lt;Lopez&gt; &amp; Co" in markup
    assert "<Lopez>" not in markup
    for _, value in receipt.totals + receipt.tenders:
        assert value in markup
    assert markup.count("<tr>") >= len(SALE.lines)


def test_sale_without_detail_still_renders() -> None:
    bare = Sale(id="9", tran_no=None, sale_date=None)
    receipt = Receipt.of(bare, CHICAGO, US)
    assert "no line detail" in receipt.text()
    assert "No line detail" in receipt.html()
    assert ("Customer", "Walk-in") in receipt.header
    assert ("Discounts", "—") not in receipt.totals
