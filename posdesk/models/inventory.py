"""Table models for one item's detail: stock per warehouse and serial/lot numbers.

Both are small, already-loaded lists (they arrive with the item), so they reuse the shared
``Column`` specs and ``PagedTableModel`` rendering but are filled in one go with
:meth:`ListTableModel.set_rows` instead of paging. Warning states are *tones*
(``ToneRole``): the view maps them to palette colours, so they work in dark mode.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from PySide6.QtCore import QLocale, QModelIndex, QObject, QPersistentModelIndex, Qt
from typing_extensions import override

from posdesk.domain import SerialLot, TrackingType, WarehouseStock
from posdesk.models.formatting import Formatter, Kind, format_value
from posdesk.models.paged import Column, ItemRole, PagedTableModel, SortRole, ToneRole

T = TypeVar("T")

EXPIRY_WARNING_DAYS = 30
"""Lots expiring within this many days are flagged (a counter sale should take them first)."""


class ListTableModel(PagedTableModel[T]):
    """A ``PagedTableModel`` over a list that is already in memory (never fetches).

    Every cell's roles are computed once in :meth:`set_rows`: a view asks ``data()`` for a
    dozen roles per cell on every paint, and at the counter the detail must be on screen
    within milliseconds of the answer. :meth:`tone_roles` lets a UI subclass add colours
    (QtGui) for a tone without this layer importing QtGui.
    """

    def __init__(
        self,
        columns: Sequence[Column[T]],
        *,
        locale: QLocale | None = None,
        formatter: Formatter | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(columns, None, locale=locale, formatter=formatter, parent=parent)
        self._cells: list[list[dict[int, Any]]] = []

    def set_rows(self, rows: Iterable[T]) -> None:
        """Replace all rows at once (one model reset: cheap for views)."""
        self.beginResetModel()
        self._rows = list(rows)
        self._has_more = False
        self._cells = [[self._cell(item, column) for column in self.columns] for item in self._rows]
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows(())

    def tone_roles(self, tone: str) -> dict[int, Any]:
        """Extra roles for a cell with this tone (the UI adds brushes and fonts)."""
        return {}

    def _cell(self, item: T, column: Column[T]) -> dict[int, Any]:
        tone = column.tone(item) if column.tone is not None else None
        cell: dict[int, Any] = {
            Qt.ItemDataRole.DisplayRole: column.display(item, self.locale, self.formatter.currency),
            Qt.ItemDataRole.TextAlignmentRole: column.align(),
        }
        if column.tooltip is not None:
            cell[Qt.ItemDataRole.ToolTipRole] = column.tooltip(item)
        if tone:
            cell[ToneRole] = tone
            cell.update(self.tone_roles(tone))
        return cell

    @override
    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if role in (ItemRole, SortRole):
            return super().data(index, role)
        row = index.row()
        if row < 0 or row >= len(self._cells):
            return None
        return self._cells[row][index.column()].get(role)


@dataclass(frozen=True, slots=True)
class StockRow:
    """One warehouse's stock of the shown item, with the name to show for the warehouse."""

    stock: WarehouseStock
    warehouse_name: str
    is_home: bool = False

    @property
    def label(self) -> str:
        code = self.stock.warehouse_code
        name = self.warehouse_name if self.warehouse_name != code else ""
        text = f"{name} ({code})" if name else code
        return f"{text} — my store" if self.is_home else text


def stock_tone(stock: WarehouseStock) -> str | None:
    if stock.is_out:
        return "danger"
    if stock.is_low:
        return "warning"
    return None


def stock_status(stock: WarehouseStock) -> str:
    """Words, not only colour, so the state is readable without colour vision."""
    if stock.quantity_available is None:
        return ""
    if stock.is_out:
        return "Out of stock"
    if stock.is_low:
        return "Low"
    return "OK"


def stock_columns() -> list[Column[StockRow]]:
    def tone(row: StockRow) -> str | None:
        return stock_tone(row.stock)

    return [
        Column("Warehouse", lambda r: r.label, tone=tone),
        Column("Available", lambda r: r.stock.quantity_available, Kind.QUANTITY, tone=tone),
        Column("On hand", lambda r: r.stock.quantity_on_hand, Kind.QUANTITY),
        Column("Reorder at", lambda r: r.stock.reorder_point, Kind.QUANTITY),
        Column("Price", lambda r: r.stock.base_price, Kind.MONEY),
        Column("Bin", lambda r: r.stock.bin_location),
        Column("Status", lambda r: stock_status(r.stock), tone=tone),
    ]


def stock_rows(
    stocks: Iterable[WarehouseStock],
    names: Mapping[str, str],
    home: str | None = None,
) -> list[StockRow]:
    """Rows for the grid: "my store" first, then by warehouse name."""
    rows = [
        StockRow(s, names.get(s.warehouse_code, s.warehouse_code), s.warehouse_code == home)
        for s in stocks
    ]
    rows.sort(key=lambda r: (not r.is_home, r.warehouse_name.casefold(), r.stock.warehouse_code))
    return rows


@dataclass(frozen=True, slots=True)
class StockTotals:
    warehouses: int
    available: Decimal | None
    on_hand: Decimal | None
    out: int
    low: int


def stock_totals(stocks: Iterable[WarehouseStock]) -> StockTotals:
    """Sums over the warehouses that reported a figure (``None`` when none did)."""
    stocks = list(stocks)
    avail = [s.quantity_available for s in stocks if s.quantity_available is not None]
    on_hand = [s.quantity_on_hand for s in stocks if s.quantity_on_hand is not None]
    return StockTotals(
        warehouses=len(stocks),
        available=sum(avail, Decimal(0)) if avail else None,
        on_hand=sum(on_hand, Decimal(0)) if on_hand else None,
        out=sum(1 for s in stocks if s.is_out),
        low=sum(1 for s in stocks if s.is_low),
    )


@dataclass(frozen=True, slots=True)
class SerialRow:
    lot: SerialLot
    warehouse_name: str
    today: date

    @property
    def expiry_tone(self) -> str | None:
        expires = self.lot.expires_on
        if expires is None:
            return None
        if expires < self.today:
            return "danger"
        if expires <= self.today + timedelta(days=EXPIRY_WARNING_DAYS):
            return "warning"
        return None

    @property
    def expiry_text(self) -> str | None:
        tone = self.expiry_tone
        return {"danger": "expired", "warning": "expires soon"}.get(tone or "")


def serial_columns() -> list[Column[SerialRow]]:
    def expires_text(row: SerialRow, locale: QLocale) -> str:
        expires = row.lot.expires_on
        if expires is None:
            return ""
        text = format_value(expires, Kind.DATE, locale)
        note = row.expiry_text
        return f"{text} ({note})" if note else text

    def kind_text(row: SerialRow) -> str:
        kind = row.lot.tracking_type
        return {TrackingType.SERIAL: "Serial", TrackingType.LOT: "Lot"}.get(
            kind or TrackingType.NONE, ""
        )

    return [
        Column("Warehouse", lambda r: r.warehouse_name),
        Column("Serial / lot no.", lambda r: r.lot.serial_lot_no, key="serial_lot_no"),
        Column("Type", kind_text, key="tracking_type"),
        Column("Qty", lambda r: r.lot.quantity, Kind.QUANTITY),
        Column(
            "Expires",
            lambda r: r.lot.expires_on,
            Kind.DATE,
            text=expires_text,
            tone=lambda r: r.expiry_tone,
        ),
        Column("Received", lambda r: r.lot.received_on, Kind.DATE),
    ]


def serial_rows(
    lots: Iterable[SerialLot],
    names: Mapping[str, str],
    today: date,
    home: str | None = None,
) -> list[SerialRow]:
    """Grouped by warehouse ("my store" first), then by expiry (first to expire first), number."""
    rows = [
        SerialRow(lot, names.get(lot.warehouse_code, lot.warehouse_code), today) for lot in lots
    ]
    rows.sort(
        key=lambda r: (
            r.lot.warehouse_code != home,
            r.warehouse_name.casefold(),
            r.lot.expires_on or date.max,
            r.lot.serial_lot_no,
        )
    )
    return rows
