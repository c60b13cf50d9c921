"""Record purchase, the figures: a line's extended price and the header totals, in
``Decimal`` to the cent (no Qt; unit-tested on their own).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from posdesk.domain import PurchaseLine
from posdesk.ui.common.amount import CENT

MAX_PURCHASE = Decimal("1000000.00")


class LineError(ValueError):
    """A line field is not acceptable; the message is for the user."""


def extended(quantity: Decimal, unit_price: Decimal, discount: Decimal) -> Decimal:
    """Extended price of a line: quantity × price − discount, to the cent (half-even)."""
    return (quantity * unit_price - discount).quantize(CENT)


@dataclass(frozen=True, slots=True)
class Totals:
    sub_total: Decimal
    item_discount: Decimal
    sale_discount: Decimal
    tax: Decimal
    pay_amount: Decimal


def compute_totals(
    lines: Sequence[PurchaseLine], *, sale_discount: Decimal, tax: Decimal
) -> Totals:
    """Header totals from the lines: sub total is the sum of extended prices (after item
    discounts); pay amount = sub total − sale discount + tax."""
    sub_total = sum((line.ext_price for line in lines), Decimal("0.00"))
    item_discount = sum((line.item_discount_amount for line in lines), Decimal("0.00"))
    return Totals(
        sub_total=sub_total,
        item_discount=item_discount,
        sale_discount=sale_discount,
        tax=tax,
        pay_amount=(sub_total - sale_discount + tax).quantize(CENT),
    )
