"""Seed phase for sales: generated sales over two years plus the fixture sales, each adding
up exactly in cents."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from posdesk.sandbox.seed.base import SeedState
from posdesk.sandbox.seed.helpers import (
    local_ts,
    round_div,
)
from posdesk.sandbox.seed.reference import (
    CARD_BRANDS,
    FIXTURES,
    STORES,
)

_Store = tuple[str, tuple[str, ...], int, ZoneInfo]
"""code, registers, tax rate (thousandths of a percent), time zone"""


def _fixture_sale(
    sale_id: str,
    reg: str,
    tran: str,
    when: int,
    lines: list[tuple[Any, ...]],
    tenders: list[tuple[Any, ...]],
    sale_disc: int = 0,
) -> tuple[Any, ...]:
    """One sale of the fixture customer at AUSTIN, its totals summed from lines and tenders."""
    f = FIXTURES
    sub = sum(ln[6] for ln in lines)
    disc = sum(ln[5] for ln in lines) + sale_disc
    tax = sum(ln[7] for ln in lines)
    total = sub - sale_disc + tax
    assert total == sum(t[2] for t in tenders), (sale_id, total)
    detail = json.dumps({"l": lines, "t": tenders, "sd": sale_disc}, separators=(",", ":"))
    return (
        int(sale_id),
        reg,
        tran,
        f.customer_with_sales_id,
        f.customer_with_sales_name,
        "AUSTIN",
        when,
        sum(ln[3] for ln in lines),
        sub,
        disc,
        tax,
        total,
        detail,
        when * 1_000_000,
    )


class SaleRows(SeedState):
    """The sales phases of the seeder (one deterministic random sequence)."""

    # --- sales ----------------------------------------------------------------------------
    def sale_rows(self) -> None:
        """Generated sales in two passes: when/where/who for all (sorted, so ids follow the
        date), then lines, discounts, tax and tenders of each."""
        rng, f = self.rng, FIXTURES
        stores = [(s.code, s.registers, s.tax_rate_mpct, ZoneInfo(s.time_zone)) for s in STORES]
        compact = self._sale_slots(stores, self._local_midnights(stores))
        random_ = rng.random
        items = self.items
        n_items = len(items)
        tran_counters: dict[str, int] = {}
        rows: list[tuple[Any, ...]] = []
        dumps = json.JSONEncoder(separators=(",", ":")).encode
        line_counts = [1] * 35 + [2] * 30 + [3] * 20 + [4] * 10 + [5] * 5
        cards = self.card_tenders or [(30001, "0117")]
        sale_id = f.first_generated_sale_id - 1
        for when, s, r, cust in compact:
            sale_id += 1
            code, regs, rate, _zone = stores[s]
            reg = regs[r]
            tran_counters[reg] = tran_counters.get(reg, 0) + 1
            is_return = random_() < 0.03
            sign = -1 if is_return else 1
            n_lines = line_counts[int(random_() * 100)]
            lines = []
            sub = disc = tax = count = 0
            for ln in range(1, n_lines + 1):
                sku, name, price, tracking = items[int(random_() * n_items)]
                qty = sign * (1 if random_() < 0.75 else 2 + int(random_() * 2))
                line_disc = sign * (price * abs(qty) // 10) if random_() < 0.1 else 0
                ext = qty * price - line_disc
                line_tax = round_div(ext * rate, 100000)
                serial = (
                    f"SN{sale_id}{ln}"
                    if tracking == "SERIAL"
                    else (
                        f"L{2024 + ln % 2}-{sale_id % 9000 + 1000}" if tracking == "LOT" else None
                    )
                )
                lines.append((ln, sku, name, qty, price, line_disc, ext, line_tax, serial))
                sub += ext
                disc += line_disc
                tax += line_tax
                count += qty
            sale_disc = 0
            if not is_return and random_() < 0.05 and sub > 1000:
                sale_disc = min((1 + int(random_() * 5)) * 100, sub // 2)
            total = sub - sale_disc + tax
            tenders = self._tenders(total, is_return, cards, sale_id)
            cust_id, cust_name = self.customers[cust] if cust >= 0 else (None, None)
            detail = dumps({"l": lines, "t": tenders, "sd": sale_disc})
            rows.append(
                (
                    sale_id,
                    reg,
                    f"{tran_counters[reg]:06d}",
                    cust_id,
                    cust_name,
                    code,
                    when,
                    count,
                    sub,
                    disc + sale_disc,
                    tax,
                    total,
                    detail,
                    (when + 60) * 1_000_000,
                )
            )
        self.insert("sale", self._fixture_sales())
        self.insert("sale", rows)

    def _local_midnights(self, stores: list[_Store]) -> list[list[int]]:
        """UTC epoch of local midnight for each store and day of the two years (offset taken
        at local noon, so correct for opening hours even on DST change days)."""
        days = 730
        midnights: list[list[int]] = []
        for _code, _regs, _rate, zone in stores:
            row = []
            for d in range(days):
                noon_utc = datetime.fromtimestamp(self.start + d * 86400 + 43200, UTC)
                offset = zone.utcoffset(noon_utc.replace(tzinfo=None))
                assert offset is not None
                row.append(self.start + d * 86400 - int(offset.total_seconds()))
            midnights.append(row)
        return midnights

    def _sale_slots(
        self, stores: list[_Store], midnights: list[list[int]]
    ) -> list[tuple[int, int, int, int]]:
        """Pass 1 of :meth:`sale_rows`: (when, store, register, customer index) of every sale,
        in date order."""
        f = FIXTURES
        days = len(midnights[0])
        n_customers = len(self.customers)
        compact: list[tuple[int, int, int, int]] = []
        # int(random() * n) instead of randrange(n): ten times cheaper, and 1M sales make
        # millions of draws (still deterministic from RANDOM_SEED).
        random_ = self.rng.random
        n_sales = self.p.sales
        fixture_cust = self.fixture_customer_index
        cutoff = self.cutoff
        for k in range(n_sales):
            while True:  # one draw, unless a live seed drew a sale not yet made (redrawn)
                s = int(random_() * 4)
                day = int(random_() * days)
                when = midnights[s][day] + 8 * 3600 + int(random_() * 13 * 3600)
                if cutoff is None or when + 60 <= cutoff:  # sold and stamped by the reference
                    break
            if k < f.customer_with_sales_sale_count and n_customers:
                cust = self.fixture_customer_index
            elif random_() < 0.7 and n_customers:
                cust = int(random_() * n_customers)
                if cust == fixture_cust:  # her sale count is exact (a documented fixture)
                    cust = -1
            else:
                cust = -1
            compact.append((when, s, int(random_() * len(stores[s][1])), cust))
        compact.sort()
        return compact

    def _tenders(
        self, total: int, is_return: bool, cards: list[tuple[int, str]], sale_id: int
    ) -> list[tuple[str, str | None, int, str | None]]:
        rng = self.rng
        roll = rng.random()

        def card(amount: int) -> tuple[str, str | None, int, str | None]:
            brand = CARD_BRANDS[sale_id % 4]
            return (
                "CARD",
                f"{brand} ****{(sale_id * 7919) % 10000:04d}",
                amount,
                f"A{(sale_id * 104729) % 1000000:06d}",
            )

        def gift(amount: int) -> tuple[str, str | None, int, str | None]:
            card_id, last4 = cards[sale_id % len(cards)]
            return ("GIFTCARD", f"Gift card ****{last4}", amount, str(card_id))

        if is_return or total <= 0:
            return [("CASH", "Cash refund", total, None)] if roll < 0.5 else [card(total)]
        if roll < 0.45:
            return [card(total)]
        if roll < 0.8:
            return [("CASH", "Cash", total, None)]
        if roll < 0.88:
            return [gift(total)]
        part = max(1, total * rng.randrange(20, 80) // 100)
        if roll < 0.95:
            return [card(part), ("CASH", "Cash", total - part, None)]
        return [gift(part), card(total - part)]

    def _fixture_sales(self) -> list[tuple[Any, ...]]:
        f = FIXTURES
        zone = "America/Chicago"
        late = local_ts(zone, 2024, 3, 31, 23, 59)
        midnight = local_ts(zone, 2024, 4, 1, 0, 0)
        out = []

        mints = (1, f.plain_sku, "Peppermint Mints", 2, 349, 0, 698, 58, None)
        out.append(
            _fixture_sale(
                f.sale_late_id, "AUS-1", "900001", late, [mints], [("CASH", "Cash", 756, None)]
            )
        )
        gum = (1, f.ean_sku, "Spearmint Gum", 1, 299, 0, 299, 25, None)
        out.append(
            _fixture_sale(
                f.sale_midnight_id,
                "AUS-1",
                "900002",
                midnight,
                [gum],
                [("CARD", "Visa ****4242", 324, "A424242")],
            )
        )
        ret = (1, f.lot_sku, "Vitamin C 500 mg", -1, 1299, 0, -1299, -107, "L2025-0412")
        out.append(
            _fixture_sale(
                f.sale_return_id,
                "AUS-2",
                "900003",
                midnight + 86400 * 3 + 36000,
                [ret],
                [("CASH", "Cash refund", -1406, None)],
            )
        )
        lines = [
            (1, f.serial_sku, "Tablet Pro 11", 1, 4999, 500, 4499, 371, "SN-TP11-0009"),
            (2, f.plain_sku, "Peppermint Mints", 1, 349, 0, 349, 29, None),
        ]
        out.append(
            _fixture_sale(
                f.sale_split_tender_id,
                "AUS-3",
                "900004",
                midnight + 86400 * 5 + 50000,
                lines,
                [
                    ("CARD", "Visa ****4242", 2748, "A777001"),
                    ("GIFTCARD", "Gift card ****0117", 2500, f.gc_physical_id),
                ],
            )
        )
        return out
