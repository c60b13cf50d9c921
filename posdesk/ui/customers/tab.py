"""Customers tab: find a customer by any key, see who they are and what they bought.

The search box searches as the user types (debounced; Enter searches now): from the local
mirror once its customers are ready (name, e-mail, phone in any format, member id, customer id;
on any server), before that on the server — name, member id, customer id, phone or e-mail when
the server has the search extension, otherwise an exact customer id or member id. A customer
found in the mirror is re-read from the server while it answers; offline the tab keeps working
from the mirror under the ``customersLocalNote`` banner. Arrow keys move through the results
and the detail follows; Enter moves into the customer's sales, where Enter opens a sale in
the Sales tab.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from posdesk.api.errors import PosError
from posdesk.domain import Customer
from posdesk.models.local_reads import LocalFirst
from posdesk.models.paged import PagedTableModel
from posdesk.models.sales import customer_columns
from posdesk.models.sales_query import customers_fetch
from posdesk.ui.common.local_note import LocalDataNote
from posdesk.ui.common.runner import Runner
from posdesk.ui.common.tables import GuardedTable, fit_columns, session_zone
from posdesk.ui.customers.detail import CustomerDetailPanel
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.widgets.search import SearchLineEdit
from posdesk.ui.widgets.splitter import QuietSplitter

VIEW_CUSTOMERS = "ViewCustomers"


class CustomersTab(QWidget):
    """Search results on the left, the selected customer (fields + sales) on the right."""

    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customersTab")
        self.context = context
        self.client = context.client
        self.runner = Runner(self)
        self.tz = session_zone(context)
        self.searchable = (
            "customer_search" in self.client.features or context.local_data is not None
        )
        self.fetch: LocalFirst[Customer] | None = None

        self._build(context)
        self._wire()

        self.last_search: str | None = None
        self._restore_state()
        if not self.table.denied:
            self.search(self.search_edit.text())

    def _build(self, context: SessionContext) -> None:
        """The search field over the customer list beside the customer's detail."""
        placeholder = (
            "Search customers by name, member id, customer id, phone or e-mail…"
            if self.searchable
            else "Customer id or member id (this server has no free-text search)…"
        )
        self.search_edit = SearchLineEdit(
            self, placeholder=placeholder, object_name="customersSearch"
        )
        label = QLabel("&Find:", self)
        label.setBuddy(self.search_edit)
        self.table = GuardedTable(
            "customers",
            VIEW_CUSTOMERS,
            "Customer records",
            context,
            empty_text="No customers match. Check the spelling, or search by phone or e-mail.",
            parent=self,
        )
        self.view = self.table.view
        self.model: PagedTableModel[Customer] = PagedTableModel(
            customer_columns(), None, formatter=context.formatter, parent=self
        )
        self.detail = CustomerDetailPanel(context, self.tz, self)
        self.note = LocalDataNote(context, "customer", "customers", self)

        splitter = QuietSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("customersSplitter")
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        # the list needs its name, member id, status, phone and e-mail in view on a 1366 px
        # laptop; the detail pane lists everything else
        splitter.setStretchFactor(0, 11)
        splitter.setStretchFactor(1, 9)
        splitter.setSizes([1100, 900])
        self.splitter = splitter

        top = QHBoxLayout()
        top.addWidget(label)
        top.addWidget(self.search_edit, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(splitter, 1)

    def _wire(self) -> None:
        """Column widths, the detail following the selection, signals to behaviour."""
        self.table.set_model(self.model, load=False)
        fit_columns(
            self.view.table,
            (
                "Christopher Delgado",
                "C000000000",
                "Inactive",
                "+1 000 000 0000",
                "christopher.delgado@example.com",
                "Portland",
                "BROOKLYN",
                "00000000000000000000",
            ),
        )
        self._follow = QTimer(self)
        self._follow.setSingleShot(True)
        self._follow.setInterval(150)
        self._follow.timeout.connect(self._show_current)
        selection = self.view.table.selectionModel()
        if selection is not None:
            selection.currentRowChanged.connect(lambda *_: self._follow.start())
        self.model.modelReset.connect(lambda: self.detail.clear())
        self.model.loadingChanged.connect(self._explain_empty)
        self.model.pageLoaded.connect(self._select_first)
        self.view.rowActivated.connect(self._activated)
        self.search_edit.searchChanged.connect(self.search)
        self.search_edit.returnPressed.connect(self.search_now)
        self.detail.saleRequested.connect(self.open_sale)
        self.detail.allSalesRequested.connect(self.open_customer_sales)
        self.setTabOrder(self.search_edit, self.view.table)
        self.setTabOrder(self.view.table, self.detail.sales.view.table)
        local_data = self.context.local_data
        if local_data is not None:
            local_data.synced.connect(self._source_may_change)
            local_data.onlineChanged.connect(self._source_may_change)

    # ----------------------------------------------------------------- search

    def search(self, text: str) -> None:
        """New server query (empty text lists every customer)."""
        if self.table.denied:
            return
        self.last_search = text.strip()
        fetch = customers_fetch(self.client, self.last_search, self.context.local_data)
        self.fetch = fetch if isinstance(fetch, LocalFirst) else None
        self.model.set_fetch(fetch)

    def _source_may_change(self, *_: object) -> None:
        """The mirror became ready, or the server went away: search again where it should
        answer now (a list from the server is not replaced while the server answers)."""
        fetch = self.fetch
        moved = fetch is not None and fetch.uses_local() != fetch.from_local
        if moved and self.last_search is not None and not self.model.loading:
            self.search(self.last_search)

    def search_now(self) -> None:
        """Enter: search at once, even when the text did not change (e.g. to refresh)."""
        self.search_edit.commit()
        if self.search_edit.text().strip() == self.last_search:
            self.search(self.search_edit.text())

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def reload(self) -> None:
        self.search(self.search_edit.text())

    # ----------------------------------------------------------------- detail

    def _select_first(self, added: int) -> None:
        """After a search, the first match is shown at once (no extra click)."""
        self.note.set_from_local(self.fetch is not None and self.fetch.from_local)
        if added and self.model.rowCount() == added:
            self.view.table.selectRow(0)
            self._show_current()

    def _explain_empty(self, loading: bool) -> None:
        model = self.model
        if loading or model.rowCount() or model.error is not None or model.has_more:
            return
        if self.last_search:
            self.detail.clear(
                f"No customers match “{self.last_search}”.\n"
                "Check the spelling, or search by phone, e-mail or member id."
            )
        else:
            self.detail.clear("No customers to show.")

    def _show_current(self) -> None:
        customer = self.view.current_item()
        if isinstance(customer, Customer):
            self.detail.set_customer(customer)
            self._reread(customer)

    def _reread(self, customer: Customer) -> None:
        """A customer found in the mirror is re-read from the server while it answers (the
        mirror is a cache; the detail shows the truth)."""
        local_data = self.context.local_data
        if self.fetch is None or not self.fetch.from_local:
            return
        if local_data is None or not local_data.online:
            return

        async def reread() -> None:
            try:
                page = await self.client.customers(id=customer.id, first=1)
            except PosError as exc:
                if local_data is not None:
                    local_data.observe(exc)
                return
            current = self.detail.customer
            if page.items and current is not None and current.id == customer.id:
                self.detail.set_customer(page.items[0])

        self.runner.start(reread(), name="customer-reread", replace=True)

    def _activated(self, customer: object) -> None:
        if isinstance(customer, Customer):
            self._follow.stop()
            self.detail.set_customer(customer)
            sales = self.detail.sales.view.table
            sales.setFocus(Qt.FocusReason.OtherFocusReason)
            if sales.model() is not None and sales.model().rowCount():
                sales.selectRow(0)

    # -------------------------------------------------------------- navigation

    def open_sale(self, sale_id: str) -> None:
        """Show one sale in the Sales tab's detail pane."""
        if not self.context.navigator.open_sale(sale_id):
            self.context.show_status("The Sales tab is not available.")

    def open_customer_sales(self, customer_id: str) -> None:
        """Browse everything this customer bought in the Sales tab."""
        if not self.context.navigator.show_customer_sales(customer_id):
            self.context.show_status("The Sales tab is not available.")

    def find_member(self, member_id: str) -> None:
        """Search for one member (other features open a customer through the navigator)."""
        self.search_edit.setText(member_id)
        self.search(member_id)

    # ---------------------------------------------------------------- settings

    def _restore_state(self) -> None:
        settings = self.context.settings()
        state = settings.value("customers/splitter")
        if state is not None:
            self.splitter.restoreState(state)
        self.view.restore_state(settings)

    def save_state(self) -> None:
        settings = self.context.settings()
        settings.setValue("customers/splitter", self.splitter.saveState())
        self.view.save_state(settings)
