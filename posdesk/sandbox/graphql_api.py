"""The sandbox's GraphQL API: schema-first (``schema.graphql``, ariadne) over :class:`Database`.

Contract with the HTTP layer (``server.py``): ``build_schema(db)`` gives the executable schema,
``format_error`` is ariadne's ``error_formatter``, and the context value is a dict whose
``"principal"`` is a :class:`~posdesk.sandbox.security.Principal` (or ``None`` when the request
carried no valid token → ``NOT_AUTHENTICATED``).

Behaviour decisions (documented for client authors; see also docs/architecture.md):

* Paging: ``first`` defaults to :data:`DEFAULT_FIRST` (100) and is capped at :data:`MAX_FIRST`
  (1000); negative values are a ``VALIDATION`` error. ``hasMoreResults`` is exact.
* Ordering: customers by id, items by SKU, sales by id (``newestFirst`` reverses), warehouse rows
  by (sku, warehouse), serial/lot rows by (sku, warehouse, number), gift cards and gift card
  transactions and purchases by id. With ``since`` every list is ordered by modification date,
  tie-broken by row id; ``since: ""`` starts from the beginning and ``until`` is an opaque
  cursor (base64 of entity, modification stamp, row id).
* ``sale(fromDate, toDate)`` compares the UTC date of ``saleDate`` (from inclusive, to
  exclusive); ``fromTime``/``toTime`` take instants with an offset for local-day queries.
* Errors carry ``extensions.code``: ``NOT_AUTHENTICATED``, ``NOT_AUTHORIZED`` (``data.Permission``
  names the missing permission), ``VALIDATION`` (``data.ValidationType`` and ``data.Property``),
  ``FUSION_ERROR`` (anything unexpected), ``GRAPHQL_VALIDATION_FAILED`` (malformed documents).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import sqlite3
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib.resources import files
from typing import Any

from ariadne import (
    MutationType,
    ObjectType,
    QueryType,
    ScalarType,
    make_executable_schema,
)
from graphql import GraphQLError, GraphQLResolveInfo, GraphQLSchema, parse, validate
from graphql.language import DocumentNode, FloatValueNode, IntValueNode, StringValueNode, ValueNode
from graphql.validation import ASTValidationRule

import posdesk
from posdesk.sandbox import security as sec
from posdesk.sandbox.db import Database
from posdesk.sandbox.security import Principal
from posdesk.sandbox.seed import TENANT_TIME_ZONE

# importlib.resources, not __file__: finds the file in a checkout and in the app bundle alike.
SCHEMA_FILE = files("posdesk.sandbox").joinpath("schema.graphql")
DEFAULT_FIRST = 100
MAX_FIRST = 1000

# --- permissions: the names live in security.py (REFERENCE.md §4.2 + sandbox extensions) ---
VIEW_SALES = sec.VIEW_SALES
VIEW_INVENTORY = sec.VIEW_INVENTORY
VIEW_CUSTOMERS = sec.VIEW_CUSTOMERS
FIND_GIFT_CARD = sec.FIND_GIFT_CARD_BY_CODE
LIST_GIFT_CARDS = sec.LIST_GIFT_CARDS
VIEW_UNMASKED = sec.VIEW_UNMASKED_GIFT_CARD_CODES
CREATE_GIFT_CARD = sec.CREATE_GIFT_CARD
EDIT_GIFT_CARD = sec.EDIT_GIFT_CARD
ADD_PURCHASE = sec.ADD_PURCHASE
LIST_GIFT_CARD_TRANS = sec.LIST_GIFT_CARD_TRANS
VIEW_PURCHASES = sec.VIEW_PURCHASES
# The documented list is cut off after the SALE and refund permissions; an authorization is a
# deferred sale, so AUTH payments and their capture need the SALE permission here (inferred).
TERMINAL_AUTH = sec.MAKE_SALE_TERMINAL_PAYMENT
TRANS_PERMISSIONS = {
    "ADD": sec.GIFT_CARD_TRANS_ADD,
    "ADJUST": sec.GIFT_CARD_TRANS_ADJUST,
    "EXTERNAL": sec.GIFT_CARD_TRANS_EXTERNAL,
    "IMPORT": sec.GIFT_CARD_TRANS_IMPORT,
    "USE": sec.GIFT_CARD_TRANS_USE,
}
CODE_PERMISSIONS = {
    "PHYSICAL": sec.USE_PHYSICAL_GIFT_CARD_CODES,
    "EXTERNAL": sec.USE_EXTERNAL_GIFT_CARD_CODES,
    "PERSONAL": sec.USE_CRYPTO_GIFT_CARD_CODES,
}
TERMINAL_PERMISSIONS = {
    "SALE": sec.MAKE_SALE_TERMINAL_PAYMENT,
    "REFUND": sec.MAKE_REFUND_TERMINAL_PAYMENT,
    "AUTH": TERMINAL_AUTH,
}

# Root fields and the permission each needs (None: any authenticated caller). giftcard also
# accepts ListGiftCards; gift card transactions and terminal calls depend on the type asked for.
ROOT_PERMISSIONS: dict[str, str | None] = {
    "customer": VIEW_CUSTOMERS,
    "environment": None,
    "giftcard": FIND_GIFT_CARD,
    "item": VIEW_INVENTORY,
    "itemSerialLot": VIEW_INVENTORY,
    "itemWarehouse": VIEW_INVENTORY,
    "location": None,
    "product": None,
    "productBanner": None,
    "productGroup": None,
    "productNotice": None,
    "productSection": None,
    "productSortOption": None,
    "sale": VIEW_SALES,
    "giftcardTrans": LIST_GIFT_CARD_TRANS,
    "purchase": VIEW_PURCHASES,
    "viewer": None,
    "giftcardAdd": CREATE_GIFT_CARD,
    "giftcardEdit": EDIT_GIFT_CARD,
    "giftcardTransAdd": "GiftCardTrans<Type>",
    "giftcardTransCapture": "GiftCardTrans<Type>",
    "giftcardTransCancel": "GiftCardTrans<Type>",
    "purchaseAdd": ADD_PURCHASE,
    "terminalPayment": "Make<Sale|Refund>TerminalPayment",
}

# --- simulated payment terminal (documented for UI tests) ------------------------------------
TERMINAL_WAIT_MS = 300
"""Every continuation asks the client to wait this long before calling ``continue``."""
TERMINAL_FAST = "LANE-FAST"
"""A terminal id that answers within ``start`` (payment outcome straight away)."""
TERMINAL_TIMEOUT = "LANE-TIMEOUT"
"""A terminal id that never answers: ``continue`` returns continuations until ``cancel``."""
TERMINAL_DECLINE_CENTS = 13
"""Amounts ending in .13 are declined (error outcome ``DECLINED``) after one wait."""


# =============================================================================================
# errors


class ApiError(Exception):
    """An error with a formal ``extensions.code`` (raised by resolvers)."""

    def __init__(self, code: str, message: str, data: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.data = data


def not_authenticated() -> ApiError:
    return ApiError("NOT_AUTHENTICATED", "Authentication required: send a valid bearer token.")


def not_authorized(permission: str) -> ApiError:
    return ApiError(
        "NOT_AUTHORIZED",
        f"The caller lacks the permission {permission}.",
        {"Permission": permission},
    )


def validation(validation_type: str, prop: str, message: str) -> ApiError:
    return ApiError("VALIDATION", message, {"ValidationType": validation_type, "Property": prop})


class ScalarValidationError(ValueError):
    """A custom scalar rejected its input; reported as ``VALIDATION``."""

    def __init__(self, validation_type: str, message: str) -> None:
        super().__init__(message)
        self.validation_type = validation_type


def _pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


def _property_of(error: GraphQLError) -> str:
    match = re.search(r"at '([\w.\[\]]+)'", error.message)
    if match:
        return _pascal(re.sub(r"\[\d+\]", "", match.group(1)).split(".")[-1])
    match = re.search(r"Variable '\$(\w+)'", error.message)
    if match:
        return _pascal(match.group(1))
    if error.nodes and error.source and error.nodes[0].loc:
        before = error.source.body[: error.nodes[0].loc.start]
        match = re.search(r"(\w+)\s*:\s*$", before)
        if match:
            return _pascal(match.group(1))
    return "Value"


def format_error(error: GraphQLError, debug: bool = False) -> dict[str, Any]:
    """ariadne ``error_formatter``: every error gets ``extensions.code`` (see module doc)."""
    formatted: dict[str, Any] = dict(error.formatted)
    original = error.original_error
    while isinstance(original, GraphQLError):  # unwrap to the root cause, if there is one
        original = original.original_error
    extensions: dict[str, Any]
    if isinstance(original, ApiError):
        extensions = {"code": original.code}
        if original.data is not None:
            extensions["data"] = original.data
    elif isinstance(original, ScalarValidationError):
        extensions = {
            "code": "VALIDATION",
            "data": {
                "ValidationType": original.validation_type,
                "Property": _property_of(error),
            },
        }
    elif original is None:
        missing = re.search(
            r"Field '(\w+)' of required type '[^']+' was not provided", error.message
        )
        if missing:
            extensions = {
                "code": "VALIDATION",
                "data": {"ValidationType": "NotEmptyValidator", "Property": _pascal(missing[1])},
            }
        else:
            extensions = {"code": "GRAPHQL_VALIDATION_FAILED"}
    else:
        extensions = {"code": "FUSION_ERROR"}
        formatted["message"] = "Unexpected server error." + (f" {original!r}" if debug else "")
    formatted["extensions"] = extensions
    return formatted


class QueryCache:
    """Parse and validate each distinct GraphQL document once, for ariadne's ``query_parser``
    and ``query_validator`` options.

    The schema never changes while a server runs and clients send the same few documents over
    and over; validation alone was two thirds of the GraphQL work of a look-up (0.7 of 1.1 ms).
    Only documents that validated cleanly are remembered as valid.
    """

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._documents: OrderedDict[str, DocumentNode] = OrderedDict()
        self._valid: dict[tuple[int, Any], DocumentNode] = {}

    def parse(self, context_value: Any, data: dict[str, Any]) -> DocumentNode:
        query = data["query"]
        with self._lock:
            document = self._documents.get(query)
            if document is not None:
                self._documents.move_to_end(query)
                return document
        document = parse(query)
        with self._lock:
            self._documents[query] = document
            if len(self._documents) > self.size:
                _, dropped = self._documents.popitem(last=False)
                self._valid = {k: v for k, v in self._valid.items() if v is not dropped}
        return document

    def validate(
        self,
        schema: GraphQLSchema,
        document_ast: DocumentNode,
        rules: Collection[type[ASTValidationRule]] | None = None,
        max_errors: int | None = None,
        type_info: Any = None,
    ) -> list[GraphQLError]:
        key = (id(document_ast), tuple(rules) if rules is not None else None)
        if self._valid.get(key) is document_ast:
            return []
        errors = validate(schema, document_ast, rules=rules, max_errors=max_errors)
        if not errors:
            with self._lock:
                self._valid[key] = document_ast
        return errors


# =============================================================================================
# scalars

_DECIMAL_RE = re.compile(r"-?\d+(\.\d+)?")


def parse_decimal(value: Any) -> Decimal:
    if isinstance(value, (bool, float)):
        raise ScalarValidationError("DecimalValidator", "Decimal values must be strings.")
    if isinstance(value, int):
        return Decimal(value)
    if not isinstance(value, str) or not _DECIMAL_RE.fullmatch(value):
        raise ScalarValidationError("DecimalValidator", f"Not a decimal number: {value!r}.")
    return Decimal(value)


def _decimal_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> Decimal:
    if isinstance(node, StringValueNode):
        return parse_decimal(node.value)
    if isinstance(node, IntValueNode):
        return Decimal(node.value)
    if isinstance(node, FloatValueNode):
        raise ScalarValidationError("DecimalValidator", "Decimal values must be quoted strings.")
    raise ScalarValidationError("DecimalValidator", "Not a decimal value.")


def serialize_decimal(value: Any) -> str:
    return format(Decimal(value), "f")


def parse_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ScalarValidationError("DateTimeValidator", "DateTime values must be strings.")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ScalarValidationError(
            "DateTimeValidator", f"Not an ISO date-time: {value!r}."
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # documented: no offset means UTC
    return parsed


def serialize_datetime(value: Any) -> str:
    if isinstance(value, (int, float)):
        value = datetime.fromtimestamp(value, UTC)
    return str(value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))


def parse_date(value: Any) -> date:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ScalarValidationError("DateValidator", f"Not a date (YYYY-MM-DD): {value!r}.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ScalarValidationError("DateValidator", f"Not a date: {value!r}.") from None


def serialize_date(value: Any) -> str:
    return value if isinstance(value, str) else str(value.isoformat())


def _literal(parse: Callable[[Any], Any]) -> Callable[..., Any]:
    def literal(node: ValueNode, variables: dict[str, Any] | None = None) -> Any:
        if isinstance(node, StringValueNode):
            return parse(node.value)
        raise ScalarValidationError("TypeValidator", "Expected a string literal.")

    return literal


# =============================================================================================
# helpers


def money(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents).scaleb(-2)


def to_cents(value: Decimal, prop: str) -> int:
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2:
        raise validation("ScalePrecisionValidator", prop, f"{prop} has more than 2 decimals.")
    return int(value * 100)


def instant(epoch: int | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def principal_of(info: GraphQLResolveInfo) -> Principal:
    context = info.context
    principal = context.get("principal") if isinstance(context, dict) else None
    if not isinstance(principal, Principal):
        raise not_authenticated()
    return principal


def require(info: GraphQLResolveInfo, permission: str | None) -> Principal:
    principal = principal_of(info)
    if permission is not None and not principal.can(permission):
        raise not_authorized(permission)
    return principal


def page_limits(skip: int | None, first: int | None) -> tuple[int, int]:
    if skip is not None and skip < 0:
        raise validation("GreaterThanOrEqualValidator", "Skip", "skip must be 0 or more.")
    if first is not None and first < 0:
        raise validation("GreaterThanOrEqualValidator", "First", "first must be 0 or more.")
    limit = DEFAULT_FIRST if first is None else min(first, MAX_FIRST)
    return skip or 0, limit


def encode_cursor(entity: str, modified: int, key: int) -> str:
    raw = f"v1|{entity}|{modified}|{key}".encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(entity: str, since: str) -> tuple[int, int]:
    if since == "":
        return -1, -1
    try:
        version, kind, modified, key = base64.urlsafe_b64decode(since).decode().split("|")
        if version != "v1" or kind != entity:
            raise ValueError(kind)
        return int(modified), int(key)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise validation(
            "CursorValidator", "Since", 'Unknown since value: restart from "".'
        ) from None


@dataclass
class _Query:
    """A SELECT assembled from optional filters."""

    where: list[str]
    params: list[Any]

    def add(self, clause: str, *params: Any) -> None:
        self.where.append(clause)
        self.params.extend(params)

    @property
    def sql(self) -> str:
        return " AND ".join(self.where) if self.where else "1"


def row_id(value: Any) -> int:
    """An id argument as a row id; -1 (matches nothing) for anything that is not one."""
    text = str(value)
    if text.isascii() and text.isdigit() and len(text) < 19:
        return int(text)
    return -1


def _search_words(search: str) -> list[str]:
    compact = re.sub(r"[\s()\-.+]", "", search)
    if compact.isdigit() and len(compact) >= 3:  # a phone number typed with spaces
        search = compact
    words = []
    for word in search.lower().split():
        digits = re.sub(r"[()\-.+]", "", word)
        if digits.isdigit() and len(digits) >= 3:
            if len(digits) == 11 and digits.startswith("1"):  # +1 country code
                digits = digits[1:]
            word = digits
        words.append(word)
    return words


DENSE_PREFIX = 2000
"""A search word matching at least this many tokens is 'dense' (see :func:`_token_filter`)."""


def _token_filter(db: Database, q: _Query, table: str, key: str, search: str | None) -> None:
    """Every word of ``search`` must be a prefix of one of the record's tokens.

    A rare word is looked up in the token index and its few row ids intersected; a dense one
    ("a", "5") would materialise tens of thousands of ids, so instead the page is found by
    walking the records in list order and probing each one's tokens, which stops after a page.
    """
    if search is None:
        return
    for word in _search_words(search):
        bounds = (word, word + "\U0010ffff")
        hits = db.query_one(
            f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE token >= ? AND token < ? "
            f"LIMIT {DENSE_PREFIX})",
            bounds,
        )
        if hits is not None and hits[0] >= DENSE_PREFIX:
            q.add(
                f"EXISTS (SELECT 1 FROM {table} t WHERE t.rid = {key} "
                "AND t.token >= ? AND t.token < ?)",
                *bounds,
            )
        else:
            q.add(f"{key} IN (SELECT rid FROM {table} WHERE token >= ? AND token < ?)", *bounds)


# =============================================================================================
# row → GraphQL object


def _address(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "line1": row["line1"],
        "line2": row["line2"],
        "city": row["city"],
        "region": row["region"],
        "postal_code": row["postal_code"],
        "country": row["country"],
    }


def _customer(row: sqlite3.Row) -> dict[str, Any]:
    phone = None
    if row["phone_raw"] or row["phone_norm"]:
        phone = {"raw": row["phone_raw"], "norm": row["phone_norm"]}
    return {
        "id": row["id"],
        "member_id": row["member_id"],
        "status": row["status"],
        "full_name": row["full_name"],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "email": row["email"],
        "phone": phone,
        "address": _address(row),
        "home_location_code": row["home_location"],
        "created_on": instant(row["created_on"]),
        "member_since": instant(row["member_since"]),
        "loyalty_points": Decimal(row["loyalty_points"] or 0),
    }


def _warehouse(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "warehouse_code": row["warehouse"],
        "sku": row["sku"],
        "base_price": money(row["price"]),
        "quantity_available": Decimal(row["qty_available"]),
        "quantity_on_hand": Decimal(row["qty_on_hand"]),
        "reorder_point": Decimal(row["reorder_point"]),
        "bin_location": row["bin"],
    }


def _serial_lot(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "sku": row["sku"],
        "warehouse_code": row["warehouse"],
        "serial_lot_no": row["serial_lot_no"],
        "tracking_type": row["tracking"],
        "quantity": Decimal(row["quantity"]),
        "expires_on": row["expires_on"],
        "received_on": row["received_on"],
    }


def _sale(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "register_code": row["register"],
        "tran_no": row["tran_no"],
        "customer_id": row["customer_id"],
        "sale_date": instant(row["sale_ts"]),
        "location_code": row["location"],
        "customer_name": row["customer_name"],
        "item_count": Decimal(row["item_count"]),
        "sub_total": money(row["sub_total"]),
        "discount_amount": money(row["discount"]),
        "tax_amount": money(row["tax"]),
        "total": money(row["total"]),
        "_detail": row["detail"],
    }


def _sale_lines(obj: dict[str, Any], info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    detail = json.loads(obj["_detail"])
    return [
        {
            "line_number": ln,
            "sku": sku,
            "description": desc,
            "quantity": Decimal(qty),
            "unit_price": money(price),
            "discount_amount": money(disc),
            "ext_price": money(ext),
            "tax_amount": money(tax),
            "serial_lot_no": serial,
        }
        for ln, sku, desc, qty, price, disc, ext, tax, serial in detail["l"]
    ]


def _sale_tenders(obj: dict[str, Any], info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    detail = json.loads(obj["_detail"])
    return [
        {"tender_type": kind, "description": desc, "amount": money(amount), "reference": ref}
        for kind, desc, amount, ref in detail["t"]
    ]


def _trans(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "giftcard_id": str(row["giftcard_id"]),
        "balance": money(row["balance"]),
        "status": row["status"],
        "trans_type": row["trans_type"],
        "amount": money(row["amount"]),
        "source_id": row["source_id"],
        "ref_no": row["ref_no"],
        "created_on": instant(row["created_on"]),
        "completed_on": instant(row["completed_on"]),
        "cancelled_on": instant(row["cancelled_on"]),
    }


def _purchase(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "transaction_id": row["transaction_id"],
        "store_code": row["store_code"],
        "purchased_on": instant(row["purchased_on"]),
        "pay_amount": money(row["pay_amount"]),
        "member_id": row["member_id"],
        "created_on": instant(row["created_on"]),
    }


def mask_code(code: str) -> str:
    """Digital codes are shown with their last 4 characters only."""
    return "*" * max(len(code) - 4, 0) + code[-4:]


class _StockBatch:
    """Warehouse rows and serial/lot numbers of one page of items, loaded on first use."""

    def __init__(self, db: Database, skus: list[str], warehouse: str | None) -> None:
        self.db = db
        self.skus = skus
        self.warehouse = warehouse
        self._loaded: dict[str, dict[str, list[dict[str, Any]]]] = {}

    def _load(
        self, table: str, order: str, convert: Callable[[sqlite3.Row], dict[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        if table not in self._loaded:
            by_sku: dict[str, list[dict[str, Any]]] = {sku: [] for sku in self.skus}
            extra, params = (
                ("", []) if self.warehouse is None else (" AND warehouse = ?", [self.warehouse])
            )
            marks = ",".join("?" * len(self.skus))
            for row in self.db.query(
                f"SELECT * FROM {table} WHERE sku IN ({marks}){extra} ORDER BY {order}",
                [*self.skus, *params],
            ):
                by_sku[row["sku"]].append(convert(row))
            self._loaded[table] = by_sku
        return self._loaded[table]

    def warehouses(self, sku: str) -> list[dict[str, Any]]:
        return self._load("item_warehouse", "sku, warehouse", _warehouse)[sku]

    def serial_lots(self, sku: str) -> list[dict[str, Any]]:
        return self._load("serial_lot", "sku, warehouse, serial_lot_no", _serial_lot)[sku]


def _item_warehouses(obj: dict[str, Any], info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    batch: _StockBatch = obj["_stock"]
    return batch.warehouses(obj["sku"])


def _item_serial_lots(obj: dict[str, Any], info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    batch: _StockBatch = obj["_stock"]
    return batch.serial_lots(obj["sku"])


# =============================================================================================
# terminal simulator


@dataclass
class _TerminalPayment:
    id: str
    payment_type: str
    amount: int
    status: str
    ref_no: str | None
    card_label: str
    auth_code: str


@dataclass
class _Interaction:
    id: str
    payment_type: str
    amount: int
    terminal_id: str
    ref_no: str | None
    ready_at: float
    capture_of: str | None = None
    result: dict[str, Any] | None = None


class TerminalSimulator:
    """In-memory card terminal; see the TERMINAL_* constants for the magic values."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.interactions: dict[str, _Interaction] = {}
        self.payments: dict[str, _TerminalPayment] = {}

    @staticmethod
    def _continuation(interaction: _Interaction, message: str) -> dict[str, Any]:
        wait = max(int((interaction.ready_at - time.monotonic()) * 1000), 1)
        if interaction.terminal_id == TERMINAL_TIMEOUT:
            wait = TERMINAL_WAIT_MS
        return {
            "continuation": {"id": interaction.id, "wait_milliseconds": wait, "message": message}
        }

    @staticmethod
    def _error(code: str, message: str) -> dict[str, Any]:
        return {"error": {"code": code, "message": message}}

    @staticmethod
    def _payment(payment: _TerminalPayment) -> dict[str, Any]:
        return {
            "payment": {
                "id": payment.id,
                "payment_type": payment.payment_type,
                "amount": money(payment.amount),
                "status": payment.status,
                "ref_no": payment.ref_no,
                "card_label": payment.card_label,
                "auth_code": payment.auth_code,
            }
        }

    def start(self, payment_type: str, amount: int, terminal_id: str, ref_no: str | None) -> Any:
        if amount <= 0:
            return self._error("INVALID_AMOUNT", "The amount must be greater than zero.")
        with self.lock:
            interaction = _Interaction(
                id=f"tc-{uuid.uuid4().hex[:12]}",
                payment_type=payment_type,
                amount=amount,
                terminal_id=terminal_id,
                ref_no=ref_no,
                ready_at=time.monotonic() + TERMINAL_WAIT_MS / 1000,
            )
            self.interactions[interaction.id] = interaction
            if terminal_id == TERMINAL_FAST:
                return self._finish(interaction)
            return self._continuation(interaction, "Present card")

    def _finish(self, interaction: _Interaction) -> dict[str, Any]:
        if interaction.capture_of is not None:
            payment = self.payments[interaction.capture_of]
            payment.status = "CAPTURED"
            payment.amount = interaction.amount
            interaction.result = self._payment(payment)
        elif interaction.amount % 100 == TERMINAL_DECLINE_CENTS:
            interaction.result = self._error("DECLINED", "The card was declined.")
        else:
            status = {"SALE": "APPROVED", "REFUND": "REFUNDED", "AUTH": "AUTHORIZED"}
            payment = _TerminalPayment(
                id=f"tp-{uuid.uuid4().hex[:12]}",
                payment_type=interaction.payment_type,
                amount=interaction.amount,
                status=status[interaction.payment_type],
                ref_no=interaction.ref_no,
                card_label="Visa ****4242",
                auth_code=f"{secrets.randbelow(10**6):06d}",
            )
            self.payments[payment.id] = payment
            interaction.result = self._payment(payment)
        return interaction.result

    def interaction(self, continuation_id: str | None) -> _Interaction | None:
        return self.interactions.get(continuation_id or "")

    def resume(self, interaction: _Interaction) -> Any:
        with self.lock:
            if interaction.result is not None:
                return interaction.result  # idempotent: a client may resume after a restart
            if interaction.terminal_id == TERMINAL_TIMEOUT:
                return self._continuation(interaction, "Waiting for the terminal")
            if time.monotonic() < interaction.ready_at:
                return self._continuation(interaction, "Processing")
            return self._finish(interaction)

    def cancel(self, interaction: _Interaction) -> Any:
        with self.lock:
            if interaction.result is not None:
                return self._error("ALREADY_COMPLETED", "The interaction already finished.")
            interaction.result = self._error("CANCELLED", "Cancelled by the operator.")
            return interaction.result

    def capture(self, payment_id: str, amount: int | None) -> Any:
        with self.lock:
            payment = self.payments.get(payment_id)
            if payment is None:
                return self._error("UNKNOWN_PAYMENT", "No such payment.")
            if payment.payment_type != "AUTH":
                return self._error("NOT_AN_AUTHORIZATION", "Only AUTH payments are captured.")
            if payment.status != "AUTHORIZED":
                return self._error("ALREADY_CAPTURED", "The authorization was already captured.")
            amount = payment.amount if amount is None else amount
            if amount <= 0 or amount > payment.amount:
                return self._error(
                    "AMOUNT_EXCEEDS_AUTHORIZATION",
                    "The capture amount must be positive and at most the authorized amount.",
                )
            interaction = _Interaction(
                id=f"tc-{uuid.uuid4().hex[:12]}",
                payment_type="AUTH",
                amount=amount,
                terminal_id="capture",
                ref_no=payment.ref_no,
                ready_at=time.monotonic() + TERMINAL_WAIT_MS / 1000,
                capture_of=payment.id,
            )
            self.interactions[interaction.id] = interaction
            return self._continuation(interaction, "Capturing")


# =============================================================================================
# resolvers


class _Api:
    """Resolvers bound to one database (and one simulated terminal)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.terminal = TerminalSimulator()

    # --- paging helpers -------------------------------------------------------------------
    def _page(
        self,
        select: str,
        q: _Query,
        order: str,
        skip: int | None,
        first: int | None,
        convert: Callable[[sqlite3.Row], dict[str, Any]],
        key: str | None = None,
    ) -> tuple[list[dict[str, Any]], bool]:
        """One offset page. With ``key`` (the row id column) it runs in two steps: ids first
        (the ORDER BY/OFFSET work stays inside a covering index), then only the page's rows."""
        offset, limit = page_limits(skip, first)
        if key is None:
            rows = self.db.query(
                f"{select} WHERE {q.sql} ORDER BY {order} LIMIT ? OFFSET ?",
                [*q.params, limit + 1, offset],
            )
            return [convert(r) for r in rows[:limit]], len(rows) > limit
        table = select.split(" FROM ", 1)[1]
        keys = [
            r[0]
            for r in self.db.query(
                f"SELECT {key} FROM {table} WHERE {q.sql} ORDER BY {order} LIMIT ? OFFSET ?",
                [*q.params, limit + 1, offset],
            )
        ]
        wanted = keys[:limit]
        if not wanted:
            return [], False
        by_key = {
            r[key]: r
            for r in self.db.query(
                f"SELECT * FROM {table} WHERE {key} IN ({','.join('?' * len(wanted))})", wanted
            )
        }
        return [convert(by_key[k]) for k in wanted], len(keys) > limit

    def _since_page(
        self,
        entity: str,
        select: str,
        key: str,
        q: _Query,
        since: str,
        skip: int | None,
        first: int | None,
        convert: Callable[[sqlite3.Row], dict[str, Any]],
    ) -> dict[str, Any]:
        modified, last = decode_cursor(entity, since)
        offset, limit = page_limits(skip, first)
        q.add(f"(modified_at, {key}) > (?, ?)", modified, last)
        rows = self.db.query(
            f"{select} WHERE {q.sql} ORDER BY modified_at, {key} LIMIT ? OFFSET ?",
            [*q.params, limit + 1, offset],
        )
        page = rows[:limit]
        until = (
            encode_cursor(entity, page[-1]["modified_at"], page[-1][key])
            if page
            else (since or encode_cursor(entity, -1, -1))
        )
        return {
            "results": [convert(r) for r in page],
            "has_more_results": len(rows) > limit,
            "until": until,
            "limited_by_permission": False,
        }

    # --- queries --------------------------------------------------------------------------
    def customer(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> dict[str, Any]:
        principal = require(info, VIEW_CUSTOMERS)
        q = _Query([], [])
        if kw.get("id") is not None:
            q.add("id = ?", kw["id"])
        if kw.get("member_id") is not None:
            q.add("member_id = ?", kw["member_id"])
        _token_filter(self.db, q, "customer_token", "customer.rid", kw.get("search"))
        limited = False
        home = principal.location_code
        if home is not None:
            hidden = self.db.query_one(
                f"SELECT 1 FROM customer WHERE {q.sql} AND home_location IS NOT ? LIMIT 1",
                [*q.params, home],
            )
            limited = hidden is not None
            q.add("home_location = ?", home)
        result = self._list_or_sync("customer", "customer", q, kw, "rid", _customer, "rid")
        result["limited_by_permission"] = limited
        return result

    def environment(self, _: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
        principal_of(info)
        return {
            "name": f"posdesk sandbox ({self.db.seed or 'empty'})",
            "tenant_type": "Cloud",
            "version": f"sandbox-{posdesk.__version__}",
            "kind": "SANDBOX",
            "currency": "USD",
            "time_zone": TENANT_TIME_ZONE,
        }

    def viewer(self, _: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
        p = principal_of(info)
        return {
            "subject": p.subject,
            "name": p.name,
            "client_id": p.client_id,
            "roles": list(p.roles),
            "permissions": sorted(p.permissions),
            "location_code": p.location_code,
        }

    def location(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> dict[str, Any]:
        principal_of(info)
        q = _Query([], [])
        if kw.get("code") is not None:
            q.add("code = ?", kw["code"])

        def convert(row: sqlite3.Row) -> dict[str, Any]:
            return {
                "code": row["code"],
                "name": row["name"],
                "kind": row["kind"],
                "address": _address(row),
                "time_zone": row["time_zone"],
                "registers": [r for r in (row["registers"] or "").split(",") if r],
            }

        results, more = self._page(
            "SELECT * FROM location", q, "sort", kw.get("skip"), kw.get("first"), convert
        )
        return {"results": results, "has_more_results": more}

    # items
    def _attach_stock(self, items: list[dict[str, Any]], warehouse: str | None) -> None:
        """Give the page's items one shared loader: ``warehouses``/``serialLots`` of the whole
        page are read with one query each, and only if the query asks for them."""
        batch = _StockBatch(self.db, [i["sku"] for i in items], warehouse)
        for item in items:
            item["_stock"] = batch

    @staticmethod
    def _item(row: sqlite3.Row) -> dict[str, Any]:
        return {
            "sku": row["sku"],
            "name": row["name"],
            "long_name": row["long_name"],
            "sale_uom": row["sale_uom"],
            "stock_uom": row["stock_uom"],
            "barcodes": (row["barcodes"] or "").split(),
            "tracking_type": row["tracking"],
            "category": row["category"],
        }

    def item(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> dict[str, Any]:
        require(info, VIEW_INVENTORY)
        q = _Query([], [])
        if kw.get("sku") is not None:
            q.add("sku = ?", kw["sku"])
        if kw.get("barcode") is not None:
            q.add("sku IN (SELECT sku FROM item_barcode WHERE barcode = ?)", kw["barcode"])
        warehouse = kw.get("warehouse_code")
        if warehouse is not None:
            q.add(
                "EXISTS (SELECT 1 FROM item_warehouse w WHERE w.sku = item.sku "
                "AND w.warehouse = ?)",
                warehouse,
            )
        _token_filter(self.db, q, "item_token", "item.rid", kw.get("search"))
        result = self._list_or_sync("item", "item", q, kw, "rid", self._item, "rid")
        self._attach_stock(result["results"], warehouse)
        return result

    def _list_or_sync(
        self,
        entity: str,
        table: str,
        q: _Query,
        kw: dict[str, Any],
        order: str,
        convert: Callable[[sqlite3.Row], dict[str, Any]],
        key: str,
    ) -> dict[str, Any]:
        """An offset page in ``order``, or a since/until step when ``since`` was given."""
        select = f"SELECT * FROM {table}"
        if kw.get("since") is not None:
            return self._since_page(
                entity, select, key, q, kw["since"], kw.get("skip"), kw.get("first"), convert
            )
        results, more = self._page(
            select, q, order, kw.get("skip"), kw.get("first"), convert, key=key
        )
        return {"results": results, "has_more_results": more}

    def _stock_list(
        self,
        info: GraphQLResolveInfo,
        kw: dict[str, Any],
        entity: str,
        table: str,
        order_tail: str,
        convert: Callable[[sqlite3.Row], dict[str, Any]],
    ) -> dict[str, Any]:
        require(info, VIEW_INVENTORY)
        q = _Query([], [])
        if kw.get("warehouse_code") is not None:
            q.add("warehouse = ?", kw["warehouse_code"])
        if kw.get("sku") is not None:
            q.add("sku = ?", kw["sku"])
        by_warehouse = kw.get("warehouse_code") is not None and kw.get("sku") is None
        order = ("warehouse, sku" if by_warehouse else "sku, warehouse") + order_tail
        return self._list_or_sync(entity, table, q, kw, order, convert, "rid")

    def item_warehouse(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> dict[str, Any]:
        return self._stock_list(info, kw, "itemWarehouse", "item_warehouse", "", _warehouse)

    def item_serial_lot(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> dict[str, Any]:
        return self._stock_list(
            info, kw, "itemSerialLot", "serial_lot", ", serial_lot_no", _serial_lot
        )

    # sales
    def sale(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> dict[str, Any]:
        require(info, VIEW_SALES)
        q = _Query([], [])
        if kw.get("id") is not None:
            q.add("id = ?", row_id(kw["id"]))
        if kw.get("customer_id") is not None:
            q.add("customer_id = ?", kw["customer_id"])
        for arg, op in (("from_date", ">="), ("to_date", "<")):
            if kw.get(arg) is not None:
                day: date = kw[arg]
                q.add(
                    f"sale_ts {op} ?",
                    int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()),
                )
        for arg, op in (("from_time", ">="), ("to_time", "<")):
            if kw.get(arg) is not None:
                q.add(f"sale_ts {op} ?", int(kw[arg].timestamp()))
        for arg, column in (
            ("location_code", "location"),
            ("register_code", "register"),
            ("tran_no", "tran_no"),
        ):
            if kw.get(arg) is not None:
                q.add(f"{column} = ?", kw[arg])
        order = "id DESC" if kw.get("newest_first") else "id"
        return self._list_or_sync("sale", "sale", q, kw, order, _sale, "id")

    # catalogue
    def product(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> dict[str, Any]:
        principal_of(info)
        q = _Query([], [])
        if kw.get("sku") is not None:
            q.add("sku = ?", kw["sku"])
        if kw.get("group_code") is not None:
            q.add(
                "sku IN (SELECT sku FROM product_group_member WHERE group_code = ?)",
                kw["group_code"],
            )

        def convert(row: sqlite3.Row) -> dict[str, Any]:
            return {
                "sku": row["sku"],
                "name": row["name"],
                "long_name": row["long_name"],
                "description": row["description"],
                "base_price": money(row["price"]),
            }

        results, more = self._page(
            "SELECT * FROM product", q, "sku", kw.get("skip"), kw.get("first"), convert
        )
        return {"results": results, "has_more_results": more}

    def product_groups(self, obj: dict[str, Any], info: GraphQLResolveInfo) -> Any:
        rows = self.db.query(
            "SELECT g.* FROM product_group_member m JOIN product_group g ON g.code = m.group_code "
            "WHERE m.sku = ? ORDER BY m.pos, g.code",
            (obj["sku"],),
        )
        return [self._group(r) for r in rows]

    def product_notices(self, obj: dict[str, Any], info: GraphQLResolveInfo) -> Any:
        rows = self.db.query(
            "SELECT n.* FROM product_notice_member m JOIN product_notice n "
            "ON n.code = m.notice_code WHERE m.sku = ? ORDER BY n.display_order, m.pos",
            (obj["sku"],),
        )
        return [dict(r) for r in rows]

    def _banner(self, code: str | None) -> dict[str, Any] | None:
        if code is None:
            return None
        row = self.db.query_one("SELECT * FROM product_banner WHERE code = ?", (code,))
        return None if row is None else dict(row)

    def _group(self, row: sqlite3.Row) -> dict[str, Any]:
        return {
            "code": row["code"],
            "name": row["name"],
            "display_order": row["display_order"],
            "banner": self._banner(row["banner"]),
        }

    def _section(self, row: sqlite3.Row) -> dict[str, Any]:
        return {
            "code": row["code"],
            "name": row["name"],
            "display_order": row["display_order"],
            "banner": self._banner(row["banner"]),
        }

    def group_sections(self, obj: dict[str, Any], info: GraphQLResolveInfo) -> Any:
        rows = self.db.query(
            "SELECT s.* FROM product_group_section gs JOIN product_section s "
            "ON s.code = gs.section_code WHERE gs.group_code = ? ORDER BY s.display_order, s.name",
            (obj["code"],),
        )
        return [self._section(r) for r in rows]

    def _simple(
        self,
        info: GraphQLResolveInfo,
        table: str,
        order: str,
        kw: dict[str, Any],
        convert: Callable[[sqlite3.Row], dict[str, Any]],
        filters: dict[str, str],
    ) -> dict[str, Any]:
        principal_of(info)
        q = _Query([], [])
        for arg, clause in filters.items():
            if kw.get(arg) is not None:
                q.add(clause, kw[arg])
        results, more = self._page(
            f"SELECT * FROM {table}", q, order, kw.get("skip"), kw.get("first"), convert
        )
        return {"results": results, "has_more_results": more}

    def product_section(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> Any:
        return self._simple(
            info, "product_section", "display_order, name", kw, self._section, {"code": "code = ?"}
        )

    def product_group(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> Any:
        return self._simple(
            info,
            "product_group",
            "display_order, name",
            kw,
            self._group,
            {
                "code": "code = ?",
                "section_code": "code IN (SELECT group_code FROM product_group_section "
                "WHERE section_code = ?)",
            },
        )

    def product_banner(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> Any:
        return self._simple(info, "product_banner", "code", kw, dict, {"code": "code = ?"})

    def product_notice(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> Any:
        return self._simple(
            info, "product_notice", "display_order, code", kw, dict, {"code": "code = ?"}
        )

    def product_sort_option(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> Any:
        return self._simple(info, "product_sort_option", "sort", kw, dict, {})

    # gift cards
    def _card_views(
        self, principal: Principal, card_rows: list[sqlite3.Row]
    ) -> tuple[list[dict[str, Any]], bool]:
        """Cards as the caller may see them: invisible code kinds dropped, personal masked."""
        if not card_rows:
            return [], False
        ids = [r["id"] for r in card_rows]
        codes: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
        limited = False
        unmasked = principal.can(VIEW_UNMASKED)
        for row in self.db.query(
            f"SELECT * FROM giftcard_code WHERE giftcard_id IN ({','.join('?' * len(ids))}) "
            "AND revoked_on IS NULL ORDER BY id",
            ids,
        ):
            kind = row["code_type"]
            if not principal.can(CODE_PERMISSIONS[kind]):
                limited = True
                continue
            masked = kind == "PERSONAL" and not unmasked
            codes[row["giftcard_id"]].append(
                {
                    "id": str(row["id"]),
                    "code_type": kind,
                    "code": mask_code(row["code"]) if masked else row["code"],
                    "expires_on": instant(row["expires_on"]),
                    "is_masked": masked,
                    "has_pin": row["pin"] is not None,
                }
            )
        cards = [
            {
                "id": str(r["id"]),
                "member_id": r["member_id"],
                "balance": money(r["balance"]),
                "created_on": instant(r["created_on"]),
                "codes": codes[r["id"]],
            }
            for r in card_rows
        ]
        return cards, limited

    def giftcard(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> dict[str, Any]:
        principal = principal_of(info)
        code = kw.get("code")
        if code is not None:
            if not (principal.can(FIND_GIFT_CARD) or principal.can(LIST_GIFT_CARDS)):
                raise not_authorized(FIND_GIFT_CARD)
        elif not principal.can(LIST_GIFT_CARDS):
            raise not_authorized(LIST_GIFT_CARDS)
        q = _Query([], [])
        limited = False
        if code is not None:
            sql = (
                "SELECT giftcard_id, code_type FROM giftcard_code WHERE code = ? "
                "AND revoked_on IS NULL"
            )
            params: list[Any] = [code]
            if kw.get("code_type") is not None:
                sql += " AND code_type = ?"
                params.append(kw["code_type"])
            card_ids = []
            for row in self.db.query(sql, params):
                if principal.can(CODE_PERMISSIONS[row["code_type"]]):
                    card_ids.append(row["giftcard_id"])
                else:
                    limited = True
            q.add(f"id IN ({','.join('?' * len(card_ids)) or 'NULL'})", *card_ids)
        if kw.get("id") is not None:
            q.add("id = ?", row_id(kw["id"]))
        if kw.get("member_id") is not None:
            q.add("member_id = ?", kw["member_id"])
        offset, limit = page_limits(kw.get("skip"), kw.get("first"))
        rows = self.db.query(
            f"SELECT * FROM giftcard WHERE {q.sql} ORDER BY id LIMIT ? OFFSET ?",
            [*q.params, limit + 1, offset],
        )
        cards, hidden = self._card_views(principal, rows[:limit])
        return {
            "results": cards,
            "has_more_results": len(rows) > limit,
            "limited_by_permission": limited or hidden,
        }

    def giftcard_trans(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> dict[str, Any]:
        principal = principal_of(info)
        card_id = kw.get("giftcard_id")
        if not principal.can(LIST_GIFT_CARD_TRANS) and not (
            card_id is not None and principal.can(FIND_GIFT_CARD)
        ):
            raise not_authorized(LIST_GIFT_CARD_TRANS)
        q = _Query([], [])
        if card_id is not None:
            q.add("giftcard_id = ?", row_id(card_id))
        if kw.get("ref_no") is not None:
            q.add("ref_no = ?", kw["ref_no"])
        if kw.get("source_id") is not None:
            q.add("source_id = ?", kw["source_id"])
        results, more = self._page(
            "SELECT * FROM giftcard_trans",
            q,
            "id",
            kw.get("skip"),
            kw.get("first"),
            _trans,
            key="id",
        )
        return {"results": results, "has_more_results": more}

    def purchase(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> dict[str, Any]:
        require(info, VIEW_PURCHASES)
        q = _Query([], [])
        if kw.get("transaction_id") is not None:
            q.add("transaction_id = ?", kw["transaction_id"])
        results, more = self._page(
            "SELECT * FROM purchase", q, "id", kw.get("skip"), kw.get("first"), _purchase, key="id"
        )
        return {"results": results, "has_more_results": more}

    # --- gift card mutations --------------------------------------------------------------
    def _member_exists(self, member_id: str) -> bool:
        return (
            self.db.query_one("SELECT 1 FROM customer WHERE member_id = ?", (member_id,))
            is not None
        )

    def _check_unique(self, conn: sqlite3.Connection, kind: str, code: str, prop: str) -> None:
        if conn.execute(
            "SELECT 1 FROM giftcard_code WHERE code = ? AND code_type = ? AND revoked_on IS NULL",
            (code, kind),
        ).fetchone():
            raise validation("UniqueCodeValidator", prop, f"The {kind} code is already in use.")

    @staticmethod
    def _new_personal_code() -> str:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        return "".join(secrets.choice(alphabet) for _ in range(24))

    def _card_result(self, principal: Principal, card_id: int) -> dict[str, Any]:
        rows = self.db.query("SELECT * FROM giftcard WHERE id = ?", (card_id,))
        cards, _ = self._card_views(principal, rows)
        return cards[0]

    def giftcard_add(self, _: Any, info: GraphQLResolveInfo, giftcard: Any = None) -> Any:
        principal = require(info, CREATE_GIFT_CARD)
        g = giftcard or {}
        member = g.get("member_id") or None
        physical = g.get("physical_code") or None
        external = g.get("external_code") or None
        personal = bool(g.get("add_personal_code"))
        if g.get("physical_pin") and not physical:
            raise validation("NotEmptyValidator", "PhysicalCode", "A PIN needs a physical code.")
        if personal and not member:
            raise validation("NotEmptyValidator", "Member", "A personal code needs a member.")
        if not (physical or external or personal):
            raise validation("NotEmptyValidator", "PhysicalCode", "A card needs at least a code.")
        if member and not self._member_exists(member):
            raise validation("MemberValidator", "Member", "No member with that id.")
        now = self.db.now_ts()
        with self.db.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO giftcard(member_id, balance, created_on) VALUES (?, 0, ?)",
                (member, now),
            )
            card_id = int(cur.lastrowid or 0)
            new_codes: list[tuple[str, str, str | None, Any]] = []
            if physical:
                self._check_unique(conn, "PHYSICAL", physical, "PhysicalCode")
                new_codes.append(
                    (
                        "PHYSICAL",
                        physical,
                        g.get("physical_pin") or None,
                        g.get("physical_code_expires_on"),
                    )
                )
            if personal:
                new_codes.append(
                    ("PERSONAL", self._new_personal_code(), None, g.get("personal_code_expires_on"))
                )
            if external:
                self._check_unique(conn, "EXTERNAL", external, "ExternalCode")
                new_codes.append(("EXTERNAL", external, None, g.get("external_code_expires_on")))
            conn.executemany(
                "INSERT INTO giftcard_code(giftcard_id, code_type, code, pin, expires_on) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (card_id, kind, code, pin, int(exp.timestamp()) if exp else None)
                    for kind, code, pin, exp in new_codes
                ],
            )
        return self._card_result(principal, card_id)

    def giftcard_edit(self, _: Any, info: GraphQLResolveInfo, giftcard: Any = None) -> Any:
        principal = require(info, EDIT_GIFT_CARD)
        g = giftcard or {}
        raw_id = g.get("id")
        if not raw_id:
            raise validation("NotEmptyValidator", "Id", "The card id is required.")
        card = self.db.query_one("SELECT * FROM giftcard WHERE id = ?", (row_id(raw_id),))
        if card is None:
            raise validation("NotFoundValidator", "Id", "No gift card with that id.")
        member = g.get("member_id") or None
        if g.get("add_personal_code") and not member:
            raise validation("NotEmptyValidator", "Member", "A personal code needs the member.")
        if member is not None and card["member_id"] is not None and member != card["member_id"]:
            raise validation("OwnerValidator", "Member", "A card's owner cannot be changed.")
        if member is not None and card["member_id"] is None and not self._member_exists(member):
            raise validation("MemberValidator", "Member", "No member with that id.")
        now = self.db.now_ts()
        card_id = int(card["id"])

        def revoke(conn: sqlite3.Connection, kind: str) -> None:
            conn.execute(
                "UPDATE giftcard_code SET revoked_on = ? WHERE giftcard_id = ? AND code_type = ? "
                "AND revoked_on IS NULL",
                (now, card_id, kind),
            )

        def insert(conn: sqlite3.Connection, kind: str, code: str, pin: str | None) -> None:
            conn.execute(
                "INSERT INTO giftcard_code(giftcard_id, code_type, code, pin) VALUES (?,?,?,?)",
                (card_id, kind, code, pin),
            )

        with self.db.transaction() as conn:
            if member is not None and card["member_id"] is None:
                conn.execute("UPDATE giftcard SET member_id = ? WHERE id = ?", (member, card_id))
            for kind, flag in (
                ("PHYSICAL", "revoke_physical_code"),
                ("PERSONAL", "revoke_personal_code"),
                ("EXTERNAL", "revoke_external_code"),
            ):
                if g.get(flag):
                    revoke(conn, kind)  # revoking an absent code is a no-op
            if g.get("physical_code"):
                revoke(conn, "PHYSICAL")
                self._check_unique(conn, "PHYSICAL", g["physical_code"], "PhysicalCode")
                insert(conn, "PHYSICAL", g["physical_code"], g.get("physical_pin") or None)
            if g.get("external_code"):
                revoke(conn, "EXTERNAL")
                self._check_unique(conn, "EXTERNAL", g["external_code"], "ExternalCode")
                insert(conn, "EXTERNAL", g["external_code"], None)
            if g.get("add_personal_code"):
                revoke(conn, "PERSONAL")
                insert(conn, "PERSONAL", self._new_personal_code(), None)
        return self._card_result(principal, card_id)

    def _find_code(self, principal: Principal, t: dict[str, Any], cents: int) -> sqlite3.Row:
        """The code a transaction names, checked: visible kind, not expired, PIN.

        A code's PIN is needed to take funds off it (negative amounts); adding funds works
        without it (REFERENCE §8.12 tops up a PIN card without one). A PIN that is sent must
        always be right."""
        code = t.get("code")
        if not code:
            raise validation("NotEmptyValidator", "Code", "The card code is required.")
        sql = "SELECT * FROM giftcard_code WHERE code = ? AND revoked_on IS NULL"
        params: list[Any] = [code]
        if t.get("code_type") is not None:
            sql += " AND code_type = ?"
            params.append(t["code_type"])
        rows = self.db.query(sql, params)
        if not rows:
            raise validation("NotFoundValidator", "Code", "No gift card has that code.")
        visible = [r for r in rows if principal.can(CODE_PERMISSIONS[r["code_type"]])]
        if not visible:
            raise not_authorized(CODE_PERMISSIONS[rows[0]["code_type"]])
        if len(visible) > 1:
            raise validation(
                "AmbiguousCodeValidator",
                "CodeType",
                "The code exists in several code types: send codeType.",
            )
        row = visible[0]
        if row["expires_on"] is not None and row["expires_on"] <= self.db.now_ts():
            raise validation("ExpiredCodeValidator", "Code", "The code has expired.")
        pin = t.get("pin")
        if row["pin"] is not None:
            if not pin and cents < 0:
                raise validation("NotEmptyValidator", "Pin", "This card needs its PIN.")
            if pin and not secrets.compare_digest(str(pin), row["pin"]):
                raise validation("PinValidator", "Pin", "Wrong PIN.")
        return row

    def giftcard_trans_add(self, _: Any, info: GraphQLResolveInfo, trans: Any = None) -> Any:
        principal = principal_of(info)
        t = trans or {}
        kind = t.get("trans_type")
        if kind is None:
            raise validation("NotEmptyValidator", "TransType", "transType is required.")
        require(info, TRANS_PERMISSIONS[kind])
        if t.get("amount") is None:
            raise validation("NotEmptyValidator", "Amount", "amount is required.")
        cents = to_cents(t["amount"], "Amount")
        if kind == "ADD" and cents <= 0:
            raise validation("GreaterThanValidator", "Amount", "ADD amounts must be positive.")
        if kind == "USE" and cents >= 0:
            raise validation("LessThanValidator", "Amount", "USE amounts must be negative.")
        if cents == 0:
            raise validation("NotEqualValidator", "Amount", "The amount must not be zero.")
        code = self._find_code(principal, t, cents)
        authorize = bool(t.get("authorize"))
        now = self.db.now_ts()
        with self.db.transaction() as conn:
            balance = conn.execute(
                "SELECT balance FROM giftcard WHERE id = ?", (code["giftcard_id"],)
            ).fetchone()[0]
            if cents < 0 and balance + cents < 0:
                raise validation(
                    "InsufficientFundsValidator",
                    "Amount",
                    "The card's available balance is too low.",
                )
            # A spending authorization reserves at once; a top-up credits only at capture.
            new_balance = balance if authorize and cents > 0 else balance + cents
            conn.execute(
                "UPDATE giftcard SET balance = ? WHERE id = ?", (new_balance, code["giftcard_id"])
            )
            cur = conn.execute(
                "INSERT INTO giftcard_trans(giftcard_id, status, trans_type, amount, balance, "
                "source_id, ref_no, created_on, completed_on) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    code["giftcard_id"],
                    "AUTHORIZED" if authorize else "COMPLETED",
                    kind,
                    cents,
                    new_balance,
                    t.get("source_id"),
                    t.get("ref_no"),
                    now,
                    None if authorize else now,
                ),
            )
            trans_id = cur.lastrowid
        row = self.db.query_one("SELECT * FROM giftcard_trans WHERE id = ?", (trans_id,))
        assert row is not None
        return _trans(row)

    def _authorized_trans(self, info: GraphQLResolveInfo, raw_id: Any, verb: str) -> sqlite3.Row:
        principal_of(info)
        if not raw_id:
            raise validation("NotEmptyValidator", "Id", "The transaction id is required.")
        row = self.db.query_one(
            "SELECT * FROM giftcard_trans WHERE id = ?",
            (row_id(raw_id),),
        )
        if row is None:
            raise validation("NotFoundValidator", "Id", "No gift card transaction with that id.")
        require(info, TRANS_PERMISSIONS[row["trans_type"]])
        if row["status"] != "AUTHORIZED":
            raise validation(
                "TransStatusValidator",
                "Id",
                f"Only an authorized transaction can be {verb}; this one is {row['status']}.",
            )
        return row

    def _settle(self, info: GraphQLResolveInfo, raw_id: Any, capture: bool) -> Any:
        """Capture or cancel an authorization, with the balance rules of REFERENCE §9.3:
        capturing a top-up credits it now; cancelling a spend returns the reserved funds."""
        row = self._authorized_trans(info, raw_id, "captured" if capture else "cancelled")
        amount = row["amount"]
        delta = (amount if amount > 0 else 0) if capture else (-amount if amount < 0 else 0)
        status, stamp = ("COMPLETED", "completed_on") if capture else ("CANCELLED", "cancelled_on")
        with self.db.transaction() as conn:
            current = conn.execute(
                "SELECT status FROM giftcard_trans WHERE id = ?", (row["id"],)
            ).fetchone()[0]
            if current != "AUTHORIZED":  # lost a race with another capture/cancel
                raise validation("TransStatusValidator", "Id", "Already captured or cancelled.")
            conn.execute(
                "UPDATE giftcard SET balance = balance + ? WHERE id = ?",
                (delta, row["giftcard_id"]),
            )
            balance = conn.execute(
                "SELECT balance FROM giftcard WHERE id = ?", (row["giftcard_id"],)
            ).fetchone()[0]
            conn.execute(
                f"UPDATE giftcard_trans SET status = ?, {stamp} = ?, balance = ? WHERE id = ?",
                (status, self.db.now_ts(), balance, row["id"]),
            )
        updated = self.db.query_one("SELECT * FROM giftcard_trans WHERE id = ?", (row["id"],))
        assert updated is not None
        return _trans(updated)

    def giftcard_trans_capture(self, _: Any, info: GraphQLResolveInfo, id: Any = None) -> Any:
        return self._settle(info, id, capture=True)

    def giftcard_trans_cancel(self, _: Any, info: GraphQLResolveInfo, id: Any = None) -> Any:
        return self._settle(info, id, capture=False)

    # --- purchases ------------------------------------------------------------------------
    def purchase_add(self, _: Any, info: GraphQLResolveInfo, add: Any = None) -> Any:
        require(info, ADD_PURCHASE)
        a = add or {}
        if not a.get("transaction_id"):
            raise validation("NotEmptyValidator", "TransactionId", "transactionId is required.")
        if not a.get("store_code"):
            raise validation("NotEmptyValidator", "StoreCode", "storeCode is required.")
        if self.db.query_one("SELECT 1 FROM location WHERE code = ?", (a["store_code"],)) is None:
            raise validation("LocationValidator", "StoreCode", "Unknown POS location code.")
        cents = to_cents(a["pay_amount"], "PayAmount")
        for name in (
            "sub_total",
            "tax_amount",
            "refund_amount",
            "sale_discount_amount",
            "item_discount_amount",
        ):
            to_cents(a[name], _pascal(re.sub(r"_(\w)", lambda m: m[1].upper(), name)))
        for line in a.get("line_items") or []:
            if not line.get("sku"):
                raise validation("NotEmptyValidator", "Sku", "Every line needs a SKU.")
        payload = json.dumps(
            a, default=lambda v: format(v, "f") if isinstance(v, Decimal) else v.isoformat()
        )
        now = self.db.now_ts()
        with self.db.transaction() as conn:  # duplicates are recorded, as the real server does
            cur = conn.execute(
                "INSERT INTO purchase(transaction_id, store_code, purchased_on, pay_amount, "
                "member_id, customer_id, email, created_on, payload) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    a["transaction_id"],
                    a["store_code"],
                    int(a["purchased_on"].timestamp()),
                    cents,
                    a.get("member_id"),
                    a.get("customer_id"),
                    a.get("email"),
                    now,
                    payload,
                ),
            )
            purchase_id = cur.lastrowid
        row = self.db.query_one("SELECT * FROM purchase WHERE id = ?", (purchase_id,))
        assert row is not None
        return _purchase(row)

    # --- terminal -------------------------------------------------------------------------
    def terminal_root(self, _: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
        principal_of(info)
        return {}

    def terminal_start(self, _: Any, info: GraphQLResolveInfo, input: Any = None) -> Any:
        principal_of(info)
        i = input or {}
        kind = i.get("payment_type")
        if kind is None:
            raise validation("NotEmptyValidator", "PaymentType", "paymentType is required.")
        require(info, TERMINAL_PERMISSIONS[kind])
        if i.get("amount") is None:
            raise validation("NotEmptyValidator", "Amount", "amount is required.")
        if not i.get("terminal_id"):
            raise validation("NotEmptyValidator", "TerminalId", "terminalId is required.")
        cents = to_cents(i["amount"], "Amount")
        return self.terminal.start(kind, cents, i["terminal_id"], i.get("ref_no"))

    def terminal_continue(
        self, _: Any, info: GraphQLResolveInfo, continuation_id: Any = None
    ) -> Any:
        principal_of(info)
        interaction = self.terminal.interaction(continuation_id)
        if interaction is None:
            return TerminalSimulator._error("UNKNOWN_CONTINUATION", "No such continuation.")
        require(info, TERMINAL_PERMISSIONS[interaction.payment_type])
        return self.terminal.resume(interaction)

    def terminal_cancel(self, _: Any, info: GraphQLResolveInfo, continuation_id: Any = None) -> Any:
        principal_of(info)
        interaction = self.terminal.interaction(continuation_id)
        if interaction is None:
            return TerminalSimulator._error("UNKNOWN_CONTINUATION", "No such continuation.")
        require(info, TERMINAL_PERMISSIONS[interaction.payment_type])
        return self.terminal.cancel(interaction)

    def terminal_capture(
        self, _: Any, info: GraphQLResolveInfo, payment_id: Any = None, amount: Any = None
    ) -> Any:
        require(info, TERMINAL_AUTH)
        cents = None if amount is None else to_cents(amount, "Amount")
        return self.terminal.capture(str(payment_id or ""), cents)


def build_schema(db: Database) -> GraphQLSchema:
    """The executable schema over ``db`` (one terminal simulator per schema)."""
    api = _Api(db)
    query = QueryType()
    for name, resolver in {
        "customer": api.customer,
        "environment": api.environment,
        "giftcard": api.giftcard,
        "item": api.item,
        "itemSerialLot": api.item_serial_lot,
        "itemWarehouse": api.item_warehouse,
        "location": api.location,
        "product": api.product,
        "productBanner": api.product_banner,
        "productGroup": api.product_group,
        "productNotice": api.product_notice,
        "productSection": api.product_section,
        "productSortOption": api.product_sort_option,
        "sale": api.sale,
        "giftcardTrans": api.giftcard_trans,
        "purchase": api.purchase,
        "viewer": api.viewer,
    }.items():
        query.set_field(name, resolver)
    mutation = MutationType()
    for name, resolver in {
        "giftcardAdd": api.giftcard_add,
        "giftcardEdit": api.giftcard_edit,
        "giftcardTransAdd": api.giftcard_trans_add,
        "giftcardTransCapture": api.giftcard_trans_capture,
        "giftcardTransCancel": api.giftcard_trans_cancel,
        "purchaseAdd": api.purchase_add,
        "terminalPayment": api.terminal_root,
    }.items():
        mutation.set_field(name, resolver)
    terminal = ObjectType("TerminalPaymentMutation")
    terminal.set_field("start", api.terminal_start)
    terminal.set_field("continue", api.terminal_continue)
    terminal.set_field("capture", api.terminal_capture)
    terminal.set_field("cancel", api.terminal_cancel)
    item = ObjectType("Item")
    item.set_field("warehouses", _item_warehouses)
    item.set_field("serialLots", _item_serial_lots)
    sale = ObjectType("Sale")
    sale.set_field("lines", _sale_lines)
    sale.set_field("tenders", _sale_tenders)
    product = ObjectType("Product")
    product.set_field("groups", api.product_groups)
    product.set_field("notices", api.product_notices)
    group = ObjectType("ProductGroup")
    group.set_field("sections", api.group_sections)
    decimal_scalar = ScalarType(
        "Decimal",
        serializer=serialize_decimal,
        value_parser=parse_decimal,
        literal_parser=_decimal_literal,
    )
    datetime_scalar = ScalarType(
        "DateTime",
        serializer=serialize_datetime,
        value_parser=parse_datetime,
        literal_parser=_literal(parse_datetime),
    )
    date_scalar = ScalarType(
        "Date",
        serializer=serialize_date,
        value_parser=parse_date,
        literal_parser=_literal(parse_date),
    )
    schema: GraphQLSchema = make_executable_schema(
        SCHEMA_FILE.read_text(encoding="utf-8"),
        query,
        mutation,
        terminal,
        item,
        sale,
        product,
        group,
        decimal_scalar,
        datetime_scalar,
        date_scalar,
        convert_names_case=True,
    )
    return schema
