"""Waiting in async Qt tests (qtbot.wait* must not be used inside them): `wait_until` polls a
condition, `settle` awaits a widget's current task."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def wait_until(predicate: Callable[[], object], limit: float = 30.0) -> None:
    """Poll ``predicate`` every 20 ms while the qasync loop keeps Qt running."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"condition not reached within {limit} s")
        await asyncio.sleep(0.02)


async def settle(obj: object) -> None:
    """Await the object's current task (tab look-up/refresh, dialog send) if any."""
    for _ in range(50):
        task = getattr(obj, "task", None)
        if task is None or task.done():
            return
        await task
