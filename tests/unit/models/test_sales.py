"""Sale/customer columns and the summary strip arithmetic (Decimal, local dates)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QLocale

from posdesk.domain import Address, Customer, Page, Phone, Sale, SaleTender
from posdesk.models.paged import PagedTableModel
from posdesk.models.sales import (
    SalesSummary,
    SummaryTracker,
    customer_columns,
    sale_columns,
    tender_summary,
)
from tests.helpers.waiting import wait_until

US = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
CHICAGO = ZoneInfo("America/Chicago")


def test_summary_counts_totals_and_averages() -> None:
    sales = [Sale(id=str(i), total=Decimal(t)) for i, t in enumerate(("10.00", "0.01", "5"))]
    summary = SalesSummary.of(sales[:2], complete=False)
    assert (summary.count, summary.total, summary.complete) == (2, Decimal("10.01"), False)
    assert summary.average == Decimal("5.00")  # 5.005 rounds half-even
    more = summary.plus([sales[2], Sale(id="x")], complete=True)
    assert (more.count, more.total, more.complete) == (4, Decimal("15.01"), True)
    assert SalesSummary.of([], complete=True).average is None


def test_sale_columns_show_local_time_and_export_with_offset() -> None:
    sale = Sale(
        id="7",
        sale_date=datetime(2026, 3, 1, 5, 59, tzinfo=UTC),
        customer_id="C1",
        total=Decimal("1234.5"),
        tenders=(
            SaleTender("CARD", Decimal(1)),
            SaleTender("CASH", Decimal(1)),
            SaleTender("CARD", Decimal(2)),
        ),
    )
    columns = {c.name: c for c in sale_columns(CHICAGO)}
    assert columns["sale_date"].display(sale, US) == "Feb 28, 2026 11:59 PM"
    assert columns["sale_date"].value(sale) == datetime(2026, 2, 28, 23, 59, tzinfo=CHICAGO)
    assert columns["total"].display(sale, US) == "1,234.50"
    assert columns["customer"].display(sale, US) == "C1"
    assert tender_summary(sale) == "CARD + CASH"
    assert columns["sale_date"].display(Sale(id="8"), US) == ""


def test_customer_columns() -> None:
    customer = Customer(
        id="1",
        first_name="Ana",
        last_name="Lopez",
        phone=Phone(raw="(312) 555-0101"),
        address=Address(city="Chicago"),
        status="INACTIVE",
    )
    columns = {c.name: c for c in customer_columns()}
    assert columns["name"].display(customer, US) == "Ana Lopez"
    assert columns["phone"].display(customer, US) == "(312) 555-0101"
    assert columns["city"].display(customer, US) == "Chicago"
    assert columns["status"].tone is not None
    assert columns["status"].tone(customer) == "muted"


@pytest.mark.asyncio
async def test_summary_tracker_follows_pages_and_resets() -> None:
    sales = [Sale(id=str(i), total=Decimal("1.25")) for i in range(250)]

    async def fetch(skip: int, first: int) -> Page[Sale]:
        return Page(sales[skip : skip + first], has_more=skip + first < len(sales))

    model: PagedTableModel[Sale] = PagedTableModel(sale_columns(CHICAGO), None, page_size=100)
    tracker = SummaryTracker(model)
    seen: list[SalesSummary] = []
    tracker.changed.connect(lambda: seen.append(tracker.summary))
    model.set_fetch(fetch)
    await wait_until(lambda: not model.loading and model.rowCount() == 100)
    assert tracker.summary == SalesSummary(100, Decimal("125.00"), complete=False)
    await model.fetch_all()
    assert tracker.summary == SalesSummary(250, Decimal("312.50"), complete=True)
    model.set_fetch(None)
    assert tracker.summary.count == 0
    assert seen  # every step was signalled
    await model.aclose()
