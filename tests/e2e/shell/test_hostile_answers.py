"""What a garbage or never-ending answer looks like on screen: a plain sentence in the Sales
tab's banner and in the Gift Cards look-up message — never a traceback, an exception name or
a hang (issue 11). The tabs run over a real PosClient pointed at the scripted server."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
import pytest_asyncio
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from posdesk.domain import Environment, Viewer
from posdesk.ui.giftcards.tab import GiftCardsTab
from posdesk.ui.sales.tab import SalesTab
from posdesk.ui.shell.context import SessionContext
from tests.api.hostile import Answer, HostileServer, data_answer, deep, hostile_server
from tests.api.test_hostile_server import DEADLINE, connect, op
from tests.helpers.session import quiesce, session_context
from tests.helpers.waiting import settle, wait_until

pytestmark = pytest.mark.asyncio
T = TypeVar("T", bound=QWidget)

#: An exception class name, a Python repr or JSON: none of it belongs in front of a user.
TECHNICAL = re.compile(r"Error\b|Exception|Traceback|[{}<>\[\]]|\bNone\b|0x")


def assert_plain(text: str) -> None:
    assert text, "no message shown"
    assert text[0].isupper(), text
    assert text.rstrip().endswith("."), text
    assert not TECHNICAL.search(text), text


@pytest_asyncio.fixture
async def hostile(tmp_path: Path) -> AsyncIterator[tuple[HostileServer, SessionContext]]:
    async with hostile_server() as server:
        client = await connect(server, tmp_path)
        empty = {"results": [], "hasMoreResults": False}
        for feature in ("locations", "giftcard_transactions"):
            name, root = op(client, feature)
            server.graphql[name] = data_answer(root, empty)
        context = session_context(
            client,
            viewer=Viewer(subject="owner", name="Owner", permissions=frozenset()),
            environment=Environment(name="Hostile", currency="USD"),
            profile_name="hostile",
            extras={"issue_drafts_path": str(tmp_path / "issue_drafts.json")},
        )
        try:
            yield server, context
        finally:
            context.tasks.cancel_all()
            await quiesce()
            await client.aclose()


GARBAGE: dict[str, Any] = {
    "root is a string": "ok",
    "money is NaN": {"results": [{"id": "1", "total": "NaN", "balance": "NaN"}]},
    "nested 200,000 deep": None,  # built as raw bytes below
}


def open_tab(
    qtbot: QtBot,
    hostile: tuple[HostileServer, SessionContext],
    tab_class: Callable[[SessionContext], T],
    feature: str,
    kind: str,
) -> tuple[T, HostileServer, str, str]:
    """The tab over the scripted server, which answers ``feature`` with garbage ``kind``."""
    server, context = hostile
    name, root = op(context.client, feature)
    if kind == "nested 200,000 deep":
        body = b'{"data": {"' + root.encode() + b'": ' + deep(200_000) + b"}}"
        server.graphql[name] = Answer(body=body)
    else:
        server.graphql[name] = data_answer(root, GARBAGE[kind])
    tab = tab_class(context)
    qtbot.addWidget(tab)
    tab.show()
    return tab, server, name, root


@pytest.mark.parametrize("kind", list(GARBAGE))
async def test_sales_tab_says_garbage_and_timeouts_in_plain_words(
    qtbot: QtBot, hostile: tuple[HostileServer, SessionContext], kind: str
) -> None:
    tab, server, name, root = open_tab(qtbot, hostile, SalesTab, "sale_search", kind)
    tab.search()
    await wait_until(lambda: tab.model.error is not None, 5)
    await wait_until(tab.view.banner.isVisible, 5)
    assert_plain(tab.view.banner.label.text())
    assert "cannot read" in tab.view.banner.label.text()
    # now the server trickles its answer: the banner says so within the deadline
    server.graphql[name] = data_answer(root, {"results": []}, slow="body")
    tab.search()
    await wait_until(lambda: tab.model.loading, 2)
    await wait_until(lambda: tab.model.error is not None, DEADLINE + 1)
    assert_plain(tab.view.banner.label.text())
    assert "did not answer in time" in tab.view.banner.label.text()


@pytest.mark.parametrize("kind", list(GARBAGE))
async def test_giftcard_lookup_says_garbage_and_timeouts_in_plain_words(
    qtbot: QtBot, hostile: tuple[HostileServer, SessionContext], kind: str
) -> None:
    tab, server, name, root = open_tab(qtbot, hostile, GiftCardsTab, "giftcard_lookup", kind)
    tab.code_edit.setText("PHYS-0001")
    tab.lookup_button.click()
    await settle(tab)
    assert tab.message.isVisible()
    assert_plain(tab.message.text())
    assert "cannot read" in tab.message.text()
    server.graphql[name] = data_answer(root, {"results": []}, slow="headers")
    tab.lookup_button.click()
    started = asyncio.get_running_loop().time()
    await settle(tab)
    assert asyncio.get_running_loop().time() - started < DEADLINE + 1
    assert_plain(tab.message.text())
    assert "did not answer in time" in tab.message.text()
