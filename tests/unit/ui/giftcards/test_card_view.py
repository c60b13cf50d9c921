"""Card view and slip: masking rule, local times, owner link, PDF output."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from posdesk.domain import (
    GiftCard,
    GiftCardCode,
    GiftCardCodeType,
    GiftCardTransaction,
    GiftCardTransStatus,
    GiftCardTransType,
)
from posdesk.models.formatting import Formatter
from posdesk.ui.giftcards.card_view import GiftCardView, display_code, local_time, mask_code
from posdesk.ui.giftcards.slip import GiftCardSlip, slip_html, write_slip_pdf


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
CARD = GiftCard(
    id="30004",
    balance=Decimal("37.25"),
    member_id="C000000345",
    codes=(
        GiftCardCode(GiftCardCodeType.PHYSICAL, "GC50311427", has_pin=True),
        GiftCardCode(GiftCardCodeType.PERSONAL, "PZ7Q4K9M2X8W1V6T", is_masked=False),
        GiftCardCode(GiftCardCodeType.EXTERNAL, "EXT-99881", expires_on=NOW - timedelta(days=3)),
    ),
)
TXS = (
    GiftCardTransaction(
        id="1",
        trans_type=GiftCardTransType.ADD,
        amount=Decimal("50.00"),
        status=GiftCardTransStatus.COMPLETED,
        source_id="posdesk",
        ref_no="R-1",
        created_on=NOW - timedelta(days=2),
    ),
    GiftCardTransaction(
        id="2",
        trans_type=GiftCardTransType.USE,
        amount=Decimal("-12.75"),
        status=GiftCardTransStatus.AUTHORIZED,
        source_id="web",
        ref_no="R-2",
        created_on=NOW,
    ),
)


def test_masking_rule() -> None:
    personal = CARD.codes[1]
    assert display_code(personal, can_unmask=False) == mask_code(personal.code)
    assert display_code(personal, can_unmask=True) == personal.code
    masked = GiftCardCode(GiftCardCodeType.PERSONAL, "************V6T", is_masked=True)
    assert display_code(masked, can_unmask=True) == masked.code
    assert display_code(CARD.codes[0], can_unmask=False) == "GC50311427"
    assert mask_code("GC50311427") == "•••• 1427"


def test_view_shows_card_codes_and_history(qtbot: QtBot) -> None:
    view = GiftCardView(can_unmask=False, formatter=Formatter(currency="USD"))
    qtbot.addWidget(view)
    view.set_card(CARD, TXS)
    assert view.balance_label.text() == "$37.25"
    assert "C000000345" in view.owner_label.text()
    codes = view.codes_table
    assert codes.rowCount() == 3
    assert cell(codes, 1, 1) == mask_code("PZ7Q4K9M2X8W1V6T")
    assert "expired" in cell(codes, 2, 2)
    assert cell(codes, 0, 3) == "yes"
    trans = view.trans_table
    assert trans.rowCount() == 2
    # newest first, local time, signed amount, plain-word status
    assert cell(trans, 0, 0) == local_time(NOW)
    assert cell(trans, 0, 2) == "-$12.75"
    assert cell(trans, 0, 3) == "Authorized"
    assert cell(trans, 1, 3) == "Completed"
    assert cell(trans, 0, 5) == "R-2"
    with qtbot.waitSignal(view.ownerActivated) as blocker:
        view.owner_label.linkActivated.emit("member:C000000345")
    assert blocker.args == ["C000000345"]
    trans.selectRow(0)
    selected = view.selected_transaction()
    assert selected is not None
    assert selected.id == "2"


def test_slip_masks_code_and_writes_pdf(tmp_path: Path) -> None:
    slip = GiftCardSlip(
        title="Gift card issued",
        code="GC50311427",
        balance=Decimal("50.00"),
        when=NOW,
        store="AUSTIN <main>",
        amount=Decimal("50.00"),
        payment="Cash",
        currency="USD",
    )
    text = slip_html(slip)
    assert "GC50311427" not in text
    assert "1427" in text
    assert "AUSTIN &lt;main&gt;" in text
    assert "$50.00" in text
    pdf = write_slip_pdf(slip, tmp_path / "slip.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert b"GC50311427" not in data
