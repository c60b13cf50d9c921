"""Table columns and the summary strip for customers and sales (shared by both tabs).

Dates are shown (and exported) in the zone the tab was given, not whatever zone the PC's Qt
happens to use, so the date filter, the table and the CSV always agree on what "a day" is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal

from PySide6.QtCore import QLocale, QModelIndex, QObject, Qt, Signal

from posdesk.domain import Customer, Sale
from posdesk.models.formatting import Kind
from posdesk.models.paged import Column, PagedTableModel
from posdesk.models.receipt import local_time


def tender_summary(sale: Sale) -> str:
    """``CARD``, ``CARD + CASH``… (blank when the server did not list tenders)."""
    kinds: list[str] = []
    for tender in sale.tenders:
        if tender.tender_type not in kinds:
            kinds.append(tender.tender_type)
    return " + ".join(kinds)


_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _refund(sale: Sale) -> str | None:
    """Returns (negative totals) stand out from sales."""
    return "danger" if sale.total is not None and sale.total < 0 else None


def sale_columns(tz: tzinfo) -> tuple[Column[Sale], ...]:
    def when(sale: Sale) -> datetime | None:
        return sale.sale_date.astimezone(tz) if sale.sale_date else None

    def when_text(sale: Sale, locale: QLocale) -> str:
        return local_time(sale.sale_date, tz, locale) if sale.sale_date else ""

    return (
        Column("Date", when, Kind.DATETIME, key="sale_date", text=when_text),
        Column("Location", lambda s: s.location_code, key="location_code"),
        Column("Register", lambda s: s.register_code, key="register_code"),
        Column("Tran no", lambda s: s.tran_no, key="tran_no"),
        Column("Customer", lambda s: s.customer_name or s.customer_id, key="customer"),
        Column("Tender", tender_summary, key="tender"),
        Column("Items", lambda s: s.item_count, Kind.QUANTITY, key="item_count", tone=_refund),
        Column("Total", lambda s: s.total, Kind.MONEY, key="total", tone=_refund),
        Column("Sale id", lambda s: s.id, key="id", alignment=_RIGHT),
    )


def customer_columns() -> tuple[Column[Customer], ...]:
    def phone(customer: Customer) -> str | None:
        return customer.phone.raw or customer.phone.norm if customer.phone else None

    def city(customer: Customer) -> str | None:
        return customer.address.city if customer.address else None

    def status_tone(customer: Customer) -> str | None:
        status = (customer.status or "").upper()
        return None if status in ("", "ACTIVE") else "muted"

    return (
        Column("Name", lambda c: c.full_name or _joined(c.first_name, c.last_name), key="name"),
        Column("Member id", lambda c: c.member_id, key="member_id"),
        Column("Status", lambda c: c.status, key="status", tone=status_tone),
        Column("Phone", phone, key="phone"),
        Column("E-mail", lambda c: c.email, key="email"),
        Column("City", city, key="city"),
        Column("Home store", lambda c: c.home_location_code, key="home_location_code"),
        Column("Customer id", lambda c: c.id, key="id"),
    )


def _joined(*parts: str | None) -> str | None:
    return " ".join(p for p in parts if p) or None


@dataclass(frozen=True, slots=True)
class SalesSummary:
    """Count, total and average ticket of the sales loaded so far."""

    count: int
    total: Decimal
    complete: bool

    @classmethod
    def of(cls, sales: Iterable[Sale], *, complete: bool) -> SalesSummary:
        return cls(0, Decimal(0), complete).plus(sales, complete=complete)

    def plus(self, sales: Iterable[Sale], *, complete: bool) -> SalesSummary:
        """This summary with more sales added (pages arrive one by one: no re-summing)."""
        count, total = self.count, self.total
        for sale in sales:
            count += 1
            total += sale.total or Decimal(0)
        return SalesSummary(count, total, complete)

    @property
    def average(self) -> Decimal | None:
        if not self.count:
            return None
        return (self.total / self.count).quantize(Decimal("0.01"))


class SummaryTracker(QObject):
    """Keeps a :class:`SalesSummary` of a sales model's loaded rows; ``changed`` on updates.

    Adds each page as it is inserted (no re-summing of 10k rows per page); ``complete`` is
    true once the model has every row and is not loading.
    """

    changed = Signal()

    def __init__(self, model: PagedTableModel[Sale]) -> None:
        super().__init__(model)
        self._model = model
        self._count, self._total = 0, Decimal(0)
        model.modelReset.connect(self._reset)
        model.rowsInserted.connect(self._added)
        model.loadingChanged.connect(lambda _loading: self.changed.emit())

    @property
    def summary(self) -> SalesSummary:
        complete = not self._model.has_more and not self._model.loading
        return SalesSummary(self._count, self._total, complete)

    def _reset(self) -> None:
        self._count, self._total = 0, Decimal(0)
        self.changed.emit()

    def _added(self, _parent: QModelIndex, first: int, last: int) -> None:
        rows = (self._model.item(row) for row in range(first, last + 1))
        added = SalesSummary(self._count, self._total, False).plus(rows, complete=False)
        self._count, self._total = added.count, added.total
        self.changed.emit()
