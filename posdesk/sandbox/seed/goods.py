"""Seed phases for items (barcodes, search tokens), stock per warehouse with serial/lot
numbers, and the product catalogue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from posdesk.sandbox.seed.base import SeedState
from posdesk.sandbox.seed.helpers import (
    ean_13,
    name_tokens,
    upc_a,
)
from posdesk.sandbox.seed.reference import (
    ADJECTIVES,
    BANNERS,
    BRANDS,
    CATALOGUE_OF_CATEGORY,
    CATEGORIES,
    FIXTURES,
    NOTICES,
    PRODUCT_GROUPS,
    SECTIONS,
    SORT_OPTIONS,
    WAREHOUSES,
)

_ItemRow = tuple[str, str, str, str, str, str, str, int, tuple[str, ...]]
"""sku, name, long name, sale uom, stock uom, tracking, category, price, barcodes"""


def _fixture_items() -> list[_ItemRow]:
    """The hand-made items of :data:`FIXTURES` (no random draws)."""
    f = FIXTURES
    return [
        # sku, name, long name, sale uom, stock uom, tracking, category, price, barcodes
        (
            f.plain_sku,
            "Peppermint Mints",
            "Acme Peppermint Mints 1.76 oz Tin",
            "EA",
            "CS",
            "NONE",
            "Snacks",
            349,
            (f.plain_upc,),
        ),
        (
            f.ean_sku,
            "Spearmint Gum",
            "Northwind Spearmint Gum 15 ct",
            "EA",
            "CS",
            "NONE",
            "Snacks",
            299,
            (f.ean_barcode,),
        ),
        (
            f.out_of_stock_sku,
            "AA Batteries 4-pack",
            "Contoso Alkaline AA Batteries 4-pack",
            "EA",
            "EA",
            "NONE",
            "Electronics",
            699,
            (upc_a("07296800001"),),
        ),
        (
            f.serial_sku,
            "Tablet Pro 11",
            "Fabrikam Tablet Pro 11-inch 128 GB",
            "EA",
            "EA",
            "SERIAL",
            "Electronics",
            49999,
            (upc_a("07296800002"),),
        ),
        (
            f.lot_sku,
            "Vitamin C 500 mg",
            "Litware Vitamin C 500 mg, 100 tablets",
            "BTL",
            "CS",
            "LOT",
            "Health",
            1299,
            (ean_13("400638100003"),),
        ),
    ]


class GoodsRows(SeedState):
    """The goods phases of the seeder (one deterministic random sequence)."""

    # --- items ----------------------------------------------------------------------------
    def item_rows(self) -> None:
        rng = self.rng
        fixed = _fixture_items()
        fixed_skus = {r[0] for r in fixed}
        rows = list(fixed)
        counters: dict[str, int] = {}
        n = max(self.p.items - len(fixed), 0)
        for k in range(n):
            cat, prefix, tracking, uoms, (lo, hi), nouns = rng.choice(CATEGORIES)
            counters[prefix] = counters.get(prefix, 0) + 1 + rng.randrange(0, 3)
            sku = f"{prefix}-{counters[prefix]:05d}"
            if sku in fixed_skus:
                continue
            noun, adj, brand = rng.choice(nouns), rng.choice(ADJECTIVES), rng.choice(BRANDS)
            size = rng.choice(("", " 12 oz", " 2-pack", " Large", " 500 ml", " 1 lb", " XL"))
            sale_uom = rng.choice(uoms)
            stock_uom = sale_uom if rng.random() < 0.8 else "CS"
            price = rng.randrange(lo, hi) // 10 * 10 + rng.choice((9, 9, 9, 5, 0))
            barcodes: tuple[str, ...] = ()
            roll = rng.random()
            num = f"{k + 10:05d}"
            if roll < 0.6:
                barcodes = (upc_a(f"0{rng.randrange(10000, 99999)}{num}"),)
            elif roll < 0.85:
                barcodes = (ean_13(f"40{rng.randrange(10000, 99999)}{num}"),)
            elif roll < 0.95:
                barcodes = (
                    upc_a(f"0{rng.randrange(10000, 99999)}{num}"),
                    ean_13(f"50{rng.randrange(10000, 99999)}{num}"),
                )
            rows.append(
                (
                    sku,
                    f"{adj} {noun}",
                    f"{brand} {adj} {noun}{size}",
                    sale_uom,
                    stock_uom,
                    tracking,
                    cat,
                    price,
                    barcodes,
                )
            )
        rows.sort(key=lambda r: r[0])  # rid order == sku order (the list order)
        items: list[tuple[Any, ...]] = []
        tokens: list[tuple[str, int]] = []
        codes: list[tuple[str, str]] = []
        seen_codes: set[str] = set()
        for rid, (sku, name, long_name, su, stu, tr, cat, price, bcs) in enumerate(rows, 1):
            bcs = tuple(b for b in bcs if b not in seen_codes)
            seen_codes.update(bcs)
            modified = (self.start + rng.randrange(0, 700 * 86400)) * 1_000_000 + rid
            items.append((rid, sku, name, long_name, su, stu, tr, cat, " ".join(bcs), modified))
            tokens.extend((t, rid) for t in name_tokens(name, long_name) | {sku.lower()})
            codes.extend((b, sku) for b in bcs)
            self.items.append((sku, name, price, tr))
        tokens.sort()
        codes.sort()
        self.insert("item", items)
        self.insert("item_token", tokens)
        self.insert("item_barcode", codes)

    def stock_rows(self) -> None:
        rng, f = self.rng, FIXTURES
        rows, serials = [], []
        rid = sid = 0
        day = 86400
        for sku, _name, price, tracking in self.items:
            for wh in WAREHOUSES:
                rid += 1
                reorder = rng.choice((0, 5, 10, 20, 50)) if wh != "WEST" else 100
                roll = rng.random()
                if roll < 0.07:
                    qty = 0
                elif roll < 0.17:
                    qty = rng.randrange(1, max(reorder, 1) + 1)
                else:
                    qty = rng.randrange(reorder + 1, reorder * 4 + 60)
                if sku == f.low_stock_sku and wh == f.low_stock_warehouse:
                    qty, reorder = 3, 10
                elif sku == f.out_of_stock_sku and wh == f.out_of_stock_warehouse:
                    qty = 0
                elif sku in (f.plain_sku, f.ean_sku) and qty <= reorder:
                    qty = reorder + 40
                on_hand = qty + (rng.randrange(0, 3) if qty else 0)
                wh_price = price if wh != "PORTLAND" or rng.random() < 0.9 else price + 50
                bin_ = f"{rng.choice('ABCDEFGH')}-{rng.randrange(1, 40):02d}-{rng.randrange(1, 6)}"
                modified = (self.start + rng.randrange(0, 720 * day)) * 1_000_000 + rid
                rows.append((rid, sku, wh, wh_price, qty, on_hand, reorder, bin_, modified))
                if tracking == "NONE":
                    continue
                if sku == f.serial_sku and wh == f.serial_warehouse:
                    numbers = list(f.serial_numbers)
                elif sku == f.lot_sku and wh == f.lot_warehouse:
                    numbers = list(f.lot_numbers)
                else:
                    count = min(qty, 3 if tracking == "SERIAL" else 2)
                    stem = sku.replace("-", "")
                    numbers = [
                        f"SN-{stem}-{wh[:3]}{k:03d}"
                        if tracking == "SERIAL"
                        else f"L{2024 + k % 2}-{rng.randrange(1000, 9999)}{wh[:1]}"
                        for k in range(count)
                    ]
                for k, number in enumerate(numbers):
                    sid += 1
                    received = self.start + rng.randrange(0, 700 * day)
                    received_on = datetime.fromtimestamp(received, UTC).date()
                    if tracking == "SERIAL":
                        lot_qty, expires = 1, None
                    else:
                        lot_qty = max(qty // max(len(numbers), 1), 1) if k == 0 else 1
                        expires = received_on + timedelta(days=365 + rng.randrange(0, 400))
                    rows_mod = received * 1_000_000 + sid
                    serials.append(
                        (
                            sid,
                            sku,
                            wh,
                            number,
                            tracking,
                            lot_qty,
                            expires.isoformat() if expires else None,
                            received_on.isoformat(),
                            rows_mod,
                        )
                    )
        self.insert("item_warehouse", rows)
        self.insert("serial_lot", serials)

    # --- product catalogue ----------------------------------------------------------------
    def catalogue_rows(self) -> None:
        rng = self.rng
        self.insert("product_banner", BANNERS)
        self.insert("product_section", SECTIONS)
        self.insert("product_group", [g[:4] for g in PRODUCT_GROUPS])
        self.insert("product_group_section", [(g[0], s) for g in PRODUCT_GROUPS for s in g[4]])
        self.insert("product_notice", NOTICES)
        self.insert("product_sort_option", SORT_OPTIONS)
        cats = dict(self.conn.execute("SELECT sku, category FROM item").fetchall())
        products, members, notices = [], [], []
        for sku, name, price, _tr in self.items:
            if rng.random() >= self.p.product_share and sku not in (
                FIXTURES.plain_sku,
                FIXTURES.serial_sku,
            ):
                continue
            group, notice = CATALOGUE_OF_CATEGORY.get(cats[sku], ("GIFTS", None))
            long_name = f"{name} ({sku})"
            products.append(
                (sku, name, long_name, f"## {name}\n\nA customer favourite. SKU `{sku}`.", price)
            )
            members.append((sku, group, 0))
            if rng.random() < 0.15:
                members.append((sku, "SALE" if group != "SALE" else "GIFTS", 1))
            if notice:
                notices.append((sku, notice, 0))
            if rng.random() < 0.1:
                notices.append((sku, "LOCALPICKUP", 1))
        self.insert("product", products)
        self.insert("product_group_member", members)
        self.insert("product_notice_member", notices)
