"""Filters → API SaleFilter: exact instants with the extension, widened dates without."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from posdesk.models.date_range import DateRange
from posdesk.models.sales_query import SalesQuery, looks_like_customer_id, sales_filter

CHICAGO = ZoneInfo("America/Chicago")
MARCH = DateRange(date(2024, 3, 1), date(2024, 3, 31))


def test_extended_server_gets_local_instants_and_every_filter() -> None:
    query = SalesQuery(MARCH, "C1", "AUSTIN", "AUS-2", "000051")
    api = sales_filter(query, CHICAGO, extended=True)
    assert api.from_time == datetime(2024, 3, 1, 6, tzinfo=UTC)  # CST
    assert api.to_time == datetime(2024, 4, 1, 5, tzinfo=UTC)  # CDT
    assert (api.location_code, api.register_code, api.tran_no) == ("AUSTIN", "AUS-2", "000051")
    assert api.customer_id == "C1"
    assert api.newest_first
    assert api.from_date is None


def test_documented_server_gets_widened_dates_only() -> None:
    api = sales_filter(SalesQuery(MARCH, customer_id="C1"), CHICAGO, extended=False)
    assert (api.from_date, api.to_date) == (date(2024, 2, 29), date(2024, 4, 2))
    assert api.from_time is None
    assert not api.needs_extension
    assert sales_filter(SalesQuery(), CHICAGO, extended=False).from_date is None
    with pytest.raises(ValueError, match="sale_search"):
        sales_filter(SalesQuery(MARCH, location_code="AUSTIN"), CHICAGO, extended=False)


def test_customer_id_heuristic() -> None:
    assert looks_like_customer_id("04120387765512093344")
    assert not looks_like_customer_id("C000000212")
    assert not looks_like_customer_id("000010077")
