"""Screenshot scenes. Every module in this package may define ``SCENES: list[Scene]``.

A scene gets a ``ShotContext`` (the running demo app) and returns the widget to capture
(``None`` = the main window). ``scripts/screenshots.py`` runs every scene in the light and
the dark palette and writes ``docs/screenshots/<name>-<theme>.png``. Tab helpers add a module
here (e.g. ``scripts/shots/inventory.py``) instead of editing the runner.

    from shots import Scene, ShotContext

    async def inventory(ctx: ShotContext) -> QWidget | None:
        tab = await ctx.show_tab("inventory")
        ...
        await ctx.settle()
        return None

    SCENES = [Scene("inventory", inventory)]
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget

from posdesk.models.paged import PagedTableModel


@dataclass
class ShotContext:
    app: QApplication
    window: Any  # posdesk.ui.shell.main_window.MainWindow
    controller: Any  # posdesk.app.session.SessionController
    theme: str

    @property
    def client(self) -> Any:
        return self.controller.client

    async def wait_until(self, predicate: Callable[[], object], limit: float = 20.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while not predicate():
            if loop.time() > deadline:
                raise TimeoutError("scene condition not reached")
            await asyncio.sleep(0.05)

    async def show_tab(self, key: str) -> QWidget:
        """Switch to the tab with this key (customers/inventory/sales/giftcards); its widget."""
        for index, page in enumerate(self.window.pages):
            if page.spec.key == key:
                self.window.tabs.setCurrentIndex(index)
                await asyncio.sleep(0.05)
                content: QWidget = page.content
                return content
        raise KeyError(key)

    async def settle(self, extra: float = 0.4) -> None:
        """Wait until every paged table in the window has finished loading, then a moment."""

        def idle() -> bool:
            for view in self.window.findChildren(QAbstractItemView):
                model = view.model()
                if isinstance(model, PagedTableModel) and model.loading:
                    return False
            return True

        await self.wait_until(idle)
        await asyncio.sleep(extra)  # Qt's events run meanwhile (no nested processEvents)


SceneFn = Callable[[ShotContext], Awaitable[QWidget | None]]


@dataclass(frozen=True)
class Scene:
    name: str
    run: SceneFn
    size: tuple[int, int] = (1280, 800)
