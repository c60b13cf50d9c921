"""The report table stays cheap on a 20,000-row result (a reorder list of the large seed has
38,000): rows are formatted when the view first shows them, widths come from the first rows,
and a sort keeps the totals row last."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from posdesk.models.formatting import Formatter
from posdesk.reports.model import ChartKind, ChartSpec, ReportColumn, ReportResult, ValueKind
from posdesk.ui.reports.table import FIT_ROWS, ReportTable, ReportTableModel

pytestmark = pytest.mark.gui

ROWS = 20_000


def big_result() -> ReportResult:
    rows = tuple(
        (f"WH{n % 5}", f"SKU-{n:05d}", "A long item description " * (1 + n % 3), Decimal(n))
        for n in range(ROWS)
    )
    return ReportResult(
        key="reorder",
        title="Reorder list",
        filters_text="all warehouses",
        columns=(
            ReportColumn("Warehouse", ValueKind.TEXT, "warehouse"),
            ReportColumn("SKU", ValueKind.TEXT, "sku"),
            ReportColumn("Description", ValueKind.TEXT, "description"),
            ReportColumn("Available", ValueKind.QUANTITY, "available"),
        ),
        rows=rows,
        chart=ChartSpec(ChartKind.NONE),
        as_of=datetime(2026, 12, 6, tzinfo=UTC),
        totals=("Total", "", "", Decimal(sum(range(ROWS)))),
    )


def test_a_big_result_formats_only_what_is_seen_and_fits_the_first_rows(qtbot: QtBot) -> None:
    model = ReportTableModel(Formatter())
    table = ReportTable(model)
    qtbot.addWidget(table)
    table.resize(900, 400)
    table.show()
    model.set_result(big_result())
    table.grab()  # paints the first screenful
    assert model.rowCount() == ROWS + 1
    assert 0 < model.formatted_rows() <= FIT_ROWS + 2  # fitted rows, the totals, the screen
    metrics = table.fontMetrics()
    for column in range(model.columnCount() - 1):  # the last one stretches
        widest = max(metrics.horizontalAdvance(model.text(r, column)) for r in range(FIT_ROWS))
        assert table.columnWidth(column) > widest
    table.scrollToBottom()
    table.grab()
    assert model.text(ROWS, 0) == "Total"
    assert model.formatted_rows() < 2 * FIT_ROWS  # the last screenful, not everything between


def test_sorting_a_big_result_keeps_totals_last_and_shows_sorted_texts(qtbot: QtBot) -> None:
    model = ReportTableModel(Formatter())
    table = ReportTable(model)
    qtbot.addWidget(table)
    model.set_result(big_result())
    table.sortByColumn(3, Qt.SortOrder.DescendingOrder)
    assert model.text(0, 1) == f"SKU-{ROWS - 1:05d}"
    assert model.index(0, 3).data(Qt.ItemDataRole.UserRole) == Decimal(ROWS - 1)
    assert model.text(ROWS, 0) == "Total"
    assert model.index(ROWS, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(0, 0).data(Qt.ItemDataRole.FontRole) is None
    assert model.index(0, 3).data(Qt.ItemDataRole.TextAlignmentRole) == int(
        (Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value
    )
