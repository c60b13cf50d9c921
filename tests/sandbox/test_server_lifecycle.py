"""Starting and stopping the in-process sandbox (what tests and ``posdesk --demo`` rely on)."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime

import httpx
import pytest
from joserfc import jwt

from posdesk.sandbox.server import SandboxServer


def test_context_manager_serves_then_releases_the_port() -> None:
    with SandboxServer(seed=None) as server:
        assert server.info is not None
        info = server.info
        port = int(info.base_url.rsplit(":", 1)[1])
        assert info.issuer == info.base_url
        assert info.graphql_url == info.base_url + "/graphql"
        meta = httpx.get(info.issuer + "/.well-known/openid-configuration").json()
        assert meta["issuer"] == info.issuer
        thread_name = f"posdesk-sandbox-{port}"
        assert any(t.name == thread_name for t in threading.enumerate())
    assert not any(t.name == thread_name for t in threading.enumerate())
    with pytest.raises(httpx.ConnectError):
        httpx.get(info.issuer + "/.well-known/openid-configuration", timeout=2)
    with socket.socket() as again:  # the listening socket was really closed
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))


def test_stop_is_idempotent_and_start_twice_is_refused() -> None:
    server = SandboxServer(seed=None)
    server.start()
    with pytest.raises(RuntimeError):
        server.start()
    server.stop()
    server.stop()


def test_stop_with_an_open_keep_alive_connection_does_not_hang() -> None:
    server = SandboxServer(seed=None)
    info = server.start()
    with httpx.Client() as client:
        assert client.get(info.issuer + "/.well-known/openid-configuration").status_code == 200
        server.stop()  # the client still holds an idle keep-alive connection
    assert server.info is not None


def test_graphiql_page_on_get(sandbox: SandboxServer) -> None:
    assert sandbox.info is not None
    page = httpx.get(sandbox.info.graphql_url, headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert "graphiql" in page.text.lower()


def test_port_in_use_raises_and_leaks_nothing() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = SandboxServer(seed=None, port=taken.getsockname()[1])
        with pytest.raises(OSError, match=r"[Aa]ddress already in use"):
            server.start()
    server.stop()


def test_injected_clock_drives_token_times() -> None:
    frozen = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
    with SandboxServer(seed=None, token_lifetime=60, now=lambda: frozen) as server:
        assert server.info is not None
        response = httpx.post(
            server.info.issuer + "/token",
            data={"grant_type": "client_credentials"},
            auth=(server.info.client_id, server.info.client_secret),
        )
        token = response.json()["access_token"]
        assert server.provider is not None
        claims = jwt.decode(token, server.provider.keys, algorithms=["RS256"]).claims
        assert claims["iat"] == int(frozen.timestamp())
        assert claims["exp"] == frozen.timestamp() + 60
        # valid for the server, whose clock is frozen, although 2024 is long gone
        assert server.provider.verify(token).subject == server.info.client_id
