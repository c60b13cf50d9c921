"""Task ownership: strong references, silent cancellation with the owner, errors reported."""

from __future__ import annotations

import asyncio
import gc

import pytest
from PySide6.QtCore import QObject

from posdesk.models import tasks
from posdesk.models.tasks import TaskOwner
from tests.helpers.waiting import wait_until


@pytest.mark.asyncio
async def test_tasks_survive_garbage_collection_and_finish() -> None:
    owner = TaskOwner()
    done: list[int] = []

    async def work() -> None:
        await asyncio.sleep(0.01)
        done.append(1)

    owner.spawn(work())
    gc.collect()
    # poll, not a fixed sleep: on a stalled machine both timers expire together and the
    # test's own (earlier-registered) one could fire before the task's second step
    await wait_until(lambda: done == [1], 10)
    assert owner.pending == 0


@pytest.mark.asyncio
async def test_destroying_the_qt_owner_cancels_silently() -> None:
    seen: list[BaseException] = []
    tasks.set_unexpected_error_handler(seen.append)
    try:
        qobject = QObject()
        owner = TaskOwner(qobject)
        task = owner.spawn(asyncio.sleep(10))
        await asyncio.sleep(0)
        qobject.deleteLater()
        del qobject
        for _ in range(50):
            if task.done():
                break
            await asyncio.sleep(0.01)
        assert task.cancelled()
    finally:
        tasks.set_unexpected_error_handler(None)
    assert seen == []


@pytest.mark.asyncio
async def test_unexpected_exceptions_reach_the_handler() -> None:
    seen: list[BaseException] = []
    owner = TaskOwner(on_error=seen.append)

    async def boom() -> None:
        raise ValueError("bug")

    owner.spawn(boom())
    await wait_until(lambda: seen, 10)  # poll: a fixed sleep can fire first on a busy machine
    assert isinstance(seen[0], ValueError)


@pytest.mark.asyncio
async def test_aclose_waits_for_cancellation() -> None:
    owner = TaskOwner()
    cleaned: list[bool] = []

    async def slow() -> None:
        try:
            await asyncio.sleep(10)
        finally:
            cleaned.append(True)

    owner.spawn(slow())
    await asyncio.sleep(0)
    await owner.aclose()
    assert cleaned == [True]
    assert owner.pending == 0
    with pytest.raises(RuntimeError):
        owner.spawn(slow())
