"""Record purchase steps shared by the sales end-to-end tests: a dialog filled in with two
lines of seed items (one found by its barcode), optionally taken to its confirmation step."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from posdesk.sandbox.seed import FIXTURES
from posdesk.ui.sales.purchase import RecordPurchaseDialog
from posdesk.ui.shell.context import SessionContext
from tests.helpers.giftcards import unique_code
from tests.helpers.waiting import settle


async def reviewed_purchase(qtbot: QtBot, ctx: SessionContext) -> tuple[RecordPurchaseDialog, str]:
    """A filled-in purchase dialog on its confirmation step, with a fresh transaction id."""
    dialog = RecordPurchaseDialog(ctx.client, store_code="AUSTIN", viewer=ctx.viewer)
    qtbot.addWidget(dialog)
    tx_id = unique_code("ERP-")
    await fill_purchase(dialog, tx_id)
    dialog.review_button.click()
    return dialog, tx_id


async def fill_purchase(dialog: RecordPurchaseDialog, tx_id: str) -> None:
    dialog.transaction_id.setText(tx_id)
    dialog.store.setCurrentText("AUSTIN")
    dialog.member.setText(FIXTURES.card_owner_member_id)
    dialog.channel.setCurrentText("WEB")
    dialog.sku.setText(FIXTURES.ean_barcode)  # scanned barcode → the item's SKU
    dialog.find_button.click()
    await settle(dialog)
    assert dialog.sku.text() != FIXTURES.ean_barcode
    dialog.qty.setText("2")
    dialog.unit_price.setText("3.49")
    dialog.discount.setText("0.50")
    dialog.add_line_from_fields()
    dialog.sku.setText(FIXTURES.plain_sku)
    dialog.find_button.click()
    await settle(dialog)
    dialog.qty.setText("1")
    dialog.unit_price.setText("10")
    dialog.add_line_from_fields()
    dialog.tax.setText("1.25")
