"""Sales set-up shared by the Customers / Sales end-to-end tests: a session pinned to the seed's
boundary store zone (America/Chicago), so "23:59 local" means the same on every test machine,
and the server's own list of sales to compare the tabs with."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from posdesk.api.client import PosClient
from posdesk.domain import Sale, SaleFilter
from posdesk.models.paged import PagedTableModel
from posdesk.ui.common.tables import TZ_EXTRA
from posdesk.ui.shell.context import SessionContext
from tests.helpers.session import connected_context

CHICAGO = ZoneInfo("America/Chicago")


async def chicago_context(client: PosClient, tmp_path: Path) -> SessionContext:
    """A session for ``client`` that shows dates in America/Chicago."""
    return await connected_context(client, f"e2e-{tmp_path.name}", extras={TZ_EXTRA: CHICAGO})


def idle(model: PagedTableModel[Any]) -> bool:
    """No page of ``model`` is loading."""
    return not model.loading


async def all_sales(client: PosClient, sale_filter: SaleFilter) -> list[Sale]:
    """Every sale the server has for ``sale_filter``, page by page."""
    found: list[Sale] = []
    skip = 0
    while True:
        page = await client.sales(sale_filter, skip=skip, first=500)
        found.extend(page.items)
        skip += len(page.items)
        if not page.has_more or not page.items:
            return found
