"""Deterministic seed data for the sandbox (fixed random seed, a reference date).

Every preset contains the same hand-made records, :data:`FIXTURES`, that tests and demos rely
on (a customer with many sales, a serial item, a lot item, gift cards of every kind, a sale at
23:59 local time and one at 00:00 the next day, ...). Everything else is generated from
:data:`RANDOM_SEED`, so two databases seeded with the same preset and reference are identical.

Presets: ``demo`` (small, seeds in well under 2 s), ``large`` (100k customers, 50k items in 5
warehouses, 1M sales, 20k gift cards: the benchmark data set), ``empty`` (the fixtures only).

Generated data (sales, gift card transactions, stock receipts, customers) lie in the two years
before a reference instant, :data:`REFERENCE_DATE` by default (tests, benchmarks and screenshots
see the same data every day); ``posdesk --demo`` seeds with :func:`live_reference` (now), so its
sales run up to the current minute. The hand-made fixtures keep their fixed dates. Generated
sales' ids increase with their sale date. Money is integer cents throughout, so every sale adds
up exactly: ``sum(line ext) = subTotal``, ``subTotal - sale discount + tax = total =
sum(tenders)``.

Layout: :mod:`.reference` holds the data (presets, locations, fixtures, word lists),
:mod:`.helpers` small pure functions, and one module per group of generator phases
(:mod:`.customers`, :mod:`.goods`, :mod:`.giftcards`, :mod:`.sales`) combined by
:func:`.seeder.populate`. The package never imports :mod:`posdesk.sandbox.db`: the database
calls :func:`populate` (a :class:`~.base.SeedTarget` is all it needs).
"""

from posdesk.sandbox.seed.helpers import (
    ean_13,
    local_ts,
    name_tokens,
    phone_formats,
    phone_tokens,
    round_div,
    ts,
    upc_a,
)
from posdesk.sandbox.seed.reference import (
    ADJECTIVES,
    BRANDS,
    CARD_BRANDS,
    CATEGORIES,
    DEMO_FIXTURES,
    EMAIL_DOMAINS,
    FAR_EXPIRY,
    FIRST_NAMES,
    FIXTURES,
    HOME_CITIES,
    LAST_NAMES,
    LOCATIONS,
    PRESETS,
    RANDOM_SEED,
    REFERENCE_DATE,
    REGION_OF,
    STORES,
    STREETS,
    TENANT_TIME_ZONE,
    WAREHOUSES,
    Fixtures,
    Location,
    Preset,
    live_reference,
    reference_day,
)
from posdesk.sandbox.seed.seeder import populate

__all__ = [
    "ADJECTIVES",
    "BRANDS",
    "CARD_BRANDS",
    "CATEGORIES",
    "DEMO_FIXTURES",
    "EMAIL_DOMAINS",
    "FAR_EXPIRY",
    "FIRST_NAMES",
    "FIXTURES",
    "HOME_CITIES",
    "LAST_NAMES",
    "LOCATIONS",
    "PRESETS",
    "RANDOM_SEED",
    "REFERENCE_DATE",
    "REGION_OF",
    "STORES",
    "STREETS",
    "TENANT_TIME_ZONE",
    "WAREHOUSES",
    "Fixtures",
    "Location",
    "Preset",
    "ean_13",
    "live_reference",
    "local_ts",
    "name_tokens",
    "phone_formats",
    "phone_tokens",
    "populate",
    "reference_day",
    "round_div",
    "ts",
    "upc_a",
]
