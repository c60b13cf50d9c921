"""POS locations, loaded one way for every feature (Sales filter, Inventory warehouses,
Record purchase's store list): all pages, in the server's order. Failures are the caller's
to word: each list still works when the user types a location code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from posdesk.domain import Location

if TYPE_CHECKING:  # the UI never imports the HTTP layer at run time
    from posdesk.api.client import PosClient

PAGE_SIZE = 200


async def load_locations(client: PosClient) -> list[Location]:
    """Every location the principal may see (raises the API's ``PosError`` family)."""
    locations: list[Location] = []
    async for page in client.pages(client.locations, first=PAGE_SIZE):
        locations.extend(page.items)
    return locations
