"""``posdesk --demo``: the sandbox in-process on a free loopback port, signed in as its demo client.

This is the only place the app imports the sandbox (lazily: normal starts never load
ariadne/starlette/uvicorn). The demo's generated sales run up to the current minute (a demo
should look alive: "Today" has sales); a ``--demo-db`` file seeded on an earlier day keeps its
data and its dates (never reseeded behind the user's back). The demo secret is kept in memory,
not in the OS keychain: it is a throw-away credential of a throw-away server, and headless
machines have no keychain.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from typing_extensions import override

from posdesk.api.credentials import Credentials
from posdesk.api.profile import ConnectionProfile

if TYPE_CHECKING:
    from posdesk.sandbox.server import SandboxServer

DEMO_PROFILE = "Demo (local sandbox)"


class MemoryCredentials(Credentials):
    """Secrets held by this process only (demo mode, and testing an unsaved profile)."""

    def __init__(self) -> None:
        super().__init__(service="posdesk-memory")
        self._secrets: dict[tuple[str, str], str] = {}

    @override
    def client_secret(self, profile_name: str) -> str | None:
        return self._secrets.get((profile_name, "client_secret"))

    @override
    def set_client_secret(self, profile_name: str, secret: str) -> None:
        self._secrets[(profile_name, "client_secret")] = secret

    @override
    def refresh_token(self, profile_name: str) -> str | None:
        return self._secrets.get((profile_name, "refresh_token"))

    @override
    def set_refresh_token(self, profile_name: str, token: str | None) -> None:
        if token:
            self._secrets[(profile_name, "refresh_token")] = token
        else:
            self._secrets.pop((profile_name, "refresh_token"), None)

    @override
    def forget(self, profile_name: str) -> None:
        for kind in ("client_secret", "refresh_token"):
            self._secrets.pop((profile_name, kind), None)


@dataclass
class Demo:
    server: SandboxServer
    profile: ConnectionProfile
    credentials: MemoryCredentials

    def stop(self) -> None:
        self.server.stop()


def start_demo_blocking(
    seed: str = "demo",
    db_path: str = ":memory:",
    api: str = "extended",
    reference: datetime | None = None,
) -> Demo:
    """Start the sandbox (seconds of work: call from a worker thread); ``api="documented"``
    serves only the documented surface. A new seed's data end at ``reference``, by default
    now (:func:`posdesk.sandbox.seed.live_reference`); the screenshots pass the fixed date."""
    from posdesk.sandbox.seed import live_reference
    from posdesk.sandbox.server import SandboxServer

    server = SandboxServer(
        db_path=db_path,
        seed=seed,
        host="127.0.0.1",
        port=0,
        api=api,
        reference=reference or live_reference(),
    )
    info = server.start()
    profile = ConnectionProfile(
        name=DEMO_PROFILE,
        base_url=info.base_url,
        auth_flow="client_credentials",
        client_id=info.client_id,
    )
    credentials = MemoryCredentials()
    credentials.set_client_secret(profile.name, info.client_secret)
    return Demo(server, profile, credentials)


async def start_demo(
    seed: str = "demo",
    db_path: str = ":memory:",
    api: str = "extended",
    reference: datetime | None = None,
) -> Demo:
    """Start the sandbox without freezing the window."""
    return await asyncio.to_thread(start_demo_blocking, seed, db_path, api, reference)
