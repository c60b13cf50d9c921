"""The executable schema: ``schema.graphql`` plus the bindables of every domain module.

Like ariadne's ``make_executable_schema(type_defs, *bindables)`` examples: each domain module
(customers, inventory, sales, catalogue, gift cards, purchases, terminal, tenant) exports
``bindables(...)`` for its own root fields and nested types; this module only puts them together.
"""

from __future__ import annotations

from importlib.resources import files

from ariadne import make_executable_schema
from graphql import GraphQLSchema

from posdesk.sandbox.db import Database
from posdesk.sandbox.graphql_api import (
    catalogue,
    customers,
    giftcards,
    inventory,
    purchases,
    sales,
    tenant,
    terminal,
)
from posdesk.sandbox.graphql_api.documented import API_MODES, documented_type_defs, restrict
from posdesk.sandbox.graphql_api.scalars import SCALARS

# importlib.resources, not __file__: finds the file in a checkout and in the app bundle alike.
SCHEMA_FILE = files("posdesk.sandbox").joinpath("schema.graphql")


def build_schema(db: Database, api: str = "extended") -> GraphQLSchema:
    """The executable schema over ``db`` (one terminal simulator per schema).

    ``api="documented"`` serves only the documented surface (see :mod:`.documented`)."""
    if api not in API_MODES:
        raise ValueError(f"api must be one of {', '.join(API_MODES)}, not {api!r}")
    type_defs = SCHEMA_FILE.read_text(encoding="utf-8")
    schema: GraphQLSchema = make_executable_schema(
        type_defs,
        *customers.bindables(db),
        *tenant.bindables(db),
        *inventory.bindables(db),
        *sales.bindables(db),
        *catalogue.bindables(db),
        *giftcards.bindables(db),
        *purchases.bindables(db),
        *terminal.bindables(),
        *SCALARS,
        convert_names_case=True,
    )
    if api == "documented":
        return restrict(schema, documented_type_defs(type_defs))
    return schema
