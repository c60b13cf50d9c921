"""Who is calling the sandbox and what they may do: permissions, roles and demo principals.

Permission names are the documented API permissions (REFERENCE.md §4.2) plus two sandbox
extensions for admin-console features the documented schema lacks. Roles follow §4.1; the demo
clients and users are fixed and documented in the README so integrators can try every
permission combination without an admin console.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

# --- Permissions (REFERENCE.md §4.2) -------------------------------------------------------
VIEW_SALES = "ViewSales"
VIEW_INVENTORY = "ViewInventory"
VIEW_CUSTOMERS = "ViewCustomers"
FIND_GIFT_CARD_BY_CODE = "FindGiftCardByCode"
USE_PHYSICAL_GIFT_CARD_CODES = "UsePhysicalGiftCardCodes"
USE_EXTERNAL_GIFT_CARD_CODES = "UseExternalGiftCardCodes"
LIST_GIFT_CARDS = "ListGiftCards"
VIEW_UNMASKED_GIFT_CARD_CODES = "ViewUnmaskedGiftCardCodes"
USE_CRYPTO_GIFT_CARD_CODES = "UseCryptoGiftCardCodes"
USE_SHORT_PERSONAL_GIFT_CARD_CODES = "UseShortPersonalGiftCardCodes"  # reserved for future use
CREATE_GIFT_CARD = "CreateGiftCard"
EDIT_GIFT_CARD = "EditGiftCard"
GIFT_CARD_TRANS_ADD = "GiftCardTransAdd"
GIFT_CARD_TRANS_ADJUST = "GiftCardTransAdjust"
GIFT_CARD_TRANS_EXTERNAL = "GiftCardTransExternal"
GIFT_CARD_TRANS_IMPORT = "GiftCardTransImport"
GIFT_CARD_TRANS_USE = "GiftCardTransUse"
ADD_PURCHASE = "AddPurchase"
MAKE_SALE_TERMINAL_PAYMENT = "MakeSaleTerminalPayment"
MAKE_REFUND_TERMINAL_PAYMENT = "MakeRefundTerminalPayment"

DOCUMENTED_PERMISSIONS: frozenset[str] = frozenset(
    {
        VIEW_SALES,
        VIEW_INVENTORY,
        VIEW_CUSTOMERS,
        FIND_GIFT_CARD_BY_CODE,
        USE_PHYSICAL_GIFT_CARD_CODES,
        USE_EXTERNAL_GIFT_CARD_CODES,
        LIST_GIFT_CARDS,
        VIEW_UNMASKED_GIFT_CARD_CODES,
        USE_CRYPTO_GIFT_CARD_CODES,
        USE_SHORT_PERSONAL_GIFT_CARD_CODES,
        CREATE_GIFT_CARD,
        EDIT_GIFT_CARD,
        GIFT_CARD_TRANS_ADD,
        GIFT_CARD_TRANS_ADJUST,
        GIFT_CARD_TRANS_EXTERNAL,
        GIFT_CARD_TRANS_IMPORT,
        GIFT_CARD_TRANS_USE,
        ADD_PURCHASE,
        MAKE_SALE_TERMINAL_PAYMENT,
        MAKE_REFUND_TERMINAL_PAYMENT,
    }
)

# Sandbox extensions: the admin pages name these only by UI label ("List gift card
# transactions", "View purchases"); they guard the inferred giftcardTrans / purchase queries.
LIST_GIFT_CARD_TRANS = "ListGiftCardTrans"
VIEW_PURCHASES = "ViewPurchases"
SANDBOX_PERMISSIONS: frozenset[str] = frozenset({LIST_GIFT_CARD_TRANS, VIEW_PURCHASES})

ALL_PERMISSIONS: frozenset[str] = DOCUMENTED_PERMISSIONS | SANDBOX_PERMISSIONS

# Permissions the docs reserve for high-trust clients: no built-in role below Administrator has
# them; only the custom "Gift Card Administrator" role does.
HIGH_TRUST_PERMISSIONS: frozenset[str] = frozenset(
    {EDIT_GIFT_CARD, VIEW_UNMASKED_GIFT_CARD_CODES, LIST_GIFT_CARDS}
)

# --- Roles (REFERENCE.md §4.1, plus custom roles as §4.1 recommends for integrations) ------
_MANAGER = frozenset(
    {
        VIEW_SALES,
        VIEW_INVENTORY,
        VIEW_CUSTOMERS,
        FIND_GIFT_CARD_BY_CODE,
        USE_PHYSICAL_GIFT_CARD_CODES,
        USE_EXTERNAL_GIFT_CARD_CODES,
        USE_CRYPTO_GIFT_CARD_CODES,
        CREATE_GIFT_CARD,
        GIFT_CARD_TRANS_ADD,
        GIFT_CARD_TRANS_ADJUST,
        GIFT_CARD_TRANS_USE,
        ADD_PURCHASE,
        MAKE_SALE_TERMINAL_PAYMENT,
        MAKE_REFUND_TERMINAL_PAYMENT,
        LIST_GIFT_CARD_TRANS,
        VIEW_PURCHASES,
    }
)

ROLES: dict[str, frozenset[str]] = {
    # Vendor staff only: never given to a demo principal.
    "Administrator": ALL_PERMISSIONS,
    # Everything except configuration; the high-trust gift card permissions are not granted
    # by default, nor the reserved short personal codes.
    "Owner": ALL_PERMISSIONS - HIGH_TRUST_PERMISSIONS - {USE_SHORT_PERSONAL_GIFT_CARD_CODES},
    "Manager": _MANAGER,
    "Service Clerk": frozenset(
        {
            VIEW_SALES,
            VIEW_CUSTOMERS,
            FIND_GIFT_CARD_BY_CODE,
            USE_PHYSICAL_GIFT_CARD_CODES,
            USE_CRYPTO_GIFT_CARD_CODES,
            CREATE_GIFT_CARD,
            GIFT_CARD_TRANS_ADD,
            GIFT_CARD_TRANS_USE,
            LIST_GIFT_CARD_TRANS,
        }
    ),
    "Salesperson": frozenset(
        {
            VIEW_INVENTORY,
            VIEW_CUSTOMERS,
            FIND_GIFT_CARD_BY_CODE,
            USE_PHYSICAL_GIFT_CARD_CODES,
            GIFT_CARD_TRANS_ADD,
            GIFT_CARD_TRANS_USE,
            ADD_PURCHASE,
            MAKE_SALE_TERMINAL_PAYMENT,
        }
    ),
    "Fulfillment Clerk": frozenset({VIEW_SALES, VIEW_INVENTORY}),
    # May open the GraphiQL console; grants no API permission by itself.
    "GraphQL User": frozenset(),
    "Authenticated": frozenset(),
    "Anonymous": frozenset(),
    # Custom roles.
    "Integration": frozenset(
        {
            VIEW_SALES,
            VIEW_INVENTORY,
            VIEW_CUSTOMERS,
            FIND_GIFT_CARD_BY_CODE,
            USE_EXTERNAL_GIFT_CARD_CODES,
            GIFT_CARD_TRANS_EXTERNAL,
            GIFT_CARD_TRANS_IMPORT,
            ADD_PURCHASE,
            VIEW_PURCHASES,
        }
    ),
    "Reporting": frozenset({VIEW_SALES, VIEW_INVENTORY}),
    "Gift Card Administrator": HIGH_TRUST_PERMISSIONS
    | {
        FIND_GIFT_CARD_BY_CODE,
        USE_PHYSICAL_GIFT_CARD_CODES,
        USE_EXTERNAL_GIFT_CARD_CODES,
        USE_CRYPTO_GIFT_CARD_CODES,
        LIST_GIFT_CARD_TRANS,
    },
}


def permissions_for(roles: tuple[str, ...] | list[str]) -> frozenset[str]:
    """Effective permissions: the union over all roles (unknown role names grant nothing)."""
    granted: set[str] = set()
    for role in roles:
        granted |= ROLES.get(role, frozenset())
    return frozenset(granted)


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a confidential client or a signed-in user, with its roles."""

    subject: str
    client_id: str
    name: str
    roles: tuple[str, ...] = ()
    permissions: frozenset[str] = field(default_factory=frozenset)
    location_code: str | None = None  # a store-bound user sees its own store only

    def can(self, permission: str) -> bool:
        return permission in self.permissions


# --- Demo principals -----------------------------------------------------------------------
# The store a store-bound demo principal belongs to (the seed creates this location).
DEMO_STORE_LOCATION = "BROOKLYN"

DESKTOP_CLIENT_ID = "posdesk-desktop"
"""The public client for the desktop app: authorization code + PKCE, no secret."""


@dataclass(frozen=True, slots=True)
class _DemoPrincipal:
    """What demo clients and users share: an id, a credential, a name, roles, maybe a store."""

    ident: str
    # Never in repr: authlib logs client/user objects at DEBUG, and the log must not see it.
    credential: str = field(repr=False)
    name: str
    roles: tuple[str, ...]
    location_code: str | None = None

    def check_credential(self, offered: str) -> bool:
        return hmac.compare_digest(self.credential.encode(), offered.encode())

    def _principal(self, client_id: str) -> Principal:
        return Principal(
            subject=self.ident,
            client_id=client_id,
            name=self.name,
            roles=self.roles,
            permissions=permissions_for(self.roles),
            location_code=self.location_code,
        )


@dataclass(frozen=True, slots=True)
class DemoClient(_DemoPrincipal):
    """A confidential OIDC application using the client credentials flow."""

    @property
    def client_id(self) -> str:
        return self.ident

    @property
    def secret(self) -> str:
        return self.credential

    def check_secret(self, secret: str) -> bool:
        return self.check_credential(secret)

    def principal(self) -> Principal:
        return self._principal(self.ident)


@dataclass(frozen=True, slots=True)
class DemoUser(_DemoPrincipal):
    """An interactive admin-console user who signs in through the desktop client."""

    @property
    def username(self) -> str:
        return self.ident

    @property
    def password(self) -> str:
        return self.credential

    def check_password(self, password: str) -> bool:
        return self.check_credential(password)

    def principal(self, client_id: str = DESKTOP_CLIENT_ID) -> Principal:
        return self._principal(client_id)


def _client(
    client_id: str, name: str, roles: tuple[str, ...], location: str | None = None
) -> DemoClient:
    return DemoClient(client_id, f"{client_id}-secret", name, roles, location)


DEMO_CLIENTS: dict[str, DemoClient] = {
    c.client_id: c
    for c in (
        _client(
            "posdesk-demo",
            "posdesk demo (owner, all permissions)",
            ("Owner", "Gift Card Administrator", "GraphQL User"),
        ),
        _client("demo-owner", "Demo owner", ("Owner",)),
        _client("demo-manager", "Demo store manager", ("Manager",), DEMO_STORE_LOCATION),
        _client("demo-clerk", "Demo service clerk", ("Service Clerk",)),
        _client("demo-sales", "Demo salesperson", ("Salesperson",)),
        _client("demo-fulfillment", "Demo fulfillment clerk", ("Fulfillment Clerk",)),
        _client("demo-integration", "Demo ERP integration", ("Integration",)),
        _client("demo-reporting", "Demo reporting (no customers)", ("Reporting",)),
        _client(
            "demo-giftcard-admin", "Demo gift card administrator", ("Gift Card Administrator",)
        ),
        _client("demo-noperms", "Demo without API permissions", ("GraphQL User",)),
    )
}

DEMO_USERS: dict[str, DemoUser] = {
    u.username: u
    for u in (
        DemoUser("owner", "owner-pass", "Olivia Owner", ("Owner", "Gift Card Administrator")),
        DemoUser("manager", "manager-pass", "Max Manager", ("Manager",), DEMO_STORE_LOCATION),
        DemoUser("clerk", "clerk-pass", "Clara Clerk", ("Service Clerk",), DEMO_STORE_LOCATION),
        DemoUser("sales", "sales-pass", "Sam Sales", ("Salesperson",), DEMO_STORE_LOCATION),
        DemoUser("fulfillment", "fulfillment-pass", "Finn Fulfillment", ("Fulfillment Clerk",)),
        DemoUser("noperms", "noperms-pass", "Nora Noperms", ("GraphQL User",)),
    )
}

DEFAULT_CLIENT_ID = "posdesk-demo"
"""The confidential client the CLI and ``SandboxServer.start()`` report."""
