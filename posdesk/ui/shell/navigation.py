"""Typed navigation between features: open a sale, a customer, a card.

Features never reach into each other (import-linter forbids it); they call
``context.navigator``. The shell implements it by switching to the owning tab and calling
that tab's own typed method (``shell/tab_navigator.py``). This module imports no feature,
so every feature may import it; only the window's side imports features, and only lazily.
"""

from __future__ import annotations

from typing import Protocol


class Navigator(Protocol):
    """What a feature may ask of the shell. Each call returns False when the target feature
    is not available (e.g. a test window without that tab), so the caller can say so."""

    def open_sale(self, sale_id: str) -> bool: ...

    def show_customer_sales(self, customer_id: str) -> bool: ...

    def open_customer(self, *, member_id: str) -> bool: ...

    def open_card(self, card_id: str) -> bool: ...


class NoNavigator:
    """A session without a window (tests, benchmarks): nothing to switch to."""

    def open_sale(self, sale_id: str) -> bool:
        return False

    def show_customer_sales(self, customer_id: str) -> bool:
        return False

    def open_customer(self, *, member_id: str) -> bool:
        return False

    def open_card(self, card_id: str) -> bool:
        return False
