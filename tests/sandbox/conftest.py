"""Fixtures for the sandbox data/GraphQL tests: a private server and a small GraphQL caller.

The session-wide ``sandbox`` fixture (tests/conftest.py) is shared with every other room's
tests, so tests here that change data (gift cards, purchases, stock) run against their own
``SandboxServer`` instead — still over real HTTP on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from posdesk.sandbox.security import Principal
from posdesk.sandbox.server import SandboxServer

ADMIN_ROLES = ("Administrator",)


class Gql:
    """POST GraphQL documents to a sandbox as a principal made of demo roles."""

    def __init__(self, server: SandboxServer) -> None:
        assert server.info is not None
        self.server = server
        self.url = server.info.graphql_url
        self.http = httpx.Client(timeout=10)
        self._tokens: dict[tuple[tuple[str, ...], str | None], str] = {}

    def token(self, roles: tuple[str, ...] = ADMIN_ROLES, location: str | None = None) -> str:
        key = (roles, location)
        if key not in self._tokens:
            assert self.server.provider is not None
            principal = Principal(
                subject=f"test-{'-'.join(roles) or 'none'}",
                client_id="sandbox-tests",
                name="Sandbox tests",
                roles=roles,
                location_code=location,
            )
            self._tokens[key] = self.server.provider.access_token(principal)
        return self._tokens[key]

    def run(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        roles: tuple[str, ...] | None = ADMIN_ROLES,
        location: str | None = None,
    ) -> dict[str, Any]:
        headers = (
            {} if roles is None else {"Authorization": f"Bearer {self.token(roles, location)}"}
        )
        response = self.http.post(
            self.url, json={"query": query, "variables": variables or {}}, headers=headers
        )
        body: dict[str, Any] = response.json()
        return body

    def data(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        """The ``data`` of a call that must succeed."""
        body = self.run(query, variables, **kw)
        assert "errors" not in body, body["errors"]
        return body["data"]

    def error(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        """``extensions`` of the first error of a call that must fail."""
        body = self.run(query, variables, **kw)
        assert body.get("errors"), body
        extensions: dict[str, Any] = body["errors"][0]["extensions"]
        return extensions

    def close(self) -> None:
        self.http.close()


@pytest.fixture(scope="module")
def own_sandbox() -> Iterator[SandboxServer]:
    """A private demo sandbox for tests that change data."""
    with SandboxServer(db_path=":memory:", seed="demo", port=0) as server:
        yield server


@pytest.fixture(scope="module")
def gql(own_sandbox: SandboxServer) -> Iterator[Gql]:
    caller = Gql(own_sandbox)
    yield caller
    caller.close()
