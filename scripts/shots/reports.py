"""Scenes of the Reports tab: every report in ``posdesk.reports.REPORTS`` (one scene per report,
named ``reports-<key>``) over the demo seed's busiest month, so each chart has real data."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from typing import Any

from PySide6.QtWidgets import QWidget

import posdesk.reports
from posdesk.models.date_range import DateRange
from shots import Scene, SceneFn, ShotContext

SIZE = (1440, 860)


def busiest_month(conn: sqlite3.Connection) -> DateRange:
    """The calendar month with the most sales in the mirror (store-local days)."""
    row = conn.execute(
        "SELECT substr(local_day, 1, 7) FROM sale GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    first = date.fromisoformat(f"{row[0]}-01") if row and row[0] else date.today().replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return DateRange(first, following - timedelta(days=1))


def synced(local: Any) -> bool:
    """Every entity of the first pass finished (synced or said why not)."""
    progress = local.sync.progress.values()
    return all(p.last_synced or p.error for p in progress)


def _scene(key: str) -> SceneFn:
    async def run(ctx: ShotContext) -> QWidget | None:
        tab: Any = await ctx.show_tab("reports")
        local = tab.context.local_data
        await ctx.wait_until(lambda: local is not None and synced(local), 180)
        month = await local.mirror.read(busiest_month)
        tab.select_report(key)
        tab.ui.period.set_range(month)
        await ctx.wait_until(lambda: tab.result is not None and tab.result.key == key)
        await ctx.wait_until(lambda: not tab.runner.running)
        await ctx.settle()
        return None

    return run


SCENES = [
    Scene(f"reports-{info.key.replace('_', '-')}", _scene(info.key), SIZE)
    for info in getattr(posdesk.reports, "REPORTS", ())
]
