"""The main window's ``Navigator``: switch to the owning tab, call its typed method.

The shell is the one place that imports feature modules, and only lazily (as it does for
``TAB_FACTORIES``), so features stay independent of each other (see pyproject's
import-linter contracts) and a tab is loaded only when it is first needed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget


class TabNavigator:
    """The main window's navigator: ``open_tab(key)`` switches to (and builds) a tab."""

    def __init__(self, open_tab: Callable[[str], QWidget | None]) -> None:
        self._open_tab = open_tab

    def open_sale(self, sale_id: str) -> bool:
        from posdesk.ui.sales.tab import SalesTab

        tab = self._open_tab("sales")
        if not isinstance(tab, SalesTab):
            return False
        tab.show_sale(sale_id)
        return True

    def show_customer_sales(self, customer_id: str) -> bool:
        from posdesk.ui.sales.tab import SalesTab

        tab = self._open_tab("sales")
        if not isinstance(tab, SalesTab):
            return False
        tab.show_customer_sales(customer_id)
        return True

    def open_customer(self, *, member_id: str) -> bool:
        from posdesk.ui.customers.tab import CustomersTab

        tab = self._open_tab("customers")
        if not isinstance(tab, CustomersTab):
            return False
        tab.find_member(member_id)
        return True

    def open_card(self, card_id: str) -> bool:
        from posdesk.ui.giftcards.tab import GiftCardsTab

        tab = self._open_tab("giftcards")
        if not isinstance(tab, GiftCardsTab):
            return False
        tab.open_card(card_id)
        return True
