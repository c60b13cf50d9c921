"""Seed phases for gift cards (codes of every kind, PINs, transactions) and purchases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from posdesk.sandbox.seed.base import SeedState
from posdesk.sandbox.seed.helpers import (
    ts,
)
from posdesk.sandbox.seed.reference import (
    FAR_EXPIRY,
    FIXTURES,
    STORES,
)


class _CardRows:
    """Rows of the gift card tables being built, with their running ids."""

    def __init__(self) -> None:
        self.cards: list[tuple[Any, ...]] = []
        self.codes: list[tuple[Any, ...]] = []
        self.trans: list[tuple[Any, ...]] = []
        self.code_id = 500000
        self.trans_id = 880000

    def add_code(
        self, card: int, kind: str, code: str, pin: str | None, expires: int | None, created: int
    ) -> None:
        self.code_id += 1
        self.codes.append((self.code_id, card, kind, code, pin, expires, None))

    def add_trans(
        self,
        card: int,
        status: str,
        kind: str,
        amount: int,
        balance: int,
        created: int,
        ref: str | None,
        source: str | None,
    ) -> int:
        self.trans_id += 1
        completed = created + 60 if status == "COMPLETED" else None
        cancelled = created + 3600 if status == "CANCELLED" else None
        self.trans.append(
            (
                self.trans_id,
                card,
                status,
                kind,
                amount,
                balance,
                source,
                ref,
                created,
                completed,
                cancelled,
            )
        )
        return self.trans_id


class GiftcardRows(SeedState):
    """The giftcards phases of the seeder (one deterministic random sequence)."""

    # --- gift cards -----------------------------------------------------------------------
    def giftcard_rows(self) -> None:
        out = _CardRows()
        self._fixture_cards(out)
        for card_id in range(31001, 31001 + self.p.giftcards):
            self._generated_card(out, card_id)
        self.insert("giftcard", out.cards)
        self.insert("giftcard_code", out.codes)
        self.insert("giftcard_trans", out.trans)

    def _fixture_cards(self, out: _CardRows) -> None:
        """The hand-made cards of :data:`FIXTURES` (no random draws)."""
        f = FIXTURES
        far = ts(FAR_EXPIRY)
        add_code, add_trans, cards = out.add_code, out.add_trans, out.cards
        base = self.start + 30 * 86400
        personal_owner = f.card_owner_member_id
        fixed: list[tuple[int, str | None, int, list[tuple[str, str, str | None, int | None]]]] = [
            (30001, None, 2500, [("PHYSICAL", f.gc_physical_code, None, None)]),
            (30002, None, 10000, [("PHYSICAL", f.gc_pin_code, f.gc_pin, None)]),
            (
                30003,
                None,
                1500,
                [("PHYSICAL", f.gc_expired_code, None, ts(datetime(2025, 6, 30, tzinfo=UTC)))],
            ),
            (30005, personal_owner, 4000, [("PERSONAL", f.gc_personal_code, None, far)]),
            (30006, None, 6000, [("EXTERNAL", f.gc_external_code, None, None)]),
            (30007, None, 0, [("PHYSICAL", f.gc_history_code, None, None)]),
            (30008, None, 0, [("PHYSICAL", f.gc_zero_code, None, None)]),
            (30117, personal_owner, 1000, [("PHYSICAL", f.gc_edit_code, f.gc_edit_pin, None)]),
        ]
        for card, member, balance, card_codes in fixed:
            for kind, code, pin, expiry in card_codes:
                add_code(card, kind, code, pin, expiry, base)
            if card == 30007:
                add_trans(
                    card,
                    "COMPLETED",
                    "ADD",
                    5000,
                    5000,
                    base,
                    "ORDER-FIX-1",
                    f.gc_history_source_id,
                )
                add_trans(
                    card,
                    "COMPLETED",
                    "USE",
                    -1000,
                    4000,
                    base + 86400,
                    "ORDER-FIX-2",
                    f.gc_history_source_id,
                )
                add_trans(
                    card,
                    "AUTHORIZED",
                    "USE",
                    -500,
                    3500,
                    base + 2 * 86400,
                    f.gc_history_ref_no,
                    f.gc_history_source_id,
                )
                add_trans(
                    card,
                    "CANCELLED",
                    "USE",
                    -700,
                    3500,
                    base + 3 * 86400,
                    "ORDER-FIX-8",
                    f.gc_history_source_id,
                )
                balance = 3500
            elif balance:
                add_trans(
                    card,
                    "COMPLETED",
                    "IMPORT" if card == 30006 else "ADD",
                    balance,
                    balance,
                    base,
                    f"FIX-{card}",
                    "seed",
                )
            cards.append((card, member, balance, base))

    def _generated_card(self, out: _CardRows, card_id: int) -> None:
        """One random card: its codes, a first load and up to three spends."""
        rng = self.rng
        far = ts(FAR_EXPIRY)
        add_code, add_trans, cards = out.add_code, out.add_trans, out.cards
        created = self.start + rng.randrange(0, 700 * 86400)
        roll = rng.random()
        member = None
        if roll < 0.55:
            kinds = [("PHYSICAL", rng.random() < 0.4)]
        elif roll < 0.7:
            kinds = [("PHYSICAL", True), ("PERSONAL", False)]
        elif roll < 0.85:
            kinds = [("PERSONAL", False)]
        else:
            kinds = [("EXTERNAL", False)]
        if any(k == "PERSONAL" for k, _ in kinds) and self.members:
            member = rng.choice(self.members)
        elif any(k == "PERSONAL" for k, _ in kinds):
            kinds = [("PHYSICAL", False)]
        for kind, with_pin in kinds:
            expires: int | None = None
            if rng.random() < 0.05:
                expires = self.ref - rng.randrange(1, 300) * 86400  # expired
            elif kind != "PHYSICAL" or rng.random() < 0.2:
                expires = far
            if kind == "PHYSICAL":
                code = f"G6{card_id:06d}{rng.randrange(1000, 9999)}"
            elif kind == "PERSONAL":
                code = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(24))
            else:
                code = f"EXT-{card_id}-{rng.randrange(100000, 999999)}"
            pin = f"{rng.randrange(0, 10000):04d}" if with_pin else None
            add_code(card_id, kind, code, pin, expires, created)
            if kind == "PHYSICAL":
                self.card_tenders.append((card_id, code[-4:]))
        balance = 0
        first_type = (
            "IMPORT" if rng.random() < 0.1 else ("EXTERNAL" if kinds[0][0] == "EXTERNAL" else "ADD")
        )
        amount = rng.choice((2500, 5000, 5000, 10000, 2000, 7500))
        balance += amount
        t = created
        add_trans(card_id, "COMPLETED", first_type, amount, balance, t, None, "register")
        for _ in range(rng.randrange(0, 4)):
            t += rng.randrange(3600, 60 * 86400)
            spend = min(balance, rng.randrange(100, 4000))
            if spend <= 0:
                break
            status = rng.choices(("COMPLETED", "AUTHORIZED", "CANCELLED"), (85, 5, 10))[0]
            if status != "CANCELLED":
                balance -= spend
            add_trans(
                card_id,
                status,
                "USE",
                -spend,
                balance,
                t,
                f"ORDER-{rng.randrange(100000, 999999)}",
                rng.choice(("register", "web-shop", "mobile")),
            )
        cards.append((card_id, member, balance, created))

    # --- purchases ------------------------------------------------------------------------
    def purchase_rows(self) -> None:
        rng, f = self.rng, FIXTURES
        rows = []
        for k in range(self.p.purchases + 1):
            tid = f.purchase_transaction_id if k == 0 else f"ERP-INV-{100000 + k}"
            sku, _name, price, _tr = (
                self.items[k % len(self.items)] if self.items else ("MINTS01", "", 349, "NONE")
            )
            when = self.start + rng.randrange(0, 700 * 86400)
            member = (
                f.card_owner_member_id
                if k == 0
                else (rng.choice(self.members) if self.members and rng.random() < 0.7 else None)
            )
            payload = {
                "lineItems": [
                    {
                        "lineNumber": 1,
                        "sku": sku,
                        "quantity": "1",
                        "unitPrice": str(Decimal(price).scaleb(-2)),  # cents → "3.49", no float
                        "uom": "EA",
                    }
                ]
            }
            rows.append(
                (
                    k + 1,
                    tid,
                    rng.choice(STORES).code,
                    when,
                    price,
                    member,
                    None,
                    None,
                    when + 120,
                    json.dumps(payload),
                )
            )
        self.insert("purchase", rows)
