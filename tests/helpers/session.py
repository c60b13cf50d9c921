"""The one way tests build a ``SessionContext``: offline for widgets that never reach a server,
connected for a client, or a whole signed-in session against the sandbox (as the shell builds
it). Also ``quiesce()``: what a test that left tabs loading does before it returns."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from posdesk.api.client import PosClient
from posdesk.api.credentials import Credentials
from posdesk.api.profile import ConnectionProfile
from posdesk.domain import Environment, Viewer
from posdesk.models.tasks import TaskOwner
from posdesk.sandbox.security import DEMO_CLIENTS
from posdesk.sandbox.server import SandboxServer
from posdesk.store.journal import Journal
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.shell.errors import ErrorReporter


def session_context(
    client: PosClient | None = None,
    *,
    viewer: Viewer | None = None,
    environment: Environment | None = None,
    profile_name: str = "test",
    tasks: TaskOwner | None = None,
    reporter: ErrorReporter | None = None,
    extras: dict[str, Any] | None = None,
) -> SessionContext:
    """A context with quiet error reporting; ``client=None`` for widgets that never use it."""
    return SessionContext(
        client=client,  # type: ignore[arg-type]  # None only where nothing talks to a server
        viewer=viewer or Viewer(),
        environment=environment or Environment(),
        profile_name=profile_name,
        tasks=tasks or TaskOwner(),
        reporter=reporter or ErrorReporter(show_dialogs=False),
        extras=dict(extras or {}),
    )


async def connected_context(client: PosClient, profile_name: str, **kwargs: Any) -> SessionContext:
    """A context for a connected client, with the viewer and environment the server reports."""
    return session_context(
        client,
        viewer=await client.viewer(),
        environment=await client.environment(),
        profile_name=profile_name,
        **kwargs,
    )


@asynccontextmanager
async def signed_in(
    sandbox: SandboxServer, data_dir: Path, client_id: str = "posdesk-demo"
) -> AsyncIterator[SessionContext]:
    """A session as the shell builds it; the journal lives in ``data_dir`` (one "machine")."""
    assert sandbox.info is not None
    profile = ConnectionProfile(
        name=f"sandbox-{client_id}", base_url=sandbox.info.base_url, client_id=client_id
    )
    credentials = Credentials()
    credentials.set_client_secret(profile.name, DEMO_CLIENTS[client_id].secret)
    journal = Journal(data_dir / "journal.sqlite3")
    client = await PosClient.connect(
        profile, credentials=credentials, journal=journal, settle_delay=0.2
    )
    context = await connected_context(
        client, profile.name, extras={"issue_drafts_path": str(data_dir / "issue_drafts.json")}
    )
    try:
        yield context
    finally:
        context.tasks.cancel_all()
        await client.aclose()
        journal.close()


async def quiesce() -> None:
    """End what the tabs still have in flight (page loads, locations) before the test returns
    and before a client closes: pytest-qt processes Qt events after the test, when the asyncio
    loop no longer runs, and a view painted then would start a page load."""
    for widget in QApplication.topLevelWidgets():
        widget.hide()  # hidden views do not paint, so they do not ask for more pages
    pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
