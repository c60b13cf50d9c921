"""A real tab over the real client (customers), for session tests of the shell."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from posdesk.domain import Customer, Page
from posdesk.models.formatting import Kind
from posdesk.models.paged import Column, PagedTableModel
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.widgets.paged_view import PagedTableView

COLUMNS: list[Column[Customer]] = [
    Column("Name", lambda c: c.full_name),
    Column("E-mail", lambda c: c.email),
    Column("Points", lambda c: c.loyalty_points, Kind.QUANTITY),
]


class CustomersProbeTab(QWidget):
    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("probeTab")
        self.context = context

        async def fetch(skip: int, first: int) -> Page[Customer]:
            return await context.client.customers(skip=skip, first=first)

        self.model = PagedTableModel(COLUMNS, fetch, page_size=50, parent=self)
        self.view = PagedTableView("probe", self, reporter=context.reporter)
        self.view.setModel(self.model)
        QVBoxLayout(self).addWidget(self.view)

    def reload(self) -> None:
        self.model.reload()
