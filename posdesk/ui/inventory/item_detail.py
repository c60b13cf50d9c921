"""One inventory item at a glance: identity, price, stock per warehouse, serial/lot numbers,
and the item's product-catalogue page.

Built for the counter: everything that answers "do we have it, where, at what price" is on
one screen without tabs; the catalogue page (less urgent) sits beside it and is filled when
it arrives, after the item itself is already on screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import urlsplit

from PySide6.QtCore import QLocale, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from posdesk.domain import Item, Product, ProductBanner, ProductSortOption, TrackingType
from posdesk.models.formatting import (
    Formatter,
    app_locale,
    format_date,
    format_decimal,
    format_money,
    plural,
)
from posdesk.models.inventory import (
    ListTableModel,
    SerialRow,
    StockRow,
    serial_columns,
    serial_rows,
    stock_columns,
    stock_rows,
    stock_totals,
)
from posdesk.models.paged import Column
from posdesk.ui.widgets.paged_view import tone_color
from posdesk.ui.widgets.splitter import QuietSplitter

T = TypeVar("T")

_TONE_ACCENTS = {
    "danger": QColor(214, 48, 49),
    "warning": QColor(230, 162, 0),
    "good": QColor(46, 160, 67),
}


def tone_background(palette: QPalette, tone: str) -> QColor | None:
    """A tint of the palette's base colour towards the tone's accent.

    Mixing with the *current* base keeps the text colour readable in light and dark themes
    (a fixed pastel would be unreadable under light-on-dark text).
    """
    accent = _TONE_ACCENTS.get(tone)
    if accent is None:
        return None
    base = palette.color(QPalette.ColorRole.Base)
    dark = base.lightnessF() < 0.5
    weight = 0.28 if dark else 0.30  # dark: light tone text on it keeps ≥ 6:1 contrast
    return QColor(
        round(base.red() * (1 - weight) + accent.red() * weight),
        round(base.green() * (1 - weight) + accent.green() * weight),
        round(base.blue() * (1 - weight) + accent.blue() * weight),
    )


class TonedListModel(ListTableModel[T]):
    """Tones as ready-made brushes and fonts, so the views need no Python delegate (a Python
    ``initStyleOption`` per cell per paint costs more than the whole rest of a scan)."""

    def __init__(
        self,
        columns: Sequence[Column[T]],
        *,
        locale: QLocale | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(columns, locale=locale, parent=parent)
        self._tone_cache: dict[str, dict[int, Any]] = {}

    def set_style(self, palette: QPalette, font: QFont) -> None:
        """Colours for the current palette (light or dark); call before ``set_rows``."""
        bold = QFont(font)
        bold.setBold(True)
        self._tone_cache = {}
        for tone in ("danger", "warning", "good", "muted"):
            roles: dict[int, Any] = {}
            text = tone_color(tone, palette)
            if text is not None:
                roles[Qt.ItemDataRole.ForegroundRole] = QBrush(text)
            background = tone_background(palette, tone)
            if background is not None:
                roles[Qt.ItemDataRole.BackgroundRole] = QBrush(background)
            if tone == "danger":
                roles[Qt.ItemDataRole.FontRole] = bold
            self._tone_cache[tone] = roles

    @override
    def tone_roles(self, tone: str) -> dict[int, Any]:
        return self._tone_cache.get(tone, {})


# ----------------------------------------------------------------- catalogue page

_MD_SPECIAL = set("\\`*_[]{}()<>#+-.!|~")


def md_escape(text: str) -> str:
    """Plain text safe inside markdown (server text must not become markup)."""
    return "".join("\\" + c if c in _MD_SPECIAL else c for c in text)


def _safe_url(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url.replace(" ", "%20").replace(")", "%29").replace("(", "%28")


def _banner_md(banner: ProductBanner) -> str | None:
    text = md_escape(banner.text or "").strip()
    url = _safe_url(banner.url)
    if not text and not url:
        return None
    if url:
        return f"**{text or url}** — [{md_escape(url)}]({url})"
    return f"**{text}**"


def _order(display_order: int | None, name: str | None, code: str) -> tuple[int, str, str]:
    """Catalogue order: display order (higher last), ties alphabetically."""
    return (display_order or 0, (name or code).casefold(), code)


def product_markdown(product: Product, sort_options: Sequence[ProductSortOption] = ()) -> str:
    """The product's catalogue page as markdown, in the order the catalogue shows it.

    Notices are placed around the description by display order (the description counts as 0:
    negative before it, zero and positive after it; ties keep the product's order).
    """
    title = product.name or product.sku
    description = (product.description or "").strip()
    first_line = description.splitlines()[0] if description else ""
    repeats_title = first_line.startswith("#") and first_line.lstrip("# ").strip() == title
    parts: list[str] = [] if repeats_title else [f"## {md_escape(title)}"]
    if product.long_name and product.long_name != product.name:
        parts.append(f"*{md_escape(product.long_name)}*")

    groups = sorted(product.groups, key=lambda g: _order(g.display_order, g.name, g.code))
    banners: list[str] = []
    seen: set[str] = set()
    placements: list[str] = []
    for group in groups:
        sections = sorted(group.sections, key=lambda s: _order(s.display_order, s.name, s.code))
        for owner_banner in [s.banner for s in sections] + [group.banner]:
            if owner_banner is not None and owner_banner.code not in seen:
                seen.add(owner_banner.code)
                line = _banner_md(owner_banner)
                if line:
                    banners.append(line)
        group_name = md_escape(group.name or group.code)
        if sections:
            placements.extend(f"{md_escape(s.name or s.code)} › {group_name}" for s in sections)
        else:
            placements.append(group_name)
    parts.extend(banners)
    if placements:
        parts.append("**In the catalogue:** " + " · ".join(placements))

    notices = sorted(
        enumerate(product.notices), key=lambda pair: (pair[1].display_order or 0, pair[0])
    )
    before = [n for _, n in notices if (n.display_order or 0) < 0]
    after = [n for _, n in notices if (n.display_order or 0) >= 0]
    parts.extend(n.body.strip() for n in before if n.body and n.body.strip())
    if product.description and product.description.strip():
        parts.append(product.description.strip())
    parts.extend(n.body.strip() for n in after if n.body and n.body.strip())

    if sort_options:
        names = " · ".join(md_escape(o.name or o.code) for o in sort_options)
        parts.append(f"---\n\n*Catalogue sort options:* {names}")
    return "\n\n".join(parts) + "\n"


# ----------------------------------------------------------------- the widget


def _selectable(label: QLabel) -> QLabel:
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    label.setWordWrap(True)
    return label


def _table(model: TonedListModel[StockRow] | TonedListModel[SerialRow]) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    rows = view.verticalHeader()
    rows.setVisible(False)
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(view.fontMetrics().height() + 8)
    header = view.horizontalHeader()
    header.setResizeContentsPrecision(40)  # measure a few rows, not hundreds of serials
    # Figures and status as wide as their text; the warehouse name (column 0) takes the
    # rest and is the one shortened when the pane is narrow (1366×768), never the status.
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return view


SERIAL_EXPIRES_COLUMN = 4
"""Hidden when nothing expires (serial numbers): an empty column only takes room."""

MAX_STOCK_ROWS = 12
"""The stock grid shows this many warehouses without scrolling (then it scrolls)."""

TRACKING_LABELS = {
    TrackingType.SERIAL: "Serial numbers",
    TrackingType.LOT: "Lot numbers",
    TrackingType.NONE: "Not tracked",
}


class ItemDetailView(QWidget):
    """Shows one :class:`Item` (and its :class:`Product` page when there is one)."""

    def __init__(self, parent: QWidget | None = None, locale: QLocale | None = None) -> None:
        """Long: builds the widget tree top to bottom, one block per row (splitting scatters it)."""
        super().__init__(parent)
        self.number_locale = locale or app_locale()
        self.item: Item | None = None
        self.product: Product | None = None
        self._currency: str | None = None
        self._names: Mapping[str, str] = {}
        self._home: str | None = None

        self.title = _selectable(QLabel())
        self.title.setObjectName("inventoryItemTitle")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        self.long_name = _selectable(QLabel())
        self.price = _selectable(QLabel())
        self.uoms = _selectable(QLabel())
        self.barcodes = _selectable(QLabel())
        self.tracking = _selectable(QLabel())
        self.category = _selectable(QLabel())
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Long name:", self.long_name)
        form.addRow("Price:", self.price)
        form.addRow("Units:", self.uoms)
        form.addRow("Barcodes:", self.barcodes)
        form.addRow("Tracking:", self.tracking)
        form.addRow("Category:", self.category)

        self.stock_model: TonedListModel[StockRow] = TonedListModel(
            stock_columns(), locale=self.number_locale, parent=self
        )
        self.stock_view = _table(self.stock_model)
        self.stock_view.setObjectName("inventoryStockGrid")
        self.stock_view.setAccessibleName("Stock per warehouse")
        self.stock_totals = _selectable(QLabel())
        self.stock_totals.setObjectName("inventoryStockTotals")
        self.stock_box = QGroupBox("Stock")
        self.stock_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        stock_layout = QVBoxLayout(self.stock_box)
        stock_layout.addWidget(self.stock_view)
        stock_layout.addWidget(self.stock_totals)

        self.serial_model: TonedListModel[SerialRow] = TonedListModel(
            serial_columns(), locale=self.number_locale, parent=self
        )
        self.serial_view = _table(self.serial_model)
        self.serial_view.setObjectName("inventorySerialLots")
        self.serial_view.setAccessibleName("Serial and lot numbers")
        self.serial_box = QGroupBox("Serial / lot numbers")
        serial_layout = QVBoxLayout(self.serial_box)
        serial_layout.addWidget(self.serial_view)

        self.catalogue = QTextBrowser()
        self.catalogue.setObjectName("inventoryCatalogue")
        self.catalogue.setAccessibleName("Catalogue page")
        self.catalogue.setOpenExternalLinks(True)
        self.catalogue_box = QGroupBox("Catalogue page")
        catalogue_layout = QVBoxLayout(self.catalogue_box)
        catalogue_layout.addWidget(self.catalogue)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.title)
        left_layout.addLayout(form)
        left_layout.addWidget(self.stock_box)
        left_layout.addWidget(self.serial_box, 1)
        left_layout.addStretch(0)
        self.splitter = QuietSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.catalogue_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([720, 300])
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.clear()

    # ------------------------------------------------------------------ public

    def clear(self) -> None:
        self.item = None
        self.title.setText("")
        for label in (
            self.long_name,
            self.price,
            self.uoms,
            self.barcodes,
            self.tracking,
            self.category,
            self.stock_totals,
        ):
            label.setText("")
        self.stock_box.setTitle("Stock")
        self.stock_model.clear()
        self.serial_model.clear()
        self.serial_box.setVisible(False)
        self.show_product(None)

    def show_item(
        self,
        item: Item,
        names: Mapping[str, str] | None = None,
        home: str | None = None,
        currency: str | None = None,
        today: date | None = None,
    ) -> None:
        """Fill everything from ``item``; ``names`` maps warehouse codes to location names."""
        same = self.item is not None and self.item.sku == item.sku
        self.item = item
        self._names = names or {}
        self._home = home
        self._currency = currency
        formatter = Formatter(self.number_locale, currency)
        self.stock_model.formatter = self.serial_model.formatter = formatter
        self.title.setText(f"{item.sku} · {item.name}" if item.name else item.sku)
        self.long_name.setText(item.long_name or "—")
        self.price.setText(self._price_text(item))
        self.uoms.setText(self._uom_text(item))
        self.barcodes.setText(", ".join(item.barcodes) or "—")
        self.tracking.setText(TRACKING_LABELS.get(item.tracking_type or TrackingType.NONE, ""))
        self.category.setText(item.category or "—")

        palette, font = self.stock_view.palette(), self.stock_view.font()
        self.stock_model.set_style(palette, font)
        self.serial_model.set_style(palette, font)
        self.stock_model.set_rows(stock_rows(item.warehouses, self._names, home))
        self.stock_totals.setText(self._totals_text(item))
        self._fit_rows(self.stock_view, MAX_STOCK_ROWS)
        self.stock_box.setTitle(f"Stock in {plural(len(item.warehouses), 'warehouse')}")

        lots = serial_rows(item.serial_lots, self._names, today or date.today(), home)
        self.serial_model.set_rows(lots)
        self.serial_view.setColumnHidden(
            SERIAL_EXPIRES_COLUMN, not any(r.lot.expires_on for r in lots)
        )
        tracked = item.tracking_type in (TrackingType.SERIAL, TrackingType.LOT)
        self.serial_box.setVisible(tracked or bool(lots))
        kind = "Lot" if item.tracking_type is TrackingType.LOT else "Serial"
        self.serial_box.setTitle(
            f"{kind} numbers ({len(lots)})" if lots else f"{kind} numbers: none in stock"
        )
        if self.product is None or self.product.sku != item.sku:
            self.product = None
            if not same:  # the same item drawn again keeps what its page says (none, offline)
                self.catalogue.setPlainText("Loading the catalogue page…")

    def show_product(
        self, product: Product | None, sort_options: Sequence[ProductSortOption] = ()
    ) -> None:
        """The catalogue page, when the item is published as a product (else hidden)."""
        self.product = product
        if product is None:
            self.catalogue.setPlainText(
                "" if self.item is None else "This item has no page in the product catalogue."
            )
            return
        self.catalogue.document().setMarkdown(
            product_markdown(product, sort_options),
            QTextDocument.MarkdownFeature.MarkdownDialectGitHub
            | QTextDocument.MarkdownFeature.MarkdownNoHTML,
        )

    def details_text(self) -> str:
        """Plain text for the clipboard: what a colleague on the phone needs."""
        item = self.item
        if item is None:
            return ""
        lines = [f"SKU: {item.sku}"]
        if item.name:
            lines.append(f"Name: {item.name}")
        if item.long_name and item.long_name != item.name:
            lines.append(f"Long name: {item.long_name}")
        lines.append(f"Price: {self._price_text(item)}")
        lines.append(f"Units: {self._uom_text(item)}")
        if item.barcodes:
            lines.append(f"Barcodes: {', '.join(item.barcodes)}")
        lines.append("Stock:")
        for row in stock_rows(item.warehouses, self._names, self._home):
            stock = row.stock
            qty = self._qty(stock.quantity_available)
            status = "out of stock" if stock.is_out else "low" if stock.is_low else ""
            price = (
                format_money(stock.base_price, self.number_locale, self._currency)
                if stock.base_price is not None
                else ""
            )
            extra = ", ".join(p for p in (price, status) if p)
            lines.append(f"  {row.label}: {qty} available" + (f" ({extra})" if extra else ""))
        lines.append(f"  Total: {self._totals_text(item)}")
        if item.serial_lots:
            lines.append("Serial/lot numbers:")
            for lot in serial_rows(item.serial_lots, self._names, date.today(), self._home):
                expires = lot.lot.expires_on
                expiry = f", expires {format_date(expires, self.number_locale)}" if expires else ""
                lines.append(f"  {lot.warehouse_name}: {lot.lot.serial_lot_no}{expiry}")
        return "\n".join(lines)

    # --------------------------------------------------------------- internals

    @staticmethod
    def _fit_rows(view: QTableView, max_rows: int) -> None:
        """Make the grid exactly as tall as its rows (up to ``max_rows``): no empty band."""
        rows = min(max(view.model().rowCount(), 1), max_rows)
        height = (
            view.horizontalHeader().sizeHint().height()
            + rows * view.verticalHeader().defaultSectionSize()
            + view.horizontalScrollBar().sizeHint().height()
            + 2 * view.frameWidth()
        )
        view.setFixedHeight(height)

    def _qty(self, value: Decimal | None) -> str:
        return "—" if value is None else format_decimal(value, self.number_locale)

    def _money(self, value: Decimal) -> str:
        return format_money(value, self.number_locale, self._currency)

    def _price_text(self, item: Item) -> str:
        """The home store's price if it has one; else the price, or the range, elsewhere."""
        home = next(
            (s for s in item.warehouses if s.warehouse_code == self._home and s.base_price),
            None,
        )
        if home is not None and home.base_price is not None:
            return f"{self._money(home.base_price)} (my store)"
        prices = sorted({s.base_price for s in item.warehouses if s.base_price is not None})
        if not prices:
            return "—"
        if len(prices) == 1:
            return self._money(prices[0])
        return f"{self._money(prices[0])} – {self._money(prices[-1])} (varies by warehouse)"

    @staticmethod
    def _uom_text(item: Item) -> str:
        sale, stock = item.sale_uom, item.stock_uom
        if sale and stock and sale != stock:
            return f"sold per {sale}, stocked per {stock}"
        return sale or stock or "—"

    def _totals_text(self, item: Item) -> str:
        totals = stock_totals(item.warehouses)
        text = (
            f"{self._qty(totals.available)} available, {self._qty(totals.on_hand)} on hand "
            f"in {plural(totals.warehouses, 'warehouse')}"
        )
        flags = [f"{totals.out} out of stock"] if totals.out else []
        if totals.low:
            flags.append(f"{totals.low} low")
        return text + (f" — {', '.join(flags)}" if flags else "")


def location_names(locations: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """Warehouse code → display name (the code itself when the location has no name)."""
    return {code: name or code for code, name in locations}
