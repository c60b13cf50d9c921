"""Run the sandbox: a Starlette app (OIDC + GraphQL) under uvicorn on a background thread.

Tests, ``posdesk --demo`` and the ``posdesk-sandbox`` command all start the same server, so
what an integrator sees on the command line is exactly what the test suite exercised.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Self

import uvicorn
from graphql import GraphQLSchema
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from typing_extensions import override
from uvicorn.protocols.http.h11_impl import H11Protocol

from posdesk.sandbox import graphiql
from posdesk.sandbox.db import Database
from posdesk.sandbox.endpoint import BodyLimitMiddleware, GraphQLEndpoint
from posdesk.sandbox.faults import TRANSPORT_EXTENSION, FaultConfig, FaultMiddleware
from posdesk.sandbox.graphql_api import API_MODES, build_schema
from posdesk.sandbox.oidc import OidcProvider
from posdesk.sandbox.security import DEFAULT_CLIENT_ID, DEMO_CLIENTS
from posdesk.sandbox.seed import REFERENCE_DATE

__all__ = ["FaultConfig", "SandboxInfo", "SandboxServer"]

GRAPHQL_PATH = "/graphql"


@dataclass(frozen=True, slots=True)
class SandboxInfo:
    """Where a running sandbox listens and the demo confidential client to call it with."""

    base_url: str
    graphql_url: str
    issuer: str
    client_id: str
    client_secret: str


class _TransportH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, exposing the socket transport to the app via a scope extension.

    Needed only by the connection-drop fault: ASGI has no way to abort a connection without
    answering, and a real client must see a transport error, not an HTTP status.
    """

    @override
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        inner = self.app

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            extensions = dict(scope.get("extensions") or {})
            extensions[TRANSPORT_EXTENSION] = transport
            await inner({**scope, "extensions": extensions}, receive, send)

        self.app = app


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


class SandboxServer:
    """The sandbox POS server. ``start()`` returns once it accepts connections."""

    def __init__(
        self,
        db_path: str = ":memory:",
        seed: str | None = "demo",
        host: str = "127.0.0.1",
        port: int = 0,
        token_lifetime: int = 3600,
        faults: FaultConfig | None = None,
        now: Callable[[], datetime] | None = None,
        schema_factory: Callable[[Any], GraphQLSchema] | None = None,
        api: str = "extended",
        reference: datetime = REFERENCE_DATE,
    ) -> None:
        """``schema_factory(db)`` overrides the GraphQL schema (tests of the server itself);
        ``api="documented"`` serves only the documented surface, no sandbox extensions;
        ``reference`` is where a new seed's generated data end (an existing file keeps its own)."""
        if api not in API_MODES:
            raise ValueError(f"api must be one of {', '.join(API_MODES)}, not {api!r}")
        self.schema_factory = schema_factory
        self.api = api
        self.db_path = db_path
        self.seed = seed
        self.host = host
        self.port = port
        self._token_lifetime = token_lifetime
        self.faults = faults if faults is not None else FaultConfig()
        self.now = now
        self.reference = reference
        self._db: Database | None = None
        self.info: SandboxInfo | None = None
        self.provider: OidcProvider | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def db(self) -> Database:
        """The running server's database (tests poke it to stage changes)."""
        if self._db is None:
            raise RuntimeError("sandbox server not started")
        return self._db

    @property
    def token_lifetime(self) -> int:
        """Seconds an access token lives; changeable while running (affects new tokens)."""
        return self._token_lifetime

    @token_lifetime.setter
    def token_lifetime(self, seconds: int) -> None:
        self._token_lifetime = seconds
        if self.provider is not None:
            self.provider.token_lifetime = seconds

    def _clock(self) -> float:
        return self.now().timestamp() if self.now is not None else datetime.now().timestamp()

    def build_app(self, provider: OidcProvider) -> Starlette:
        if self.schema_factory is not None:
            schema = self.schema_factory(self.db)
        else:
            schema = build_schema(self.db, api=self.api)
        graphql = GraphQLEndpoint(self, provider, schema)
        routes = [
            *provider.routes(),
            *graphiql.routes(),
            Route(GRAPHQL_PATH, graphql, methods=["GET", "POST"]),
        ]
        app = Starlette(routes=routes)
        app.add_middleware(FaultMiddleware, config=self.faults)
        app.add_middleware(BodyLimitMiddleware)  # outermost: nothing reads more than the limit
        return app

    def start(self) -> SandboxInfo:
        if self._thread is not None:
            raise RuntimeError("sandbox server already started")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto is TCP;
        # with proto 0 every response waited ~40 ms for the delayed ACK (Nagle).
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            raise
        self._socket = sock
        port = sock.getsockname()[1]
        base_url = f"http://{_url_host(self.host)}:{port}"
        try:
            self._db = Database.open(
                self.db_path, seed=self.seed, now=self.now, reference=self.reference
            )
            self.provider = OidcProvider(
                issuer=base_url, token_lifetime=self.token_lifetime, clock=self._clock
            )
            app = self.build_app(self.provider)
        except BaseException:
            self._close_resources()
            raise
        config = uvicorn.Config(
            app,
            http=_TransportH11Protocol,
            lifespan="off",
            log_config=None,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=3,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [sock]},
            name=f"posdesk-sandbox-{port}",
            daemon=True,
        )
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                self._close_resources()
                raise RuntimeError("sandbox server failed to start")
            self._thread.join(0.01)
        client = DEMO_CLIENTS[DEFAULT_CLIENT_ID]
        self.info = SandboxInfo(
            base_url=base_url,
            graphql_url=base_url + GRAPHQL_PATH,
            issuer=base_url,
            client_id=client.client_id,
            client_secret=client.secret,
        )
        return self.info

    def stop(self) -> None:
        """Stop serving (like ``shutdown()``) and release the socket and DB (``server_close()``)."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
            if self._thread.is_alive() and self._server is not None:
                self._server.force_exit = True
                self._thread.join(5)
        self._thread = None
        self._server = None
        self._close_resources()

    def _close_resources(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        if self._db is not None:
            self._db.close()
            self._db = None

    def token_for(self, client_id: str, lifetime: int | None = None) -> str:
        """Mint an access token for a demo client directly (tests, demo wiring)."""
        if self.provider is None:
            raise RuntimeError("sandbox server not started")
        return self.provider.access_token(DEMO_CLIENTS[client_id].principal(), lifetime)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
