"""The Inventory tab: counter look-up, scanner first.

A manager scans a barcode (from anywhere in the tab: the :class:`ScanDetector` catches the
burst even when the focus is in another field) or types part of a SKU or description. A scan
or Enter does an exact look-up (SKU or barcode) and opens the item at once; typing searches
as you type (debounced) into a paged result list — from the local mirror once its items are
ready (SKU, description words, long name, barcode), else on the server. The exact look-up stays
on the server while it answers (stock is never taken from the mirror then); offline it reads
the mirror under the ``inventoryLocalNote`` banner. Nothing here opens an error dialog for an
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

The widgets (and the result columns) are laid out in ``tab_layout.py``; this module is what
they do.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListWidgetItem,
    QWidget,
)
from typing_extensions import override

from posdesk.api.errors import NetworkError, NotAuthorized, NotFound
from posdesk.domain import Item, Location, Page, Product, ProductSortOption
from posdesk.models import local_reads
from posdesk.models.paged import error_message, is_expected
from posdesk.ui.common.locations import load_locations
from posdesk.ui.common.runner import Runner
from posdesk.ui.inventory.tab_layout import PLACEHOLDER_TEXT, InventoryTabLayout, result_columns
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.widgets.scanner import ScanDetector

if TYPE_CHECKING:  # the UI never imports the HTTP layer at run time
    from posdesk.api.client import PosClient

_log = logging.getLogger(__name__)

#: The catalogue page while the server cannot be reached (it is not in the local data).
CATALOGUE_OFFLINE = (
    "The catalogue page comes from the POS server, which cannot be reached right now. "
    "It shows again once posdesk reconnects (by itself)."
)

VIEW_INVENTORY = "ViewInventory"
PERMISSION_TEXT = (
    "Looking up inventory needs the ViewInventory permission, which your role lacks. "
    "Ask an administrator to add ViewInventory to your role."
)
SETTINGS_WAREHOUSE = "inventory/warehouse"
SETTINGS_RECENT = "inventory/recent"
RECENT_MAX = 20
RECENT_SAVE_DELAY_MS = 1500


class InventoryTab(InventoryTabLayout):
    """Counter look-up of inventory items (see the module docstring)."""

    itemShown = Signal(object)
    """The :class:`Item` now in the detail view (after it is filled, before it is painted)."""
    notFound = Signal(str)
    lookupFailed = Signal(str)

    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.context = context
        self.client: PosClient = context.client
        self.runner = Runner(self, on_error=context.reporter.unexpected)
        self._lookup_task: asyncio.Task[None] | None = None
        self._lookup_generation = 0
        self._product_task: asyncio.Task[None] | None = None
        self._names: dict[str, str] = {}
        self._sort_options: tuple[ProductSortOption, ...] | None = None
        self._search_text = ""
        self._exact_miss: str | None = None
        self._opened_once = False
        self._search_fetch: local_reads.LocalFirst[Item] | None = None
        self._item_from_local = False
        self.message_kind = ""
        self.last_timing: dict[str, float] = {}

        self.lookup.searchChanged.connect(self._on_search_text)
        self.lookup.installEventFilter(self)
        self.warehouse.currentIndexChanged.connect(self._on_warehouse_changed)
        self.set_home_button.clicked.connect(self.save_home_warehouse)
        self._copy_buttons[0].clicked.connect(self.copy_sku)
        self._copy_buttons[1].clicked.connect(self.copy_details)
        self.results.rowActivated.connect(self._open_result)
        self.results_model.pageLoaded.connect(self._on_results_page)
        self.results_model.errorChanged.connect(self._on_results_error)
        self.results.table.installEventFilter(self)
        self.results_model.modelReset.connect(self._size_result_columns)
        self.recent.itemActivated.connect(self._open_recent)
        self.recent.installEventFilter(self)
        self.copy_sku_action.triggered.connect(self.copy_sku)
        self.copy_details_action.triggered.connect(self.copy_details)
        self.focus_action.triggered.connect(self.focus_search)

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
        if context.local_data is not None:
            context.local_data.onlineChanged.connect(self._source_may_change)
            context.local_data.synced.connect(self._source_may_change)

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
        """Exact look-up: SKU or barcode, full detail, in one round trip (``lookup_item``);
        from the mirror only when the server cannot be reached (stock is the server's)."""
        local_data = self.context.local_data
        mirror = local_data.mirror if local_data is not None else None
        local = None
        if mirror is not None and local_data is not None and local_data.ready("item"):
            local = lambda: mirror.lookup_item(code)  # noqa: E731
        item, self._item_from_local = await local_reads.detail(
            local_data, lambda: self.client.lookup_item(code), local
        )
        self._show_source()
        return item

    def _show_source(self) -> None:
        from_results = self._search_fetch is not None and self._search_fetch.from_local
        self.note.set_from_local(from_results or self._item_from_local)

    def _source_may_change(self, *_: object) -> None:
        """Offline (or the mirror just became ready): search again where it answers now."""
        fetch = self._search_fetch
        moved = fetch is not None and fetch.uses_local() != fetch.from_local
        if moved and self._search_text and not self.results_model.loading:
            self._start_search(self._search_text)
        item, local_data = self.detail.item, self.context.local_data
        waiting = self.detail.catalogue.toPlainText() == CATALOGUE_OFFLINE
        if item is not None and waiting and local_data is not None and local_data.online:
            self._load_product(item.sku)  # back online: the catalogue page it could not show

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
        """The catalogue page is a bonus: failures hide it (and go to the log), no message;
        offline it says it needs the server (not "loading" forever, nor "no page")."""
        product: Product | None
        local_data = self.context.local_data
        if local_data is not None and not local_data.online:
            self.detail.catalogue.setPlainText(CATALOGUE_OFFLINE)
            return
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
            if isinstance(exc, NetworkError):
                if local_data is not None:
                    local_data.observe(exc)
                if self.detail.item is not None and self.detail.item.sku == sku:
                    self.detail.catalogue.setPlainText(CATALOGUE_OFFLINE)
                return
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

        async def server(skip: int, first: int) -> Page[Item]:
            page: Page[Item] = await client.items(
                search=text, warehouse_code=warehouse, skip=skip, first=first
            )
            return page

        local_data = self.context.local_data
        if local_data is None:
            self._search_fetch = None
            self.results_model.set_fetch(server)
            return

        async def local(skip: int, first: int) -> Page[Item]:
            return await local_data.mirror.items(
                text, warehouse_code=warehouse, skip=skip, first=first
            )

        self._search_fetch = local_reads.LocalFirst(local_data, "item", local, server)
        self.results_model.set_fetch(self._search_fetch)

    def _on_results_page(self, added: int) -> None:
        self._show_source()
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
