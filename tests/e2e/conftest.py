"""Fixtures for the end-to-end tests of every feature."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from posdesk.sandbox.server import SandboxServer
from posdesk.ui.shell.context import SessionContext
from tests.api.helpers import connect
from tests.helpers.sales import chicago_context
from tests.helpers.session import quiesce


@pytest_asyncio.fixture
async def owner(sandbox: SandboxServer, tmp_path: Path) -> AsyncIterator[SessionContext]:
    """The demo owner (all permissions) on the session sandbox, dates in America/Chicago."""
    client = await connect(sandbox, tmp_path, "posdesk-demo")
    context = await chicago_context(client, tmp_path)
    yield context
    await quiesce()
    await client.aclose()
