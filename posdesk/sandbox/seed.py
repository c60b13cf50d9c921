"""Deterministic seed data for the sandbox (fixed random seed, fixed reference date).

Every preset contains the same hand-made records, :data:`FIXTURES`, that tests and demos rely
on (a customer with many sales, a serial item, a lot item, gift cards of every kind, a sale at
23:59 local time and one at 00:00 the next day, ...). Everything else is generated from
:data:`RANDOM_SEED`, so two databases seeded with the same preset are identical.

Presets: ``demo`` (small, seeds in well under 2 s), ``large`` (100k customers, 50k items in 5
warehouses, 1M sales, 20k gift cards: the benchmark data set), ``empty`` (the fixtures only).

Generated sales lie in the two years before :data:`REFERENCE_DATE`; their ids increase with
their sale date. Money is integer cents throughout, so every sale adds up exactly:
``sum(line ext) = subTotal``, ``subTotal - sale discount + tax = total = sum(tenders)``.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from posdesk.sandbox.db import Database

RANDOM_SEED = 20240301
REFERENCE_DATE = datetime(2026, 1, 1, tzinfo=UTC)
"""Generated sales cover [REFERENCE_DATE - 730 days, REFERENCE_DATE)."""
FAR_EXPIRY = datetime(2031, 12, 31, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Preset:
    customers: int
    items: int
    sales: int
    giftcards: int
    purchases: int
    product_share: float  # share of items that have a catalogue product


PRESETS: dict[str, Preset] = {
    "demo": Preset(
        customers=300, items=400, sales=5_000, giftcards=200, purchases=20, product_share=0.3
    ),
    "large": Preset(
        customers=100_000,
        items=50_000,
        sales=1_000_000,
        giftcards=20_000,
        purchases=2_000,
        product_share=0.2,
    ),
    "empty": Preset(customers=0, items=0, sales=0, giftcards=0, purchases=0, product_share=0),
}


@dataclass(frozen=True, slots=True)
class Location:
    code: str
    name: str
    kind: str
    line1: str
    city: str
    region: str
    postal_code: str
    time_zone: str
    area_code: str
    registers: tuple[str, ...]
    tax_rate_mpct: int  # sales tax in thousandths of a percent (8250 = 8.25 %)


LOCATIONS: tuple[Location, ...] = (
    Location(
        "AUSTIN",
        "Austin – South Congress",
        "STORE",
        "1418 S Congress Ave",
        "Austin",
        "TX",
        "78704",
        "America/Chicago",
        "512",
        ("AUS-1", "AUS-2", "AUS-3"),
        8250,
    ),
    Location(
        "BROOKLYN",
        "Brooklyn – Atlantic Ave",
        "STORE",
        "512 Atlantic Ave",
        "Brooklyn",
        "NY",
        "11217",
        "America/New_York",
        "718",
        ("BKN-1", "BKN-2"),
        8875,
    ),
    Location(
        "DENVER",
        "Denver – Larimer Square",
        "STORE",
        "1430 Larimer St",
        "Denver",
        "CO",
        "80202",
        "America/Denver",
        "303",
        ("DEN-1", "DEN-2"),
        8810,
    ),
    Location(
        "PORTLAND",
        "Portland – Pearl District",
        "STORE",
        "1005 NW Couch St",
        "Portland",
        "OR",
        "97209",
        "America/Los_Angeles",
        "503",
        ("PDX-1", "PDX-2"),
        0,
    ),
    Location(
        "WEST",
        "West Distribution Center",
        "WAREHOUSE",
        "4800 Vista Blvd",
        "Sparks",
        "NV",
        "89436",
        "America/Los_Angeles",
        "775",
        (),
        0,
    ),
)
STORES = tuple(loc for loc in LOCATIONS if loc.kind == "STORE")
WAREHOUSES = tuple(loc.code for loc in LOCATIONS)  # every location keeps stock
TENANT_TIME_ZONE = "America/Chicago"


@dataclass(frozen=True, slots=True)
class Fixtures:
    """Known records present in every preset. Tests use these names, never literal values."""

    # customers
    customer_with_sales_id: str = "04120387765512093344"
    customer_with_sales_member_id: str = "C000000212"
    customer_with_sales_name: str = "Maria Delgado"
    customer_with_sales_home: str = "AUSTIN"
    customer_with_sales_email: str = "maria.delgado@example.com"
    customer_with_sales_phone_raw: str = "(512) 555-0148"
    customer_with_sales_phone_norm: str = "+15125550148"
    customer_with_sales_sale_count: int = 45  # + the 4 fixture sales below that name her
    customer_by_member_id: str = "02611584403917720058"
    customer_by_member_member_id: str = "000010077"  # the other member-id format in the docs
    customer_by_member_name: str = "Jonas Whitfield"
    customer_by_member_home: str = "BROOKLYN"
    card_owner_id: str = "07730295518800412296"
    card_owner_member_id: str = "C000000345"
    card_owner_name: str = "Priya Raman"
    card_owner_home: str = "DENVER"
    non_member_id: str = "05550001112223334445"
    non_member_name: str = "Walter Ng"
    # locations
    store_codes: tuple[str, ...] = ("AUSTIN", "BROOKLYN", "DENVER", "PORTLAND")
    warehouse_code: str = "WEST"
    boundary_store: str = "AUSTIN"  # America/Chicago
    # items
    plain_sku: str = "MINTS01"
    plain_upc: str = "012345678905"  # UPC-A of MINTS01
    ean_sku: str = "GUM002"
    ean_barcode: str = "4006381333931"  # EAN-13 of GUM002
    low_stock_sku: str = "MINTS01"
    low_stock_warehouse: str = "PORTLAND"  # 0 < quantityAvailable <= reorderPoint
    out_of_stock_sku: str = "BATT-AA4"
    out_of_stock_warehouse: str = "DENVER"  # quantityAvailable == 0
    serial_sku: str = "TAB-PRO-11"
    serial_warehouse: str = "AUSTIN"
    serial_numbers: tuple[str, ...] = ("SN-TP11-0001", "SN-TP11-0002", "SN-TP11-0003")
    lot_sku: str = "VITC-500"
    lot_warehouse: str = "WEST"
    lot_numbers: tuple[str, ...] = ("L2025-0412", "L2025-0977")
    # sales (ids are fixed: fixtures come first, generated sales follow)
    sale_late_id: str = "1000001"  # AUSTIN 2024-03-31 23:59:00 local = 2024-04-01T04:59:00Z
    sale_midnight_id: str = "1000002"  # AUSTIN 2024-04-01 00:00:00 local = 2024-04-01T05:00:00Z
    sale_late_local: str = "2024-03-31T23:59:00-05:00"
    sale_midnight_local: str = "2024-04-01T00:00:00-05:00"
    sale_return_id: str = "1000003"  # a return: negative quantities and total, cash refund
    sale_split_tender_id: str = "1000004"  # card + gift card
    sale_split_tender_total: str = "52.48"
    first_generated_sale_id: int = 1000005
    # gift cards
    gc_physical_id: str = "30001"
    gc_physical_code: str = "G59220000117"  # no PIN
    gc_physical_balance: str = "25.00"
    gc_pin_id: str = "30002"
    gc_pin_code: str = "G59220000125"
    gc_pin: str = "4321"
    gc_pin_balance: str = "100.00"
    gc_expired_id: str = "30003"
    gc_expired_code: str = "G59220000133"  # expired on 2025-06-30
    gc_expired_balance: str = "15.00"
    gc_personal_id: str = "30005"  # owned by card_owner_member_id
    gc_personal_code: str = "PX7K2M9Q4W8R3T6Y1U5V0N2A"
    gc_personal_balance: str = "40.00"
    gc_external_id: str = "30006"
    gc_external_code: str = "SHOP-7Q2K-11AB"
    gc_external_balance: str = "60.00"
    gc_history_id: str = "30007"  # ADD 50, USE -10, authorized USE -5, cancelled USE -7
    gc_history_code: str = "G59220000141"
    gc_history_balance: str = "35.00"
    gc_history_pending_trans_id: str = "880008"
    gc_history_cancelled_trans_id: str = "880009"
    gc_history_ref_no: str = "ORDER-FIX-7"
    gc_history_source_id: str = "fixture-shop"
    gc_zero_id: str = "30008"
    gc_zero_code: str = "G59220000158"
    gc_edit_id: str = "30117"  # owned by card_owner_member_id; physical code + PIN
    gc_edit_code: str = "G59220001178"
    gc_edit_pin: str = "1357"
    # purchases
    purchase_transaction_id: str = "ERP-INV-FIX-1"
    # other
    unknown_code: str = "G00000000000"


FIXTURES = Fixtures()
DEMO_FIXTURES = FIXTURES  # the demo preset's known records (the same in every preset)

FIRST_NAMES = (  # noqa: SIM905
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy "
    "Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily "
    "Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah "
    "Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Dorothy "
    "Jacob Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Emma Stephen Brenda Larry "
    "Pamela Justin Nicole Scott Anna Brandon Samantha Benjamin Katherine Samuel Christine "
    "Gregory Debra Alexander Rachel Patrick Carolyn Frank Janet Raymond Maria Jack Olivia "
    "Dennis Heather Jerry Helen Tyler Catherine Aaron Diane Jose Julie Adam Victoria Nathan "
    "Joyce Henry Lauren Zachary Kelly Douglas Christina Peter Ruth Kyle Joan Noah Virginia "
    "Ethan Judith Jeremy Evelyn Christian Hannah Walter Andrea Keith Megan Austin Cheryl Roger "
    "Jacqueline Terry Madison Sean Teresa Gerald Abigail Carl Sophia Dylan Martha Harold Sara "
    "Jordan Gloria Jesse Janice Bryan Kathryn Lawrence Ann Arthur Isabella Gabriel Judy Bruce "
    "Charlotte Logan Julia Billy Grace Joe Amber Alan Alice Juan Jean Elijah Denise Willie "
    "Frances Albert Danielle Wayne Marilyn Randy Natalie Mason Beverly Vincent Diana Liam "
    "Brittany Roy Theresa Bobby Kayla Caleb Alexis Bradley Doris Russell Lori Lucas Tiffany "
    "Priya Wei Aiko Mateo Sofia Diego Valentina Yusuf Fatima Arjun Mei Kwame Amara Lars Ingrid"
).split()
LAST_NAMES = (  # noqa: SIM905
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White "
    "Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres "
    "Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts "
    "Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales "
    "Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos "
    "Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes "
    "Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry "
    "Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons "
    "Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West "
    "Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro "
    "Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry "
    "Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez "
    "Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd "
    "Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols "
    "Okafor Haddad Kowalski Lindqvist Nakamura Oyelaran Petrov Rahman Sato Yamamoto Zhang"
).split()
STREETS = (
    "Main St",
    "Oak Ave",
    "Maple Dr",
    "Cedar Ln",
    "Pine St",
    "Elm St",
    "Washington Ave",
    "Lake View Rd",
    "Hillcrest Dr",
    "Sunset Blvd",
    "River Rd",
    "Park Pl",
    "Highland Ave",
    "Meadow Ln",
    "Church St",
    "Forest Dr",
    "Spring St",
    "Valley Rd",
    "Willow Way",
    "2nd Ave",
)
HOME_CITIES: dict[str, tuple[tuple[str, str], ...]] = {
    "AUSTIN": (("Austin", "787"), ("Round Rock", "786"), ("Pflugerville", "786")),
    "BROOKLYN": (("Brooklyn", "112"), ("Queens", "113"), ("Jersey City", "073")),
    "DENVER": (("Denver", "802"), ("Aurora", "800"), ("Lakewood", "802")),
    "PORTLAND": (("Portland", "972"), ("Beaverton", "970"), ("Vancouver", "986")),
}
REGION_OF = {"Jersey City": "NJ", "Vancouver": "WA"}
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")

# (category, sku prefix, tracking, uom choices, price range in cents, nouns)
CATEGORIES: tuple[tuple[str, str, str, tuple[str, ...], tuple[int, int], tuple[str, ...]], ...] = (
    (
        "Snacks",
        "SNK",
        "NONE",
        ("EA",),
        (99, 899),
        (
            "Trail Mix",
            "Pretzels",
            "Granola Bar",
            "Kettle Chips",
            "Rice Crackers",
            "Jerky",
            "Dark Chocolate",
            "Mints",
            "Popcorn",
            "Almonds",
        ),
    ),
    (
        "Beverages",
        "BEV",
        "NONE",
        ("EA", "CS"),
        (129, 2499),
        (
            "Cold Brew",
            "Sparkling Water",
            "Green Tea",
            "Kombucha",
            "Lemonade",
            "Espresso Beans",
            "Oat Milk",
            "Ginger Ale",
        ),
    ),
    (
        "Household",
        "HH",
        "NONE",
        ("EA", "PK"),
        (199, 3999),
        (
            "Dish Soap",
            "Paper Towels",
            "Laundry Pods",
            "Sponge",
            "Trash Bags",
            "Candle",
            "Storage Bin",
            "Hand Soap",
        ),
    ),
    (
        "Hardware",
        "HW",
        "NONE",
        ("EA", "BOX", "FT"),
        (149, 8999),
        (
            "Wood Screws",
            "Hex Bolts",
            "Duct Tape",
            "Hammer",
            "Tape Measure",
            "Work Gloves",
            "Extension Cord",
            "Zip Ties",
            "Wire Nuts",
        ),
    ),
    (
        "Electronics",
        "EL",
        "SERIAL",
        ("EA",),
        (1999, 89999),
        (
            "Headphones",
            "Bluetooth Speaker",
            "Tablet",
            "Smart Plug",
            "Webcam",
            "Power Bank",
            "E-Reader",
            "Action Camera",
        ),
    ),
    (
        "Health",
        "HLT",
        "LOT",
        ("EA", "BTL"),
        (399, 4999),
        (
            "Vitamin D3",
            "Fish Oil",
            "Probiotic",
            "Multivitamin",
            "Zinc Lozenges",
            "Electrolytes",
            "Melatonin",
            "Magnesium",
        ),
    ),
    (
        "Apparel",
        "APP",
        "NONE",
        ("EA",),
        (999, 12999),
        ("Beanie", "Rain Jacket", "Wool Socks", "T-Shirt", "Hoodie", "Scarf", "Cap"),
    ),
    (
        "Garden",
        "GDN",
        "NONE",
        ("EA", "LB", "BAG"),
        (199, 5999),
        (
            "Potting Soil",
            "Tomato Seeds",
            "Garden Hose",
            "Pruning Shears",
            "Mulch",
            "Planter",
            "Bird Seed",
        ),
    ),
)
ADJECTIVES = (
    "Classic",
    "Organic",
    "Deluxe",
    "Compact",
    "Premium",
    "Everyday",
    "Heavy-Duty",
    "Mini",
    "Family Size",
    "Travel",
    "Original",
    "Unscented",
    "Extra Strong",
    "Lightweight",
    "Eco",
)
BRANDS = (
    "Acme",
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Woodgrove",
    "Litware",
    "Proseware",
    "Adatum",
    "Wingtip",
)
CARD_BRANDS = ("Visa", "Mastercard", "Amex", "Discover")


def upc_a(first11: str) -> str:
    """UPC-A with its check digit (weights 3,1,3,... from the left)."""
    digits = [int(c) for c in first11]
    total = 3 * sum(digits[0::2]) + sum(digits[1::2])
    return first11 + str((10 - total % 10) % 10)


def ean_13(first12: str) -> str:
    """EAN-13 with its check digit (weights 1,3,1,... from the left)."""
    digits = [int(c) for c in first12]
    total = sum(digits[0::2]) + 3 * sum(digits[1::2])
    return first12 + str((10 - total % 10) % 10)


def round_div(numerator: int, denominator: int) -> int:
    """Integer division rounding half away from zero (how tax on cents is rounded)."""
    q = (abs(numerator) * 2 + denominator) // (2 * denominator)
    return q if numerator >= 0 else -q


def ts(dt: datetime) -> int:
    return int(dt.timestamp())


def local_ts(zone: str, year: int, month: int, day: int, hour: int, minute: int) -> int:
    return ts(datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)))


def phone_formats(area: str, local7: str, rng: random.Random) -> tuple[str, str]:
    exchange, line = local7[:3], local7[3:]
    raw = rng.choice(
        (
            f"({area}) {exchange}-{line}",
            f"{area}-{exchange}-{line}",
            f"{area}.{exchange}.{line}",
            f"+1 {area} {exchange} {line}",
            f"{area}{exchange}{line}",
        )
    )
    return raw, f"+1{area}{exchange}{line}"


def name_tokens(*parts: str | None) -> set[str]:
    """Lower-case search tokens: every word of every part (search matches token prefixes)."""
    out: set[str] = set()
    for part in parts:
        if part:
            for word in part.lower().replace(",", " ").split():
                out.add(word)
    return out


def phone_tokens(norm: str | None) -> set[str]:
    if not norm:
        return set()
    digits = norm[2:] if norm.startswith("+1") else norm.lstrip("+")
    return {digits, digits[3:], digits[-4:]}


# ---------------------------------------------------------------------------------------------


class _Seeder:
    def __init__(self, db: Database, preset: Preset) -> None:
        self.db = db
        self.p = preset
        self.rng = random.Random(RANDOM_SEED)
        self.conn = db.conn
        self.ref = ts(REFERENCE_DATE)
        self.start = self.ref - 730 * 86400
        self.customers: list[tuple[str, str]] = []  # (id, full name) in id order
        self.members: list[str] = []
        self.items: list[tuple[str, str, int, str]] = []  # sku, name, price, tracking
        self.card_tenders: list[tuple[int, str]] = []  # (card id, last4 of code)

    def insert(self, table: str, rows: list[tuple[Any, ...]] | Any) -> None:
        rows = list(rows)
        if not rows:
            return
        marks = ",".join("?" * len(rows[0]))
        self.conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)

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
            created = self.start - 365 * 86400 + rng.randrange(0, 3 * 365 * 86400)
            is_member = rng.random() < 0.6
            member_id = f"C{member_no:09d}" if is_member else None
            if is_member:
                member_no += 1
            since = created + rng.randrange(0, 200 * 86400) if is_member else None
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
        base = self.start - 200 * 86400
        rows.append(
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
            ]
        )
        rows.append(
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
            ]
        )
        rows.append(
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
            ]
        )
        rows.append(
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
            ]
        )
        rows.sort(key=lambda r: r[0])  # rid order == customer id order (the list order)
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

    # --- items ----------------------------------------------------------------------------
    def item_rows(self) -> None:
        rng, f = self.rng, FIXTURES
        fixed: list[tuple[str, str, str, str, str, str, str, int, tuple[str, ...]]] = [
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
        self.insert(
            "product_banner",
            [
                ("SPRING", "Spring sale: 20 % off garden supplies", "https://example.com/spring"),
                ("FREESHIP", "Free shipping on orders over $50", None),
                ("NEW", "New arrivals every week", "https://example.com/new"),
                ("LOCAL", "Made by local makers", None),
                ("CLEAR", "Clearance: while stock lasts", "https://example.com/clearance"),
            ],
        )
        self.insert(
            "product_section",
            [
                ("PANTRY", "Pantry", 10, "FREESHIP"),
                ("HOME", "Home & Garden", 20, "SPRING"),
                ("TECH", "Tech", 30, "NEW"),
                ("WELL", "Wellness", 40, None),
            ],
        )
        groups = [
            ("SNACKS", "Snacks", 10, None, ("PANTRY",)),
            ("DRINKS", "Drinks", 20, "FREESHIP", ("PANTRY",)),
            ("CLEANING", "Cleaning", 10, None, ("HOME",)),
            ("TOOLS", "Tools", 20, "CLEAR", ("HOME",)),
            ("GARDEN", "Garden", 30, "SPRING", ("HOME",)),
            ("AUDIO", "Audio", 10, None, ("TECH",)),
            ("GADGETS", "Gadgets", 20, "NEW", ("TECH",)),
            ("VITAMINS", "Vitamins", 10, None, ("WELL",)),
            ("OUTDOOR", "Outdoor", 40, "LOCAL", ("HOME", "WELL")),
            ("GIFTS", "Gift Ideas", 50, None, ("PANTRY", "HOME", "TECH")),
            ("CLOTHING", "Clothing", 60, None, ("HOME",)),
            ("SALE", "On Sale", 90, "CLEAR", ("PANTRY", "HOME", "TECH", "WELL")),
        ]
        self.insert("product_group", [g[:4] for g in groups])
        self.insert("product_group_section", [(g[0], s) for g in groups for s in g[4]])
        self.insert(
            "product_notice",
            [
                (
                    "ALLERGEN",
                    "Allergen notice",
                    "**Allergens:** made in a facility that also "
                    "processes *peanuts* and *tree nuts*.",
                    -10,
                ),
                (
                    "WARRANTY",
                    "Warranty",
                    "Covered by a **2-year limited warranty**. Keep your receipt.",
                    10,
                ),
                (
                    "BATTERY",
                    "Battery safety",
                    "- Do not heat or puncture\n- Recycle responsibly",
                    20,
                ),
                (
                    "SUPPLEMENT",
                    "Supplement disclaimer",
                    "_These statements have not been evaluated by the FDA._",
                    30,
                ),
                (
                    "LOCALPICKUP",
                    "Local pickup",
                    "Order online, pick up in store **within 2 hours**.",
                    -5,
                ),
                ("CARE", "Care instructions", "Machine wash cold, tumble dry low.", 15),
            ],
        )
        self.insert(
            "product_sort_option",
            [
                ("FEATURED", "Featured", 0),
                ("PRICE_ASC", "Price: low to high", 1),
                ("PRICE_DESC", "Price: high to low", 2),
                ("NAME", "Name A–Z", 3),
                ("NEWEST", "Newest", 4),
            ],
        )
        by_cat = {
            "Snacks": ("SNACKS", "ALLERGEN"),
            "Beverages": ("DRINKS", None),
            "Household": ("CLEANING", None),
            "Hardware": ("TOOLS", None),
            "Electronics": ("GADGETS", "WARRANTY"),
            "Health": ("VITAMINS", "SUPPLEMENT"),
            "Apparel": ("CLOTHING", "CARE"),
            "Garden": ("GARDEN", None),
        }
        cats = dict(self.conn.execute("SELECT sku, category FROM item").fetchall())
        products, members, notices = [], [], []
        for sku, name, price, _tr in self.items:
            if rng.random() >= self.p.product_share and sku not in (
                FIXTURES.plain_sku,
                FIXTURES.serial_sku,
            ):
                continue
            group, notice = by_cat.get(cats[sku], ("GIFTS", None))
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

    # --- gift cards -----------------------------------------------------------------------
    def giftcard_rows(self) -> None:
        rng, f = self.rng, FIXTURES
        cards: list[tuple[Any, ...]] = []
        codes: list[tuple[Any, ...]] = []
        trans: list[tuple[Any, ...]] = []
        code_id = [500000]
        trans_id = [880000]
        far = ts(FAR_EXPIRY)

        def add_code(
            card: int, kind: str, code: str, pin: str | None, expires: int | None, created: int
        ) -> None:
            code_id[0] += 1
            codes.append((code_id[0], card, kind, code, pin, expires, None))

        def add_trans(
            card: int,
            status: str,
            kind: str,
            amount: int,
            balance: int,
            created: int,
            ref: str | None,
            source: str | None,
        ) -> int:
            trans_id[0] += 1
            completed = created + 60 if status == "COMPLETED" else None
            cancelled = created + 3600 if status == "CANCELLED" else None
            trans.append(
                (
                    trans_id[0],
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
            return trans_id[0]

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
        for card_id in range(31001, 31001 + self.p.giftcards):
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
                    code = "".join(
                        rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(24)
                    )
                else:
                    code = f"EXT-{card_id}-{rng.randrange(100000, 999999)}"
                pin = f"{rng.randrange(0, 10000):04d}" if with_pin else None
                add_code(card_id, kind, code, pin, expires, created)
                if kind == "PHYSICAL":
                    self.card_tenders.append((card_id, code[-4:]))
            balance = 0
            first_type = (
                "IMPORT"
                if rng.random() < 0.1
                else ("EXTERNAL" if kinds[0][0] == "EXTERNAL" else "ADD")
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
        self.insert("giftcard", cards)
        self.insert("giftcard_code", codes)
        self.insert("giftcard_trans", trans)

    # --- sales ----------------------------------------------------------------------------
    def sale_rows(self) -> None:
        rng, f = self.rng, FIXTURES
        stores = [(s.code, s.registers, s.tax_rate_mpct, ZoneInfo(s.time_zone)) for s in STORES]
        days = 730
        # UTC epoch of local midnight for each store and day (offset taken at local noon, so
        # correct for opening hours even on DST change days).
        midnights: list[list[int]] = []
        for _code, _regs, _rate, zone in stores:
            row = []
            for d in range(days):
                noon_utc = datetime.fromtimestamp(self.start + d * 86400 + 43200, UTC)
                offset = zone.utcoffset(noon_utc.replace(tzinfo=None))
                assert offset is not None
                row.append(self.start + d * 86400 - int(offset.total_seconds()))
            midnights.append(row)
        n_customers = len(self.customers)
        # pass 1: when, where, who — then sort so that ids follow the sale date
        compact: list[tuple[int, int, int, int]] = []
        # int(random() * n) instead of randrange(n): ten times cheaper, and 1M sales make
        # millions of draws (still deterministic from RANDOM_SEED).
        random_ = rng.random
        n_sales = self.p.sales
        fixture_cust = getattr(self, "fixture_customer_index", -2)
        for k in range(n_sales):
            s = int(random_() * 4)
            day = int(random_() * days)
            when = midnights[s][day] + 8 * 3600 + int(random_() * 13 * 3600)
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
        name = f.customer_with_sales_name
        cid = f.customer_with_sales_id
        out = []

        def sale(
            sale_id: str,
            reg: str,
            tran: str,
            when: int,
            lines: list[tuple[Any, ...]],
            tenders: list[tuple[Any, ...]],
            sale_disc: int = 0,
        ) -> tuple[Any, ...]:
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
                cid,
                name,
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

        mints = (1, f.plain_sku, "Peppermint Mints", 2, 349, 0, 698, 58, None)
        out.append(
            sale(f.sale_late_id, "AUS-1", "900001", late, [mints], [("CASH", "Cash", 756, None)])
        )
        gum = (1, f.ean_sku, "Spearmint Gum", 1, 299, 0, 299, 25, None)
        out.append(
            sale(
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
            sale(
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
            sale(
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


def populate(db: Database, preset_name: str) -> float:
    """Fill an empty, migrated database with a preset; returns the seconds it took.

    Secondary indexes are dropped during the bulk insert and rebuilt afterwards (much faster
    than maintaining them row by row); the whole seed is one transaction.
    """
    from posdesk.sandbox.db import INDEXES

    preset = PRESETS[preset_name]
    started = time.perf_counter()
    seeder = _Seeder(db, preset)
    conn = db.conn
    with db.lock:
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("BEGIN")
        for name in INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
        phases: dict[str, float] = {}
        for phase in (
            seeder.locations,
            seeder.customer_rows,
            seeder.item_rows,
            seeder.stock_rows,
            seeder.catalogue_rows,
            seeder.giftcard_rows,
            seeder.sale_rows,
            seeder.purchase_rows,
        ):
            mark = time.perf_counter()
            phase()
            phases[phase.__name__] = round(time.perf_counter() - mark, 2)
        mark = time.perf_counter()
        for sql in INDEXES.values():
            conn.execute(sql)
        phases["indexes"] = round(time.perf_counter() - mark, 2)
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [
                ("seed", preset_name),
                ("reference_date", REFERENCE_DATE.isoformat()),
                ("seeded_at", datetime.now(UTC).isoformat()),
            ],
        )
        conn.execute("COMMIT")
        mark = time.perf_counter()
        conn.execute("ANALYZE")
        phases["analyze"] = round(time.perf_counter() - mark, 2)
        took = time.perf_counter() - started
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("seed_seconds", f"{took:.1f}"), ("seed_phases", json.dumps(phases))],
        )
        conn.execute("PRAGMA synchronous=NORMAL")
    return took


def reference_day(offset_days: int) -> date:
    """A calendar day relative to the reference date (negative = before)."""
    return (REFERENCE_DATE + timedelta(days=offset_days)).date()
