"""Item detail: stock grid tones, totals, serial/lot rows, catalogue page order and escaping."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtGui import QColor, QPalette
from pytestqt.qtbot import QtBot

from posdesk.domain import (
    Item,
    Product,
    ProductBanner,
    ProductGroup,
    ProductNotice,
    ProductSection,
    ProductSortOption,
    SerialLot,
    TrackingType,
    WarehouseStock,
)
from posdesk.models.paged import ToneRole
from posdesk.ui.inventory.item_detail import (
    ItemDetailView,
    md_escape,
    product_markdown,
    tone_background,
)

TODAY = date(2026, 11, 26)


def stock(code: str, avail: str, reorder: str = "2", price: str = "9.99") -> WarehouseStock:
    return WarehouseStock(
        warehouse_code=code,
        sku="LOT-1",
        base_price=Decimal(price),
        quantity_available=Decimal(avail),
        quantity_on_hand=Decimal(avail),
        reorder_point=Decimal(reorder),
    )


ITEM = Item(
    sku="LOT-1",
    name="Vitamin C",
    long_name="Vitamin C 500 mg, 100 tablets",
    sale_uom="EA",
    stock_uom="CS",
    barcodes=("0123456789012",),
    tracking_type=TrackingType.LOT,
    warehouses=(stock("S1", "10"), stock("S2", "0"), stock("WH", "2", price="8.50")),
    serial_lots=(
        SerialLot("LOT-1", "S1", "L-OLD", TrackingType.LOT, Decimal(3), date(2026, 1, 1)),
        SerialLot("LOT-1", "S1", "L-SOON", TrackingType.LOT, Decimal(4), date(2026, 12, 10)),
        SerialLot("LOT-1", "WH", "L-LATE", TrackingType.LOT, Decimal(2), date(2028, 1, 1)),
    ),
)
NAMES = {"S1": "Downtown", "S2": "Airport", "WH": "Central warehouse"}


def test_detail_shows_item_stock_and_lots(qtbot: QtBot) -> None:
    view = ItemDetailView()
    qtbot.addWidget(view)
    view.show_item(ITEM, NAMES, home="S1", currency="USD", today=TODAY)
    assert view.title.text() == "LOT-1 · Vitamin C"
    assert "$9.99 (my store)" in view.price.text()
    assert view.uoms.text() == "sold per EA, stocked per CS"
    model = view.stock_model
    labels = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert labels == ["Downtown (S1) — my store", "Airport (S2)", "Central warehouse (WH)"]
    tones = [model.index(r, 1).data(ToneRole) for r in range(model.rowCount())]
    assert tones == [None, "danger", "warning"]
    assert [model.index(r, 6).data() for r in range(3)] == ["OK", "Out of stock", "Low"]
    assert view.stock_totals.text() == (
        "12 available, 12 on hand in 3 warehouses — 1 out of stock, 1 low"
    )
    assert not view.serial_box.isHidden()
    lots = view.serial_model
    rows = [(lots.index(r, 0).data(), lots.index(r, 1).data()) for r in range(lots.rowCount())]
    assert rows == [
        ("Downtown", "L-OLD"),
        ("Downtown", "L-SOON"),
        ("Central warehouse", "L-LATE"),
    ]
    assert [lots.index(r, 4).data(ToneRole) for r in range(3)] == ["danger", "warning", None]
    assert "(expired)" in lots.index(0, 4).data()
    text = view.details_text()
    assert "SKU: LOT-1" in text
    assert "Airport (S2): 0 available ($9.99, out of stock)" in text
    assert "Downtown: L-SOON, expires Dec 10, 2026" in text


def test_price_range_without_home(qtbot: QtBot) -> None:
    view = ItemDetailView()
    qtbot.addWidget(view)
    view.show_item(ITEM, NAMES, home=None, currency=None, today=TODAY)
    assert view.price.text() == "8.50 – 9.99 (varies by warehouse)"


def test_untracked_item_hides_serials(qtbot: QtBot) -> None:
    view = ItemDetailView()
    qtbot.addWidget(view)
    view.show_item(Item(sku="A", tracking_type=TrackingType.NONE), today=TODAY)
    assert view.serial_box.isHidden()
    assert view.price.text() == "—"


def test_tone_background_is_palette_aware() -> None:
    light, dark = QPalette(), QPalette()
    light.setColor(QPalette.ColorRole.Base, QColor("white"))
    dark.setColor(QPalette.ColorRole.Base, QColor(30, 30, 30))
    on_light = tone_background(light, "danger")
    on_dark = tone_background(dark, "danger")
    assert on_light is not None
    assert on_dark is not None
    assert on_light.lightnessF() > 0.6  # a light tint under dark text
    assert on_dark.lightnessF() < 0.4  # a dark tint under light text
    assert on_dark.red() > on_dark.green()
    assert tone_background(light, "nonsense") is None


def test_product_markdown_orders_notices_around_description() -> None:
    banner = ProductBanner("B1", "Winter sale", "https://example.com/sale")
    product = Product(
        sku="LOT-1",
        name="Vitamin *C*",
        description="The **description**.",
        groups=(
            ProductGroup(
                "G2",
                "Vitamins",
                2,
                sections=(ProductSection("S1", "Health", 1, banner=banner),),
            ),
            ProductGroup("G1", "Offers", 1, banner=ProductBanner("B2", "Bad", "javascript:x")),
        ),
        notices=(
            ProductNotice("N1", "after", "After one.", 5),
            ProductNotice("N2", "before", "Before.", -1),
            ProductNotice("N3", "tie", "After zero.", 0),
        ),
    )
    md = product_markdown(product, [ProductSortOption("PRICE", "Price")])
    assert md.startswith("## Vitamin \\*C\\*")
    order = [md.index(s) for s in ("Before.", "The **description**.", "After zero.", "After one.")]
    assert order == sorted(order)
    assert "[https://example\\.com/sale](https://example.com/sale)" in md
    assert "javascript" not in md
    assert "**In the catalogue:** Offers · Health › Vitamins" in md
    assert "*Catalogue sort options:* Price" in md


def test_catalogue_renders_markdown_as_rich_text(qtbot: QtBot) -> None:
    view = ItemDetailView()
    qtbot.addWidget(view)
    view.show_item(ITEM, NAMES, today=TODAY)
    assert view.catalogue.toPlainText() == "Loading the catalogue page…"
    view.show_product(Product(sku="LOT-1", name="Vitamin C", description="Take **one** a day."))
    plain = view.catalogue.toPlainText()
    assert "Take one a day." in plain  # markup became formatting, not literal stars
    assert "**" not in plain
    view.show_product(None)
    assert view.catalogue.toPlainText() == "This item has no page in the product catalogue."


def test_md_escape() -> None:
    assert md_escape("a_b*[c](d)") == "a\\_b\\*\\[c\\]\\(d\\)"


def test_catalogue_banner_is_not_indented(qtbot: QtBot) -> None:
    """A banner used to be a block quote, rendered indented by 40 px under the title."""
    view = ItemDetailView()
    qtbot.addWidget(view)
    view.show_item(ITEM, NAMES, today=TODAY)
    banner = ProductBanner("B1", "Free shipping", "https://example.com/ship")
    group = ProductGroup("G1", "Snacks", 1, banner=banner)
    view.show_product(Product(sku="LOT-1", name="Vitamin C", description="Hi.", groups=(group,)))
    document = view.catalogue.document()
    block = document.begin()
    texts = []
    while block.isValid():
        texts.append(block.text())
        assert block.blockFormat().leftMargin() == 0, block.text()
        assert block.blockFormat().indent() == 0, block.text()
        block = block.next()
    assert any(t.startswith("Free shipping — https://example.com/ship") for t in texts), texts


def test_splitter_handles_draw_no_grip(qtbot: QtBot) -> None:
    """Fusion's dotted grip read as a stray ellipsis after "Type to search, or scan a barcode."."""
    view = ItemDetailView()
    qtbot.addWidget(view)
    view.resize(800, 400)
    view.show()
    handle = view.splitter.handle(1)
    assert handle.width() > 0
    image = handle.grab().toImage()
    colours = {image.pixel(x, y) for x in range(image.width()) for y in range(image.height())}
    assert len(colours) == 1  # one flat colour: no dots, no line
