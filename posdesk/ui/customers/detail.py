"""One customer: every field the server returned, and what they bought (newest first).

The sales list is its own paged table (``sale(customerId:)``) with a running total; activating
a sale asks the window to open it in the Sales tab (``saleRequested``).
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from posdesk.domain import Customer, Sale
from posdesk.models.formatting import format_date, format_decimal, format_money, plural
from posdesk.models.paged import PagedTableModel
from posdesk.models.sales import SummaryTracker, sale_columns
from posdesk.models.sales_query import SalesQuery, sales_fetch
from posdesk.ui.common.tables import GuardedTable, fit_columns, sale_samples, title_label
from posdesk.ui.shell.context import SessionContext

#: (label, objectName suffix) of every field shown, in order.
FIELDS = (
    ("Customer id", "id"),
    ("Member id", "member_id"),
    ("Status", "status"),
    ("First name", "first_name"),
    ("Last name", "last_name"),
    ("E-mail", "email"),
    ("Phone", "phone"),
    ("Address", "address"),
    ("Home store", "home_location_code"),
    ("Member since", "member_since"),
    ("Created", "created_on"),
    ("Loyalty points", "loyalty_points"),
)


def _date_text(value: datetime | None, tz: tzinfo, locale: QLocale) -> str:
    return format_date(value, locale, tz) if value else "—"


def field_texts(customer: Customer, tz: tzinfo, locale: QLocale) -> dict[str, str]:
    """Display text of every field ("—" where the server did not say)."""
    phone = customer.phone
    phone_text = "—"
    if phone is not None and (phone.raw or phone.norm):
        phone_text = phone.raw or phone.norm or ""
        if phone.raw and phone.norm and phone.norm != phone.raw:
            phone_text += f"  ({phone.norm})"
    address_lines = customer.address.lines() if customer.address else []
    points = customer.loyalty_points
    return {
        "id": customer.id,
        "member_id": customer.member_id or "— (not a member)",
        "status": customer.status or "—",
        "first_name": customer.first_name or "—",
        "last_name": customer.last_name or "—",
        "email": customer.email or "—",
        "phone": phone_text,
        "address": "\n".join(address_lines) or "—",
        "home_location_code": customer.home_location_code or "—",
        "member_since": _date_text(customer.member_since, tz, locale),
        "created_on": _date_text(customer.created_on, tz, locale),
        "loyalty_points": format_decimal(points, locale) if points is not None else "—",
    }


class CustomerDetailPanel(QWidget):
    """Fields of the selected customer above a paged table of their sales."""

    #: A sale id the user wants to see in full (double-click / Enter in the sales table).
    saleRequested = Signal(str)
    #: "Open in Sales tab": the customer id whose sales to browse there.
    allSalesRequested = Signal(str)

    def __init__(self, context: SessionContext, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customerDetail")
        self.context = context
        self.tz = tz
        self.currency = context.environment.currency
        self.customer: Customer | None = None

        self._placeholder = QLabel(self.PLACEHOLDER, self)
        self._placeholder.setObjectName("customerDetailPlaceholder")
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setWordWrap(True)

        body = QWidget(self)
        self.title = title_label("customerTitle", body)

        form_box = QGroupBox("Contact, address and membership", body)
        form = QFormLayout(form_box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.values: dict[str, QLabel] = {}
        for label, key in FIELDS:
            value = QLabel(body)
            value.setObjectName(f"customer_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.values[key] = value
            form.addRow(f"{label}:", value)

        sales_box = QGroupBox("Sales (newest first)", body)
        self.sales_box = sales_box
        self.sales_total = QLabel(sales_box)
        self.sales_total.setObjectName("customerSalesTotal")
        self.open_in_sales = QPushButton("Open in Sales tab", sales_box)
        self.open_in_sales.setObjectName("customerOpenInSales")
        self.open_in_sales.clicked.connect(self._all_sales)
        self.sales = GuardedTable(
            "customerSales",
            "ViewSales",
            "Sale history",
            context,
            empty_text="No sales recorded for this customer.",
            parent=sales_box,
        )
        self.sales_model: PagedTableModel[Sale] = PagedTableModel(
            sale_columns(tz), None, page_size=50, formatter=context.formatter, parent=self
        )
        self.sales.set_model(self.sales_model, load=False)
        self.sales.view.rowActivated.connect(self._sale_activated)
        self.tracker = SummaryTracker(self.sales_model)
        self.tracker.changed.connect(self._show_total)
        fit_columns(
            self.sales.view.table, sale_samples(context.formatter), padding=16
        )  # nine columns: tight, so the last one shows
        self.sales.view.table.setColumnHidden(4, True)  # the customer: it is this one
        # The register matters little in a customer's history; without it the total fits.
        self.sales.view.table.setColumnHidden(2, True)
        # What a customer spent is the figure a manager looks for: right after the date, so
        # it stays in view when the pane is narrow (the window's first size, a laptop).
        self.sales.view.table.horizontalHeader().moveSection(7, 1)

        top = QHBoxLayout()
        top.addWidget(self.sales_total, 1)
        top.addWidget(self.open_in_sales)
        sales_layout = QVBoxLayout(sales_box)
        sales_layout.addLayout(top)
        sales_layout.addWidget(self.sales, 1)

        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(form_box)
        layout.addWidget(sales_box, 1)

        self._stack = QStackedWidget(self)
        self._stack.addWidget(self._placeholder)
        self._stack.addWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._stack)

    PLACEHOLDER = "Select a customer to see their details and sales."

    def clear(self, text: str = PLACEHOLDER) -> None:
        """No customer selected; ``text`` says why (nothing picked yet, nothing found)."""
        self.customer = None
        self.sales_model.set_fetch(None)
        self._placeholder.setText(text)
        self._stack.setCurrentWidget(self._placeholder)

    @property
    def placeholder_text(self) -> str:
        return self._placeholder.text() if self.customer is None else ""

    def set_customer(self, customer: Customer) -> None:
        same = self.customer is not None and self.customer.id == customer.id
        self.customer = customer
        name = customer.full_name or " ".join(
            p for p in (customer.first_name, customer.last_name) if p
        )
        self.title.setText(name or f"Customer {customer.id}")
        for key, text in field_texts(customer, self.tz, self.sales_model.locale).items():
            self.values[key].setText(text)
        self._stack.setCurrentIndex(1)
        if not same and not self.sales.denied:
            query = SalesQuery(customer_id=customer.id)
            self.sales_model.set_fetch(
                sales_fetch(self.context.client, query, self.tz, self.context.local_data)
            )

    # ------------------------------------------------------------------ sales

    def _show_total(self) -> None:
        model = self.sales_model
        summary = self.tracker.summary
        if self.sales.denied or (model.loading and not summary.count):
            self.sales_total.setText("")
            return
        count, total = summary.count, summary.total
        money = format_money(total, model.locale, self.currency)
        more = not summary.complete
        number, noun = plural(count, "sale").split(" ", 1)
        text = f"{number}{'+' if more else ''} {noun} · total {money}"
        if more:
            text += " (loaded so far)"
        self.sales_total.setText(text)

    def _sale_activated(self, sale: object) -> None:
        if isinstance(sale, Sale):
            self.saleRequested.emit(sale.id)

    def _all_sales(self) -> None:
        if self.customer is not None:
            self.allSalesRequested.emit(self.customer.id)
