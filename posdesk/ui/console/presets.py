"""Saved queries a new profile starts with: the documented common tasks.

The texts follow the POS documentation's examples (``shared/pos-api/examples``), with the
documented example values turned into variables so that a manager only fills them in.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SavedQuery:
    """A named query with its variables (JSON text), kept per profile."""

    name: str
    query: str
    variables: str = ""


PRESETS: tuple[SavedQuery, ...] = (
    SavedQuery(
        "Get Environment Info",
        "query EnvironmentInfo {\n  environment {\n    name\n    tenantType\n    version\n  }\n}\n",
    ),
    SavedQuery(
        "Get Customer (list)",
        "query CustomerList($first: Int, $skip: Int) {\n"
        "  customer(first: $first, skip: $skip) {\n"
        "    hasMoreResults\n    limitedByPermission\n"
        "    results {\n      id\n      memberId\n      status\n      fullName\n"
        "      email\n      phone {\n        raw\n      }\n    }\n  }\n}\n",
        '{"first": 50, "skip": 0}',
    ),
    SavedQuery(
        "Get Customer by Member ID",
        "query CustomerByMemberId($memberId: String) {\n"
        "  customer(memberId: $memberId) {\n"
        "    results {\n      id\n      memberId\n      status\n      fullName\n    }\n  }\n}\n",
        '{"memberId": ""}',
    ),
    SavedQuery(
        "Get Inventory by Warehouse",
        "query InventoryForWarehouse($warehouseCode: String) {\n"
        "  item(warehouseCode: $warehouseCode, skip: 0, first: 100) {\n"
        "    hasMoreResults\n"
        "    results {\n      sku\n      name\n      saleUom\n"
        "      warehouses {\n        warehouseCode\n        quantityAvailable\n"
        "        basePrice\n      }\n    }\n  }\n}\n",
        '{"warehouseCode": "WEST"}',
    ),
    SavedQuery(
        "Get Sale History by Date Range",
        "query SalesByDate($fromDate: Date, $toDate: Date) {\n"
        "  sale(fromDate: $fromDate, toDate: $toDate, first: 100) {\n"
        "    hasMoreResults\n"
        "    results {\n      id\n      registerCode\n      tranNo\n      customerId\n"
        "      saleDate\n    }\n  }\n}\n",
        '{"fromDate": "2024-03-01", "toDate": "2024-04-01"}',
    ),
    SavedQuery(
        "Get Gift Card by Code",
        "query GiftCardByCode($code: String, $codeType: GiftcardCodeType) {\n"
        "  giftcard(code: $code, codeType: $codeType) {\n"
        "    limitedByPermission\n"
        "    results {\n      id\n      memberId\n      balance\n"
        "      codes {\n        codeType\n        code\n        expiresOn\n        isMasked\n"
        "      }\n    }\n  }\n}\n",
        '{"code": "", "codeType": "PHYSICAL"}',
    ),
)
