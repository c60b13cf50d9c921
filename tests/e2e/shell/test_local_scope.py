"""Local state belongs to one server and principal: two sandboxes on two ports are two servers.

Through the real shell (SessionController + MainWindow + Gift Cards tab): the demo's stopped
issue never shows under a real profile, a draft from server A is invisible on server B, a
purchase transaction id recorded on A is not refused on B (it still is on A), and per-tab
settings are kept per server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from posdesk.api.errors import DuplicateReference
from posdesk.api.profile import ConnectionProfile
from posdesk.app.demo import start_demo
from posdesk.app.session import SessionController
from posdesk.sandbox.security import DEMO_CLIENTS
from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from posdesk.store.issue_drafts import IssueDraftStore, IssueStep
from posdesk.ui.giftcards.tab import GiftCardsTab
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.shell.main_window import MainWindow, TabSpec
from tests.api.helpers import base_url, browser, purchase_draft
from tests.e2e.shell.test_session import make_shell
from tests.helpers.giftcards import cash_draft, unique_code
from tests.helpers.scan import files_text
from tests.helpers.waiting import settle

pytestmark = pytest.mark.asyncio

GIFT_CARDS = [TabSpec("&Gift Cards", "posdesk.ui.giftcards.tab:GiftCardsTab", "giftcards")]


@asynccontextmanager
async def shell(
    qtbot: QtBot,
    data_dir: Path,
    *,
    demo: bool = False,
    opener: Callable[[str], object] | None = None,
) -> AsyncIterator[tuple[MainWindow, SessionController]]:
    """The real shell with only the Gift Cards tab; local state under ``data_dir``."""
    window, controller = make_shell(
        qtbot, data_dir, opener, tabs=GIFT_CARDS, demo=await start_demo() if demo else None
    )
    try:
        yield window, controller
    finally:
        await controller.aclose()


@asynccontextmanager
async def store_tab(
    qtbot: QtBot, server: SandboxServer, data_dir: Path
) -> AsyncIterator[GiftCardsTab]:
    """The Gift Cards tab of a profile "Store" on ``server``."""
    async with shell(qtbot, data_dir) as (window, controller):
        add_profile(controller, "Store", server)
        yield await open_tab(window, controller, "Store")


def add_profile(controller: SessionController, name: str, server: SandboxServer) -> None:
    profile = ConnectionProfile(name, base_url(server), client_id="posdesk-demo")
    controller.store.save(profile, secret=DEMO_CLIENTS["posdesk-demo"].secret)


async def open_tab(window: MainWindow, controller: SessionController, name: str) -> GiftCardsTab:
    assert await controller.connect(controller.find_profile(name))  # type: ignore[arg-type]
    tab = window.open_tab("giftcards")
    assert isinstance(tab, GiftCardsTab)
    return tab


async def stop_at_create(tab: GiftCardsTab) -> None:
    """Issue a card whose code is already taken: it stops before any payment."""
    dialog = tab.open_issue()
    dialog.type_physical.setChecked(True)
    dialog.physical_code.setText(FIXTURES.gc_physical_code)
    dialog.amount.setText("20")
    dialog.review_button.click()
    dialog.start_button.click()
    await settle(dialog)
    assert "already used by another card" in dialog.status_label.text()
    dialog.close_button.click()
    tab.update_resume()


def context(window: MainWindow) -> SessionContext:
    assert window.context is not None
    return window.context


async def test_demo_leaves_nothing_a_real_profile_shows(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path, isolated_qsettings: Path
) -> None:
    data_dir = tmp_path / "data"
    async with shell(qtbot, data_dir, demo=True) as (window, controller):
        await controller.start()
        demo_tab = window.open_tab("giftcards")
        assert isinstance(demo_tab, GiftCardsTab)
        await stop_at_create(demo_tab)
        assert len(demo_tab.drafts.unfinished()) == 1
        assert "Nothing was charged" in demo_tab.resume_label.text()
        demo_ctx = context(window)
        demo_ctx.settings().setValue("recent", "demo-only")
        demo_folder = demo_tab.drafts.path.parent
        assert not demo_folder.is_relative_to(data_dir)
        assert not demo_folder.is_relative_to(isolated_qsettings)

        # The same PC, a real server: nothing of the demo is offered.
        add_profile(controller, "Store", sandbox)
        real_tab = await open_tab(window, controller, "Store")
        assert real_tab.drafts.unfinished() == []
        assert not real_tab.resume_button.isVisibleTo(real_tab)
        assert context(window).settings().value("recent") is None
        assert not real_tab.pending.entries
    assert not demo_folder.exists()  # the demo's folder went with the session
    assert "demo-only" not in files_text(isolated_qsettings)
    # Nothing was written outside the real server's own folder.
    assert {p.name for p in data_dir.iterdir()} == {"servers"}


async def test_drafts_purchases_and_settings_belong_to_their_server(
    qtbot: QtBot,
    sandbox: SandboxServer,
    other_sandbox: SandboxServer,
    tmp_path: Path,
    isolated_qsettings: Path,
) -> None:
    async with shell(qtbot, tmp_path) as (window, controller):
        add_profile(controller, "Test server", sandbox)
        add_profile(controller, "Production", other_sandbox)

        tab_a = await open_tab(window, controller, "Test server")
        await stop_at_create(tab_a)
        assert tab_a.resume_button.isVisibleTo(tab_a)
        where_a = context(window).where
        host_a = base_url(sandbox).split("//")[1]
        assert where_a == f"on {context(window).environment.name} ({host_a}) as posdesk-demo"
        assert where_a in tab_a.resume_label.text()
        assert tab_a.pending.server_label.text() == f"Operations {where_a}."
        tx_id = "ERP-SCOPE-" + unique_code()
        await context(window).client.purchase_add(purchase_draft(tx_id))
        context(window).settings().setValue("myStore", "AUSTIN")

        tab_b = await open_tab(window, controller, "Production")
        where_b = context(window).where
        assert where_b != where_a
        assert tab_b.pending.server_label.text() == f"Operations {where_b}."
        assert tab_b.drafts.unfinished() == []
        assert not tab_b.resume_button.isVisibleTo(tab_b)
        # recorded on the test server: irrelevant here, so not refused
        recorded = await context(window).client.purchase_add(purchase_draft(tx_id))
        assert recorded.transaction_id == tx_id
        assert context(window).settings().value("myStore") is None

        tab_a = await open_tab(window, controller, "Test server")
        assert len(tab_a.drafts.unfinished()) == 1
        with pytest.raises(DuplicateReference):  # the guard still holds on its own server
            await context(window).client.purchase_add(purchase_draft(tx_id))
        assert context(window).settings().value("myStore") == "AUSTIN"


async def test_nothing_charged_can_be_discarded_after_confirming(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path, isolated_qsettings: Path
) -> None:
    async with store_tab(qtbot, sandbox, tmp_path) as tab:
        await stop_at_create(tab)
        text = tab.resume_label.text()
        assert "Nothing was charged" in text
        assert "$20.00" in text
        assert "charged twice" not in text
        assert tab.discard_button.isVisibleTo(tab)

        box = tab.discard_issue()
        assert box is not None
        assert "Nothing was charged" in box.text()
        box.button(QMessageBox.StandardButton.Cancel).click()
        assert len(tab.drafts.unfinished()) == 1  # Cancel keeps it

        box = tab.discard_issue()
        assert box is not None
        box.button(QMessageBox.StandardButton.Discard).click()
        assert tab.drafts.unfinished() == []
        assert not tab.resume_button.isVisibleTo(tab)
        assert not tab.discard_button.isVisibleTo(tab)
        assert "discarded" in tab.message.text()


async def test_paid_but_not_funded_says_so_and_cannot_be_discarded(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path, isolated_qsettings: Path
) -> None:
    async with store_tab(qtbot, sandbox, tmp_path) as tab:
        code = unique_code()
        card = await tab.backend.giftcard_add(physical_code=code)
        # The app stopped after the cash was taken and before the card was funded.
        tab.drafts.save(cash_draft(code, "35").advance(IssueStep.PAID, card_id=card.id))
        tab.update_resume()
        text = tab.resume_label.text()
        assert "Paid $35.00 by cash, card not funded yet" in text
        assert "resume so the customer gets the card" in text
        assert not tab.discard_button.isVisibleTo(tab)
        assert tab.discard_issue() is None  # never when money moved
        assert len(tab.drafts.unfinished()) == 1

        dialog = tab.resume_issue()
        assert dialog is not None
        assert "Paid $35.00 by cash" in dialog.status_label.text()
        dialog.retry_button.click()
        await settle(dialog)
        assert "Done" in dialog.status_label.text(), dialog.status_label.text()
        assert tab.drafts.unfinished() == []


async def test_a_signed_in_user_has_state_of_their_own(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path, isolated_qsettings: Path
) -> None:
    async with shell(qtbot, tmp_path, opener=browser("manager", "manager-pass")) as (
        window,
        controller,
    ):
        controller.store.save(ConnectionProfile("Manager", base_url(sandbox), "interactive"))
        add_profile(controller, "Store", sandbox)
        await open_tab(window, controller, "Manager")
        user = context(window).local
        assert user is not None
        assert user.scope.principal == f"user:{context(window).viewer.subject}"
        assert context(window).where.endswith(f"as {context(window).viewer.name}")
        await open_tab(window, controller, "Store")
        client = context(window).local
        assert client is not None
        assert client.scope.issuer == user.scope.issuer  # same server, another principal
        assert client.directory != user.directory


async def test_older_per_pc_drafts_are_listed_never_resumed(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path, isolated_qsettings: Path
) -> None:
    old = IssueDraftStore(tmp_path / "issue_drafts.json").save(cash_draft(unique_code(), "20"))
    async with store_tab(qtbot, sandbox, tmp_path) as tab:
        assert tab.drafts.unfinished() == []
        assert not tab.resume_button.isVisibleTo(tab)
        assert tab.legacy_label.isVisibleTo(tab)
        text = tab.legacy_label.text()
        assert "from an older posdesk, server unknown" in text
        assert old.fund_ref_no in text
