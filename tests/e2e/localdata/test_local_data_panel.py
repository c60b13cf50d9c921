"""The Local data panel against the sandbox over HTTP: counts equal the mirror's status and move
during the sync, Sync now, Pause after the page in flight, Forget deletes the file (and Sync
now copies again), the scope setting, registers → stores on a documented server."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from posdesk.domain import SaleFilter
from posdesk.mirror import MirrorSettings
from posdesk.models import local_reads
from posdesk.models.local_data import LocalData
from posdesk.sandbox.server import SandboxServer
from posdesk.ui.localdata import open_local_data
from posdesk.ui.localdata.panel import LocalDataPanel
from posdesk.ui.localdata.scope import load_scope
from posdesk.ui.shell.context import SessionContext
from tests.e2e.localdata.conftest import local_session
from tests.helpers.accessibility import unnamed
from tests.helpers.waiting import wait_until

SLOW = MirrorSettings(page_size=40)  # many pages: the sync is still running when we look


def panel_of(context: SessionContext, qtbot: QtBot) -> LocalDataPanel:
    panel = open_local_data(context)  # closed and deleted by the session's end
    assert isinstance(panel, LocalDataPanel)
    return panel


async def refreshed(panel: LocalDataPanel) -> None:
    task = panel.refresh()
    assert task is not None
    await task


def data_of(context: SessionContext) -> LocalData:
    assert context.local_data is not None
    return context.local_data


async def one_pass(local_data: LocalData) -> None:
    passes: list[bool] = []
    local_data.synced.connect(lambda: passes.append(True))
    await wait_until(lambda: bool(passes), 60)


@pytest.fixture
def documented() -> Iterator[SandboxServer]:
    server = SandboxServer(db_path=":memory:", seed="demo", port=0, api="documented")
    server.start()
    yield server
    server.stop()


@pytest.mark.asyncio
async def test_counts_move_during_the_sync_and_equal_the_mirror_status_after(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    sandbox.faults.latency_ms = 10
    async with local_session(sandbox, tmp_path, settings=SLOW) as context:
        local_data = data_of(context)
        panel = panel_of(context, qtbot)
        assert "Stored in" in panel.where.text()
        assert str(local_data.mirror.path) in panel.where.text()
        seen: list[dict[str, int]] = []
        local_data.start()

        # during the first sync: sales show "copying…" and a partial count that then grows
        def partial() -> bool:
            return (
                local_data.progress["sale"].running
                and "copying" in panel.state_of("sale")
                and panel.row_counts()["sale"] > 0
            )

        await wait_until(partial, 30)
        seen.append(panel.row_counts())
        await one_pass(local_data)
        await refreshed(panel)
        status = await local_data.mirror.status()
        assert panel.row_counts() == {e: s.rows for e, s in status.items()}
        assert panel.row_counts()["sale"] > seen[0]["sale"]
        assert panel.state_of("customer") == "up to date"
        assert panel.state_of("sale") == "up to date"

        # Sync now: another pass, the counts still equal the file's
        panel.sync_button.click()
        await one_pass(local_data)
        await refreshed(panel)
        status = await local_data.mirror.status()
        assert panel.row_counts() == {e: s.rows for e, s in status.items()}


@pytest.mark.asyncio
async def test_pause_stops_after_the_page_in_flight_and_resume_finishes(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    sandbox.faults.latency_ms = 10
    async with local_session(sandbox, tmp_path, settings=SLOW) as context:
        local_data = data_of(context)
        panel = panel_of(context, qtbot)
        local_data.start()
        await wait_until(lambda: local_data.progress["customer"].pages >= 2, 30)
        panel.pause_button.click()
        assert panel.pause_button.text() == "Resume"
        assert "Paused" in panel.message.text()
        at_pause = {e: p.pages for e, p in local_data.progress.items()}
        for _ in range(3):  # ~1.5 s at 10 ms a page would be dozens of pages
            await asyncio.sleep(0.5)
            now = {e: p.pages for e, p in local_data.progress.items()}
            assert all(now[e] <= at_pause[e] + 1 for e in now), (at_pause, now)
        assert "paused" in panel.state_of("customer")
        rows_paused = (await local_data.mirror.status())["customer"].rows
        panel.pause_button.click()
        assert panel.pause_button.text() == "Pause"
        await one_pass(local_data)
        assert (await local_data.mirror.status())["customer"].rows > rows_paused
        assert local_data.ready("customer")


@pytest.mark.asyncio
async def test_forget_deletes_the_file_and_sync_now_copies_again(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with local_session(sandbox, tmp_path) as context:
        local_data = data_of(context)
        panel = panel_of(context, qtbot)
        path = local_data.mirror.path
        local_data.start()
        await one_pass(local_data)
        assert path.is_file()
        await panel.forget()
        assert not path.exists()
        assert not any(path.parent.glob("mirror.sqlite3*"))
        assert "forgotten" in panel.message.text()
        assert "Sync now" in panel.message.text()
        assert set(panel.row_counts().values()) == {0}
        assert not local_data.ready("customer")
        assert not panel.forget_button.isEnabled()
        await asyncio.sleep(0.3)
        assert not path.exists()  # stays off until Sync now

        panel.sync_button.click()
        await one_pass(local_data)
        assert path.is_file()
        await refreshed(panel)
        status = await local_data.mirror.status()
        assert panel.row_counts()["customer"] == status["customer"].rows > 0


@pytest.mark.asyncio
async def test_the_scope_setting_is_saved_and_resyncs_only_those_stores_sales(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with local_session(sandbox, tmp_path) as context:
        local_data = data_of(context)
        panel = panel_of(context, qtbot)
        local_data.start()
        await one_pass(local_data)
        await refreshed(panel)
        stores = [panel.store_list.item(i).text() for i in range(panel.store_list.count())]
        assert "AUSTIN" in stores
        assert "WEST" not in stores  # the warehouse sells nothing
        all_sales = (await local_data.mirror.status())["sale"].rows
        for i in range(panel.store_list.count()):
            item = panel.store_list.item(i)
            keep = item.text() == "AUSTIN"
            item.setCheckState(Qt.CheckState.Checked if keep else Qt.CheckState.Unchecked)
        panel.months.setValue(120)
        panel.apply_button.click()
        assert "AUSTIN" in panel.message.text()
        saved = load_scope(context.settings())
        assert saved.sale_locations == frozenset({"AUSTIN"})
        assert saved.sale_months == 120
        await one_pass(local_data)
        stores_kept = await local_data.mirror.read(
            lambda c: {r[0] for r in c.execute("SELECT DISTINCT location_code FROM sale")}
        )
        assert stores_kept == {"AUSTIN"}
        assert 0 < (await local_data.mirror.status())["sale"].rows < all_sales


@pytest.mark.asyncio
async def test_registers_get_their_stores_on_a_documented_server(
    qtbot: QtBot, documented: SandboxServer, tmp_path: Path
) -> None:
    async with local_session(documented, tmp_path) as context:
        local_data = data_of(context)
        panel = panel_of(context, qtbot)
        local_data.start()
        await one_pass(local_data)
        await refreshed(panel)
        table = panel.registers
        aus = table.combo("AUS-1")
        bkn = table.combo("BKN-1")
        assert isinstance(aus, QComboBox)
        assert isinstance(bkn, QComboBox)
        assert aus.currentText() == "AUSTIN"  # suggested from the store code's first letters
        assert bkn.currentData() is None  # "BKN" is no store's start: the manager picks
        notes = dict(zip([r.register_code for r in table.rows], table.notes(), strict=True))
        assert notes["AUS-1"].startswith("suggested")
        assert "name a register but not a store" in table.explanation.text()
        assert unnamed(panel) == []  # every control findable by tests and screen readers
        mirror = local_data.mirror
        unmapped = await mirror.sales(SaleFilter(location_code="AUSTIN"))
        assert not unmapped.items  # suggestions are not used before Save

        bkn.setCurrentIndex(bkn.findData("BROOKLYN"))
        task = panel.save_registers()
        assert task is not None
        await task
        chosen = {
            r.register_code: (r.location_code, r.source) for r in await mirror.register_stores()
        }
        assert chosen["AUS-1"] == ("AUSTIN", "manager")
        assert chosen["BKN-1"] == ("BROOKLYN", "manager")
        assert chosen["PDX-1"] == (None, "")  # left empty: still unknown
        austin = await mirror.sales(SaleFilter(location_code="AUSTIN"), first=500)
        assert austin.items
        assert {s.register_code for s in austin.items} <= {"AUS-1", "AUS-2", "AUS-3"}
        brooklyn = await mirror.sales(SaleFilter(location_code="BROOKLYN"), first=500)
        assert {s.register_code for s in brooklyn.items} == {"BKN-1"}
        # the Sales tab's register choices for a store follow the mapping too
        assert await local_reads.registers(local_data, "BROOKLYN") == ["BKN-1"]
        assert await local_reads.registers(local_data, "PORTLAND") == []
        assert table.notes()[[r.register_code for r in table.rows].index("AUS-1")] == "set by you"
