"""The sandbox's GraphQL API: schema-first (``schema.graphql``, ariadne) over :class:`Database`.

A façade: the resolvers live in one module per domain (``customers``, ``inventory``, ``sales``,
``catalogue``, ``giftcards``, ``purchases``, ``terminal``, ``tenant``), each exporting its ariadne
bindables; ``errors``, ``scalars``, ``paging``, ``search``, ``permissions`` and ``cache`` hold
what they share, and ``schema.build_schema`` binds them all.

Contract with the HTTP layer (``server.py``): ``build_schema(db)`` gives the executable schema,
``format_error`` is ariadne's ``error_formatter``, and the context value is a dict whose
``"principal"`` is a :class:`~posdesk.sandbox.security.Principal` (or ``None`` when the request
carried no valid token → ``NOT_AUTHENTICATED``).

Behaviour decisions (documented for client authors; see also docs/architecture.md):

* Paging: ``first`` defaults to :data:`DEFAULT_FIRST` (100) and is capped at :data:`MAX_FIRST`
  (1000); negative values are a ``VALIDATION`` error. ``hasMoreResults`` is exact.
* Ordering: customers by id, items by SKU, sales by id (``newestFirst`` reverses), warehouse rows
  by (sku, warehouse), serial/lot rows by (sku, warehouse, number), gift cards and gift card
  transactions and purchases by id. With ``since`` every list is ordered by modification date,
  tie-broken by row id; ``since: ""`` starts from the beginning and ``until`` is an opaque
  cursor (base64 of entity, modification stamp, row id).
* ``sale(fromDate, toDate)`` compares the UTC date of ``saleDate`` (from inclusive, to
  exclusive); ``fromTime``/``toTime`` take instants with an offset for local-day queries.
* Errors carry ``extensions.code``: ``NOT_AUTHENTICATED``, ``NOT_AUTHORIZED`` (``data.Permission``
  names the missing permission), ``VALIDATION`` (``data.ValidationType`` and ``data.Property``),
  ``FUSION_ERROR`` (anything unexpected), ``GRAPHQL_VALIDATION_FAILED`` (malformed documents).
"""

from posdesk.sandbox.graphql_api.cache import QueryCache
from posdesk.sandbox.graphql_api.documented import API_MODES
from posdesk.sandbox.graphql_api.errors import format_error
from posdesk.sandbox.graphql_api.paging import DEFAULT_FIRST, MAX_FIRST
from posdesk.sandbox.graphql_api.permissions import ROOT_PERMISSIONS
from posdesk.sandbox.graphql_api.schema import SCHEMA_FILE, build_schema
from posdesk.sandbox.graphql_api.terminal import (
    TERMINAL_DECLINE_CENTS,
    TERMINAL_FAST,
    TERMINAL_TIMEOUT,
    TERMINAL_WAIT_MS,
)

__all__ = [
    "API_MODES",
    "DEFAULT_FIRST",
    "MAX_FIRST",
    "ROOT_PERMISSIONS",
    "SCHEMA_FILE",
    "TERMINAL_DECLINE_CENTS",
    "TERMINAL_FAST",
    "TERMINAL_TIMEOUT",
    "TERMINAL_WAIT_MS",
    "QueryCache",
    "build_schema",
    "format_error",
]
