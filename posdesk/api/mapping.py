"""Wire dicts → domain objects. Tolerant: a field the server did not send becomes None.

Money and quantities become ``Decimal`` (from the wire's strings); date-times become aware
UTC datetimes (a value without an offset is read as UTC, as POS documents).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from posdesk.api.errors import InvalidResponseError
from posdesk.domain import (
    Address,
    Customer,
    Environment,
    GiftCard,
    GiftCardCode,
    GiftCardCodeType,
    GiftCardTransaction,
    GiftCardTransStatus,
    GiftCardTransType,
    Item,
    Location,
    Page,
    Phone,
    Product,
    ProductBanner,
    ProductGroup,
    ProductNotice,
    ProductSection,
    ProductSortOption,
    Purchase,
    Sale,
    SaleLine,
    SaleTender,
    SerialLot,
    TerminalContinuation,
    TerminalError,
    TerminalOutcome,
    TerminalPayment,
    TerminalPaymentType,
    TrackingType,
    Viewer,
    WarehouseStock,
)

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)
Row = Mapping[str, Any]


def dec(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float):  # never trust a float; go through its shortest repr
        value = repr(value)
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidResponseError(details=f"not a decimal: {value!r}") from None


def dec0(value: Any) -> Decimal:
    result = dec(value)
    return Decimal(0) if result is None else result


def instant(value: Any) -> datetime | None:
    """Aware UTC datetime; a value without offset is UTC (POS reports dates in UTC)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidResponseError(details=f"not a date-time: {value!r}") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def day(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise InvalidResponseError(details=f"not a date: {value!r}") from None


def enum_or_none(kind: type[E], value: Any) -> E | None:
    """Unknown enum values from a newer server become None rather than crash the screen."""
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError:
        return None


def strs(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value or () if v is not None)


def objs(value: Any, convert: Callable[[Row], T]) -> tuple[T, ...]:
    return tuple(convert(v) for v in value or () if v is not None)


def address(d: Row | None) -> Address | None:
    if not d:
        return None
    return Address(
        line1=d.get("line1"),
        line2=d.get("line2"),
        city=d.get("city"),
        region=d.get("region"),
        postal_code=d.get("postalCode"),
        country=d.get("country"),
    )


def customer(d: Row) -> Customer:
    phone = d.get("phone")
    return Customer(
        id=str(d["id"]),
        member_id=d.get("memberId"),
        status=d.get("status"),
        full_name=d.get("fullName"),
        first_name=d.get("firstName"),
        last_name=d.get("lastName"),
        email=d.get("email"),
        phone=Phone(raw=phone.get("raw"), norm=phone.get("norm")) if phone else None,
        address=address(d.get("address")),
        home_location_code=d.get("homeLocationCode"),
        created_on=instant(d.get("createdOn")),
        member_since=instant(d.get("memberSince")),
        loyalty_points=dec(d.get("loyaltyPoints")),
    )


def sale_line(d: Row) -> SaleLine:
    return SaleLine(
        line_number=int(d.get("lineNumber") or 0),
        sku=str(d.get("sku") or ""),
        description=d.get("description"),
        quantity=dec0(d.get("quantity")),
        unit_price=dec0(d.get("unitPrice")),
        discount_amount=dec0(d.get("discountAmount")),
        ext_price=dec0(d.get("extPrice")),
        tax_amount=dec(d.get("taxAmount")),
        serial_lot_no=d.get("serialLotNo"),
    )


def sale_tender(d: Row) -> SaleTender:
    return SaleTender(
        tender_type=str(d.get("tenderType") or ""),
        amount=dec0(d.get("amount")),
        description=d.get("description"),
        reference=d.get("reference"),
    )


def sale(d: Row) -> Sale:
    return Sale(
        id=str(d["id"]),
        register_code=d.get("registerCode"),
        tran_no=d.get("tranNo"),
        customer_id=d.get("customerId"),
        sale_date=instant(d.get("saleDate")),
        location_code=d.get("locationCode"),
        customer_name=d.get("customerName"),
        item_count=dec(d.get("itemCount")),
        sub_total=dec(d.get("subTotal")),
        discount_amount=dec(d.get("discountAmount")),
        tax_amount=dec(d.get("taxAmount")),
        total=dec(d.get("total")),
        lines=objs(d.get("lines"), sale_line),
        tenders=objs(d.get("tenders"), sale_tender),
    )


def warehouse_stock(d: Row) -> WarehouseStock:
    return WarehouseStock(
        warehouse_code=str(d["warehouseCode"]),
        sku=str(d.get("sku") or ""),
        base_price=dec(d.get("basePrice")),
        quantity_available=dec(d.get("quantityAvailable")),
        quantity_on_hand=dec(d.get("quantityOnHand")),
        reorder_point=dec(d.get("reorderPoint")),
        bin_location=d.get("binLocation"),
    )


def serial_lot(d: Row) -> SerialLot:
    return SerialLot(
        sku=str(d.get("sku") or ""),
        warehouse_code=str(d.get("warehouseCode") or ""),
        serial_lot_no=str(d["serialLotNo"]),
        tracking_type=enum_or_none(TrackingType, d.get("trackingType")),
        quantity=dec(d.get("quantity")),
        expires_on=day(d.get("expiresOn")),
        received_on=day(d.get("receivedOn")),
    )


def item(d: Row) -> Item:
    return Item(
        sku=str(d["sku"]),
        name=d.get("name"),
        long_name=d.get("longName"),
        sale_uom=d.get("saleUom"),
        stock_uom=d.get("stockUom"),
        barcodes=strs(d.get("barcodes")),
        tracking_type=enum_or_none(TrackingType, d.get("trackingType")),
        category=d.get("category"),
        warehouses=objs(d.get("warehouses"), warehouse_stock),
        serial_lots=objs(d.get("serialLots"), serial_lot),
    )


def location(d: Row) -> Location:
    return Location(
        code=str(d["code"]),
        name=d.get("name"),
        kind=d.get("kind"),
        address=address(d.get("address")),
        time_zone=d.get("timeZone"),
        registers=strs(d.get("registers")),
    )


def banner(d: Row | None) -> ProductBanner | None:
    if not d:
        return None
    return ProductBanner(code=str(d["code"]), text=d.get("text"), url=d.get("url"))


def product_section(d: Row) -> ProductSection:
    return ProductSection(
        code=str(d["code"]),
        name=d.get("name"),
        display_order=d.get("displayOrder"),
        banner=banner(d.get("banner")),
    )


def product_group(d: Row) -> ProductGroup:
    return ProductGroup(
        code=str(d["code"]),
        name=d.get("name"),
        display_order=d.get("displayOrder"),
        banner=banner(d.get("banner")),
        sections=objs(d.get("sections"), product_section),
    )


def product_notice(d: Row) -> ProductNotice:
    return ProductNotice(
        code=str(d["code"]),
        name=d.get("name"),
        body=d.get("body"),
        display_order=d.get("displayOrder"),
    )


def product_sort_option(d: Row) -> ProductSortOption:
    return ProductSortOption(code=str(d["code"]), name=d.get("name"))


def product_banner(d: Row) -> ProductBanner:
    result = banner(d)
    if result is None:
        raise InvalidResponseError(details="empty product banner")
    return result


def product(d: Row) -> Product:
    return Product(
        sku=str(d["sku"]),
        name=d.get("name"),
        long_name=d.get("longName"),
        description=d.get("description"),
        base_price=dec(d.get("basePrice")),
        groups=objs(d.get("groups"), product_group),
        notices=objs(d.get("notices"), product_notice),
    )


def giftcard_code(d: Row) -> GiftCardCode:
    code_type = enum_or_none(GiftCardCodeType, d.get("codeType"))
    if code_type is None:
        raise InvalidResponseError(details=f"unknown gift card code type {d.get('codeType')!r}")
    return GiftCardCode(
        code_type=code_type,
        code=str(d.get("code") or ""),
        id=d.get("id"),
        expires_on=instant(d.get("expiresOn")),
        is_masked=bool(d.get("isMasked")),
        has_pin=d.get("hasPin"),
    )


def giftcard(d: Row) -> GiftCard:
    return GiftCard(
        id=str(d["id"]),
        balance=dec(d.get("balance")),
        member_id=d.get("memberId"),
        codes=objs(d.get("codes"), giftcard_code),
        created_on=instant(d.get("createdOn")),
    )


def giftcard_transaction(d: Row) -> GiftCardTransaction:
    giftcard_id = d.get("giftcardId")
    return GiftCardTransaction(
        id=str(d["id"]),
        giftcard_id=None if giftcard_id is None else str(giftcard_id),
        balance=dec(d.get("balance")),
        status=enum_or_none(GiftCardTransStatus, d.get("status")),
        trans_type=enum_or_none(GiftCardTransType, d.get("transType")),
        amount=dec(d.get("amount")),
        source_id=d.get("sourceId"),
        ref_no=d.get("refNo"),
        created_on=instant(d.get("createdOn")),
        completed_on=instant(d.get("completedOn")),
        cancelled_on=instant(d.get("cancelledOn")),
    )


def purchase(d: Row) -> Purchase:
    return Purchase(
        id=str(d["id"]),
        transaction_id=d.get("transactionId"),
        store_code=d.get("storeCode"),
        purchased_on=instant(d.get("purchasedOn")),
        pay_amount=dec(d.get("payAmount")),
        member_id=d.get("memberId"),
        created_on=instant(d.get("createdOn")),
    )


def terminal_outcome(d: Row) -> TerminalOutcome:
    payment = d.get("payment")
    error = d.get("error")
    continuation = d.get("continuation")
    outcome = TerminalOutcome(
        payment=TerminalPayment(
            id=str(payment["id"]),
            payment_type=enum_or_none(TerminalPaymentType, payment.get("paymentType")),
            amount=dec(payment.get("amount")),
            status=payment.get("status"),
            ref_no=payment.get("refNo"),
            card_label=payment.get("cardLabel"),
            auth_code=payment.get("authCode"),
        )
        if payment
        else None,
        error=TerminalError(code=error.get("code"), message=error.get("message"))
        if error
        else None,
        continuation=TerminalContinuation(
            id=str(continuation["id"]),
            wait_ms=int(continuation.get("waitMilliseconds") or 0),
            message=continuation.get("message"),
        )
        if continuation
        else None,
    )
    if sum(x is not None for x in (outcome.payment, outcome.error, outcome.continuation)) != 1:
        raise InvalidResponseError(details="terminal result must hold exactly one outcome")
    return outcome


def environment(d: Row | None) -> Environment:
    d = d or {}
    return Environment(
        name=d.get("name"),
        tenant_type=d.get("tenantType"),
        version=d.get("version"),
        kind=d.get("kind"),
        currency=d.get("currency"),
        time_zone=d.get("timeZone"),
    )


def viewer(d: Row | None) -> Viewer:
    d = d or {}
    return Viewer(
        subject=d.get("subject"),
        name=d.get("name"),
        client_id=d.get("clientId"),
        roles=strs(d.get("roles")),
        permissions=frozenset(strs(d.get("permissions"))),
        location_code=d.get("locationCode"),
    )


def page(envelope: Row | None, convert: Callable[[Row], T]) -> Page[T]:
    """Map a result envelope (``results``/``hasMoreResults``/``limitedByPermission``/``until``)."""
    if envelope is None:
        return Page(items=(), has_more=False)
    results: Sequence[Row | None] = envelope.get("results") or ()
    try:
        items = tuple(convert(r) for r in results if r is not None)
    except (KeyError, TypeError, AttributeError) as exc:
        raise InvalidResponseError(details=f"malformed record: {exc!r}") from None
    return Page(
        items=items,
        has_more=bool(envelope.get("hasMoreResults")),
        limited_by_permission=bool(envelope.get("limitedByPermission")),
        until=envelope.get("until"),
    )
