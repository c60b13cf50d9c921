"""Record purchase totals: computed from the lines, in Decimal, to the cent."""

from __future__ import annotations

from decimal import Decimal

from posdesk.domain import PurchaseLine
from posdesk.ui.sales.purchase_totals import Totals, compute_totals, extended


def line(n: int, qty: str, price: str, discount: str = "0") -> PurchaseLine:
    q, p, d = Decimal(qty), Decimal(price), Decimal(discount)
    return PurchaseLine(
        line_number=n,
        sku=f"SKU-{n}",
        quantity=q,
        unit_price=p,
        ext_price=extended(q, p, d),
        item_discount_amount=d,
    )


def test_extended_price_rounds_half_even_to_the_cent() -> None:
    assert extended(Decimal("3"), Decimal("0.335"), Decimal("0")) == Decimal("1.00")  # 1.005
    assert extended(Decimal("1.5"), Decimal("2.99"), Decimal("0.50")) == Decimal("3.98")  # 3.985
    assert extended(Decimal("0.125"), Decimal("10.00"), Decimal("0")) == Decimal("1.25")


def test_totals_from_lines_discounts_and_tax() -> None:
    lines = [line(1, "2", "19.99", "1.00"), line(2, "0.5", "7.00"), line(3, "1", "0.10")]
    totals = compute_totals(lines, sale_discount=Decimal("5.00"), tax=Decimal("3.21"))
    assert totals == Totals(
        sub_total=Decimal("42.58"),  # 38.98 + 3.50 + 0.10
        item_discount=Decimal("1.00"),
        sale_discount=Decimal("5.00"),
        tax=Decimal("3.21"),
        pay_amount=Decimal("40.79"),  # 42.58 - 5.00 + 3.21
    )
    assert all(isinstance(v, Decimal) for v in vars_of(totals))


def test_no_lines_is_zero_not_an_error() -> None:
    totals = compute_totals([], sale_discount=Decimal("0"), tax=Decimal("0"))
    assert totals.sub_total == Decimal("0.00")
    assert str(totals.pay_amount) == "0.00"


def vars_of(totals: Totals) -> list[object]:
    return [getattr(totals, name) for name in Totals.__slots__]
