"""What the user asked for (customer search, sale filters) → a ``fetch(skip, first)``.

Kept out of the widgets so the choice between the server's extensions and the documented
fallbacks is testable on its own:

- sales: with the ``sale_search`` extension the local date range becomes exact instants and
  every filter runs on the server (newest first). A documented server only knows customer and
  dates, so posdesk asks for one more day on each side and keeps the sales whose instant falls
  in the local range (:class:`FilteredFetch`); it orders by id (oldest first).
- customers: with ``customer_search`` any text goes to the server; otherwise the text is an
  exact customer id (all digits, 20 long in the docs) or member id.
- with the session's local data (``LocalData``), both answer from the mirror once its entity
  is ready, on any server: every sale filter plus a time of day, customers by any key
  (``posdesk.models.local_reads.LocalFirst``; unreachable server → the mirror, offline).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import time, tzinfo
from typing import TYPE_CHECKING

from posdesk.domain import Customer, Page, Sale, SaleFilter
from posdesk.models.date_range import DateRange
from posdesk.models.filtered_fetch import FilteredFetch
from posdesk.models.local_reads import LocalFirst

if TYPE_CHECKING:
    from posdesk.api.client import PosClient
    from posdesk.models.local_data import LocalData


#: Sales per request when filtering client-side (the documented fromDate/toDate fallback).
FALLBACK_SERVER_PAGE = 500


@dataclass(frozen=True, slots=True)
class SalesQuery:
    """The Sales tab's filters (inclusive local dates; ``None`` = any)."""

    dates: DateRange | None = None
    customer_id: str | None = None
    location_code: str | None = None
    register_code: str | None = None
    tran_no: str | None = None
    time_of_day: tuple[time, time] | None = None
    """Local clock range (half-open, may wrap midnight): only the local mirror applies it."""

    @property
    def needs_extension(self) -> bool:
        """Filters only the ``sale_search`` extension can apply."""
        return bool(self.location_code or self.register_code or self.tran_no)

    def describe(self) -> str:
        """One line for status text and export file names."""
        parts = [self.dates.label() if self.dates else "all dates"]
        for label, value in (
            ("customer", self.customer_id),
            ("location", self.location_code),
            ("register", self.register_code),
            ("tran", self.tran_no),
        ):
            if value:
                parts.append(f"{label} {value}")
        if self.time_of_day is not None:
            start, end = self.time_of_day
            parts.append(f"{start:%H:%M}–{end:%H:%M}")
        return ", ".join(parts)


def sales_filter(query: SalesQuery, tz: tzinfo, *, extended: bool) -> SaleFilter:
    """The API filter for ``query`` (exact instants if ``extended``, widened dates if not)."""
    base = SaleFilter(customer_id=query.customer_id)
    if extended:
        start, end = query.dates.instants(tz) if query.dates else (None, None)
        return replace(
            base,
            from_time=start,
            to_time=end,
            location_code=query.location_code,
            register_code=query.register_code,
            tran_no=query.tran_no,
            newest_first=True,
        )
    if query.needs_extension:
        raise ValueError("location, register and transaction filters need sale_search")
    if query.dates is None:
        return base
    from_date, to_date = query.dates.widened_api_dates()
    return replace(base, from_date=from_date, to_date=to_date)


def sales_fetch(
    client: PosClient, query: SalesQuery, tz: tzinfo, local_data: LocalData | None = None
) -> Callable[[int, int], Awaitable[Page[Sale]]]:
    """``fetch(skip, first)`` for the paged model; each call makes a fresh pager. With local
    data, every filter answers from the mirror once its sales are ready (on any server)."""
    server = _server_sales(client, query, tz)
    if local_data is None:
        if server is None:
            raise ValueError("location, register, transaction and time filters need local data")
        return server
    mirror_filter = sales_filter(query, tz, extended=True)

    async def local(skip: int, first: int) -> Page[Sale]:
        return await local_data.mirror.sales(
            mirror_filter, time_of_day=query.time_of_day, skip=skip, first=first
        )

    return LocalFirst(local_data, "sale", local, server)


def _server_sales(
    client: PosClient, query: SalesQuery, tz: tzinfo
) -> Callable[[int, int], Awaitable[Page[Sale]]] | None:
    """The server's answer to ``query``, or None when the server cannot apply it."""
    extended = "sale_search" in client.features
    if query.time_of_day is not None or (query.needs_extension and not extended):
        return None
    api_filter = sales_filter(query, tz, extended=extended)

    async def server(skip: int, first: int) -> Page[Sale]:
        return await client.sales(api_filter, skip=skip, first=first)

    dates = query.dates
    if extended or dates is None:
        return server

    def keep(sale: Sale) -> bool:
        return sale.sale_date is not None and dates.contains(sale.sale_date, tz)

    # The widened day before the range comes first (oldest first) and is all filtered out:
    # read in big server pages so a first page costs few round trips.
    return FilteredFetch(server, keep, server_page=FALLBACK_SERVER_PAGE)


def looks_like_customer_id(text: str) -> bool:
    """Documented customer ids are long digit strings (``04120387765512093344``)."""
    return text.isdigit() and len(text) >= 12


def customers_fetch(
    client: PosClient, text: str, local_data: LocalData | None = None
) -> Callable[[int, int], Awaitable[Page[Customer]]]:
    """The mirror's search (name, e-mail, phone in any format, ids) once customers are
    ready; before that server-side search when the server has it, else an exact id or
    member id look-up."""
    server = _server_customers(client, text)
    if local_data is None:
        return server
    text = text.strip()

    async def local(skip: int, first: int) -> Page[Customer]:
        return await local_data.mirror.customers(text, skip=skip, first=first)

    return LocalFirst(local_data, "customer", local, server)


def _server_customers(
    client: PosClient, text: str
) -> Callable[[int, int], Awaitable[Page[Customer]]]:
    text = text.strip()
    searchable = "customer_search" in client.features

    async def fetch(skip: int, first: int) -> Page[Customer]:
        if not text:
            return await client.customers(skip=skip, first=first)
        if searchable:
            return await client.customers(search=text, skip=skip, first=first)
        if looks_like_customer_id(text):
            return await client.customers(id=text, skip=skip, first=first)
        return await client.customers(member_id=text, skip=skip, first=first)

    return fetch
