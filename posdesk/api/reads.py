"""Reads: every query posdesk makes, as domain objects (``Page`` of rows, or one row).

Retried on transient failures by the connection (``posdesk.api.connection``); big pages are
mapped on a worker thread so the UI's event loop never stalls on them. Includes paging over
a list method (``pages``), since/until sync (``sync``) and the query console's read-only
ad-hoc queries (``run_query``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, Literal, TypeVar, overload

from posdesk.api import adhoc, mapping
from posdesk.api.connection import Connection
from posdesk.api.errors import InvalidResponseError, NotFound, ValidationError
from posdesk.api.wire import wire_instant
from posdesk.domain import (
    Customer,
    Environment,
    GiftCard,
    GiftCardCodeType,
    GiftCardTransaction,
    Item,
    Location,
    Page,
    Product,
    ProductBanner,
    ProductGroup,
    ProductNotice,
    ProductSection,
    ProductSortOption,
    Purchase,
    Sale,
    SaleFilter,
    SerialLot,
    Viewer,
    WarehouseStock,
)

T = TypeVar("T")
SyncEntity = Literal["customer", "sale", "item", "item_warehouse", "serial_lot"]


class Reads(Connection):
    """The read methods of ``PosClient``."""

    async def _page(
        self, feature: str, variables: Mapping[str, Any], convert: Callable[[mapping.Row], T]
    ) -> Page[T]:
        first = variables.get("first")
        envelope = await self._read(feature, variables)
        return await _to_page(envelope, convert, first if isinstance(first, int) else None)

    # ---------------------------------------------------------------- reads

    async def environment(self) -> Environment:
        return mapping.environment(await self._read("environment", {}))

    async def viewer(self) -> Viewer:
        return mapping.viewer(await self._read("viewer", {}))

    async def locations(
        self, *, code: str | None = None, skip: int = 0, first: int = 100
    ) -> Page[Location]:
        return await self._page(
            "locations", {"code": code, "skip": skip, "first": first}, mapping.location
        )

    async def customers(
        self,
        *,
        search: str | None = None,
        id: str | None = None,
        member_id: str | None = None,
        skip: int = 0,
        first: int = 50,
    ) -> Page[Customer]:
        """Customers by free-text search (server extension) or exact id / member id."""
        if search is not None and search.strip():
            variables: dict[str, Any] = {"search": search.strip(), "skip": skip, "first": first}
            return await self._page("customer_search", variables, mapping.customer)
        variables = {"id": id, "memberId": member_id, "skip": skip, "first": first}
        return await self._page("customers", variables, mapping.customer)

    async def customer(self, id: str) -> Customer:
        page = await self.customers(id=id, first=1)
        return _one(page, f"customer {id}")

    async def sales(
        self, filter: SaleFilter | None = None, *, skip: int = 0, first: int = 50
    ) -> Page[Sale]:
        filter = filter or SaleFilter()
        if filter.needs_extension:
            variables: dict[str, Any] = {
                "customerId": filter.customer_id,
                "fromTime": wire_instant(filter.from_time) if filter.from_time else None,
                "toTime": wire_instant(filter.to_time) if filter.to_time else None,
                "locationCode": filter.location_code,
                "registerCode": filter.register_code,
                "tranNo": filter.tran_no,
                "newestFirst": filter.newest_first or None,
                "skip": skip,
                "first": first,
            }
            return await self._page("sale_search", variables, mapping.sale)
        variables = {
            "customerId": filter.customer_id,
            "fromDate": filter.from_date.isoformat() if filter.from_date else None,
            "toDate": filter.to_date.isoformat() if filter.to_date else None,
            "skip": skip,
            "first": first,
        }
        return await self._page("sales", variables, mapping.sale)

    async def sale(self, id: str) -> Sale:
        """One sale with its lines and tenders."""
        page = await self._page("sale_detail", {"id": id}, mapping.sale)
        return _one(page, f"sale {id}")

    async def items(
        self,
        *,
        search: str | None = None,
        sku: str | None = None,
        barcode: str | None = None,
        warehouse_code: str | None = None,
        skip: int = 0,
        first: int = 50,
    ) -> Page[Item]:
        """Items by search text / barcode (server extensions) or exact SKU, ordered by SKU."""
        if (search and search.strip()) or barcode:
            variables: dict[str, Any] = {
                "search": search.strip() if search else None,
                "barcode": barcode,
                "warehouseCode": warehouse_code,
                "skip": skip,
                "first": first,
            }
            return await self._page("item_search", variables, mapping.item)
        variables = {"sku": sku, "warehouseCode": warehouse_code, "skip": skip, "first": first}
        return await self._page("items", variables, mapping.item)

    async def item(self, sku: str) -> Item:
        """One item with warehouses and serial/lot numbers."""
        page = await self._page("item_detail", {"sku": sku}, mapping.item)
        return _one(page, f"item {sku}")

    async def lookup_item(self, code: str) -> Item | None:
        """Counter look-up in ONE round trip: exact SKU, else exact barcode, with warehouses
        and serial/lots. None when nothing matches.

        Servers without the barcode look-up (``item_lookup`` unavailable) get the SKU query,
        then (if they have ``item_search``) the barcode search and the detail of its match."""
        code = code.strip()
        if not code:
            return None
        if "item_lookup" in self.features:
            data = await self._read("item_lookup", {"code": code})
            for key in ("bySku", "byBarcode"):
                if key not in data:
                    raise InvalidResponseError(details=f"ItemLookup: data lacks {key}")
                page = mapping.page(data[key], mapping.item, 1)
                if page.items:
                    return page.items[0]
            return None
        page = await self._page("item_detail", {"sku": code}, mapping.item)
        if page.items:
            return page.items[0]
        if "item_search" not in self.features:
            return None
        by_barcode = await self.items(barcode=code, first=2)
        if not by_barcode.items:
            return None
        return await self.item(by_barcode.items[0].sku)

    async def item_warehouses(
        self,
        *,
        sku: str | None = None,
        warehouse_code: str | None = None,
        skip: int = 0,
        first: int = 100,
    ) -> Page[WarehouseStock]:
        variables = {"sku": sku, "warehouseCode": warehouse_code, "skip": skip, "first": first}
        return await self._page("item_warehouses", variables, mapping.warehouse_stock)

    async def serial_lots(
        self,
        *,
        sku: str | None = None,
        warehouse_code: str | None = None,
        skip: int = 0,
        first: int = 100,
    ) -> Page[SerialLot]:
        variables = {"sku": sku, "warehouseCode": warehouse_code, "skip": skip, "first": first}
        return await self._page("serial_lots", variables, mapping.serial_lot)

    async def products(
        self, *, group_code: str | None = None, skip: int = 0, first: int = 50
    ) -> Page[Product]:
        variables = {"sku": None, "groupCode": group_code, "skip": skip, "first": first}
        return await self._page("products", variables, mapping.product)

    async def product(self, sku: str) -> Product:
        variables = {"sku": sku, "groupCode": None, "skip": 0, "first": 1}
        page = await self._page("products", variables, mapping.product)
        return _one(page, f"product {sku}")

    async def product_groups(
        self, *, section_code: str | None = None, skip: int = 0, first: int = 100
    ) -> Page[ProductGroup]:
        variables = {"code": None, "sectionCode": section_code, "skip": skip, "first": first}
        return await self._page("product_groups", variables, mapping.product_group)

    async def product_sections(self, *, skip: int = 0, first: int = 100) -> Page[ProductSection]:
        return await self._page(
            "product_sections",
            {"code": None, "skip": skip, "first": first},
            mapping.product_section,
        )

    async def product_notices(self, *, skip: int = 0, first: int = 100) -> Page[ProductNotice]:
        return await self._page(
            "product_notices", {"code": None, "skip": skip, "first": first}, mapping.product_notice
        )

    async def product_banners(self, *, skip: int = 0, first: int = 100) -> Page[ProductBanner]:
        return await self._page(
            "product_banners", {"code": None, "skip": skip, "first": first}, mapping.product_banner
        )

    async def product_sort_options(
        self, *, skip: int = 0, first: int = 100
    ) -> Page[ProductSortOption]:
        return await self._page(
            "product_sort_options", {"skip": skip, "first": first}, mapping.product_sort_option
        )

    async def giftcard(
        self, code: str, code_type: GiftCardCodeType | None = None
    ) -> GiftCard | None:
        """Find a card by one of its codes; None when not found (or not visible)."""
        variables = {"code": code, "codeType": code_type.value if code_type else None}
        page = await self._page("giftcard_lookup", variables, mapping.giftcard)
        return page.items[0] if page.items else None

    async def giftcard_by_id(self, id: str) -> GiftCard | None:
        page = await self._page("giftcard_by_id", {"id": id}, mapping.giftcard)
        return page.items[0] if page.items else None

    async def giftcards(
        self, *, member_id: str | None = None, skip: int = 0, first: int = 50
    ) -> Page[GiftCard]:
        variables = {"memberId": member_id, "skip": skip, "first": first}
        return await self._page("giftcards", variables, mapping.giftcard)

    async def giftcard_transactions(
        self,
        *,
        giftcard_id: str | None = None,
        ref_no: str | None = None,
        source_id: str | None = None,
        skip: int = 0,
        first: int = 50,
    ) -> Page[GiftCardTransaction]:
        variables = {
            "giftcardId": giftcard_id,
            "refNo": ref_no,
            "sourceId": source_id,
            "skip": skip,
            "first": first,
        }
        return await self._page("giftcard_transactions", variables, mapping.giftcard_transaction)

    async def purchases(
        self, transaction_id: str, *, skip: int = 0, first: int = 10
    ) -> Page[Purchase]:
        variables = {"transactionId": transaction_id, "skip": skip, "first": first}
        return await self._page("purchase_lookup", variables, mapping.purchase)

    # ---------------------------------------------------------------- query console (read-only)

    async def run_query(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        operation_name: str | None = None,
    ) -> adhoc.QueryResult:
        """Run an ad-hoc *query* through the read path (token renewal, retries).

        A mutation or subscription anywhere in ``document`` raises ``adhoc.ReadOnlyRefused``
        before anything is sent; the answer is bounded (``adhoc.check_bounds``). Only the
        operation name is ever logged, never the document or variables.
        """
        adhoc.read_only_operation(document, operation_name)
        payload: dict[str, Any] = {"query": document, "variables": dict(variables or {})}
        if operation_name:
            payload["operationName"] = operation_name
        what = operation_name or "Console query"
        started = time.perf_counter()
        try:
            data = await self._post_read(payload, what)
            await asyncio.to_thread(adhoc.check_bounds, data, what)
        except RecursionError as exc:  # JSON nested beyond the parser's own limit
            raise InvalidResponseError(details=f"{what}: nested too deeply") from exc
        return adhoc.QueryResult(data, time.perf_counter() - started, operation_name)

    # ---------------------------------------------------------------- paging and sync

    async def pages(
        self,
        fetch: Callable[..., Awaitable[Page[T]]],
        /,
        *args: Any,
        first: int = 100,
        skip: int = 0,
        **filters: Any,
    ) -> AsyncIterator[Page[T]]:
        """Every page of a list method, e.g. ``client.pages(client.customers, search="x")``
        or ``client.pages(client.sales, SaleFilter(...), first=200)``."""
        while True:
            page = await fetch(*args, skip=skip, first=first, **filters)
            yield page
            if not page.has_more or not page.items:
                return
            skip += len(page.items)

    @overload
    def sync(
        self, entity: Literal["customer"], since: str = "", *, first: int = ...
    ) -> AsyncIterator[tuple[Page[Customer], str]]: ...
    @overload
    def sync(
        self, entity: Literal["sale"], since: str = "", *, first: int = ...
    ) -> AsyncIterator[tuple[Page[Sale], str]]: ...
    @overload
    def sync(
        self, entity: Literal["item"], since: str = "", *, first: int = ...
    ) -> AsyncIterator[tuple[Page[Item], str]]: ...
    @overload
    def sync(
        self, entity: Literal["item_warehouse"], since: str = "", *, first: int = ...
    ) -> AsyncIterator[tuple[Page[WarehouseStock], str]]: ...
    @overload
    def sync(
        self, entity: Literal["serial_lot"], since: str = "", *, first: int = ...
    ) -> AsyncIterator[tuple[Page[SerialLot], str]]: ...
    def sync(
        self, entity: SyncEntity, since: str = "", *, first: int = 500
    ) -> AsyncIterator[tuple[Page[Any], str]]:
        """since/until sync: yields each page with the cursor to persist *after* the page is
        stored. Start with ``since=""`` (never None); resume with the last persisted cursor."""
        feature, convert = _SYNC[entity]
        return self._sync(feature, convert, since, first)

    async def _sync(
        self, feature: str, convert: Callable[[mapping.Row], Any], since: str, first: int
    ) -> AsyncIterator[tuple[Page[Any], str]]:
        cursor = since
        while True:
            try:
                env = await self._read(feature, {"since": cursor, "first": first})
            except ValidationError as exc:
                if not cursor or (exc.field or "").lower() != "since":
                    raise
                # the server no longer understands the saved cursor (e.g. after an upgrade):
                # restart from the beginning, as documented; callers upsert idempotently
                cursor = ""
                continue
            page = await _to_page(env, convert, first)
            if page.until is None:
                raise InvalidResponseError(details=f"{feature}: no 'until' cursor returned")
            cursor = page.until
            yield page, cursor
            if not page.has_more:
                return


_SYNC: dict[str, tuple[str, Callable[[mapping.Row], Any]]] = {
    "customer": ("customer_sync", mapping.customer),
    "sale": ("sale_sync", mapping.sale),
    "item": ("item_sync", mapping.item),
    "item_warehouse": ("item_warehouse_sync", mapping.warehouse_stock),
    "serial_lot": ("serial_lot_sync", mapping.serial_lot),
}

#: Pages of more rows than this are mapped on a worker thread (see ``connection.BIG_BODY``).
BIG_PAGE = 200


async def _to_page(
    envelope: mapping.Row | None, convert: Callable[[mapping.Row], T], first: int | None = None
) -> Page[T]:
    """A page envelope → ``Page``; more rows than ``first`` asked for is refused."""
    results = envelope.get("results") if isinstance(envelope, dict) else None
    if isinstance(results, list) and len(results) > BIG_PAGE:
        return await asyncio.to_thread(mapping.page, envelope, convert, first)
    return mapping.page(envelope, convert, first)


def _one(page: Page[T], what: str) -> T:
    if not page.items:
        raise NotFound(f"{what[0].upper()}{what[1:]} was not found.", details=what)
    return page.items[0]
