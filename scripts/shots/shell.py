"""Scenes of the shell itself: the main window on the demo, and the profiles dialog."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from shots import Scene, ShotContext


async def main_window(ctx: ShotContext) -> QWidget | None:
    await ctx.show_tab("customers")
    await ctx.settle()
    return None


async def profiles_dialog(ctx: ShotContext) -> QWidget | None:
    """The dialog after a real "Test connection" against the demo sandbox."""
    from posdesk.api.profile import ConnectionProfile
    from posdesk.sandbox.security import DEMO_CLIENTS

    store = ctx.controller.store
    demo_url = ctx.controller.demo_url
    store.save(ConnectionProfile("Austin store", "https://pos.example.com", "interactive"))
    store.save(
        ConnectionProfile("Sandbox (clerk)", demo_url, "client_credentials", "demo-clerk"),
        secret=DEMO_CLIENTS["demo-clerk"].secret,
    )
    dialog = ctx.controller.show_profiles()
    dialog.list.setCurrentRow(1)
    task = dialog.start_test()
    if task is not None:
        await task
    await ctx.settle(0.3)
    return dialog


SCENES = [Scene("main-window", main_window), Scene("profiles-dialog", profiles_dialog)]
