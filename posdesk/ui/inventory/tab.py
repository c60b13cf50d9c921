"""The Inventory tab: counter look-up, scanner first.

A manager scans a barcode (from anywhere in the tab: the :class:`ScanDetector` catches the
burst even when the focus is in another field) or types part of a SKU or description. A scan
or Enter does an exact look-up (SKU or barcode) and opens the item at once; typing searches
as you type (debounced) into a paged result list. Nothing here opens an error dialog for an
expected outcome: "not found" and "your role lacks ViewInventory" are inline messages, since
at a busy counter a modal box is one more thing to dismiss.

Keyboard: Enter opens, Esc clears, Up/Down move between the look-up field and the lists,
Ctrl+L focuses the look-up field, Ctrl+Shift+C copies the SKU, Ctrl+Alt+C the details.

objectNames: ``inventoryTab``, ``inventoryLookup``, ``inventoryWarehouse``,
``inventorySetHome``, ``inventoryCopySku`` / ``inventoryCopyDetails`` (buttons) and
``inventoryCopySkuAction`` / ``inventoryCopyDetailsAction`` / ``inventoryFocusLookupAction``,
``inventoryMessageBanner`` / ``inventoryMessageBannerText`` (not found, permission),
``inventoryResultsTable`` (and the other ``PagedTableView`` names), ``inventoryRecent``,
``inventorySplitter``, ``inventoryPlaceholder``, ``inventoryDetail`` with
``inventoryItemTitle``, ``inventoryStockGrid``, ``inventoryStockTotals``,
``inventorySerialLots``, ``inventoryCatalogue``.

Long module: look-up, results, recent list, filters and settings of one counter screen.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Coroutine, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from posdesk.api.errors import NotAuthorized, NotFound
from posdesk.domain import Item, Location, Page, Product, ProductSortOption, TrackingType
from posdesk.models.formatting import Kind, app_locale
from posdesk.models.inventory import stock_tone, stock_totals
from posdesk.models.paged import Column, PagedTableModel, error_message, is_expected
from posdesk.ui.common.locations import load_locations
from posdesk.ui.common.runner import Runner
from posdesk.ui.inventory.item_detail import ItemDetailView
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.widgets.paged_view import Banner, PagedTableView
from posdesk.ui.widgets.scanner import ScanDetector
from posdesk.ui.widgets.search import SearchLineEdit
from posdesk.ui.widgets.splitter import QuietSplitter

if TYPE_CHECKING:  # the UI never imports the HTTP layer at run time
    from posdesk.api.client import PosClient

_log = logging.getLogger(__name__)

VIEW_INVENTORY = "ViewInventory"
PERMISSION_TEXT = (
    "Looking up inventory needs the ViewInventory permission, which your role lacks. "
    "Ask an administrator to add ViewInventory to your role."
)
SETTINGS_WAREHOUSE = "inventory/warehouse"
SETTINGS_RECENT = "inventory/recent"
RECENT_MAX = 20
RECENT_SAVE_DELAY_MS = 1500
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


class InventoryTab(QWidget):
    """Counter look-up of inventory items (see the module docstring)."""

    itemShown = Signal(object)
    """The :class:`Item` now in the detail view (after it is filled, before it is painted)."""
    notFound = Signal(str)
    lookupFailed = Signal(str)

    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        """Long: builds the widget tree top to bottom, one block per row (splitting scatters it)."""
        super().__init__(parent)
        self.setObjectName("inventoryTab")
        self.context = context
        self.client: PosClient = context.client
        self.number_locale = app_locale()
        self.runner = Runner(self, on_error=context.reporter.unexpected)
        self._lookup_task: asyncio.Task[None] | None = None
        self._lookup_generation = 0
        self._product_task: asyncio.Task[None] | None = None
        self._names: dict[str, str] = {}
        self._sort_options: tuple[ProductSortOption, ...] | None = None
        self._search_text = ""
        self._exact_miss: str | None = None
        self._opened_once = False
        self.message_kind = ""
        self.last_timing: dict[str, float] = {}

        # --- look-up bar
        self.lookup = SearchLineEdit(
            self,
            placeholder="Scan a barcode, or type a SKU or description…",
            delay_ms=SEARCH_DELAY_MS,
            object_name="inventoryLookup",
        )
        self.lookup.searchChanged.connect(self._on_search_text)
        self.lookup.installEventFilter(self)
        self.warehouse = QComboBox(self)
        self.warehouse.setObjectName("inventoryWarehouse")
        self.warehouse.setAccessibleName("Warehouse filter")
        self.warehouse.setMinimumContentsLength(18)
        self.warehouse.addItem("All warehouses", "")
        self.warehouse.currentIndexChanged.connect(self._on_warehouse_changed)
        self.set_home_button = QPushButton("Make my store", self)
        self.set_home_button.setObjectName("inventorySetHome")
        self.set_home_button.setToolTip(
            "Remember this warehouse as your store for this connection profile"
        )
        self.set_home_button.clicked.connect(self.save_home_warehouse)

        self.copy_sku_action = self._action(
            "inventoryCopySkuAction", "Copy &SKU", "Ctrl+Shift+C", self.copy_sku
        )
        self.copy_details_action = self._action(
            "inventoryCopyDetailsAction", "Copy &details", "Ctrl+Alt+C", self.copy_details
        )
        self.focus_action = self._action(
            "inventoryFocusLookupAction", "Focus look-up", "Ctrl+L", self.focus_search
        )
        copy_sku = QPushButton("Copy SKU", self)
        copy_sku.setObjectName("inventoryCopySku")
        copy_sku.clicked.connect(self.copy_sku)
        copy_details = QPushButton("Copy details", self)
        copy_details.setObjectName("inventoryCopyDetails")
        copy_details.clicked.connect(self.copy_details)
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

        # --- results and recent look-ups
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
        self.results.rowActivated.connect(self._open_result)
        self.results_model.pageLoaded.connect(self._on_results_page)
        self.results_model.errorChanged.connect(self._on_results_error)
        self.results.table.installEventFilter(self)
        self._size_result_columns()
        self.results_model.modelReset.connect(self._size_result_columns)

        self.recent = QListWidget(self)
        self.recent.setObjectName("inventoryRecent")
        self.recent.setAccessibleName("Recent look-ups")
        self.recent.itemActivated.connect(self._open_recent)
        self.recent.installEventFilter(self)
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

        # --- detail
        self.detail = ItemDetailView(self, locale=self.number_locale)
        self.detail.setObjectName("inventoryDetail")
        self.placeholder = QLabel(PLACEHOLDER_TEXT, self)
        self.placeholder.setObjectName("inventoryPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.detail_stack = QStackedWidget(self)
        self.detail_stack.addWidget(self.placeholder)
        self.detail_stack.addWidget(self.detail)

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
        layout.addWidget(self.splitter, 1)

        self.scanner = ScanDetector(self)
        self.scanner.scanned.connect(self.on_scan)

        # Settings are read once and written later: a QSettings round trip costs milliseconds
        # (file I/O), which a scan-to-screen budget of 20 ms cannot afford.
        self._saved_home = str(context.settings().value(SETTINGS_WAREHOUSE, "") or "")
        self._recent_timer = QTimer(self)
        self._recent_timer.setSingleShot(True)
        self._recent_timer.setInterval(RECENT_SAVE_DELAY_MS)
        self._recent_timer.timeout.connect(self._save_recent)
        self._load_recent()
        self._update_actions()
        if context.viewer.permissions and not context.viewer.can(VIEW_INVENTORY):
            self.show_message("permission", PERMISSION_TEXT)
        self._spawn(self._load_locations(), "inventory-locations")

    # ------------------------------------------------------------- public API

    @property
    def current_warehouse(self) -> str:
        return str(self.warehouse.currentData() or "")

    @property
    def home_warehouse(self) -> str | None:
        """ "My store": saved for this profile, else the signed-in user's own location."""
        return self._saved_home or self.context.viewer.location_code

    def focus_search(self) -> None:
        """Ctrl+L (and the shell): focus the look-up field with its text selected."""
        self.lookup.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.lookup.selectAll()

    def reload(self) -> None:
        if self._search_text:
            self._start_search(self._search_text)
        if self.detail.item is not None:
            self.open_sku(self.detail.item.sku)

    def save_state(self) -> None:
        if self._recent_timer.isActive():
            self._recent_timer.stop()
            self._save_recent()

    def on_scan(self, code: str) -> None:
        """A scanner burst: show the code in the field and open the item it names."""
        self.last_timing = {"scan": time.perf_counter()}
        self.lookup.setText(code)
        self.lookup.selectAll()
        self.lookup_exact(code, from_scan=True)

    def lookup_exact(self, code: str, *, from_scan: bool = False) -> asyncio.Task[None] | None:
        """Exact look-up by SKU or barcode; a miss falls back to a search (typed) or says
        "not found" (scanned: a scanned code is exact or wrong)."""
        code = code.strip()
        if not code:
            return None
        self._lookup_generation += 1
        self._lookup_task = self.runner.start(
            self._lookup(code, self._lookup_generation, from_scan),
            name="inventory-lookup",
            replace=True,
        )
        return self._lookup_task

    def open_sku(self, sku: str) -> asyncio.Task[None] | None:
        """Open one item by SKU (from the result list or the recent list)."""
        return self.lookup_exact(sku)

    def show_message(self, kind: str, text: str) -> None:
        """Inline message under the look-up bar: "notfound", "error" or "permission"."""
        self.message_kind = kind
        self.banner.show_message("warning" if kind == "notfound" else "error", text, action=False)

    def clear_message(self) -> None:
        self.message_kind = ""
        self.banner.clear()

    def clear(self) -> None:
        """Esc: empty the look-up, results, message and detail; focus the look-up field."""
        self._lookup_generation += 1
        if self._lookup_task is not None:
            self._lookup_task.cancel()
        self.lookup.clear()
        self.lookup.commit()
        self.clear_message()
        self._clear_detail(PLACEHOLDER_TEXT)
        self.lookup.setFocus(Qt.FocusReason.OtherFocusReason)

    def copy_sku(self) -> str:
        item = self.detail.item
        if item is None:
            return ""
        QGuiApplication.clipboard().setText(item.sku)
        self.context.show_status(f"Copied SKU {item.sku}", 3000)
        return item.sku

    def copy_details(self) -> str:
        text = self.detail.details_text()
        if text:
            QGuiApplication.clipboard().setText(text)
            self.context.show_status("Copied item details", 3000)
        return text

    def save_home_warehouse(self) -> None:
        """Remember the chosen warehouse as "my store" (per profile); "All" forgets it."""
        settings = self.context.settings()
        code = self.current_warehouse
        if code:
            settings.setValue(SETTINGS_WAREHOUSE, code)
            self.context.show_status(f"{self.warehouse.currentText()} is now your store", 4000)
        else:
            settings.remove(SETTINGS_WAREHOUSE)
            self.context.show_status("No default store", 4000)
        settings.sync()
        self._saved_home = code
        if self.detail.item is not None:
            self._render(self.detail.item)

    # ---------------------------------------------------------------- events

    @override
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._opened_once:
            self._opened_once = True
            self.lookup.setFocus(Qt.FocusReason.OtherFocusReason)

    @override
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.clear()
            event.accept()
            return
        super().keyPressEvent(event)

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() is not QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        if watched is self.lookup:
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.lookup_exact(self.lookup.text())
                return True
            if key == Qt.Key.Key_Escape:
                self.clear()
                return True
            if key == Qt.Key.Key_Down:
                target = self.results.table if self.results_model.rowCount() else self.recent
                self._enter_list(target)
                return True
        elif watched is self.results.table or watched is self.recent:
            view = self.results.table if watched is self.results.table else self.recent
            if key == Qt.Key.Key_Up and view.currentIndex().row() <= 0:
                self.focus_search()
                return True
            if key == Qt.Key.Key_Escape:
                self.focus_search()
                return True
        return False

    # -------------------------------------------------------------- internals

    def _action(self, name: str, text: str, shortcut: str, slot: Any) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        return self.runner.spawn(coro, name=name)

    def _enter_list(self, view: QAbstractItemView) -> None:
        model = view.model()
        if model.rowCount() == 0:
            return
        view.setFocus(Qt.FocusReason.TabFocusReason)
        if not view.currentIndex().isValid():
            view.setCurrentIndex(model.index(0, 0))

    def _update_actions(self) -> None:
        has_item = self.detail.item is not None
        for action in (self.copy_sku_action, self.copy_details_action):
            action.setEnabled(has_item)
        for button in self._copy_buttons:
            button.setEnabled(has_item)

    async def _lookup(self, code: str, generation: int, from_scan: bool) -> None:
        timing = self.last_timing if from_scan else {}
        timing["request"] = time.perf_counter()
        try:
            item = await self._find(code)
        except Exception as exc:
            if generation == self._lookup_generation:
                self._failed(exc)
            return
        timing["response"] = time.perf_counter()
        if generation != self._lookup_generation:
            return
        if item is None:
            if from_scan:
                self._not_found(code)
            else:
                self._clear_detail(f"“{code}” is not a SKU or barcode: pick a match on the left.")
                self._start_search(code, exact_miss=code)
            return
        self.clear_message()
        self._render(item, emit=False)
        timing["shown"] = time.perf_counter()
        self.itemShown.emit(item)
        self._remember(item)
        self._load_product(item.sku)

    async def _find(self, code: str) -> Item | None:
        """Exact look-up: SKU or barcode, full detail, in one round trip (``lookup_item``)."""
        return await self.client.lookup_item(code)

    def _clear_detail(self, text: str) -> None:
        """Take the shown item off the screen (its catalogue load too) and say why.

        A miss or a failed look-up *clears* rather than greys out: at a counter a greyed
        price is still a price someone reads aloud, and "previous item" labels are missed.
        """
        if self._product_task is not None:
            self._product_task.cancel()
        self.detail.clear()
        self.placeholder.setText(text)
        self.detail_stack.setCurrentWidget(self.placeholder)
        self._update_actions()

    def _failed(self, exc: BaseException) -> None:
        self._clear_detail("No item shown: the look-up did not complete (see the message above).")
        if isinstance(exc, NotAuthorized):
            self.show_message("permission", PERMISSION_TEXT)
            self.lookupFailed.emit("permission")
        elif is_expected(exc):
            self.show_message("error", error_message(exc))
            self.lookupFailed.emit("error")
        else:
            self.context.reporter.unexpected(exc)

    def _not_found(self, code: str) -> None:
        exact = self._exact_miss == code or self._search_text != code
        if exact:
            text = f"Not found: no item has the SKU or barcode “{code}”."
        else:
            text = f"Not found: nothing matches “{code}” (SKU, barcode, name or description)."
        self.show_message("notfound", text)
        if exact:  # a search typed while an item is open leaves that item alone
            self._clear_detail(f"No item shown: nothing was found for “{code}”.")
        self.notFound.emit(code)

    def _render(self, item: Item, *, emit: bool = True) -> None:
        self.detail.show_item(
            item,
            self._names,
            home=self.home_warehouse,
            currency=self.context.environment.currency,
        )
        self.detail_stack.setCurrentWidget(self.detail)
        self._update_actions()
        if emit:
            self.itemShown.emit(item)

    def _load_product(self, sku: str) -> None:
        self._product_task = self.runner.start(
            self._fetch_product(sku), name="inventory-product", replace=True
        )

    async def _fetch_product(self, sku: str) -> None:
        """The catalogue page is a bonus: failures hide it (and go to the log), no message."""
        product: Product | None
        try:
            product = await self.client.product(sku)
            if self._sort_options is None:
                self._sort_options = tuple((await self.client.product_sort_options()).items)
        except NotFound:
            product = None
        except Exception as exc:
            if not is_expected(exc):
                raise
            _log.info("No catalogue page for %s: %s", sku, getattr(exc, "details", exc))
            product = None
        if self.detail.item is not None and self.detail.item.sku == sku:
            self.detail.show_product(product, self._sort_options or ())

    async def _load_locations(self) -> None:
        """Warehouse names for the grid and the filter. Without them codes are shown."""
        try:
            locations: Sequence[Location] = await load_locations(self.client)
        except Exception as exc:
            if not is_expected(exc):
                raise
            _log.info("Locations unavailable: %s", getattr(exc, "details", exc))
            locations = ()
        self._names = {loc.code: loc.name or loc.code for loc in locations}
        home = self.home_warehouse
        self.warehouse.blockSignals(True)
        for loc in sorted(locations, key=lambda x: ((x.name or x.code).casefold(), x.code)):
            label = f"{loc.name} ({loc.code})" if loc.name else loc.code
            self.warehouse.addItem(label, loc.code)
        if home and self.warehouse.findData(home) < 0:
            self.warehouse.addItem(home, home)
        self.warehouse.setCurrentIndex(max(0, self.warehouse.findData(home or "")))
        self.warehouse.blockSignals(False)
        self._on_warehouse_changed()
        if self.detail.item is not None:
            self._render(self.detail.item)

    # ------------------------------------------------------------- searching

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

    def _on_search_text(self, text: str) -> None:
        if not text:
            self._search_text = ""
            self.results_model.set_fetch(None)
            self.results.status.setText("Type to search, or scan a barcode.")
            if self.message_kind == "notfound":
                self.clear_message()
            return
        self._start_search(text)

    def _on_warehouse_changed(self, *_: object) -> None:
        self.results_model.beginResetModel()
        self.results_model.columns = tuple(result_columns(self.current_warehouse or None))
        self.results_model.endResetModel()
        if self._search_text:
            self._start_search(self._search_text)

    def _start_search(self, text: str, exact_miss: str | None = None) -> None:
        self._search_text = text
        self._exact_miss = exact_miss
        warehouse = self.current_warehouse or None
        client = self.client

        async def fetch(skip: int, first: int) -> Page[Item]:
            page: Page[Item] = await client.items(
                search=text, warehouse_code=warehouse, skip=skip, first=first
            )
            return page

        self.results_model.set_fetch(fetch)

    def _on_results_page(self, added: int) -> None:
        if added and self.results_model.rowCount() == added:  # the first page of a search
            self._size_result_columns()
        if self.results_model.rowCount() == 0 and self._search_text:
            self._not_found(self._search_text)
        elif self.message_kind == "notfound":
            self.clear_message()

    def _on_results_error(self, text: str) -> None:
        if isinstance(self.results_model.error, NotAuthorized):
            self.show_message("permission", PERMISSION_TEXT)

    def _open_result(self, item: object) -> None:
        if isinstance(item, Item):
            self.open_sku(item.sku)

    # ---------------------------------------------------------------- recent

    def _remember(self, item: Item) -> None:
        for row in range(self.recent.count()):
            if self.recent.item(row).data(Qt.ItemDataRole.UserRole) == item.sku:
                self.recent.takeItem(row)
                break
        self.recent.insertItem(0, self._recent_item(item.sku, item.name))
        while self.recent.count() > RECENT_MAX:
            self.recent.takeItem(self.recent.count() - 1)
        self._recent_timer.start()

    @staticmethod
    def _recent_item(sku: str, name: str | None) -> QListWidgetItem:
        entry = QListWidgetItem(f"{sku} · {name}" if name else sku)
        entry.setData(Qt.ItemDataRole.UserRole, sku)
        entry.setData(Qt.ItemDataRole.UserRole + 1, name or "")
        return entry

    def recent_skus(self) -> list[str]:
        return [
            str(self.recent.item(r).data(Qt.ItemDataRole.UserRole))
            for r in range(self.recent.count())
        ]

    def _save_recent(self) -> None:
        entries = [
            [
                self.recent.item(r).data(Qt.ItemDataRole.UserRole),
                self.recent.item(r).data(Qt.ItemDataRole.UserRole + 1),
            ]
            for r in range(self.recent.count())
        ]
        self.context.settings().setValue(SETTINGS_RECENT, json.dumps(entries))

    def _load_recent(self) -> None:
        raw = self.context.settings().value(SETTINGS_RECENT, "")
        try:
            entries = json.loads(str(raw)) if raw else []
        except ValueError:
            entries = []
        for entry in entries[:RECENT_MAX]:
            if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str):
                self.recent.addItem(self._recent_item(entry[0], str(entry[1] or "")))

    def _open_recent(self, entry: QListWidgetItem) -> None:
        sku = entry.data(Qt.ItemDataRole.UserRole)
        if sku:
            self.lookup.setText(str(sku))
            self.open_sku(str(sku))
