"""Wire dicts → domain objects. Tolerant: a field the server did not send becomes None.

Money and quantities become ``Decimal`` (from the wire's strings); date-times become aware
UTC datetimes (a value without an offset is read as UTC, as POS documents).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, ParamSpec, TypeVar

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
R = TypeVar("R")
P = ParamSpec("P")
E = TypeVar("E", bound=StrEnum)
Row = Mapping[str, Any]


#: What a malformed answer raises inside a mapping function; ``edge`` turns each into
#: InvalidResponseError so nothing raw escapes to the screens.
_MALFORMED = (
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    ValueError,
    ArithmeticError,  # InvalidOperation, OverflowError (e.g. an instant out of range)
    RecursionError,
)


def edge(convert: Callable[P, R]) -> Callable[P, R]:
    """Every public mapping function: a wrong-shaped answer becomes InvalidResponseError."""

    @functools.wraps(convert)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return convert(*args, **kwargs)
        except InvalidResponseError:
            raise
        except _MALFORMED as exc:
            raise InvalidResponseError(
                details=f"{convert.__name__}: malformed answer ({type(exc).__name__})"
            ) from None

    return checked


#: Money and quantities: finite, at most 15 digits before the point and 12 after (POS uses
#: 2-4 decimals), at most 40 characters on the wire. Beyond that it is not a real amount.
MAX_DECIMAL_TEXT = 40
MAX_WHOLE_DIGITS = 15
MAX_FRACTION_DIGITS = 12
_FINEST = Decimal(1).scaleb(-MAX_FRACTION_DIGITS)
#: The common wire shape (``"969"``, ``"-12.34"``): within every bound above by its spelling,
#: so it needs none of the checks below (they cost more than the Decimal itself).
_PLAIN_DECIMAL = re.compile(
    rf"-?[0-9]{{1,{MAX_WHOLE_DIGITS}}}(?:\.[0-9]{{1,{MAX_FRACTION_DIGITS}}})?"
)


def dec(value: Any) -> Decimal | None:
    if value is None:
        return None
    if type(value) is str and _PLAIN_DECIMAL.fullmatch(value):
        return Decimal(value)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidResponseError(details=f"not a decimal: {type(value).__name__}")
    text = repr(value) if isinstance(value, float) else str(value)  # never trust a float
    if len(text) > MAX_DECIMAL_TEXT:
        raise InvalidResponseError(details=f"decimal too long: {text[:MAX_DECIMAL_TEXT]}…")
    try:
        result = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        raise InvalidResponseError(details=f"not a decimal: {text!r}") from None
    if not result.is_finite():
        raise InvalidResponseError(details=f"not a finite decimal: {text!r}")
    if not result:
        return result if -MAX_FRACTION_DIGITS <= result.adjusted() <= 0 else Decimal(0)
    if result.adjusted() >= MAX_WHOLE_DIGITS:
        raise InvalidResponseError(details=f"decimal out of range: {text!r}")
    if result != result.quantize(_FINEST, rounding=ROUND_DOWN):
        raise InvalidResponseError(details=f"decimal too precise: {text!r}")
    return result


def dec0(value: Any) -> Decimal:
    result = dec(value)
    return Decimal(0) if result is None else result


def text(value: Any) -> str | None:
    """An optional text field: a string (numbers are spelled out); anything else is refused."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise InvalidResponseError(details=f"expected text, got {type(value).__name__}")


def ident(value: Any) -> str:
    """A required id / code: non-empty text."""
    result = text(value)
    if not result:
        raise InvalidResponseError(details="missing id")
    return result


def whole(value: Any) -> int | None:
    """An optional integer (display orders, waits)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidResponseError(details=f"expected an integer, got {type(value).__name__}")
    return value


def flag(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise InvalidResponseError(details=f"expected true/false, got {type(value).__name__}")


def instant(value: Any) -> datetime | None:
    """Aware UTC datetime; a value without offset is UTC (POS reports dates in UTC)."""
    if not value:
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise InvalidResponseError(details="not a date-time")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidResponseError(details=f"not a date-time: {value!r}") from None
    zone = parsed.tzinfo
    if zone is UTC:  # the usual "...Z": already what we want
        return parsed
    if zone is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def day(value: Any) -> date | None:
    if not value:
        return None
    if not isinstance(value, str):
        raise InvalidResponseError(details="not a date")
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise InvalidResponseError(details=f"not a date: {value[:64]!r}") from None


def enum_or_none(kind: type[E], value: Any) -> E | None:
    """Unknown enum values from a newer server become None rather than crash the screen."""
    if not isinstance(value, str):
        return None
    try:
        return kind(value)
    except ValueError:
        return None


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidResponseError(details=f"expected a list, got {type(value).__name__}")
    return value


def _row(value: Any) -> Row:
    if not isinstance(value, dict):
        raise InvalidResponseError(details=f"expected an object, got {type(value).__name__}")
    return value


def strs(value: Any) -> tuple[str, ...]:
    return tuple(ident(v) for v in _list(value) if v is not None)


def objs(value: Any, convert: Callable[[Row], T]) -> tuple[T, ...]:
    return tuple(convert(_row(v)) for v in _list(value) if v is not None)


@edge
def address(d: Row | None) -> Address | None:
    if not d:
        return None
    return Address(
        line1=text(d.get("line1")),
        line2=text(d.get("line2")),
        city=text(d.get("city")),
        region=text(d.get("region")),
        postal_code=text(d.get("postalCode")),
        country=text(d.get("country")),
    )


@edge
def customer(d: Row) -> Customer:
    phone = d.get("phone")
    return Customer(
        id=ident(d["id"]),
        member_id=text(d.get("memberId")),
        status=text(d.get("status")),
        full_name=text(d.get("fullName")),
        first_name=text(d.get("firstName")),
        last_name=text(d.get("lastName")),
        email=text(d.get("email")),
        phone=Phone(raw=text(phone.get("raw")), norm=text(phone.get("norm"))) if phone else None,
        address=address(d.get("address")),
        home_location_code=text(d.get("homeLocationCode")),
        created_on=instant(d.get("createdOn")),
        member_since=instant(d.get("memberSince")),
        loyalty_points=dec(d.get("loyaltyPoints")),
    )


@edge
def sale_line(d: Row) -> SaleLine:
    return SaleLine(
        line_number=whole(d.get("lineNumber")) or 0,
        sku=text(d.get("sku")) or "",
        description=text(d.get("description")),
        quantity=dec0(d.get("quantity")),
        unit_price=dec0(d.get("unitPrice")),
        discount_amount=dec0(d.get("discountAmount")),
        ext_price=dec0(d.get("extPrice")),
        tax_amount=dec(d.get("taxAmount")),
        serial_lot_no=text(d.get("serialLotNo")),
    )


@edge
def sale_tender(d: Row) -> SaleTender:
    return SaleTender(
        tender_type=text(d.get("tenderType")) or "",
        amount=dec0(d.get("amount")),
        description=text(d.get("description")),
        reference=text(d.get("reference")),
    )


@edge
def sale(d: Row) -> Sale:
    return Sale(
        id=ident(d["id"]),
        register_code=text(d.get("registerCode")),
        tran_no=text(d.get("tranNo")),
        customer_id=text(d.get("customerId")),
        sale_date=instant(d.get("saleDate")),
        location_code=text(d.get("locationCode")),
        customer_name=text(d.get("customerName")),
        item_count=dec(d.get("itemCount")),
        sub_total=dec(d.get("subTotal")),
        discount_amount=dec(d.get("discountAmount")),
        tax_amount=dec(d.get("taxAmount")),
        total=dec(d.get("total")),
        lines=objs(d.get("lines"), sale_line),
        tenders=objs(d.get("tenders"), sale_tender),
    )


@edge
def warehouse_stock(d: Row) -> WarehouseStock:
    return WarehouseStock(
        warehouse_code=ident(d["warehouseCode"]),
        sku=text(d.get("sku")) or "",
        base_price=dec(d.get("basePrice")),
        quantity_available=dec(d.get("quantityAvailable")),
        quantity_on_hand=dec(d.get("quantityOnHand")),
        reorder_point=dec(d.get("reorderPoint")),
        bin_location=text(d.get("binLocation")),
    )


@edge
def serial_lot(d: Row) -> SerialLot:
    return SerialLot(
        sku=text(d.get("sku")) or "",
        warehouse_code=text(d.get("warehouseCode")) or "",
        serial_lot_no=ident(d["serialLotNo"]),
        tracking_type=enum_or_none(TrackingType, d.get("trackingType")),
        quantity=dec(d.get("quantity")),
        expires_on=day(d.get("expiresOn")),
        received_on=day(d.get("receivedOn")),
    )


@edge
def item(d: Row) -> Item:
    return Item(
        sku=ident(d["sku"]),
        name=text(d.get("name")),
        long_name=text(d.get("longName")),
        sale_uom=text(d.get("saleUom")),
        stock_uom=text(d.get("stockUom")),
        barcodes=strs(d.get("barcodes")),
        tracking_type=enum_or_none(TrackingType, d.get("trackingType")),
        category=text(d.get("category")),
        warehouses=objs(d.get("warehouses"), warehouse_stock),
        serial_lots=objs(d.get("serialLots"), serial_lot),
    )


@edge
def location(d: Row) -> Location:
    return Location(
        code=ident(d["code"]),
        name=text(d.get("name")),
        kind=text(d.get("kind")),
        address=address(d.get("address")),
        time_zone=text(d.get("timeZone")),
        registers=strs(d.get("registers")),
    )


@edge
def banner(d: Row | None) -> ProductBanner | None:
    if not d:
        return None
    return ProductBanner(code=ident(d["code"]), text=text(d.get("text")), url=text(d.get("url")))


@edge
def product_section(d: Row) -> ProductSection:
    return ProductSection(
        code=ident(d["code"]),
        name=text(d.get("name")),
        display_order=whole(d.get("displayOrder")),
        banner=banner(d.get("banner")),
    )


@edge
def product_group(d: Row) -> ProductGroup:
    return ProductGroup(
        code=ident(d["code"]),
        name=text(d.get("name")),
        display_order=whole(d.get("displayOrder")),
        banner=banner(d.get("banner")),
        sections=objs(d.get("sections"), product_section),
    )


@edge
def product_notice(d: Row) -> ProductNotice:
    return ProductNotice(
        code=ident(d["code"]),
        name=text(d.get("name")),
        body=text(d.get("body")),
        display_order=whole(d.get("displayOrder")),
    )


@edge
def product_sort_option(d: Row) -> ProductSortOption:
    return ProductSortOption(code=ident(d["code"]), name=text(d.get("name")))


@edge
def product_banner(d: Row) -> ProductBanner:
    result = banner(d)
    if result is None:
        raise InvalidResponseError(details="empty product banner")
    return result


@edge
def product(d: Row) -> Product:
    return Product(
        sku=ident(d["sku"]),
        name=text(d.get("name")),
        long_name=text(d.get("longName")),
        description=text(d.get("description")),
        base_price=dec(d.get("basePrice")),
        groups=objs(d.get("groups"), product_group),
        notices=objs(d.get("notices"), product_notice),
    )


@edge
def giftcard_code(d: Row) -> GiftCardCode:
    code_type = enum_or_none(GiftCardCodeType, d.get("codeType"))
    if code_type is None:
        raise InvalidResponseError(details=f"unknown gift card code type {d.get('codeType')!r}")
    return GiftCardCode(
        code_type=code_type,
        code=text(d.get("code")) or "",
        id=text(d.get("id")),
        expires_on=instant(d.get("expiresOn")),
        is_masked=bool(flag(d.get("isMasked"))),
        has_pin=flag(d.get("hasPin")),
    )


@edge
def giftcard(d: Row) -> GiftCard:
    return GiftCard(
        id=ident(d["id"]),
        balance=dec(d.get("balance")),
        member_id=text(d.get("memberId")),
        codes=objs(d.get("codes"), giftcard_code),
        created_on=instant(d.get("createdOn")),
    )


@edge
def giftcard_transaction(d: Row) -> GiftCardTransaction:
    giftcard_id = d.get("giftcardId")
    return GiftCardTransaction(
        id=ident(d["id"]),
        giftcard_id=text(giftcard_id),
        balance=dec(d.get("balance")),
        status=enum_or_none(GiftCardTransStatus, d.get("status")),
        trans_type=enum_or_none(GiftCardTransType, d.get("transType")),
        amount=dec(d.get("amount")),
        source_id=text(d.get("sourceId")),
        ref_no=text(d.get("refNo")),
        created_on=instant(d.get("createdOn")),
        completed_on=instant(d.get("completedOn")),
        cancelled_on=instant(d.get("cancelledOn")),
    )


@edge
def purchase(d: Row) -> Purchase:
    return Purchase(
        id=ident(d["id"]),
        transaction_id=text(d.get("transactionId")),
        store_code=text(d.get("storeCode")),
        purchased_on=instant(d.get("purchasedOn")),
        pay_amount=dec(d.get("payAmount")),
        member_id=text(d.get("memberId")),
        created_on=instant(d.get("createdOn")),
    )


@edge
def terminal_outcome(d: Row) -> TerminalOutcome:
    payment = d.get("payment")
    error = d.get("error")
    continuation = d.get("continuation")
    outcome = TerminalOutcome(
        payment=TerminalPayment(
            id=ident(payment["id"]),
            payment_type=enum_or_none(TerminalPaymentType, payment.get("paymentType")),
            amount=dec(payment.get("amount")),
            status=text(payment.get("status")),
            ref_no=text(payment.get("refNo")),
            card_label=text(payment.get("cardLabel")),
            auth_code=text(payment.get("authCode")),
        )
        if payment
        else None,
        error=TerminalError(code=text(error.get("code")), message=text(error.get("message")))
        if error
        else None,
        continuation=TerminalContinuation(
            id=ident(continuation["id"]),
            wait_ms=whole(continuation.get("waitMilliseconds")) or 0,
            message=text(continuation.get("message")),
        )
        if continuation
        else None,
    )
    if sum(x is not None for x in (outcome.payment, outcome.error, outcome.continuation)) != 1:
        raise InvalidResponseError(details="terminal result must hold exactly one outcome")
    return outcome


@edge
def environment(d: Row | None) -> Environment:
    d = d or {}
    return Environment(
        name=text(d.get("name")),
        tenant_type=text(d.get("tenantType")),
        version=text(d.get("version")),
        kind=text(d.get("kind")),
        currency=text(d.get("currency")),
        time_zone=text(d.get("timeZone")),
    )


@edge
def viewer(d: Row | None) -> Viewer:
    d = d or {}
    return Viewer(
        subject=text(d.get("subject")),
        name=text(d.get("name")),
        client_id=text(d.get("clientId")),
        roles=strs(d.get("roles")),
        permissions=frozenset(strs(d.get("permissions"))),
        location_code=text(d.get("locationCode")),
    )


@edge
def page(envelope: Row | None, convert: Callable[[Row], T], first: int | None = None) -> Page[T]:
    """Map a result envelope (``results``/``hasMoreResults``/``limitedByPermission``/``until``).

    More rows than ``first`` asked for is refused: a server that ignores paging must not
    fill the screen (or memory) with a page nobody asked for."""
    if envelope is None:
        return Page(items=(), has_more=False)
    envelope = _row(envelope)
    results = _list(envelope.get("results"))
    if first is not None and len(results) > max(first, 0):
        raise InvalidResponseError(
            "The POS server sent more rows than posdesk asked for.",
            details=f"page of {len(results)} rows, {first} asked",
        )
    return Page(
        items=objs(results, convert),
        has_more=bool(flag(envelope.get("hasMoreResults"))),
        limited_by_permission=bool(flag(envelope.get("limitedByPermission"))),
        until=text(envelope.get("until")),
    )
