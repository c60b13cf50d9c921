"""The Gift Cards screens inside the shell: owner link to Customers, every widget named."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from posdesk.domain import GiftCardCodeType
from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from posdesk.ui.giftcards.edit_codes import EditCodesDialog
from posdesk.ui.giftcards.money_dialogs import CardTarget, MoneyAction, TransactionDialog
from posdesk.ui.giftcards.tab import GiftCardsTab
from posdesk.ui.sales.purchase import RecordPurchaseDialog
from posdesk.ui.shell.errors import ErrorReporter
from posdesk.ui.shell.main_window import MainWindow
from tests.helpers.accessibility import unnamed
from tests.helpers.giftcards import card_tab
from tests.helpers.session import signed_in
from tests.helpers.waiting import settle, wait_until

pytestmark = pytest.mark.asyncio


async def test_owner_link_opens_the_member_in_customers(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        window = MainWindow(QSettings(), reporter=ErrorReporter(show_dialogs=False))
        qtbot.addWidget(window)
        window.set_session(ctx, demo=True)
        tab = window.open_tab("giftcards")
        assert isinstance(tab, GiftCardsTab)
        tab.code_type.setCurrentIndex(tab.code_type.findData(GiftCardCodeType.PERSONAL.value))
        tab.code_edit.setText(FIXTURES.gc_personal_code)
        tab.lookup_button.click()
        await settle(tab)
        assert tab.target is not None
        tab.view.owner_label.linkActivated.emit(f"member:{FIXTURES.card_owner_member_id}")
        customers = window.current_tab()
        assert customers is not None
        assert customers.objectName() != "giftCardsTab"
        assert getattr(customers, "last_search", None) == FIXTURES.card_owner_member_id
        # let the Customers tab's search finish before the session closes
        await wait_until(lambda: not customers.model.loading)  # type: ignore[attr-defined]


async def test_every_interactive_widget_is_named(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        tab, _code = await card_tab(qtbot, ctx, Decimal("5.00"))
        assert tab.target is not None
        roots: list[QWidget] = [
            tab,
            tab.open_issue(),
            TransactionDialog(ctx.client, tab.target, MoneyAction.ADJUST),
            EditCodesDialog(ctx.client, tab.target.card),
            RecordPurchaseDialog(ctx.client, viewer=ctx.viewer),
        ]
        assert isinstance(tab.target, CardTarget)
        for root in roots:
            qtbot.addWidget(root)
            root.show()
            assert unnamed(root) == [], type(root).__name__
