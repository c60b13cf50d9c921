"""Scene of the Local data panel after the demo's first sync (View › Local data…)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from posdesk.ui.localdata.panel import LocalDataPanel
from shots import Scene, ShotContext


async def panel(ctx: ShotContext) -> QWidget | None:
    local_data = ctx.controller.local_data
    await ctx.wait_until(lambda: local_data.ready("sale") and local_data.ready("customer"), 120)
    await ctx.wait_until(lambda: not any(p.running for p in local_data.progress.values()), 120)
    window = ctx.window.open_local_data()
    assert isinstance(window, LocalDataPanel)
    window.resize(900, 720)
    task = window.refresh()
    if task is not None:
        await task
    await ctx.settle(0.5)
    return window


SCENES = [Scene("local-data", panel, (900, 720))]
