"""Seed phases for locations and customers (members, addresses, phones, search tokens)."""

from __future__ import annotations

from typing import Any

from posdesk.sandbox.seed.base import SeedState
from posdesk.sandbox.seed.helpers import (
    name_tokens,
    phone_formats,
    phone_tokens,
)
from posdesk.sandbox.seed.reference import (
    EMAIL_DOMAINS,
    FIRST_NAMES,
    FIXTURES,
    HOME_CITIES,
    LAST_NAMES,
    LOCATIONS,
    REGION_OF,
    STORES,
    STREETS,
)


class CustomerRows(SeedState):
    """The customers phases of the seeder (one deterministic random sequence)."""

    # --- locations ------------------------------------------------------------------------
    def locations(self) -> None:
        self.insert(
            "location",
            [
                (
                    loc.code,
                    loc.name,
                    loc.kind,
                    loc.line1,
                    None,
                    loc.city,
                    loc.region,
                    loc.postal_code,
                    "US",
                    loc.time_zone,
                    ",".join(loc.registers),
                    loc.tax_rate_mpct,
                    i,
                )
                for i, loc in enumerate(LOCATIONS)
            ],
        )

    # --- customers ------------------------------------------------------------------------
    def customer_rows(self) -> None:
        rng, f = self.rng, FIXTURES
        rows: list[list[Any]] = []
        seen: set[str] = {
            f.customer_with_sales_id,
            f.customer_by_member_id,
            f.card_owner_id,
            f.non_member_id,
        }
        member_no = 1000
        homes = [s.code for s in STORES]
        n = max(self.p.customers - 4, 0)
        for _ in range(n):
            cid = f"{rng.randrange(10**19, 10**20) if rng.random() < 0.9 else rng.randrange(10**18, 10**19):020d}"  # noqa: E501
            if cid in seen:
                continue
            seen.add(cid)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            home = rng.choice(homes)
            city, zip3 = rng.choice(HOME_CITIES[home])
            region = REGION_OF.get(city, next(s.region for s in STORES if s.code == home))
            area = next(s.area_code for s in STORES if s.code == home)
            raw, norm = phone_formats(area, f"{rng.randrange(2000000, 9999999)}", rng)
            has_phone = rng.random() < 0.85
            email = (
                (
                    f"{first.lower()}.{last.lower()}{rng.randrange(1, 999)}@"
                    f"{rng.choice(EMAIL_DOMAINS)}"
                )
                if rng.random() < 0.8
                else None
            )
            created = self.past(self.start - 365 * 86400 + rng.randrange(0, 3 * 365 * 86400))
            is_member = rng.random() < 0.6
            member_id = f"C{member_no:09d}" if is_member else None
            if is_member:
                member_no += 1
            since = self.past(created + rng.randrange(0, 200 * 86400)) if is_member else None
            status = "Active" if rng.random() < 0.93 else "Inactive"
            line2 = f"Apt {rng.randrange(1, 40)}" if rng.random() < 0.2 else None
            rows.append(
                [
                    cid,
                    member_id,
                    status,
                    first,
                    last,
                    f"{first} {last}",
                    email,
                    raw if has_phone else None,
                    norm if has_phone else None,
                    f"{rng.randrange(10, 9999)} {rng.choice(STREETS)}",
                    line2,
                    city,
                    region,
                    f"{zip3}{rng.randrange(0, 99):02d}",
                    "US",
                    home,
                    created,
                    since,
                    rng.randrange(0, 5000) if is_member else 0,
                ]
            )
        rows.extend(self._fixture_customers())
        rows.sort(key=lambda r: r[0])  # rid order == customer id order (the list order)
        self._store_customers(rows)

    def _fixture_customers(self) -> list[list[Any]]:
        """The four hand-made customers of :data:`FIXTURES` (no random draws).

        Long because it is four literal records, one field a line."""
        f = FIXTURES
        base = self.start - 200 * 86400
        return [
            [
                f.customer_with_sales_id,
                f.customer_with_sales_member_id,
                "Active",
                "Maria",
                "Delgado",
                f.customer_with_sales_name,
                f.customer_with_sales_email,
                f.customer_with_sales_phone_raw,
                f.customer_with_sales_phone_norm,
                "2207 Bouldin Ave",
                None,
                "Austin",
                "TX",
                "78704",
                "US",
                "AUSTIN",
                base,
                base + 86400,
                1280,
            ],
            [
                f.customer_by_member_id,
                f.customer_by_member_member_id,
                "Active",
                "Jonas",
                "Whitfield",
                f.customer_by_member_name,
                "jonas.whitfield@example.net",
                "718.555.0193",
                "+17185550193",
                "88 Bergen St",
                "Apt 3",
                "Brooklyn",
                "NY",
                "11201",
                "US",
                "BROOKLYN",
                base,
                base + 5 * 86400,
                310,
            ],
            [
                f.card_owner_id,
                f.card_owner_member_id,
                "Active",
                "Priya",
                "Raman",
                f.card_owner_name,
                "priya.raman@example.org",
                "+1 303 555 0127",
                "+13035550127",
                "1650 Wazee St",
                None,
                "Denver",
                "CO",
                "80202",
                "US",
                "DENVER",
                base,
                base + 9 * 86400,
                2045,
            ],
            [
                f.non_member_id,
                None,
                "Active",
                "Walter",
                "Ng",
                f.non_member_name,
                None,
                "503-555-0166",
                "+15035550166",
                "733 NW 21st Ave",
                None,
                "Portland",
                "OR",
                "97209",
                "US",
                "PORTLAND",
                base,
                None,
                0,
            ],
        ]

    def _store_customers(self, rows: list[list[Any]]) -> None:
        """Insert customers in id order with their search tokens; remember ids and members."""
        f = FIXTURES
        out: list[tuple[Any, ...]] = []
        tokens: list[tuple[str, int]] = []
        for rid, r in enumerate(rows, start=1):
            modified = (r[17] or r[16]) * 1_000_000 + rid
            out.append((rid, *r, modified))
            toks = name_tokens(r[3], r[4]) | phone_tokens(r[8])
            toks.add(r[0])
            if r[1]:
                toks.add(r[1].lower())
            if r[6]:
                toks.add(r[6].lower())
            tokens.extend((t, rid) for t in toks)
            self.customers.append((r[0], r[5]))
            if r[1]:
                self.members.append(r[1])
        tokens.sort()
        self.insert("customer", out)
        self.insert("customer_token", tokens)
        self.fixture_customer_index = next(
            i for i, c in enumerate(self.customers) if c[0] == f.customer_with_sales_id
        )
