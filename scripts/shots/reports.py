"""Scenes of the Reports tab: every report in ``posdesk.reports.REPORTS`` over the demo's
last twelve months (one scene per report, named ``reports-<key>``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtWidgets import QWidget

import posdesk.reports
from posdesk.models.date_range import DateRange
from shots import Scene, SceneFn, ShotContext

SIZE = (1440, 860)


def _scene(key: str) -> SceneFn:
    async def run(ctx: ShotContext) -> QWidget | None:
        tab: Any = await ctx.show_tab("reports")
        local = tab.context.local_data
        await ctx.wait_until(lambda: local is not None and local.as_of() is not None, 120)
        tab.select_report(key)
        today = date.today()
        tab.ui.period.set_range(DateRange(today - timedelta(days=364), today))
        await ctx.wait_until(lambda: tab.result is not None and tab.result.key == key)
        await ctx.wait_until(lambda: not tab.runner.running)
        await ctx.settle()
        return None

    return run


SCENES = [
    Scene(f"reports-{info.key.replace('_', '-')}", _scene(info.key), SIZE)
    for info in getattr(posdesk.reports, "REPORTS", ())
]
