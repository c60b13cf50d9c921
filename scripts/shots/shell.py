"""Scenes of the shell itself: the main window on the demo, and the profiles dialog."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from shots import Scene, ShotContext


async def main_window(ctx: ShotContext) -> QWidget | None:
    await ctx.show_tab("customers")
    await ctx.settle()
    return None


async def profiles_dialog(ctx: ShotContext) -> QWidget | None:
    from posdesk.api.profile import ConnectionProfile

    store = ctx.controller.store
    if "Austin store" not in store.names():
        store.save(
            ConnectionProfile("Austin store", "https://pos.example.com", "interactive"),
        )
    dialog = ctx.controller.show_profiles()
    dialog.list.setCurrentRow(0)
    dialog.result_label.setText(
        "Connected to posdesk sandbox (sandbox, version 1.0). Signed in as Olivia Owner.\n"
        "Every posdesk feature is available on this server."
    )
    await ctx.settle(0.3)
    return dialog


SCENES = [Scene("main-window", main_window), Scene("profiles-dialog", profiles_dialog)]
