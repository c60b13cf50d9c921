"""Every interactive widget of the tabs and their dialogs has an objectName and an accessible
name (the shell's own check is tests/unit/ui/shell/test_accessibility.py; these need a signed-in
session, so they run against the sandbox). docs/testing.md lists the names."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from posdesk.domain import GiftCardCodeType
from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from posdesk.ui.customers.tab import CustomersTab
from posdesk.ui.giftcards.money_dialogs import MoneyAction, SettleAction
from posdesk.ui.giftcards.tab import GiftCardsTab
from posdesk.ui.sales.purchase import RecordPurchaseDialog
from posdesk.ui.sales.tab import SalesTab
from tests.helpers.accessibility import unnamed
from tests.helpers.giftcards import look_up
from tests.helpers.session import signed_in

pytestmark = pytest.mark.asyncio


async def test_tabs_and_dialogs_name_their_widgets(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        roots: dict[str, QWidget] = {}
        for tab_class in (CustomersTab, SalesTab):
            roots[tab_class.__name__] = tab_class(ctx)
        gift = GiftCardsTab(ctx)
        roots["GiftCardsTab"] = gift
        for root in roots.values():
            qtbot.addWidget(root)
        await look_up(gift, FIXTURES.gc_history_code, GiftCardCodeType.PHYSICAL)
        assert gift.target is not None
        for action in MoneyAction:
            dialog = gift.open_money(action)
            assert dialog is not None
            roots[f"TransactionDialog {action}"] = dialog
        statuses = gift.view.trans_table
        for row in range(statuses.rowCount()):
            item = statuses.item(row, 3)
            if item is not None and item.text() == "Authorized":
                statuses.selectRow(row)
        for settle_action in SettleAction:
            settle_dialog = gift.open_settle(settle_action)
            assert settle_dialog is not None, "the history card has an authorized transaction"
            roots[f"SettleDialog {settle_action}"] = settle_dialog
        edit = gift.open_edit()
        assert edit is not None
        roots["EditCodesDialog"] = edit
        roots["IssueCardDialog"] = gift.open_issue()
        purchase = RecordPurchaseDialog(ctx.client, store_code="AUSTIN", viewer=ctx.viewer)
        qtbot.addWidget(purchase)
        roots["RecordPurchaseDialog"] = purchase
        problems = {}
        for what, root in roots.items():
            root.show()
            if found := unnamed(root):
                problems[what] = found
            root.hide()
        assert problems == {}
