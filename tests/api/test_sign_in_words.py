"""Sign-in errors in plain words, one per cause (issue 12 item 2), against the sandbox's real
token endpoint: a wrong secret is not "your sign-in has expired"."""

from __future__ import annotations

from pathlib import Path

import pytest
from authlib.oauth2.rfc6749.parameters import prepare_token_request

from posdesk.api.auth import TokenSet, discover, token_request
from posdesk.api.client import PosClient
from posdesk.api.credentials import Credentials
from posdesk.api.errors import (
    HttpStatusError,
    NetworkError,
    NotAuthenticated,
    SignInRefused,
    SignInRequired,
)
from posdesk.api.profile import ConnectionProfile
from posdesk.sandbox.security import DEMO_CLIENTS
from posdesk.sandbox.server import SandboxServer
from posdesk.store.journal import Journal
from tests.api.helpers import base_url, browser, cc_profile, connect, interactive_profile
from tests.api.hostile import hostile_server, json_answer


def wrong_secret_profile(sandbox: SandboxServer) -> ConnectionProfile:
    Credentials().set_client_secret("typo", "not-the-secret")
    return ConnectionProfile("typo", base_url(sandbox), client_id="demo-clerk")


@pytest.mark.asyncio
async def test_wrong_secret_is_invalid_client_not_an_expired_sign_in(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    with pytest.raises(SignInRefused) as info:
        await PosClient.connect(wrong_secret_profile(sandbox), journal=Journal(tmp_path / "j"))
    assert info.value.reason == "invalid_client"
    assert not isinstance(info.value, NotAuthenticated)
    assert "client id or client secret" in info.value.user_message
    assert "expired" not in info.value.user_message


@pytest.mark.asyncio
async def test_secret_rotated_mid_session(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        assert sandbox.provider is not None
        sandbox.provider.rotate_client_secret("posdesk-demo", "rotated-by-the-admin")
        client._auth.set_token(TokenSet("stale", renew_at=0.0))  # renewal due now
        with pytest.raises(SignInRefused) as info:
            await client.viewer()
        assert info.value.reason == "invalid_client"
        assert "Check them in the connection profile" in info.value.user_message
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_client_no_longer_allowed_mid_session(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        assert sandbox.provider is not None
        sandbox.provider.restrict_client("posdesk-demo")  # an admin took the grant away
        client._auth.set_token(TokenSet("stale", renew_at=0.0))
        with pytest.raises(SignInRefused) as info:
            await client.viewer()
        assert info.value.reason == "unauthorized_client"
        assert "not allowed to sign in this way" in info.value.user_message
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_invalid_scope_and_unsupported_grant(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        config = await discover(client._http, base_url(sandbox))
        basic = ("posdesk-demo", DEMO_CLIENTS["posdesk-demo"].secret)
        body = prepare_token_request("client_credentials", scope="pos.everything")
        with pytest.raises(SignInRefused) as info:
            await token_request(client._http, config, body, basic=basic)
        assert info.value.reason == "invalid_scope"
        assert "scope" in info.value.user_message
        body = prepare_token_request("password", username="a", password="b")
        with pytest.raises(SignInRefused) as info:
            await token_request(client._http, config, body, basic=basic)
        assert info.value.reason == "unsupported_grant_type"
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_revoked_refresh_token_is_sign_in_again(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    profile = interactive_profile(sandbox, "revoked-pc")
    client = await PosClient.connect(
        profile, open_browser=browser("clerk", "clerk-pass"), journal=Journal(tmp_path / "j")
    )
    try:
        assert sandbox.provider is not None
        sandbox.provider.refresh_tokens.clear()  # signed out everywhere by an admin
        client._auth.set_token(TokenSet("stale", renew_at=0.0))
        with pytest.raises(SignInRequired) as info:
            await client.viewer()
        assert info.value.reason == "invalid_grant"
        assert info.value.user_message == "Your sign-in has expired or was revoked. Sign in again."
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_cancelled_in_the_browser_is_access_denied(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    with pytest.raises(SignInRequired) as info:
        await PosClient.connect(
            interactive_profile(sandbox, "cancel-pc"),
            open_browser=browser(action="cancel"),
            journal=Journal(tmp_path / "j"),
        )
    assert info.value.reason == "access_denied"
    assert "cancelled or refused" in info.value.user_message


@pytest.mark.asyncio
async def test_token_endpoint_failing_or_unreachable(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    sandbox.faults.paths = ("/token",)
    sandbox.faults.error_kind = "500"
    sandbox.faults.fail_next = 1
    with pytest.raises(HttpStatusError) as failing:
        await PosClient.connect(cc_profile(sandbox), journal=Journal(tmp_path / "j"))
    assert failing.value.status_code == 500
    assert "sign-in service failed (HTTP 500)" in failing.value.user_message

    async with hostile_server() as server:
        server.discovery = json_answer(
            {"issuer": server.base_url, "token_endpoint": "http://127.0.0.1:9/token"}
        )
        Credentials().set_client_secret("nowhere", "s")
        profile = ConnectionProfile("nowhere", server.base_url, client_id="c", timeout=2)
        with pytest.raises(NetworkError) as unreachable:
            await PosClient.connect(profile, journal=Journal(tmp_path / "j"))
    assert "sign-in service (token endpoint) cannot be reached" in unreachable.value.user_message
