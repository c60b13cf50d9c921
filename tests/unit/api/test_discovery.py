"""OIDC discovery refuses documents that point somewhere they should not (a misconfigured or
hostile server — nothing the sandbox serves, so MockTransport)."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from posdesk.api import errors
from posdesk.api.auth import _token_set, discover

ISSUER = "https://pos.example.com"


def _serving(doc: Any, status: int = 200) -> httpx.AsyncClient:
    body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return httpx.AsyncClient(
        transport=httpx.MockTransport(lambda _: httpx.Response(status, content=body))
    )


@pytest.mark.asyncio
async def test_good_document() -> None:
    async with _serving(
        {
            "issuer": ISSUER,
            "token_endpoint": f"{ISSUER}/token",
            "authorization_endpoint": f"{ISSUER}/authorize",
            "scopes_supported": ["openid", "offline_access"],
        }
    ) as http:
        config = await discover(http, ISSUER)
    assert config.token_endpoint == f"{ISSUER}/token"
    assert config.token_auth_methods == ("client_secret_basic",)
    assert "offline_access" in config.scopes_supported


@pytest.mark.parametrize(
    ("doc", "status", "expected"),
    [
        (
            {"issuer": "https://evil.example.com", "token_endpoint": f"{ISSUER}/t"},
            200,
            errors.InvalidResponseError,
        ),
        ({"issuer": None, "token_endpoint": f"{ISSUER}/t"}, 200, errors.InvalidResponseError),
        (
            {"issuer": ISSUER, "token_endpoint": "http://pos.example.com/t"},
            200,
            errors.InsecureUrlError,
        ),
        ({"issuer": ISSUER}, 200, errors.InvalidResponseError),
        (b"<html>login</html>", 200, errors.InvalidResponseError),
        (b"not found", 404, errors.HttpStatusError),
    ],
)
@pytest.mark.asyncio
async def test_bad_documents(doc: Any, status: int, expected: type[errors.PosError]) -> None:
    async with _serving(doc, status) as http:
        with pytest.raises(expected):
            await discover(http, ISSUER)


def test_renewal_leeway() -> None:
    now = time.monotonic()
    long = _token_set({"access_token": "a", "expires_in": 3600})
    assert long.renew_at is not None
    assert 3569 < long.renew_at - now <= 3570.5  # 30 s early
    short = _token_set({"access_token": "a", "expires_in": 4, "refresh_token": "r"})
    assert short.renew_at is not None
    assert 2.9 < short.renew_at - now <= 3.1  # a quarter early for short tokens
    assert short.refresh_token == "r"
    assert _token_set({"access_token": "a"}).renew_at is None  # no expiry: renew on rejection
