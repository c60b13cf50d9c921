"""Who may call what: permission names per root field and operation kind, and the checks.

The names live in ``security.py`` (REFERENCE.md §4.2 + sandbox extensions); the GraphQL context
is a dict whose ``"principal"`` is a :class:`Principal` or ``None`` (→ ``NOT_AUTHENTICATED``).
"""

from __future__ import annotations

from graphql import GraphQLResolveInfo

from posdesk.sandbox import security as sec
from posdesk.sandbox.graphql_api.errors import not_authenticated, not_authorized
from posdesk.sandbox.security import Principal

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
