"""PosClient: the one object the app (or a script) uses to talk to a Kensium POS server.

One long-lived ``httpx.AsyncClient`` per connection; GraphQL over POST with variables;
operations from ``posdesk/api/operations``, adapted on connect to what the live server
supports. Reads return domain objects and are retried on transient failures; money-moving
writes go through the journal and are never retried blindly.
"""

from __future__ import annotations

import asyncio
import functools
import random
import ssl
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal, TypeVar, overload

import httpx
from graphql import GraphQLSchema, get_introspection_query

from posdesk import __version__
from posdesk.api import adhoc, mapping
from posdesk.api.auth import (
    Authenticator,
    BrowserOpener,
    ClientCredentialsGrant,
    Grant,
    RefreshTokenGrant,
    default_open_browser,
    discover,
    sign_in_interactive,
)
from posdesk.api.compat import (
    FeatureReport,
    check,
    schema_from_introspection,
    schema_key,
    unverified,
)
from posdesk.api.credentials import Credentials
from posdesk.api.errors import (
    TRANSIENT_STATUS,
    ConfigurationError,
    DuplicateReference,
    FeatureUnavailable,
    FusionError,
    HttpStatusError,
    InvalidResponseError,
    NeedsReview,
    NetworkError,
    NotAuthenticated,
    NotAuthorized,
    NotFound,
    PosError,
    SignInRequired,
    TlsError,
    UnknownOutcome,
    ValidationError,
    from_graphql_error,
)
from posdesk.api.operations import Operation, load_all
from posdesk.api.profile import ConnectionProfile
from posdesk.api.transport import MAX_BODY, NotSent, RawResponse, deadline_of, exchange, load_json
from posdesk.domain import (
    Customer,
    Environment,
    GiftCard,
    GiftCardCodeType,
    GiftCardTransaction,
    GiftCardTransStatus,
    GiftCardTransType,
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
    PurchaseDraft,
    Sale,
    SaleFilter,
    SerialLot,
    TerminalOutcome,
    TerminalPaymentType,
    Viewer,
    WarehouseStock,
)
from posdesk.store.journal import (
    TERMINAL_KINDS,
    UNRESOLVED,
    WATCHED,
    DuplicateReferenceError,
    Journal,
    JournalEntry,
    JournalState,
    capture_reference,
    terminal_reference,
)
from posdesk.store.scope import token_subject

T = TypeVar("T")
SyncEntity = Literal["customer", "sale", "item", "item_warehouse", "serial_lot"]


#: How long a write given up on after its grace period is still looked up (it may go through
#: late: a server's queue replayed after an outage).
WATCH_PERIOD = 7 * 24 * 3600.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Backoff for reads on transient failures (network, 502/503/504). Writes never retry."""

    attempts: int = 4
    base_delay: float = 0.2
    max_delay: float = 3.0

    def delay(self, attempt: int) -> float:
        base: float = min(self.max_delay, self.base_delay * 2.0**attempt)
        return base * random.uniform(0.5, 1.0)


def is_transient(exc: PosError) -> bool:
    if isinstance(exc, TlsError):
        return False
    if isinstance(exc, NetworkError):
        return True
    return isinstance(exc, HttpStatusError) and exc.status_code in TRANSIENT_STATUS


def wire_decimal(value: Decimal) -> str:
    """Decimals cross the wire as plain strings (never exponent form, never float)."""
    return format(value, "f")


def wire_datetime(value: datetime) -> str:
    """POS takes ``YYYY-MM-DDThh:mm:ss``; posdesk sends UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat()


def wire_instant(value: datetime) -> str:
    """Sandbox time filters take an instant with its UTC offset."""
    if value.tzinfo is None:
        raise ValueError("sale filter instants must be timezone-aware")
    return value.isoformat()


def mask_code(code: str) -> str:
    """Gift card codes are secrets: keep the last four characters for humans."""
    return "•" * max(0, len(code) - 4) + code[-4:]


def new_reference(prefix: str = "PD") -> str:
    """A unique external reference (refNo / transactionId) for a money-moving call."""
    return f"{prefix}-{uuid.uuid4().hex[:20].upper()}"


def _ssl_context(profile: ConnectionProfile) -> ssl.SSLContext | bool:
    if profile.ca_bundle:
        return ssl.create_default_context(cafile=profile.ca_bundle)
    return True


def make_http_client(profile: ConnectionProfile) -> httpx.AsyncClient:
    """The connection's single HTTP client: TLS verified (custom CA allowed), timeouts."""
    return httpx.AsyncClient(
        verify=_ssl_context(profile),
        timeout=httpx.Timeout(profile.timeout, connect=min(profile.timeout, 10.0)),
        http2=True,
        follow_redirects=False,
        headers={"User-Agent": f"posdesk/{__version__}"},
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
    )


class _NotSentError(Exception):
    """Internal: the request never left (no connection, or no token): ``original`` says why.
    For a write this is a confirmed failure, never an unknown outcome."""

    def __init__(self, original: PosError) -> None:
        super().__init__(str(original))
        self.original = original


class _UndecidableError(Exception):
    """Internal: the server's record cannot tell whether a journaled change happened."""


class _UnsettledError(Exception):
    """Internal: a journaled write failed in a way that leaves its outcome unknown
    (``original`` says how); it is journaled unknown and the caller must settle it."""

    def __init__(self, original: PosError) -> None:
        super().__init__(str(original))
        self.original = original


class PosClient:
    """A signed-in connection to one POS server. Create with ``await PosClient.connect``."""

    def __init__(
        self,
        profile: ConnectionProfile,
        http: httpx.AsyncClient,
        auth: Authenticator,
        *,
        owns_http: bool,
        journal: Journal | None,
        credentials: Credentials,
        open_browser: BrowserOpener,
        retry: RetryPolicy,
        settle_delay: float,
        grace_period: float = 120.0,
        watch_period: float = WATCH_PERIOD,
    ) -> None:
        self.profile = profile
        self._http = http
        self._auth = auth
        self._owns_http = owns_http
        self._journal = journal
        self._credentials = credentials
        self._open_browser = open_browser
        self._url = profile.graphql_url
        self.retry = retry
        self.settle_delay = settle_delay
        self.grace_period = grace_period
        self.watch_period = watch_period
        # look-ups that need what the journal must not keep (a new card's code): this run only
        self._card_lookups: dict[str, Callable[[], Awaitable[GiftCard | None]]] = {}
        self._operations: dict[str, Operation] = dict(load_all())
        self._in_flight: set[str] = set()  # journaled references being sent right now
        self._reconciling = asyncio.Lock()  # one reconciliation pass at a time
        self.features: FeatureReport = FeatureReport(frozenset(self._operations))
        self.schema: GraphQLSchema | None = None
        """The live schema introspected on connect (None when the server refused it)."""
        #: The largest answer read (decoded bytes); larger ones are refused as they stream in.
        self.max_body = MAX_BODY

    # ---------------------------------------------------------------- lifecycle

    @classmethod
    async def connect(
        cls,
        profile: ConnectionProfile,
        *,
        credentials: Credentials | None = None,
        journal: Journal | None = None,
        http: httpx.AsyncClient | None = None,
        open_browser: BrowserOpener = default_open_browser,
        sign_in_timeout: float = 300.0,
        retry: RetryPolicy | None = None,
        settle_delay: float = 1.0,
        grace_period: float = 120.0,
        watch_period: float = WATCH_PERIOD,
        check_schema: bool = True,
    ) -> PosClient:
        """Discover the server, sign in, check the schema. Raises PosError subclasses.

        ``grace_period``: seconds after a write was sent during which "not found on the
        server" proves nothing (a slow server may still commit it); ``watch_period``: how
        long a write given up on after the grace period is still looked up."""
        profile.check_url()
        credentials = credentials or Credentials()
        owns_http = http is None
        # loading the CA bundle (and h2 on first use) costs 15-150 ms of CPU; the packaged
        # operations are parsed once: both off the UI's event loop
        if http is None:
            http = await asyncio.to_thread(make_http_client, profile)
        await asyncio.to_thread(load_all)
        try:
            config = await discover(http, profile.issuer)
            grant: Grant
            if profile.auth_flow == "client_credentials":
                secret = credentials.client_secret(profile.name)
                if not secret:
                    raise ConfigurationError(
                        f"No client secret is stored for the connection {profile.name!r}.",
                        details="keyring entry missing",
                    )
                grant = ClientCredentialsGrant(profile.client_id, secret)
            else:
                grant = RefreshTokenGrant(profile.name, profile.client_id, credentials)
            auth = Authenticator(http, config, grant)
            client = cls(
                profile,
                http,
                auth,
                owns_http=owns_http,
                journal=journal,
                credentials=credentials,
                open_browser=open_browser,
                retry=retry or RetryPolicy(),
                settle_delay=settle_delay,
                grace_period=grace_period,
                watch_period=watch_period,
            )
            try:
                await auth.access_token()
            except SignInRequired:
                if profile.auth_flow != "interactive":
                    raise
                await client.sign_in(browser_timeout=sign_in_timeout)
            if check_schema:
                await client.check_schema()
        except BaseException:
            if owns_http:
                await http.aclose()
            raise
        return client

    async def sign_in(self, *, browser_timeout: float = 300.0) -> None:
        """Interactive sign-in in the system browser (authorization code + PKCE)."""
        tokens = await sign_in_interactive(
            self._http,
            self._auth.config,
            self.profile.client_id,
            open_browser=self._open_browser,
            browser_timeout=browser_timeout,
        )
        if tokens.refresh_token:
            self._credentials.set_refresh_token(self.profile.name, tokens.refresh_token)
        self._auth.set_token(tokens)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> PosClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def issuer(self) -> str:
        """The server's OIDC issuer as its discovery document names it (local state key)."""
        return self._auth.config.issuer

    async def token_subject(self) -> str | None:
        """Who the access token was issued to (its ``sub``), when the token is a JWT."""
        return token_subject(await self._auth.access_token())

    def attach_journal(self, journal: Journal) -> None:
        """Use ``journal`` from now on: the shell opens the server's own journal once the
        issuer and the signed-in principal are known (after connect, before any write)."""
        self._journal = journal

    @property
    def token_renewals(self) -> int:
        """Token requests made so far (initial sign-in included)."""
        return self._auth.renewals

    async def check_schema(self) -> FeatureReport:
        """Introspect the live server and adapt every packaged operation to it."""
        try:
            data = await self._post_read(
                {"query": get_introspection_query(descriptions=False)}, "Introspection"
            )
            key = await asyncio.to_thread(schema_key, data)
            cached = _SCHEMA_CACHE.get(key)
            if cached is not None:
                # the same server schema was checked before in this process: same answer
                self.features, self._operations = cached[0], dict(cached[1])
                self.schema = _SCHEMAS.get(key)
                return self.features
            # building and validating ~40 documents takes ~60 ms of CPU: keep it off the loop
            schema = await asyncio.to_thread(schema_from_introspection, data)
        except NetworkError:
            raise  # the server is unreachable: connecting fails, clearly
        except (PosError, TypeError, ValueError):
            # introspection refused or unreadable (some servers turn it off): assume the
            # packaged operations and say so (features.verified is False)
            self.features, self._operations = unverified(load_all())
            return self.features
        self.features, self._operations = await asyncio.to_thread(check, schema, load_all())
        _SCHEMA_CACHE[key] = (self.features, dict(self._operations))
        self.schema = _SCHEMAS[key] = schema
        return self.features

    def adapt_to(self, schema: GraphQLSchema) -> FeatureReport:
        """Fit the packaged operations to ``schema`` (the live one, or a reduced one in tests)."""
        self.features, self._operations = check(schema, load_all())
        return self.features

    # ---------------------------------------------------------------- transport

    def _op(self, feature: str) -> Operation:
        op = self._operations.get(feature)
        if op is None:
            raise FeatureUnavailable(feature, details=self.features.reason(feature) or "")
        return op

    async def _token(self, rejected: str | None = None) -> str:
        try:
            if rejected is None:
                return await self._auth.access_token()
            return await self._auth.rejected(rejected)
        except PosError as exc:
            raise _NotSentError(exc) from exc

    async def _post(
        self,
        payload: Mapping[str, Any],
        what: str,
        *,
        deadline: float | None = None,
        max_bytes: int | None = None,
    ) -> Any:
        """One GraphQL POST (with one token renewal on NOT_AUTHENTICATED); returns ``data``.

        Each attempt has the overall deadline (the profile's timeout). Raises _NotSentError
        only when the request provably never left the PC; a deadline hit or broken answer
        after it may have been written is a plain PosError (unknown outcome for a write)."""
        token = await self._token()
        for attempt in range(2):
            try:
                response = await exchange(
                    self._http,
                    "POST",
                    self._url,
                    what=what,
                    deadline=deadline,
                    max_bytes=max_bytes or self.max_body,
                    json=payload,
                    headers={"Authorization": f"Bearer {token}"},
                )
            except NotSent as exc:
                raise _NotSentError(exc.original) from exc
            try:
                if len(response.content) > BIG_BODY:  # a big sync page: parse off the loop
                    return await asyncio.to_thread(_decode, response, what)
                return _decode(response, what)
            except NotAuthenticated as exc:
                if attempt == 0:
                    token = await self._token(rejected=token)
                    continue
                raise SignInRequired(details=exc.details) from exc
        raise AssertionError("unreachable")

    async def _post_read(
        self, payload: Mapping[str, Any], what: str, *, max_bytes: int | None = None
    ) -> Any:
        """A read: transient failures are retried with backoff, all within one deadline
        (the profile's timeout) so a slow server cannot stretch a read beyond it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + deadline_of(self._http)
        for attempt in range(self.retry.attempts):
            try:
                return await self._post(
                    payload, what, deadline=deadline - loop.time(), max_bytes=max_bytes
                )
            except _NotSentError as exc:
                failure = exc.original
            except PosError as exc:
                failure = exc
            delay = self.retry.delay(attempt)
            if (
                not is_transient(failure)
                or attempt + 1 >= self.retry.attempts
                or loop.time() + delay >= deadline
            ):
                raise failure
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def _read(self, feature: str, variables: Mapping[str, Any]) -> Any:
        op = self._op(feature)
        payload = {"query": op.document, "variables": variables, "operationName": op.name}
        data = await self._post_read(payload, op.name, max_bytes=self._body_cap(variables))
        return _root(data, op)

    def _body_cap(self, variables: Mapping[str, Any]) -> int:
        """A page's answer may be as big as the rows asked for, no bigger: a server ignoring
        ``first`` (300,000 rows for 50) is cut off while the body streams in."""
        first = variables.get("first")
        if not isinstance(first, int) or first <= 0:
            return self.max_body
        return min(self.max_body, PAGE_BODY_FLOOR + first * PAGE_ROW_BYTES)

    async def _page(
        self, feature: str, variables: Mapping[str, Any], convert: Callable[[mapping.Row], T]
    ) -> Page[T]:
        first = variables.get("first")
        envelope = await self._read(feature, variables)
        return await _to_page(envelope, convert, first if isinstance(first, int) else None)

    async def _write(self, feature: str, variables: Mapping[str, Any]) -> Any:
        """Send a mutation once. Raises _NotSentError, a server refusal, or UnknownOutcome-worthy
        errors (anything else) — the caller decides with the journal."""
        op = self._op(feature)
        payload = {"query": op.document, "variables": variables, "operationName": op.name}
        data = await self._post(payload, op.name)
        return _root(data, op)

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

    async def documented_schema(self) -> GraphQLSchema | None:
        """The live schema *with descriptions* (the console's documentation pane); kept as
        ``self.schema``. None when the server refuses introspection."""
        try:
            data = await self._post_read(
                {"query": get_introspection_query(descriptions=True)}, "Introspection"
            )
            self.schema = await asyncio.to_thread(schema_from_introspection, data)
        except Exception:  # refused or unreadable: keep the schema from connect (or none)
            return self.schema
        return self.schema

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

    # ---------------------------------------------------------------- journaled writes

    @property
    def journal(self) -> Journal:
        """The journal given to ``connect``/``attach_journal``; without one, an in-memory
        journal (never a per-PC file: local state belongs to one server and principal)."""
        if self._journal is None:
            self._journal = Journal(":memory:")
        return self._journal

    async def _intent(
        self, reference: str, kind: str, request: Mapping[str, Any], summary: str
    ) -> JournalEntry:
        """Write the intent durably (fsync) on a worker thread: the UI loop never waits on
        the disk, yet nothing is sent before the intent is on it."""
        journal = self.journal
        try:
            return await asyncio.to_thread(
                functools.partial(
                    journal.record_intent,
                    reference,
                    profile=self.profile.name,
                    kind=kind,
                    request=request,
                    summary=summary,
                )
            )
        except DuplicateReferenceError:
            raise DuplicateReference(reference) from None

    async def _journaled(
        self,
        entry: JournalEntry,
        feature: str,
        variables: Mapping[str, Any],
        on_checking: Callable[[], object] | None,
    ) -> Any:
        """Send a journaled mutation once and settle its journal entry; the server's answer,
        or the record found by reconciliation."""
        result, _ = await self._journaled_answer(entry, feature, variables, on_checking)
        return result

    async def _journaled_answer(
        self,
        entry: JournalEntry,
        feature: str,
        variables: Mapping[str, Any],
        on_checking: Callable[[], object] | None,
        keep: Callable[[Mapping[str, Any]], Mapping[str, Any]] = dict,
    ) -> tuple[Any, bool]:
        """Send a journaled mutation once and settle its journal entry: (result, answered).
        ``answered`` is False when the result is the journal's record found by reconciliation;
        ``keep`` picks what of an answer the journal may store.

        Server refusals (validation, permission) are failures; a failure to connect means
        nothing was sent; anything else (timeout, dropped connection, 5xx, garbage) is an
        unknown outcome: looked up by reference at once, and if not found it stays unknown
        (``UnknownOutcome``) — never "failed": the server may still commit it."""
        ref = entry.reference
        journal = self.journal
        try:
            self._op(feature)
        except FeatureUnavailable as exc:
            journal.mark_failed(ref, exc.details or exc.user_message)
            raise
        self._in_flight.add(ref)
        try:
            return await self._send_journaled(entry, feature, variables, on_checking, keep)
        finally:
            self._in_flight.discard(ref)

    async def _send_journaled(
        self,
        entry: JournalEntry,
        feature: str,
        variables: Mapping[str, Any],
        on_checking: Callable[[], object] | None,
        keep: Callable[[Mapping[str, Any]], Mapping[str, Any]],
    ) -> tuple[Any, bool]:
        ref = entry.reference
        journal = self.journal
        try:
            result = await self._send_once(ref, feature, variables)
        except _UnsettledError as unsettled:
            exc = unsettled.original
            if on_checking is not None:
                on_checking()
            state = await self._reconcile_entry(self.journal.get(ref) or entry, settle=True)
            if state is JournalState.DONE:
                return (self.journal.get(ref) or entry).result, False
            if state is JournalState.NEEDS_REVIEW:
                raise NeedsReview(ref, details=exc.details) from exc
            # not found yet (or not found after a zero grace period): sent means unknown
            raise UnknownOutcome(ref, details=exc.details) from exc
        if not isinstance(result, dict):
            journal.mark_unknown(ref, "empty mutation result")
            raise UnknownOutcome(ref, details=f"{feature}: server returned {type(result).__name__}")
        journal.mark_done(ref, keep(result))
        return result, True

    async def _send_once(self, ref: str, feature: str, variables: Mapping[str, Any]) -> Any:
        """Send a journaled write once and journal what is certain: not sent or refused by
        the server is a failure (raised as is); cancelled mid-flight is unknown (re-raised);
        any other failure is journaled unknown and raised as ``_UnsettledError`` to be settled."""
        journal = self.journal
        journal.mark_sent(ref)
        try:
            return await self._write(feature, variables)
        except asyncio.CancelledError:
            # the caller went away mid-flight: the outcome is unknown, reconcile later
            journal.mark_unknown(ref, "cancelled while in flight")
            raise
        except _NotSentError as exc:
            journal.mark_failed(ref, f"not sent: {exc.original.details}")
            raise exc.original from None
        except (ValidationError, NotAuthenticated, NotAuthorized, FeatureUnavailable) as exc:
            journal.mark_failed(ref, f"{type(exc).__name__}: {exc.details}")
            raise
        except PosError as exc:
            journal.mark_unknown(ref, f"{type(exc).__name__}: {exc.details}")
            raise _UnsettledError(exc) from exc

    async def giftcard_transaction(
        self,
        code: str,
        code_type: GiftCardCodeType | None,
        trans_type: GiftCardTransType,
        amount: Decimal,
        *,
        pin: str | None = None,
        authorize: bool = False,
        ref_no: str | None = None,
        source_id: str = "posdesk",
        giftcard_id: str | None = None,
        on_checking: Callable[[], object] | None = None,
    ) -> GiftCardTransaction:
        """``giftcardTransAdd``, journaled under a unique ``refNo`` (generated if not given)."""
        _check_sign(trans_type, amount)
        if giftcard_id is None:
            giftcard_id = await self._card_id(code, code_type)
        ref = ref_no or new_reference()
        request = {
            "code": mask_code(code),
            "code_type": code_type.value if code_type else None,
            "giftcard_id": giftcard_id,
            "trans_type": trans_type.value,
            "amount": wire_decimal(amount),
            "authorize": authorize,
            "ref_no": ref,
            "source_id": source_id,
        }
        verb = "Authorize" if authorize else "Record"
        summary = (
            f"{verb} {trans_type.value} {wire_decimal(amount)} on gift card {mask_code(code)} "
            f"(ref {ref}, source {source_id})"
        )
        entry = await self._intent(ref, "giftcard_trans", request, summary)
        trans: dict[str, Any] = {
            "code": code,
            "transType": trans_type.value,
            "amount": wire_decimal(amount),
            "refNo": ref,
            "sourceId": source_id,
        }
        if code_type is not None:
            trans["codeType"] = code_type.value
        if pin:
            trans["pin"] = pin
        if authorize:
            trans["authorize"] = True
        result = await self._journaled(entry, "giftcard_trans_add", {"trans": trans}, on_checking)
        return mapping.giftcard_transaction(result)

    async def _card_id(self, code: str, code_type: GiftCardCodeType | None) -> str | None:
        """The card's internal id, journaled so the outcome can be looked up later even by
        roles without ListGiftCardTrans (they may list a card's transactions by its id)."""
        if "giftcard_lookup" not in self.features:
            return None
        try:
            card = await self.giftcard(code, code_type)
        except NotAuthorized:
            return None
        if card is None:
            raise NotFound("The gift card was not found.", details=f"code {mask_code(code)}")
        return card.id

    async def capture(
        self,
        transaction: GiftCardTransaction,
        *,
        on_checking: Callable[[], object] | None = None,
    ) -> GiftCardTransaction:
        """``giftcardTransCapture`` of an authorization, journaled as ``capture:<id>``."""
        return await self._settle_authorization(
            "capture", transaction, "giftcard_trans_capture", on_checking
        )

    async def cancel(
        self,
        transaction: GiftCardTransaction,
        *,
        on_checking: Callable[[], object] | None = None,
    ) -> GiftCardTransaction:
        """Cancel an authorization (server extension), journaled as ``cancel:<id>``."""
        return await self._settle_authorization(
            "cancel", transaction, "giftcard_trans_cancel", on_checking
        )

    async def _settle_authorization(
        self,
        action: str,
        transaction: GiftCardTransaction,
        feature: str,
        on_checking: Callable[[], object] | None,
    ) -> GiftCardTransaction:
        ref = f"{action}:{transaction.id}"
        request = {
            "transaction_id": transaction.id,
            "giftcard_id": transaction.giftcard_id,
            "ref_no": transaction.ref_no,
            "amount": wire_decimal(transaction.amount) if transaction.amount is not None else None,
        }
        summary = (
            f"{action.capitalize()} authorization {transaction.id} "
            f"(card {transaction.giftcard_id}, ref {transaction.ref_no})"
        )
        entry = await self._intent(ref, f"giftcard_{action}", request, summary)
        result = await self._journaled(entry, feature, {"id": transaction.id}, on_checking)
        return mapping.giftcard_transaction(result)

    async def purchase_add(
        self, draft: PurchaseDraft, *, on_checking: Callable[[], object] | None = None
    ) -> Purchase:
        """``purchaseAdd``, journaled by ``transactionId``: the server accepts duplicates,
        so this machine refuses to send one it has already recorded."""
        ref = draft.transaction_id
        add = _purchase_input(draft)
        summary = (
            f"Record purchase {ref} at {draft.store_code}, {wire_decimal(draft.pay_amount)} "
            f"on {wire_datetime(draft.purchased_on)}"
        )
        entry = await self._intent(ref, "purchase_add", add, summary)
        result = await self._journaled(entry, "purchase_add", {"add": add}, on_checking)
        return mapping.purchase(result)

    async def giftcard_add(
        self,
        *,
        physical_code: str | None = None,
        physical_pin: str | None = None,
        external_code: str | None = None,
        add_personal_code: bool = False,
        member_id: str | None = None,
    ) -> GiftCard:
        """``giftcardAdd``: journaled (``GA-…``), never retried; a lost answer is settled by
        looking the physical / external code up while this client runs, under the grace
        period rules (personal code, or after a restart: needs review)."""
        card: dict[str, Any] = {}
        if physical_code:
            card["physicalCode"] = physical_code
        if physical_pin:
            card["physicalPin"] = physical_pin
        if external_code:
            card["externalCode"] = external_code
        if add_personal_code:
            card["addPersonalCode"] = True
        if member_id:
            card["memberId"] = member_id
        code, code_type = (
            (physical_code, GiftCardCodeType.PHYSICAL)
            if physical_code
            else (external_code, GiftCardCodeType.EXTERNAL)
        )
        request = {
            "code": mask_code(code) if code else None,
            "code_type": code_type.value if code else None,
            "member_id": member_id,
            "personal": add_personal_code,
        }
        what = f"code {mask_code(code)}" if code else "a personal code"
        entry = await self._intent(
            new_reference("GA"), "giftcard_add", request, f"Create gift card with {what}"
        )

        async def look_up() -> GiftCard | None:
            assert code
            return await self.giftcard(code, code_type)

        return await self._card_change(
            entry, "giftcard_add", {"giftcard": card}, look_up if code else None
        )

    async def giftcard_edit(
        self,
        id: str,
        *,
        member_id: str | None = None,
        add_personal_code: bool = False,
        revoke_physical_code: bool = False,
        revoke_personal_code: bool = False,
        revoke_external_code: bool = False,
        physical_code: str | None = None,
        physical_pin: str | None = None,
        external_code: str | None = None,
        on_checking: Callable[[], object] | None = None,
    ) -> GiftCard:
        """``giftcardEdit`` (needs EditGiftCard): journaled (``GE-…``, changed field names and
        the masked codes to expect, never codes or PINs), never retried. A lost answer is
        settled by re-reading the card and comparing it with the requested change."""
        card: dict[str, Any] = {"id": id}
        flags = {
            "memberId": member_id,
            "addPersonalCode": add_personal_code or None,
            "revokePhysicalCode": revoke_physical_code or None,
            "revokePersonalCode": revoke_personal_code or None,
            "revokeExternalCode": revoke_external_code or None,
            "physicalCode": physical_code,
            "physicalPin": physical_pin,
            "externalCode": external_code,
        }
        card.update({k: v for k, v in flags.items() if v is not None})
        # codes and PINs are secrets: the journal keeps which fields changed and what the
        # card should show afterwards (masked codes), never their values
        changes = sorted(k for k in card if k != "id")
        before = await self._card_before_edit(id)
        expect = _edit_expectations(before, card)
        entry = await self._intent(
            new_reference("GE"),
            "giftcard_edit",
            {"giftcard_id": id, "changes": changes, "member_id": member_id, "expect": expect},
            f"Change gift card {id}: {', '.join(changes)}",
        )
        return await self._card_change(
            entry, "giftcard_edit", {"giftcard": card}, on_checking=on_checking
        )

    async def _card_before_edit(self, id: str) -> GiftCard | None:
        """The card as it is before an edit (to recognise the edit later), if readable."""
        if "giftcard_by_id" not in self.features:
            return None
        try:
            return await self.giftcard_by_id(id)
        except (NotAuthorized, NotFound):
            return None

    async def _card_change(
        self,
        entry: JournalEntry,
        feature: str,
        variables: Mapping[str, Any],
        look_up: Callable[[], Awaitable[GiftCard | None]] | None = None,
        *,
        on_checking: Callable[[], object] | None = None,
    ) -> GiftCard:
        """Send a journaled card creation / change once (it moves no money, but a blind
        retry could create a second card) and reconcile it like any journaled write:
        a lost answer is looked up (``look_up``: the new card by its code, kept in memory
        only; an edit: the card re-read) and stays unknown until the grace period ends."""
        ref = entry.reference
        if look_up is not None:
            self._card_lookups[ref] = look_up
        result, answered = await self._journaled_answer(
            entry, feature, variables, on_checking, keep=_card_id_only
        )
        if answered:
            return mapping.giftcard(result)
        card = await self.giftcard_by_id(str((result or {}).get("id")))
        if card is None:
            raise NotFound("The gift card was not found.", details=f"{feature} {ref}")
        return card

    async def _write_once(self, feature: str, variables: Mapping[str, Any]) -> Any:
        """An unjournaled mutation: an unknown outcome is reported, never retried."""
        try:
            result = await self._write(feature, variables)
        except _NotSentError as exc:
            raise exc.original from None
        except (NetworkError, HttpStatusError, InvalidResponseError) as exc:
            raise UnknownOutcome(_WHAT.get(feature, feature), details=exc.details) from exc
        if result is None:
            raise InvalidResponseError(details=f"{feature}: null result")
        return result

    # ---------------------------------------------------------------- terminal payments

    async def terminal_start(
        self,
        payment_type: TerminalPaymentType,
        amount: Decimal,
        terminal_id: str,
        *,
        ref_no: str | None = None,
    ) -> TerminalOutcome:
        """Start a card-present payment; loop on continuations with ``terminal_continue``.

        Journaled as ``terminal:<refNo>`` before it is sent. A lost answer is never followed by
        a second start (that could charge the card twice): the entry goes to needs_review
        with amount, terminal, refNo and time, and ``NeedsReview`` is raised; starting again
        under the same refNo raises ``DuplicateReference`` until a manager settles it."""
        ref_no = ref_no or new_reference("PT")
        payload = {
            "paymentType": payment_type.value,
            "amount": wire_decimal(amount),
            "terminalId": terminal_id,
            "refNo": ref_no,
        }
        request = {
            "payment_type": payment_type.value,
            "amount": wire_decimal(amount),
            "terminal_id": terminal_id,
            "ref_no": ref_no,
        }
        summary = (
            f"Terminal {payment_type.value} of {wire_decimal(amount)} on terminal {terminal_id} "
            f"(ref {ref_no})"
        )
        resumed = await self._resume_terminal(terminal_reference(ref_no))
        if resumed is not None:
            return resumed
        entry = await self._intent(terminal_reference(ref_no), "terminal_payment", request, summary)
        return await self._terminal_journaled(entry, "terminal_start", {"input": payload}, "start")

    async def terminal_continue(self, continuation_id: str) -> TerminalOutcome:
        """Ask how a pending terminal interaction went (safe to repeat: the server answers
        the same outcome again). Settles the journal entry that waits on it."""
        entry = self._waiting_on(continuation_id)
        variables = {"continuationId": continuation_id}
        if entry is None:
            result = await self._write_once("terminal_continue", variables)
            return mapping.terminal_outcome(_terminal(result, "continue"))
        return await self._terminal_journaled(entry, "terminal_continue", variables, "continue")

    async def terminal_capture(
        self, payment_id: str, amount: Decimal | None = None
    ) -> TerminalOutcome:
        """Capture an authorization, journaled as ``terminal-capture:<paymentId>``. A lost
        answer is settled by asking to capture the same payment again: an authorization is
        captured at most once (the server answers ``ALREADY_CAPTURED``)."""
        variables = {
            "paymentId": payment_id,
            "amount": wire_decimal(amount) if amount is not None else None,
        }
        request = {"payment_id": payment_id, "amount": variables["amount"]}
        summary = f"Capture terminal payment {payment_id}" + (
            f" for {variables['amount']}" if amount is not None else ""
        )
        ref = capture_reference(payment_id)
        resumed = await self._resume_terminal(ref)
        if resumed is not None:
            return resumed
        entry = await self._intent(ref, "terminal_capture", request, summary)
        return await self._terminal_journaled(entry, "terminal_capture", variables, "capture")

    async def _resume_terminal(self, ref: str) -> TerminalOutcome | None:
        """A start / capture asked again under a reference already journaled (the caller
        resumed after a restart): answer from the journal or by asking the server about the
        same payment — never a second one. None when the reference is free (new or failed)."""
        existing = self.journal.get(ref)
        if existing is None or existing.state is JournalState.FAILED:
            return None
        if existing.state is JournalState.DONE:
            if (existing.result or {}).get("payment") or existing.kind == "terminal_capture":
                return mapping.terminal_outcome(existing.result or {})
            raise DuplicateReference(ref)  # settled by hand: the caller must not charge again
        if existing.state is JournalState.NEEDS_REVIEW or ref in self._in_flight:
            raise DuplicateReference(ref)
        state, wire = await self._reconcile_terminal(existing)
        if wire is not None:
            return mapping.terminal_outcome(wire)
        if state is JournalState.NEEDS_REVIEW:
            raise NeedsReview(ref, details="the terminal's earlier answer was lost")
        raise UnknownOutcome(ref, details="the terminal cannot be asked now")

    def _waiting_on(self, continuation_id: str) -> JournalEntry | None:
        """The unresolved terminal entry whose last answer was ``continuation_id``."""
        for kind in TERMINAL_KINDS:
            for entry in self.journal.entries(
                *UNRESOLVED, JournalState.NEEDS_REVIEW, profile=self.profile.name, kind=kind
            ):
                if _continuation_id(entry.result) == continuation_id:
                    return entry
        return None

    async def _terminal_journaled(
        self, entry: JournalEntry, feature: str, variables: Mapping[str, Any], field: str
    ) -> TerminalOutcome:
        """Send one terminal call for a journaled payment and settle the entry from the
        answer. Refusals and connection failures are confirmed failures; anything else is an
        unknown outcome, reconciled without ever starting a payment again."""
        ref = entry.reference
        journal = self.journal
        try:
            self._op(feature)
        except FeatureUnavailable as exc:
            if entry.state is JournalState.PENDING:
                journal.mark_failed(ref, exc.details or exc.user_message)
            raise
        self._in_flight.add(ref)
        try:
            if entry.state is JournalState.PENDING:
                journal.mark_sent(ref)
            try:
                wire = _terminal(await self._write(feature, variables), field)
            except asyncio.CancelledError:
                journal.mark_unknown(ref, f"{feature}: cancelled while in flight")
                raise
            except _NotSentError as exc:
                if entry.state is JournalState.PENDING:
                    journal.mark_failed(ref, f"not sent: {exc.original.details}")
                raise exc.original from None
            except (ValidationError, NotAuthenticated, NotAuthorized) as exc:
                if entry.state is JournalState.PENDING:
                    journal.mark_failed(ref, f"{type(exc).__name__}: {exc.details}")
                raise
            except PosError as exc:
                journal.mark_unknown(ref, f"{feature}: {type(exc).__name__}: {exc.details}")
                current = journal.get(ref) or entry
                state, settled = await self._reconcile_terminal(current)
                if settled is not None:  # the server told us after all
                    return mapping.terminal_outcome(settled)
                if state is JournalState.NEEDS_REVIEW:
                    raise NeedsReview(ref, details=exc.details) from exc
                raise UnknownOutcome(ref, details=exc.details) from exc
            self._settle_terminal(entry, wire)
            return mapping.terminal_outcome(wire)
        finally:
            self._in_flight.discard(ref)

    def _settle_terminal(self, entry: JournalEntry, wire: Mapping[str, Any]) -> JournalState:
        """Journal a terminal answer: a payment is done, an error failed (a capture that was
        already captured is done), a continuation keeps waiting."""
        ref = entry.reference
        journal = self.journal
        error = wire.get("error") or {}
        if wire.get("payment"):
            journal.mark_done(ref, wire)
            return JournalState.DONE
        if wire.get("continuation"):
            journal.mark_waiting(ref, wire)
            return JournalState.SENT
        if entry.kind == "terminal_capture" and error.get("code") == "ALREADY_CAPTURED":
            journal.mark_done(ref, wire)
            return JournalState.DONE
        journal.mark_failed(ref, f"terminal: {error.get('code')} {error.get('message') or ''}")
        return JournalState.FAILED

    async def _reconcile_terminal(
        self, entry: JournalEntry
    ) -> tuple[JournalState, Mapping[str, Any] | None]:
        """Settle a terminal entry whose answer was lost, never by starting a payment again:
        ask the last known continuation; re-ask a capture of the same payment (captured at
        most once); otherwise a manager must check the terminal (needs_review)."""
        journal = self.journal
        ref = entry.reference
        continuation = _continuation_id(entry.result)
        try:
            if continuation is not None:
                data = await self._write("terminal_continue", {"continuationId": continuation})
                wire = _terminal(data, "continue")
            elif entry.kind == "terminal_capture":
                request = entry.request
                data = await self._write(
                    "terminal_capture",
                    {"paymentId": request["payment_id"], "amount": request.get("amount")},
                )
                wire = _terminal(data, "capture")
            else:
                request = entry.request
                journal.mark_needs_review(
                    ref,
                    f"The terminal's answer was lost: {request.get('payment_type')} of "
                    f"{request.get('amount')} on terminal {request.get('terminal_id')}, refNo "
                    f"{request.get('ref_no')}, sent {entry.created_at:%Y-%m-%d %H:%M:%S} UTC. "
                    "Check the terminal or the processor before charging the card again.",
                )
                return JournalState.NEEDS_REVIEW, None
        except _NotSentError as exc:
            journal.mark_unknown(ref, f"look-up failed: {exc.original.details}")
            return JournalState.UNKNOWN, None
        except (NotAuthorized, FeatureUnavailable) as exc:
            journal.mark_needs_review(ref, f"cannot ask the terminal: {exc.details}")
            return JournalState.NEEDS_REVIEW, None
        except PosError as exc:
            journal.mark_unknown(ref, f"look-up failed: {exc.details}")
            return JournalState.UNKNOWN, None
        return self._settle_terminal(entry, wire), wire

    async def terminal_finish(
        self,
        outcome: TerminalOutcome,
        *,
        give_up_after: float = 180.0,
        on_progress: Callable[[TerminalOutcome], object] | None = None,
    ) -> TerminalOutcome:
        """Follow continuations until a payment or an error, waiting as long as the server
        asks each time (never polling faster). After ``give_up_after`` seconds the pending
        interaction is cancelled and that outcome returned."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + give_up_after
        while outcome.continuation is not None:
            continuation = outcome.continuation
            if on_progress is not None:
                on_progress(outcome)
            if loop.time() + continuation.wait_ms / 1000 > deadline:
                return await self.terminal_cancel(continuation.id)
            await asyncio.sleep(max(continuation.wait_ms, 1) / 1000)
            outcome = await self.terminal_continue(continuation.id)
        return outcome

    async def terminal_cancel(self, continuation_id: str) -> TerminalOutcome:
        """Abandon a pending interaction. A cancelled payment is journaled as failed; one that
        finished first stays unresolved until its continuation is asked (then done)."""
        entry = self._waiting_on(continuation_id)
        result = await self._write_once("terminal_cancel", {"continuationId": continuation_id})
        wire = _terminal(result, "cancel")
        error = wire.get("error") or {}
        if entry is not None and error.get("code") == "CANCELLED":
            self.journal.mark_failed(entry.reference, "cancelled on the terminal")
        return mapping.terminal_outcome(wire)

    # ---------------------------------------------------------------- reconciliation

    def _watch_since(self) -> datetime:
        return datetime.now(UTC) - timedelta(seconds=self.watch_period)

    def reconcile_due(self) -> bool:
        """Whether this profile has entries a reconciliation pass would look up (unresolved,
        or given up on after the grace period but still watched)."""
        journal = self.journal
        name = self.profile.name
        unresolved = [e for e in journal.unresolved(name) if e.reference not in self._in_flight]
        return bool(unresolved or journal.watched(name, since=self._watch_since()))

    async def reconcile_pending(self) -> list[JournalEntry]:
        """Look up this profile's unresolved and watched journal entries (on start, and
        periodically while the app runs).

        Returns the entries after reconciliation. Found → done (or ``late`` when it had been
        given up on); not found → a request that never left is failed, a sent one stays
        unknown until its grace period is over, then ``not_found`` (and stays watched).
        Entries whose look-up this server lacks become ``needs_review``; entries the server
        cannot be asked about now stay as they are."""
        async with self._reconciling:
            return await self._reconcile_pass()

    async def _reconcile_pass(self) -> list[JournalEntry]:
        journal = self.journal
        name = self.profile.name
        entries = journal.unresolved(name) + journal.watched(name, since=self._watch_since())
        settled: list[JournalEntry] = []
        for entry in entries:
            if entry.reference in self._in_flight:
                continue  # still being sent by this client: its own call settles it
            if entry.kind in TERMINAL_KINDS:
                if entry.state in UNRESOLVED:
                    await self._reconcile_terminal(entry)
            else:
                await self._reconcile_entry(entry, settle=False)
            updated = journal.get(entry.reference)
            if updated is not None:
                settled.append(updated)
        return settled

    def _grace_over(self, entry: JournalEntry) -> bool:
        sent = entry.sent_at or entry.created_at
        return datetime.now(UTC) - sent >= timedelta(seconds=self.grace_period)

    async def _reconcile_entry(self, entry: JournalEntry, *, settle: bool) -> JournalState:
        """Look the reference up and journal what that proves (see ``reconcile_pending``).
        On look-up failure the entry stays as it is (sent ones: unknown)."""
        journal = self.journal
        ref = entry.reference
        state = entry.state
        never_sent = state is JournalState.PENDING  # marked sent before any byte leaves
        try:
            found = await self._lookup(entry)
            if found is None and settle and self.settle_delay > 0:
                # a slow server may still be committing: look once more before going on
                await asyncio.sleep(self.settle_delay)
                found = await self._lookup(entry)
        except (FeatureUnavailable, NotAuthorized, _UndecidableError) as exc:
            if never_sent:
                journal.mark_failed(ref, "never sent: posdesk stopped before sending it")
                return JournalState.FAILED
            if state in WATCHED:
                return state  # it could be looked up before; keep it as it is
            journal.mark_needs_review(ref, _undecidable_reason(exc))
            self._card_lookups.pop(ref, None)
            return JournalState.NEEDS_REVIEW
        except PosError as exc:
            if state in (JournalState.SENT, JournalState.UNKNOWN):
                journal.mark_unknown(ref, f"look-up failed: {exc.details}")
                return JournalState.UNKNOWN
            return state
        if found is not None:
            self._card_lookups.pop(ref, None)
            if state in WATCHED:
                journal.mark_late(ref, found)
                return JournalState.LATE
            journal.mark_done(ref, found)
            return JournalState.DONE
        if never_sent:
            journal.mark_failed(ref, "never sent: posdesk stopped before sending it")
            return JournalState.FAILED
        if state in WATCHED:
            return state
        if self._grace_over(entry):
            journal.mark_not_found(
                ref,
                f"not on the server {self.grace_period:g} s after it was sent; "
                "still watched in case it goes through late",
            )
            return JournalState.NOT_FOUND
        journal.mark_unknown(
            ref, "not on the server yet: a slow server may still commit it (grace period)"
        )
        return JournalState.UNKNOWN

    async def _lookup(self, entry: JournalEntry) -> Mapping[str, Any] | None:
        """The server's record for a journal entry, as a wire dict, or None if absent."""
        request = entry.request
        if entry.kind == "giftcard_trans":
            env = await self._read(
                "giftcard_transactions",
                {
                    "giftcardId": request.get("giftcard_id"),
                    "refNo": request["ref_no"],
                    "sourceId": None,
                    "skip": 0,
                    "first": 10,
                },
            )
            rows = _rows(env, "GiftcardTrans")
            matching = [r for r in rows if r.get("refNo") == request["ref_no"]]
            if not matching:
                return None
            if len(matching) > 1:
                raise FusionError(details=f"{len(matching)} transactions share refNo")
            return dict(matching[0])
        if entry.kind in ("giftcard_capture", "giftcard_cancel"):
            wanted = (
                GiftCardTransStatus.COMPLETED
                if entry.kind == "giftcard_capture"
                else GiftCardTransStatus.CANCELLED
            )
            row = await self._find_transaction(request)
            if row is None or row.get("status") != wanted.value:
                return None
            return row
        if entry.kind == "purchase_add":
            env = await self._read(
                "purchase_lookup",
                {"transactionId": entry.reference, "skip": 0, "first": 10},
            )
            rows = _rows(env, "Purchase")
            return dict(rows[0]) if rows else None
        if entry.kind == "giftcard_add":
            look_up = self._card_lookups.get(entry.reference)
            if look_up is None:  # the journal keeps no unmasked code to look the card up by
                raise _UndecidableError("the new card's code is not kept: check the POS admin")
            card = await look_up()
            return None if card is None else {"id": card.id}
        if entry.kind == "giftcard_edit":
            card = await self.giftcard_by_id(str(request.get("giftcard_id")))
            if card is None:
                raise _UndecidableError(f"gift card {request.get('giftcard_id')} is not visible")
            return {"id": card.id} if _edit_applied(card, request.get("expect")) else None
        raise FeatureUnavailable(f"reconciliation of {entry.kind}")

    async def _find_transaction(self, request: Mapping[str, Any]) -> dict[str, Any] | None:
        trans_id = str(request["transaction_id"])
        variables: dict[str, Any] = {
            "giftcardId": request.get("giftcard_id"),
            "refNo": request.get("ref_no"),
            "sourceId": None,
        }
        if not variables["giftcardId"] and not variables["refNo"]:
            raise FeatureUnavailable("look-up of a transaction without card or reference")
        skip = 0
        while True:
            env = await self._read(
                "giftcard_transactions", {**variables, "skip": skip, "first": 100}
            )
            rows = _rows(env, "GiftcardTrans")
            for row in rows:
                if str(row.get("id")) == trans_id:
                    return dict(row)
            if not env or env.get("hasMoreResults") is not True or not rows:
                return None
            skip += len(rows)


#: Schema check results by ``schema_key``: reconnecting to a server whose schema was already
#: checked (every reconnect, every sandbox run) skips building and validating again.
_SCHEMA_CACHE: dict[str, tuple[FeatureReport, dict[str, Operation]]] = {}
_SCHEMAS: dict[str, GraphQLSchema] = {}


_WHAT = {
    "giftcard_add": "new gift card",
    "giftcard_edit": "gift card change",
    "terminal_start": "terminal payment",
    "terminal_continue": "terminal payment",
    "terminal_capture": "terminal capture",
    "terminal_cancel": "terminal cancel",
}

_SYNC: dict[str, tuple[str, Callable[[mapping.Row], Any]]] = {
    "customer": ("customer_sync", mapping.customer),
    "sale": ("sale_sync", mapping.sale),
    "item": ("item_sync", mapping.item),
    "item_warehouse": ("item_warehouse_sync", mapping.warehouse_stock),
    "serial_lot": ("serial_lot_sync", mapping.serial_lot),
}


#: Bodies / pages above these sizes are parsed and mapped on a worker thread: a 1000-sale
#: sync page costs ~45 ms of CPU, too long to stall the UI's event loop.
BIG_BODY = 256 * 1024

#: Body cap of a page of ``first`` rows: a floor plus a generous allowance per row (a sale
#: with lines and tenders is a few kB).
PAGE_BODY_FLOOR = 2 * 1024 * 1024
PAGE_ROW_BYTES = 64 * 1024
BIG_PAGE = 200


async def _to_page(
    envelope: mapping.Row | None, convert: Callable[[mapping.Row], T], first: int | None = None
) -> Page[T]:
    """A page envelope → ``Page``; more rows than ``first`` asked for is refused."""
    results = envelope.get("results") if isinstance(envelope, dict) else None
    if isinstance(results, list) and len(results) > BIG_PAGE:
        return await asyncio.to_thread(mapping.page, envelope, convert, first)
    return mapping.page(envelope, convert, first)


def _rows(envelope: Any, what: str) -> list[Mapping[str, Any]]:
    """The raw result rows of a look-up page (reconciliation keeps the wire dicts): a page
    that is not an object with a list of objects is an invalid answer, never a crash."""
    if envelope is None:
        return []
    results = envelope.get("results") if isinstance(envelope, dict) else ()
    if results is None:
        return []
    if not isinstance(results, list) or not all(r is None or isinstance(r, dict) for r in results):
        raise InvalidResponseError(details=f"{what}: results is not a list of objects")
    return [r for r in results if r]


def _decode(response: RawResponse, what: str) -> Any:
    """HTTP response → GraphQL ``data``, or the mapped exception. Never a raw exception:
    whatever the body holds, the answer is data, a PosError for its errors, or
    InvalidResponseError."""
    status = response.status_code
    if status == 401:  # whatever the body says (a proxy's HTML page, nothing, JSON)
        raise NotAuthenticated(details=f"{what}: HTTP 401")
    if status in TRANSIENT_STATUS:
        raise HttpStatusError(status, details=f"{what}: HTTP {status}")
    content = response.content
    body: Any = None
    if content.lstrip()[:1] == b"{":
        try:
            body = load_json(content, what)
        except InvalidResponseError:
            if status == 200:
                raise
            body = None
    if not isinstance(body, dict):
        kind = "an HTML page" if b"<html" in content[:512].lower() else "not JSON"
        if status != 200:
            raise HttpStatusError(status, details=f"{what}: HTTP {status}, {kind}")
        raise InvalidResponseError(details=f"{what}: HTTP 200 but {kind}")
    errors = body.get("errors")
    if errors:
        if not isinstance(errors, list):
            raise InvalidResponseError(details=f"{what}: malformed errors")
        mapped = [from_graphql_error(e) for e in errors if isinstance(e, dict)]
        for err in mapped:
            if isinstance(err, NotAuthenticated):
                raise err
        if mapped:
            raise mapped[0]
        raise InvalidResponseError(details=f"{what}: malformed errors")
    if status != 200:
        raise HttpStatusError(status, details=f"{what}: HTTP {status}")
    data = body.get("data")
    if not isinstance(data, dict):
        raise InvalidResponseError(details=f"{what}: response without data")
    return data


def _root(data: Mapping[str, Any], op: Operation) -> Any:
    """The operation's root field: an object or null. A string, number or list where an
    object belongs (``"ok"``, ``5``, ``[["id", "9"]]``) is refused here, at the edge."""
    if not op.root_field:
        return data  # several aliased root fields: the caller picks them out
    if op.root_field not in data:
        raise InvalidResponseError(details=f"{op.name}: data lacks {op.root_field}")
    value = data[op.root_field]
    if value is not None and not isinstance(value, dict):
        raise InvalidResponseError(
            details=f"{op.name}: {op.root_field} is a {type(value).__name__}, not an object"
        )
    return value


def _terminal(result: Any, field: str) -> Mapping[str, Any]:
    """The terminal answer under ``field``, checked at the edge: it must map to exactly one
    outcome (a ``payment`` of ``"x"`` is refused here, before anything is journaled)."""
    if not isinstance(result, dict) or not isinstance(result.get(field), dict):
        raise InvalidResponseError(details=f"terminalPayment.{field}: no result")
    inner: Mapping[str, Any] = result[field]
    mapping.terminal_outcome(inner)
    return inner


def _continuation_id(result: Mapping[str, Any] | None) -> str | None:
    """The continuation a journaled terminal entry waits on (its last answer), if any."""
    continuation = (result or {}).get("continuation")
    if isinstance(continuation, dict) and continuation.get("id"):
        return str(continuation["id"])
    return None


def _card_id_only(result: Mapping[str, Any]) -> Mapping[str, Any]:
    """What the journal keeps of a card creation / change: its id, never its codes."""
    return {"id": result.get("id")}


def _undecidable_reason(exc: Exception) -> str:
    if isinstance(exc, FeatureUnavailable):
        return f"look-up unavailable on this server: {exc.feature}"
    if isinstance(exc, NotAuthorized):
        return f"this role may not look the outcome up (needs {exc.permission or '?'})"
    return f"the server's record cannot settle it: {exc}"


def _last4(code: str | None) -> str:
    return (code or "")[-4:]


def _edit_expectations(before: GiftCard | None, card: Mapping[str, Any]) -> dict[str, str]:
    """What the card must show once the edit ``card`` went through (last four characters of
    codes only), leaving out what it already showed before. Values: ``absent``,
    ``present``, ``not:<last4>`` (a replaced code), ``<last4>``, ``ambiguous`` (the new code
    ends like the old one), or the member id under ``member_id``."""
    codes = {c.code_type.value: c.code for c in before.codes} if before else None
    expect: dict[str, str] = {}
    for kind, new_key, revoke_key in (
        ("PHYSICAL", "physicalCode", "revokePhysicalCode"),
        ("EXTERNAL", "externalCode", "revokeExternalCode"),
    ):
        if card.get(new_key):
            new = _last4(card[new_key])
            same = codes is not None and kind in codes and _last4(codes[kind]) == new
            expect[kind] = "ambiguous" if same else new
        elif card.get(revoke_key) and (codes is None or kind in codes):
            expect[kind] = "absent"
    if card.get("addPersonalCode"):
        old = codes.get("PERSONAL") if codes is not None else None
        expect["PERSONAL"] = f"not:{_last4(old)}" if old else "present"
    elif card.get("revokePersonalCode") and (codes is None or "PERSONAL" in codes):
        expect["PERSONAL"] = "absent"
    member = card.get("memberId")
    if member and (before is None or before.member_id != member):
        expect["member_id"] = str(member)
    return expect


def _edit_applied(card: GiftCard, expect: Any) -> bool:
    """Whether ``card`` shows the journaled edit (True), shows none of it (False); raises
    ``_UndecidableError`` when it cannot tell (no expectations, ambiguous or partial)."""
    if not isinstance(expect, dict) or not expect:
        raise _UndecidableError("the change leaves nothing to compare the card with")
    codes = {c.code_type.value: c.code for c in card.codes}
    seen: list[bool] = []
    for key, want in expect.items():
        if want == "ambiguous":
            raise _UndecidableError(f"the new {key.lower()} code ends like the old one")
        if key == "member_id":
            seen.append(card.member_id == want)
        elif want == "absent":
            seen.append(key not in codes)
        elif want == "present":
            seen.append(key in codes)
        elif want.startswith("not:"):
            seen.append(key in codes and _last4(codes[key]) != want[4:])
        else:
            seen.append(key in codes and _last4(codes[key]) == want)
    if all(seen):
        return True
    if not any(seen):
        return False
    raise _UndecidableError("the card shows only part of the change")


def _one(page: Page[T], what: str) -> T:
    if not page.items:
        raise NotFound(f"{what[0].upper()}{what[1:]} was not found.", details=what)
    return page.items[0]


def _check_sign(trans_type: GiftCardTransType, amount: Decimal) -> None:
    """Documented sign rules: ADD positive only, USE negative only, others non-zero."""
    if amount == 0:
        raise ValidationError("amount", user_message="The amount must not be zero.")
    if trans_type is GiftCardTransType.ADD and amount < 0:
        raise ValidationError("amount", user_message="An ADD amount must be positive.")
    if trans_type is GiftCardTransType.USE and amount > 0:
        raise ValidationError("amount", user_message="A USE amount must be negative.")


def _purchase_input(draft: PurchaseDraft) -> dict[str, Any]:
    add: dict[str, Any] = {
        "transactionId": draft.transaction_id,
        "storeCode": draft.store_code,
        "purchasedOn": wire_datetime(draft.purchased_on),
        "payAmount": wire_decimal(draft.pay_amount),
        "saleDiscountAmount": wire_decimal(draft.sale_discount_amount),
        "itemDiscountAmount": wire_decimal(draft.item_discount_amount),
        "subTotal": wire_decimal(draft.sub_total),
        "refundAmount": wire_decimal(draft.refund_amount),
        "taxAmount": wire_decimal(draft.tax_amount),
        "lineItems": [
            {
                "lineNumber": line.line_number,
                "sku": line.sku,
                "isRefund": line.is_refund,
                "unitPrice": wire_decimal(line.unit_price),
                "extPrice": wire_decimal(line.ext_price),
                "itemDiscountAmount": wire_decimal(line.item_discount_amount),
                "saleDiscountAmount": wire_decimal(line.sale_discount_amount),
                "quantity": wire_decimal(line.quantity),
                "uom": line.uom,
            }
            for line in draft.lines
        ],
    }
    optional = {
        "channel": draft.channel,
        "orderType": draft.order_type,
        "payMethod": draft.pay_method,
        "memberId": draft.member_id,
        "customerId": draft.customer_id,
        "email": draft.email,
    }
    add.update({k: v for k, v in optional.items() if v is not None})
    return add
