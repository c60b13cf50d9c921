"""Reference data of the seed: presets, locations, the hand-made :data:`FIXTURES` tests rely on,
and the word lists the generators draw from. Data only; the generators live beside it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

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


# --- product catalogue -------------------------------------------------------------------
BANNERS: tuple[tuple[str, str, str | None], ...] = (
    ("SPRING", "Spring sale: 20 % off garden supplies", "https://example.com/spring"),
    ("FREESHIP", "Free shipping on orders over $50", None),
    ("NEW", "New arrivals every week", "https://example.com/new"),
    ("LOCAL", "Made by local makers", None),
    ("CLEAR", "Clearance: while stock lasts", "https://example.com/clearance"),
)
"""code, text, url"""
SECTIONS: tuple[tuple[str, str, int, str | None], ...] = (
    ("PANTRY", "Pantry", 10, "FREESHIP"),
    ("HOME", "Home & Garden", 20, "SPRING"),
    ("TECH", "Tech", 30, "NEW"),
    ("WELL", "Wellness", 40, None),
)
"""code, name, display order, banner"""
PRODUCT_GROUPS: tuple[tuple[str, str, int, str | None, tuple[str, ...]], ...] = (
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
)
"""code, name, display order, banner, sections"""
NOTICES: tuple[tuple[str, str, str, int], ...] = (
    (
        "ALLERGEN",
        "Allergen notice",
        "**Allergens:** made in a facility that also processes *peanuts* and *tree nuts*.",
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
)
"""code, name, Markdown body, display order"""
SORT_OPTIONS: tuple[tuple[str, str, int], ...] = (
    ("FEATURED", "Featured", 0),
    ("PRICE_ASC", "Price: low to high", 1),
    ("PRICE_DESC", "Price: high to low", 2),
    ("NAME", "Name A–Z", 3),
    ("NEWEST", "Newest", 4),
)
"""code, name, sort"""
CATALOGUE_OF_CATEGORY: dict[str, tuple[str, str | None]] = {
    "Snacks": ("SNACKS", "ALLERGEN"),
    "Beverages": ("DRINKS", None),
    "Household": ("CLEANING", None),
    "Hardware": ("TOOLS", None),
    "Electronics": ("GADGETS", "WARRANTY"),
    "Health": ("VITAMINS", "SUPPLEMENT"),
    "Apparel": ("CLOTHING", "CARE"),
    "Garden": ("GARDEN", None),
}
"""item category → (product group, notice) of its catalogue product"""


def reference_day(offset_days: int) -> date:
    """A calendar day relative to the reference date (negative = before)."""
    return (REFERENCE_DATE + timedelta(days=offset_days)).date()


def live_reference(now: datetime | None = None) -> datetime:
    """The reference of a live seed (``posdesk --demo``): ``now`` (default: the current time)
    in UTC, truncated to the minute, so today's sales so far exist and none lies in the future.

    At exactly 00:00 UTC it is one minute earlier: a reference at midnight is a whole date
    (each store's last day complete, see :class:`~.base.SeedState`), whose evening sales in
    American stores would lie hours after ``now``."""
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(second=0, microsecond=0)
    if moment.hour == moment.minute == 0:
        moment -= timedelta(minutes=1)
    return moment
