"""The Inventory tab's widgets, laid out: look-up bar, message banner, results and recent
look-ups, item detail; and the result columns. ``InventoryTab`` (``tab.py``) wires them to
behaviour; the objectNames are listed there.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from posdesk.domain import Item, TrackingType
from posdesk.models.formatting import Kind, app_locale
from posdesk.models.inventory import stock_tone, stock_totals
from posdesk.models.paged import Column, PagedTableModel
from posdesk.ui.common.local_note import LocalDataNote
from posdesk.ui.inventory.item_detail import ItemDetailView
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.widgets.paged_view import Banner, PagedTableView
from posdesk.ui.widgets.search import SearchLineEdit
from posdesk.ui.widgets.splitter import QuietSplitter

SEARCH_DELAY_MS = 250
PLACEHOLDER_TEXT = (
    "Scan a barcode anywhere in this tab, or type a SKU or description above.\n"
    "Enter opens · Esc clears · Ctrl+L focuses the look-up field"
)
PAGE_SIZE = 50


def _warehouse_qty(item: Item, warehouse: str | None) -> Decimal | None:
    """Available quantity in ``warehouse``, or over all warehouses when none is chosen."""
    if warehouse:
        stock = next((s for s in item.warehouses if s.warehouse_code == warehouse), None)
        return stock.quantity_available if stock else None
    return stock_totals(item.warehouses).available


def result_columns(warehouse: str | None) -> list[Column[Item]]:
    def tone(item: Item) -> str | None:
        if warehouse:
            stock = next((s for s in item.warehouses if s.warehouse_code == warehouse), None)
            return stock_tone(stock) if stock else None
        qty = _warehouse_qty(item, None)
        return "danger" if qty is not None and qty <= 0 else None

    def price(item: Item) -> Decimal | None:
        prices = [
            s.base_price
            for s in item.warehouses
            if s.base_price is not None and (not warehouse or s.warehouse_code == warehouse)
        ]
        return min(prices) if prices else None

    available = "Available here" if warehouse else "Available (all)"
    return [
        Column("SKU", lambda i: i.sku),
        Column("Name", lambda i: i.name or i.long_name),
        Column(available, lambda i: _warehouse_qty(i, warehouse), Kind.QUANTITY, tone=tone),
        Column("Price", price, Kind.MONEY),
        Column(
            "Tracking",
            lambda i: {TrackingType.SERIAL: "Serial", TrackingType.LOT: "Lot"}.get(
                i.tracking_type or TrackingType.NONE, ""
            ),
        ),
    ]


class InventoryTabLayout(QWidget):
    """The widget tree only (signals are connected by ``InventoryTab``)."""

    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inventoryTab")
        self.number_locale = app_locale()
        bar = self._build_lookup_bar()
        left = self._build_lists(context)
        self._build_detail()
        self.splitter = QuietSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("inventorySplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail_stack)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setSizes([440, 1000])

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.banner)
        self.note = LocalDataNote(context, "item", "inventory", self)
        layout.addWidget(self.note)
        layout.addWidget(self.splitter, 1)

    def _build_lookup_bar(self) -> QHBoxLayout:
        """The look-up field, warehouse filter, "Make my store", the copy buttons and actions;
        the message banner under them."""
        self.lookup = SearchLineEdit(
            self,
            placeholder="Scan a barcode, or type a SKU or description…",
            delay_ms=SEARCH_DELAY_MS,
            object_name="inventoryLookup",
        )
        self.warehouse = QComboBox(self)
        self.warehouse.setObjectName("inventoryWarehouse")
        self.warehouse.setAccessibleName("Warehouse filter")
        self.warehouse.setMinimumContentsLength(18)
        self.warehouse.addItem("All warehouses", "")
        self.set_home_button = QPushButton("Make my store", self)
        self.set_home_button.setObjectName("inventorySetHome")
        self.set_home_button.setToolTip(
            "Remember this warehouse as your store for this connection profile"
        )

        self.copy_sku_action = self._action("inventoryCopySkuAction", "Copy &SKU", "Ctrl+Shift+C")
        self.copy_details_action = self._action(
            "inventoryCopyDetailsAction", "Copy &details", "Ctrl+Alt+C"
        )
        self.focus_action = self._action("inventoryFocusLookupAction", "Focus look-up", "Ctrl+L")
        copy_sku = QPushButton("Copy SKU", self)
        copy_sku.setObjectName("inventoryCopySku")
        copy_details = QPushButton("Copy details", self)
        copy_details.setObjectName("inventoryCopyDetails")
        self._copy_buttons = (copy_sku, copy_details)

        bar = QHBoxLayout()
        label = QLabel("&Look up:", self)
        label.setBuddy(self.lookup)
        bar.addWidget(label)
        bar.addWidget(self.lookup, 1)
        wh_label = QLabel("&Warehouse:", self)
        wh_label.setBuddy(self.warehouse)
        bar.addWidget(wh_label)
        bar.addWidget(self.warehouse)
        bar.addWidget(self.set_home_button)
        bar.addSpacing(12)
        bar.addWidget(copy_sku)
        bar.addWidget(copy_details)

        self.banner = Banner("inventoryMessage", self)
        self.message = self.banner.label
        return bar

    def _build_lists(self, context: SessionContext) -> QuietSplitter:
        """The paged results over the recent look-ups."""
        self.results_model: PagedTableModel[Item] = PagedTableModel(
            result_columns(None),
            None,
            page_size=PAGE_SIZE,
            formatter=context.formatter,
            parent=self,
        )
        self.results = PagedTableView(
            "inventoryResults",
            self,
            reporter=context.reporter,
            empty_text="Type to search, or scan a barcode.",
            accessible_name="Matching items",
        )
        self.results.setModel(self.results_model, load=False)
        self.results.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._size_result_columns()

        self.recent = QListWidget(self)
        self.recent.setObjectName("inventoryRecent")
        self.recent.setAccessibleName("Recent look-ups")
        recent_box = QWidget(self)
        recent_layout = QVBoxLayout(recent_box)
        recent_layout.setContentsMargins(0, 0, 0, 0)
        recent_label = QLabel("&Recent look-ups", recent_box)
        recent_label.setBuddy(self.recent)
        recent_layout.addWidget(recent_label)
        recent_layout.addWidget(self.recent)

        left = QuietSplitter(Qt.Orientation.Vertical, self)
        left.addWidget(self.results)
        left.addWidget(recent_box)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 1)
        return left

    def _build_detail(self) -> None:
        self.detail = ItemDetailView(self, locale=self.number_locale)
        self.detail.setObjectName("inventoryDetail")
        self.placeholder = QLabel(PLACEHOLDER_TEXT, self)
        self.placeholder.setObjectName("inventoryPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.detail_stack = QStackedWidget(self)
        self.detail_stack.addWidget(self.placeholder)
        self.detail_stack.addWidget(self.detail)

    def _action(self, name: str, text: str, shortcut: str) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(action)
        return action

    def _size_result_columns(self) -> None:
        """SKU and figures as wide as their text, the name takes the rest (a model reset,
        e.g. a warehouse change, rebuilds the header sections)."""
        table = self.results.table
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in range(self.results_model.columnCount()):
            if column != 1:
                table.resizeColumnToContents(column)
