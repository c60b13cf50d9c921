"""Offline at the counter: the Customers tab answering from local data under the banner, and
the Gift Cards tab with its money actions off (and why).

The demo server keeps running (other scenes need it): the scene tells the session's local
data that the server is unreachable — what a failed read does — with the reconnect probe
slowed down, and puts it back online just after the picture is taken.
"""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QWidget

from posdesk.sandbox.seed import FIXTURES
from posdesk.ui.customers.tab import CustomersTab
from posdesk.ui.giftcards.tab import GiftCardsTab
from shots import Scene, ShotContext

#: Seconds after a scene returns when the session goes back online (the runner grabs at 0.2).
BACK_ONLINE_AFTER = 1.5
_pending: list[asyncio.TimerHandle] = []


async def _go_offline(ctx: ShotContext) -> None:
    local_data = ctx.window.context.local_data
    await ctx.wait_until(lambda: local_data.ready("customer") and local_data.ready("sale"), 120)
    for handle in _pending:  # the previous scene's "back online" must not hit this picture
        handle.cancel()
    _pending.clear()
    local_data.probe_interval = 3600.0  # the picture must not race the reconnect probe
    local_data.set_online(False)

    _pending.append(asyncio.get_running_loop().call_later(BACK_ONLINE_AFTER, back_online, ctx))


def back_online(ctx: ShotContext) -> None:
    """The session online again (the runner calls it before every scene: a scene that follows
    an offline one within ``BACK_ONLINE_AFTER`` must not show "Offline")."""
    for handle in _pending:
        handle.cancel()
    _pending.clear()
    local_data = ctx.window.context.local_data if ctx.window.context else None
    if local_data is not None and not local_data.online:
        local_data.probe_interval = 12.0
        local_data.set_online(True)


async def customers_offline(ctx: ShotContext) -> QWidget | None:
    tab = await ctx.show_tab("customers")
    assert isinstance(tab, CustomersTab)
    await _go_offline(ctx)
    tab.search_edit.setText(FIXTURES.customer_with_sales_name.split()[-1])
    tab.search_now()
    await ctx.settle()
    await ctx.wait_until(lambda: tab.detail.customer is not None)
    await ctx.settle()
    return None


async def giftcards_offline(ctx: ShotContext) -> QWidget | None:
    tab = await ctx.show_tab("giftcards")
    assert isinstance(tab, GiftCardsTab)
    tab.code_edit.setText(FIXTURES.gc_history_code)
    task = tab.lookup()
    if task is not None:
        await task
    await ctx.settle(0.2)
    await _go_offline(ctx)
    await ctx.settle(0.3)
    return None


SCENES = [
    Scene("offline-customers", customers_offline),
    Scene("offline-giftcards", giftcards_offline),
]
