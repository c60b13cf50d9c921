"""Roles, permissions and demo principals: the documented names, and who holds what."""

from __future__ import annotations

from posdesk.sandbox import security as sec

REFERENCE_4_2 = {
    "ViewSales", "ViewInventory", "ViewCustomers", "FindGiftCardByCode",
    "UsePhysicalGiftCardCodes", "UseExternalGiftCardCodes", "ListGiftCards",
    "ViewUnmaskedGiftCardCodes", "UseCryptoGiftCardCodes", "UseShortPersonalGiftCardCodes",
    "CreateGiftCard", "EditGiftCard", "GiftCardTransAdd", "GiftCardTransAdjust",
    "GiftCardTransExternal", "GiftCardTransImport", "GiftCardTransUse", "AddPurchase",
    "MakeSaleTerminalPayment", "MakeRefundTerminalPayment",
}  # fmt: skip


def test_permission_names_are_exactly_the_documented_ones_plus_two_extensions() -> None:
    assert sec.DOCUMENTED_PERMISSIONS == REFERENCE_4_2
    assert {"ListGiftCardTrans", "ViewPurchases"} == sec.SANDBOX_PERMISSIONS
    assert sec.ALL_PERMISSIONS == REFERENCE_4_2 | sec.SANDBOX_PERMISSIONS


def test_documented_roles_exist_and_grant_only_known_permissions() -> None:
    documented = {
        "Administrator", "Owner", "Manager", "Service Clerk", "Salesperson",
        "Fulfillment Clerk", "GraphQL User", "Authenticated", "Anonymous",
    }  # fmt: skip
    assert documented <= set(sec.ROLES)
    for permissions in sec.ROLES.values():
        assert permissions <= sec.ALL_PERMISSIONS
    assert sec.ROLES["GraphQL User"] == frozenset()
    assert sec.ROLES["Anonymous"] == frozenset()


def test_high_trust_permissions_only_in_high_trust_roles() -> None:
    holders = {
        role for role, permissions in sec.ROLES.items() if permissions & sec.HIGH_TRUST_PERMISSIONS
    }
    assert holders == {"Administrator", "Gift Card Administrator"}
    assert sec.EDIT_GIFT_CARD not in sec.ROLES["Owner"]  # "not granted by default"


def test_effective_permissions_are_the_union_of_roles() -> None:
    union = sec.permissions_for(("Fulfillment Clerk", "Service Clerk"))
    assert union == sec.ROLES["Fulfillment Clerk"] | sec.ROLES["Service Clerk"]
    assert sec.permissions_for(("No Such Role",)) == frozenset()


def test_demo_principals() -> None:
    demo = sec.DEMO_CLIENTS[sec.DEFAULT_CLIENT_ID].principal()
    assert demo.permissions == sec.ALL_PERMISSIONS - {sec.USE_SHORT_PERSONAL_GIFT_CARD_CODES}
    assert sec.DEMO_CLIENTS["demo-noperms"].principal().permissions == frozenset()
    assert not sec.DEMO_CLIENTS["demo-reporting"].principal().can(sec.VIEW_CUSTOMERS)
    manager = sec.DEMO_CLIENTS["demo-manager"].principal()
    assert manager.location_code == sec.DEMO_STORE_LOCATION
    for client in sec.DEMO_CLIENTS.values():
        assert set(client.roles) <= set(sec.ROLES)
        assert "Administrator" not in client.roles  # vendor staff only
        assert client.check_secret(client.secret)
        assert not client.check_secret(client.secret + "x")
    for user in sec.DEMO_USERS.values():
        assert set(user.roles) <= set(sec.ROLES)
        assert user.principal().client_id == sec.DESKTOP_CLIENT_ID
        assert user.check_password(user.password)
        assert not user.check_password("")
    assert sec.DESKTOP_CLIENT_ID not in sec.DEMO_CLIENTS
