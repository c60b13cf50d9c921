"""Registers → stores against the documented API: its sales carry a register but no store,
so a store filter needs the ``register_store`` mapping (a manager's, in the Local data panel)
to give the answer the extended server gives by itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from posdesk.api.client import PosClient
from posdesk.domain import Sale, SaleFilter
from posdesk.mirror import Mirror, MirrorSettings, MirrorSync
from posdesk.mirror.registers import MANAGER, SERVER, SUGGESTED, suggest
from posdesk.sandbox.server import SandboxServer
from tests.api.helpers import connect
from tests.mirror.conftest import everything, mirror_file


async def _sale_ids(mirror: Mirror, store: str) -> set[str]:
    ids: set[str] = set()
    skip = 0
    while True:
        page = await mirror.sales(SaleFilter(location_code=store), skip=skip, first=500)
        ids.update(s.id for s in page.items)
        skip += len(page.items)
        if not page.has_more or not page.items:
            return ids


async def _synced_mirror(
    client: PosClient, path: Path, settings: MirrorSettings | None = None
) -> Mirror:
    mirror = await Mirror.open(path)
    progress = await MirrorSync(client, mirror, settings).sync_once(["location", "sale"])
    assert not progress["sale"].error
    assert progress["sale"].rows > 0
    return mirror


def test_suggestion_needs_exactly_one_store_with_the_registers_first_three_letters() -> None:
    stores = ["AUSTIN", "BROOKLYN", "DENVER", "PORTLAND"]
    assert suggest("AUS-1", stores) == "AUSTIN"
    assert suggest("den-2", stores) == "DENVER"
    assert suggest("BKN-1", stores) is None  # Brooklyn's registers don't start with "BRO"
    assert suggest("AUS-1", ["AUSTIN", "AUSTRALIA"]) is None  # ambiguous: no guess


@pytest.mark.asyncio
async def test_a_store_filter_on_the_documented_api_matches_the_extended_server_after_mapping(
    documented_sandbox: SandboxServer, own_sandbox: SandboxServer, tmp_path: Path
) -> None:
    extended = await connect(own_sandbox, tmp_path / "x")
    documented = await connect(documented_sandbox, tmp_path / "d")
    full = await _synced_mirror(extended, mirror_file(tmp_path / "x"))
    bare = await _synced_mirror(documented, mirror_file(tmp_path / "d"))
    try:
        # the extended server says which store each register is in: learned by the sync
        learned = await full.register_stores()
        assert learned
        assert all(r.source == SERVER and r.location_code for r in learned)
        truth = {r.register_code: r.location_code for r in learned}
        stores = sorted({s for s in truth.values() if s})
        # the documented server does not: nothing matches a store, registers only suggested
        table = {r.register_code: r for r in await bare.register_stores()}
        assert set(table) == set(truth)
        assert all(r.source in (SUGGESTED, "") for r in table.values())
        assert table["AUS-1"].location_code == "AUSTIN"
        assert table["AUS-1"].source == SUGGESTED
        assert table["BKN-1"].location_code is None
        assert table["BKN-1"].source == ""
        assert await _sale_ids(bare, "AUSTIN") == set()

        for register, store in truth.items():  # the manager confirms / picks each store
            await bare.assign_register(register, store)
        assert {r.source for r in await bare.register_stores()} == {MANAGER}
        for store in stores:
            server = await everything(extended, extended.sales, SaleFilter(location_code=store))
            expected = {s.id for s in server}
            assert expected, store
            assert await _sale_ids(bare, store) == expected == await _sale_ids(full, store)
        # a register's store removed again: its sales leave the store's answer
        await bare.assign_register("AUS-1", None)
        austin = await _sale_ids(bare, "AUSTIN")
        assert austin
        registers = {(await bare.sale(i) or Sale(id=i)).register_code for i in austin}
        assert registers == {"AUS-2", "AUS-3"}
    finally:
        for m in (full, bare):
            await m.close()
        await extended.aclose()
        await documented.aclose()


@pytest.mark.asyncio
async def test_a_store_scope_on_the_documented_api_keeps_that_stores_registers(
    documented_sandbox: SandboxServer, tmp_path: Path
) -> None:
    """Scope "AUSTIN only": unmapped registers can't be told apart (kept); once mapped, a
    changed scope re-syncs and keeps exactly Austin's registers."""
    client = await connect(documented_sandbox, tmp_path)
    path = mirror_file(tmp_path)
    scope = MirrorSettings(sale_locations=frozenset({"AUSTIN"}))
    mirror = await _synced_mirror(client, path, scope)
    try:
        everything_kept = (await mirror.status())["sale"].rows
        for register in ("AUS-1", "AUS-2", "AUS-3"):
            await mirror.assign_register(register, "AUSTIN")
        others = {"BKN": "BROOKLYN", "DEN": "DENVER", "PDX": "PORTLAND"}
        for register in ("BKN-1", "BKN-2", "DEN-1", "DEN-2", "PDX-1", "PDX-2"):
            await mirror.assign_register(register, others[register[:3]])
        progress = await MirrorSync(client, mirror, scope).sync_once(["sale"])
        assert 0 < progress["sale"].rows < everything_kept
        kept = await mirror.read(
            lambda c: {r[0] for r in c.execute("SELECT DISTINCT register_code FROM sale")}
        )
        assert kept == {"AUS-1", "AUS-2", "AUS-3"}
    finally:
        await mirror.close()
        await client.aclose()
