"""Sales › Record purchase… opens the dialog on the signed-in session's client."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from posdesk.sandbox.server import SandboxServer
from posdesk.ui.sales.purchase import RecordPurchaseDialog
from posdesk.ui.shell.main_window import MainWindow
from tests.helpers.session import signed_in
from tests.helpers.waiting import settle, wait_until

pytestmark = pytest.mark.asyncio


async def test_sales_menu_opens_record_purchase(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        window = MainWindow()
        qtbot.addWidget(window)
        assert window.record_purchase() is None  # no session yet: a status message instead
        window.set_session(ctx, demo=True)
        window.record_purchase_action.trigger()
        dialogs = window.findChildren(RecordPurchaseDialog)
        assert len(dialogs) == 1
        dialog = dialogs[0]
        await settle(dialog)  # the store list comes from the server's locations
        stores = {dialog.store.itemText(i) for i in range(dialog.store.count())}
        assert "AUSTIN" in stores
        dialog.close()
        # the first tab loads in the background: let it finish before the session closes
        await wait_until(
            lambda: not getattr(getattr(window.current_tab(), "model", None), "loading", False)
        )
