"""Frozen value types the UI sees. No Qt, no HTTP: plain data shared by every layer.

Money and quantities are ``Decimal`` end to end; datetimes are timezone-aware UTC
(the UI converts to local time for display). ``None`` means "the server did not say"
(a field the live server lacks or the role may not see), never zero.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a result envelope (offset paging or a since/until sync step)."""

    items: Sequence[T]
    has_more: bool
    limited_by_permission: bool = False
    until: str | None = None


@dataclass(frozen=True, slots=True)
class Address:
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None

    def lines(self) -> list[str]:
        """Postal lines, blank parts dropped, ready to show."""
        city_line = " ".join(p for p in (self.city, self.region, self.postal_code) if p)
        return [p for p in (self.line1, self.line2, city_line, self.country) if p]


@dataclass(frozen=True, slots=True)
class Phone:
    raw: str | None = None
    norm: str | None = None


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    member_id: str | None = None
    status: str | None = None
    full_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: Phone | None = None
    address: Address | None = None
    home_location_code: str | None = None
    created_on: datetime | None = None
    member_since: datetime | None = None
    loyalty_points: Decimal | None = None


@dataclass(frozen=True, slots=True)
class SaleLine:
    line_number: int
    sku: str
    description: str | None = None
    quantity: Decimal = Decimal(0)
    unit_price: Decimal = Decimal(0)
    discount_amount: Decimal = Decimal(0)
    ext_price: Decimal = Decimal(0)
    tax_amount: Decimal | None = None
    serial_lot_no: str | None = None


@dataclass(frozen=True, slots=True)
class SaleTender:
    tender_type: str
    amount: Decimal
    description: str | None = None
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class Sale:
    id: str
    register_code: str | None = None
    tran_no: str | None = None
    customer_id: str | None = None
    sale_date: datetime | None = None
    location_code: str | None = None
    customer_name: str | None = None
    item_count: Decimal | None = None
    sub_total: Decimal | None = None
    discount_amount: Decimal | None = None
    tax_amount: Decimal | None = None
    total: Decimal | None = None
    lines: tuple[SaleLine, ...] = ()
    tenders: tuple[SaleTender, ...] = ()


class TrackingType(enum.StrEnum):
    NONE = "NONE"
    SERIAL = "SERIAL"
    LOT = "LOT"


@dataclass(frozen=True, slots=True)
class WarehouseStock:
    warehouse_code: str
    sku: str
    base_price: Decimal | None = None
    quantity_available: Decimal | None = None
    quantity_on_hand: Decimal | None = None
    reorder_point: Decimal | None = None
    bin_location: str | None = None

    @property
    def is_low(self) -> bool:
        """At or below the reorder point (and not already out)."""
        q, r = self.quantity_available, self.reorder_point
        return q is not None and r is not None and Decimal(0) < q <= r

    @property
    def is_out(self) -> bool:
        return self.quantity_available is not None and self.quantity_available <= 0


@dataclass(frozen=True, slots=True)
class SerialLot:
    sku: str
    warehouse_code: str
    serial_lot_no: str
    tracking_type: TrackingType | None = None
    quantity: Decimal | None = None
    expires_on: date | None = None
    received_on: date | None = None


@dataclass(frozen=True, slots=True)
class Item:
    sku: str
    name: str | None = None
    long_name: str | None = None
    sale_uom: str | None = None
    stock_uom: str | None = None
    barcodes: tuple[str, ...] = ()
    tracking_type: TrackingType | None = None
    category: str | None = None
    warehouses: tuple[WarehouseStock, ...] = ()
    serial_lots: tuple[SerialLot, ...] = ()


@dataclass(frozen=True, slots=True)
class Location:
    code: str
    name: str | None = None
    kind: str | None = None
    address: Address | None = None
    time_zone: str | None = None
    registers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProductBanner:
    code: str
    text: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class ProductSection:
    code: str
    name: str | None = None
    display_order: int | None = None
    banner: ProductBanner | None = None


@dataclass(frozen=True, slots=True)
class ProductGroup:
    code: str
    name: str | None = None
    display_order: int | None = None
    banner: ProductBanner | None = None
    sections: tuple[ProductSection, ...] = ()


@dataclass(frozen=True, slots=True)
class ProductNotice:
    code: str
    name: str | None = None
    body: str | None = None
    display_order: int | None = None


@dataclass(frozen=True, slots=True)
class ProductSortOption:
    code: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    name: str | None = None
    long_name: str | None = None
    description: str | None = None
    base_price: Decimal | None = None
    groups: tuple[ProductGroup, ...] = ()
    notices: tuple[ProductNotice, ...] = ()


class GiftCardCodeType(enum.StrEnum):
    PHYSICAL = "PHYSICAL"
    PERSONAL = "PERSONAL"
    EXTERNAL = "EXTERNAL"


class GiftCardTransType(enum.StrEnum):
    ADD = "ADD"
    ADJUST = "ADJUST"
    EXTERNAL = "EXTERNAL"
    IMPORT = "IMPORT"
    USE = "USE"


class GiftCardTransStatus(enum.StrEnum):
    AUTHORIZED = "AUTHORIZED"
    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"


def mask_code(code: str, *, keep_length: bool = False) -> str:
    """A gift card code as humans may see it: codes are secrets, only the last four
    characters show (the last two of a code of four or fewer).

    Screens use the fixed ``•••• 1427`` (it hides the code's length too); ``keep_length``
    gives ``••••••1427``, the shape journal records and their summaries have always had."""
    tail = code[-4:] if len(code) > 4 else code[-min(len(code), 2) :]
    return ("•" * (len(code) - len(tail)) if keep_length else "•••• ") + tail


@dataclass(frozen=True, slots=True)
class GiftCardCode:
    code_type: GiftCardCodeType
    code: str
    id: str | None = None
    expires_on: datetime | None = None
    is_masked: bool = False
    has_pin: bool | None = None


@dataclass(frozen=True, slots=True)
class GiftCard:
    id: str
    balance: Decimal | None = None
    member_id: str | None = None
    codes: tuple[GiftCardCode, ...] = ()
    created_on: datetime | None = None


@dataclass(frozen=True, slots=True)
class GiftCardTransaction:
    id: str
    giftcard_id: str | None = None
    balance: Decimal | None = None
    status: GiftCardTransStatus | None = None
    trans_type: GiftCardTransType | None = None
    amount: Decimal | None = None
    source_id: str | None = None
    ref_no: str | None = None
    created_on: datetime | None = None
    completed_on: datetime | None = None
    cancelled_on: datetime | None = None


@dataclass(frozen=True, slots=True)
class PurchaseLine:
    line_number: int
    sku: str
    quantity: Decimal
    unit_price: Decimal
    ext_price: Decimal
    uom: str = "EA"
    is_refund: bool = False
    item_discount_amount: Decimal = Decimal(0)
    sale_discount_amount: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class PurchaseDraft:
    """What the user wants recorded with ``purchaseAdd`` (input side)."""

    transaction_id: str
    store_code: str
    purchased_on: datetime
    pay_amount: Decimal
    sub_total: Decimal
    tax_amount: Decimal
    lines: tuple[PurchaseLine, ...]
    sale_discount_amount: Decimal = Decimal(0)
    item_discount_amount: Decimal = Decimal(0)
    refund_amount: Decimal = Decimal(0)
    channel: str | None = None
    order_type: str | None = None
    pay_method: str | None = None
    member_id: str | None = None
    customer_id: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Purchase:
    id: str
    transaction_id: str | None = None
    store_code: str | None = None
    purchased_on: datetime | None = None
    pay_amount: Decimal | None = None
    member_id: str | None = None
    created_on: datetime | None = None


class TerminalPaymentType(enum.StrEnum):
    SALE = "SALE"
    REFUND = "REFUND"
    AUTH = "AUTH"


@dataclass(frozen=True, slots=True)
class TerminalPayment:
    id: str
    payment_type: TerminalPaymentType | None = None
    amount: Decimal | None = None
    status: str | None = None
    ref_no: str | None = None
    card_label: str | None = None
    auth_code: str | None = None


@dataclass(frozen=True, slots=True)
class TerminalError:
    code: str | None
    message: str | None


@dataclass(frozen=True, slots=True)
class TerminalContinuation:
    id: str
    wait_ms: int
    message: str | None = None


@dataclass(frozen=True, slots=True)
class TerminalOutcome:
    """Exactly one of payment / error / continuation is set (the documented three-way result)."""

    payment: TerminalPayment | None = None
    error: TerminalError | None = None
    continuation: TerminalContinuation | None = None


@dataclass(frozen=True, slots=True)
class Environment:
    name: str | None = None
    tenant_type: str | None = None
    version: str | None = None
    kind: str | None = None
    currency: str | None = None
    time_zone: str | None = None

    @property
    def is_production(self) -> bool:
        """Unknown kinds count as production: warn less only when sure."""
        return (self.kind or "PRODUCTION").upper() == "PRODUCTION"


@dataclass(frozen=True, slots=True)
class Viewer:
    subject: str | None = None
    name: str | None = None
    client_id: str | None = None
    roles: tuple[str, ...] = ()
    permissions: frozenset[str] = field(default_factory=frozenset)
    location_code: str | None = None

    def can(self, permission: str) -> bool:
        return permission in self.permissions


@dataclass(frozen=True, slots=True)
class SaleFilter:
    """Sale history filter (input side). Instants are aware; ``to_time`` is exclusive.

    Only ``customer_id`` and the dates are in the documented API; the other fields need the
    server's sale-filter extension (feature ``sale_search``). ``from_date`` / ``to_date`` (the
    documented ``fromDate`` inclusive / ``toDate`` exclusive, zone undocumented) are for servers
    without that extension and are ignored when any extension field is set.
    """

    from_time: datetime | None = None
    to_time: datetime | None = None
    customer_id: str | None = None
    location_code: str | None = None
    register_code: str | None = None
    tran_no: str | None = None
    newest_first: bool = False
    from_date: date | None = None
    to_date: date | None = None

    @property
    def needs_extension(self) -> bool:
        return bool(
            self.from_time
            or self.to_time
            or self.location_code
            or self.register_code
            or self.tran_no
            or self.newest_first
        )
