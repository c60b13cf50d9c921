"""Both sign-in flows and token renewal against the sandbox's real OIDC provider."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from posdesk.api.auth import ClientCredentialsGrant, OidcConfig, TokenSet
from posdesk.api.client import PosClient
from posdesk.api.credentials import Credentials
from posdesk.api.errors import (
    ConfigurationError,
    HttpStatusError,
    InsecureUrlError,
    RequestTimeout,
    SignInRefused,
    SignInRequired,
)
from posdesk.api.profile import ConnectionProfile
from posdesk.sandbox.server import SandboxServer
from posdesk.store.journal import Journal
from tests.api.helpers import (
    FAST_RETRY,
    browser,
    cc_profile,
    connect,
    interactive_profile,
    no_browser,
)


async def short_token(client: PosClient, sandbox: SandboxServer, lifetime: int) -> None:
    """Give a connected client a token that lives ``lifetime`` s from now (renewals too).

    Minted after connecting on purpose: on a loaded machine discovery, token and introspection
    can take longer than such a token's renewal point, and an extra renewal miscounts."""
    sandbox.token_lifetime = lifetime
    client._auth.set_token(await client._auth.grant.fetch(client._http, client._auth.config))


@pytest.mark.asyncio
async def test_client_credentials(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = await connect(sandbox, tmp_path, "demo-clerk")
    try:
        viewer = await client.viewer()
        assert viewer.client_id == "demo-clerk"
        assert "Service Clerk" in viewer.roles
        assert viewer.can("ViewCustomers")
        assert client.token_renewals == 1
        assert client.features.verified
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_missing_secret_and_wrong_secret(sandbox: SandboxServer, tmp_path: Path) -> None:
    assert sandbox.info is not None
    profile = ConnectionProfile("nosecret", sandbox.info.base_url, client_id="demo-clerk")
    with pytest.raises(ConfigurationError):
        await PosClient.connect(profile, journal=Journal(tmp_path / "j"))
    Credentials().set_client_secret("nosecret", "not-the-secret")
    with pytest.raises(SignInRefused) as info:  # signing in again cannot fix a wrong secret
        await PosClient.connect(profile, journal=Journal(tmp_path / "j"))
    assert info.value.reason == "invalid_client"


@pytest.mark.asyncio
async def test_plain_http_refused_for_remote_hosts(tmp_path: Path) -> None:
    profile = ConnectionProfile("remote", "http://pos.example.com")
    with pytest.raises(InsecureUrlError):
        await PosClient.connect(profile, journal=Journal(tmp_path / "j"))


@pytest.mark.asyncio
async def test_interactive_pkce_then_refresh_token(sandbox: SandboxServer, tmp_path: Path) -> None:
    opened: list[str] = []
    profile = interactive_profile(sandbox)
    client = await PosClient.connect(
        profile,
        open_browser=browser("manager", "manager-pass", opened=opened),
        journal=Journal(tmp_path / "j"),
        retry=FAST_RETRY,
    )
    try:
        viewer = await client.viewer()
        assert viewer.subject == "manager"
        assert viewer.name == "Max Manager"
        assert len(opened) == 1
        assert "code_challenge_method=S256" in opened[0]
        assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in opened[0]
    finally:
        await client.aclose()
    first_refresh = Credentials().refresh_token(profile.name)
    assert first_refresh

    # next start: the stored refresh token signs in without a browser, and is rotated
    again = await PosClient.connect(
        profile, open_browser=no_browser, journal=Journal(tmp_path / "j"), retry=FAST_RETRY
    )
    try:
        assert (await again.viewer()).subject == "manager"
    finally:
        await again.aclose()
    assert Credentials().refresh_token(profile.name) not in (None, first_refresh)


@pytest.mark.asyncio
async def test_interactive_cancel_and_wrong_password(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    profile = interactive_profile(sandbox, "cancel-pc")
    with pytest.raises(SignInRequired) as info:
        await PosClient.connect(
            profile, open_browser=browser(action="cancel"), journal=Journal(tmp_path / "j")
        )
    assert "cancelled" in info.value.user_message

    async def never_finishes(url: str) -> None:
        async with httpx.AsyncClient() as http:
            page = await http.get(url)  # the user looks at the page and walks away
            assert page.status_code == 200

    started = time.monotonic()
    with pytest.raises(SignInRequired):
        await PosClient.connect(
            profile,
            open_browser=never_finishes,
            journal=Journal(tmp_path / "j"),
            sign_in_timeout=0.5,
        )
    assert time.monotonic() - started < 5


@pytest.mark.asyncio
async def test_token_expiry_mid_session(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        await short_token(client, sandbox, 2)
        await client.viewer()
        await asyncio.sleep(2.2)  # the first token has expired now
        assert (await client.viewer()).client_id == "posdesk-demo"
        assert client.token_renewals == 2  # renewed before use, never a failed request
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_rejected_token_renews_once_and_retries(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    client = await connect(sandbox, tmp_path)  # 1 token request
    try:
        await short_token(client, sandbox, 1)
        short = client._auth._token
        assert short is not None
        sandbox.token_lifetime = 3600
        # pretend we believe the token is fine for ever (clock skew): the server decides
        client._auth.set_token(TokenSet(short.access_token, renew_at=None))
        await asyncio.sleep(3.2)  # exp is rounded up and checked in whole seconds
        assert (await client.viewer()).client_id == "posdesk-demo"
        assert client.token_renewals == 2
    finally:
        await client.aclose()


class _BogusGrant:
    """A grant whose tokens the server never accepts (signature from elsewhere)."""

    calls = 0

    async def fetch(self, http: httpx.AsyncClient, config: OidcConfig) -> TokenSet:
        self.calls += 1
        return TokenSet(f"bogus.{self.calls}.token", renew_at=None)


@pytest.mark.asyncio
async def test_token_never_accepted_is_sign_in_required(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        grant = _BogusGrant()
        client._auth.grant = grant
        client._auth.set_token(TokenSet("bogus.0.token", renew_at=None))
        with pytest.raises(SignInRequired):
            await client.viewer()
        assert grant.calls == 1  # renewed once, then gave up: no loop
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_concurrent_requests_share_one_renewal(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        await short_token(client, sandbox, 2)
        await asyncio.sleep(1.6)  # inside the renewal leeway
        sandbox.faults.paths = ("/token",)
        sandbox.faults.latency_ms = 200  # a slow token endpoint: requests pile up
        viewers = await asyncio.gather(*(client.viewer() for _ in range(20)))
        assert {v.client_id for v in viewers} == {"posdesk-demo"}
        assert client.token_renewals == 2
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_failed_renewal_fails_every_waiter_promptly(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        await short_token(client, sandbox, 2)
        await asyncio.sleep(1.6)
        client._auth.grant = ClientCredentialsGrant("posdesk-demo", "revoked-secret")
        sandbox.faults.paths = ("/token",)
        sandbox.faults.latency_ms = 200
        started = time.monotonic()
        results = await asyncio.wait_for(
            asyncio.gather(*(client.viewer() for _ in range(10)), return_exceptions=True), 5
        )
        assert time.monotonic() - started < 2
        assert all(isinstance(r, SignInRefused) for r in results), results
        assert client.token_renewals == 2
        # and later calls fail at once, without hammering the token endpoint
        with pytest.raises(SignInRefused):
            await asyncio.wait_for(client.viewer(), 1)
        assert client.token_renewals == 2
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_token_endpoint_down_or_slow(sandbox: SandboxServer, tmp_path: Path) -> None:
    sandbox.token_lifetime = 2
    client = await PosClient.connect(
        cc_profile(sandbox), journal=Journal(tmp_path / "j"), retry=FAST_RETRY
    )
    try:
        # short read timeout only once connected (connecting may take longer on a busy machine)
        client._http.timeout = httpx.Timeout(10.0, read=0.5)
        client._auth.set_token(TokenSet("expired", renew_at=0.0))  # must renew, cannot fall back
        sandbox.faults.paths = ("/token",)
        sandbox.faults.error_kind = "500"
        sandbox.faults.fail_next = 1
        results = await asyncio.wait_for(
            asyncio.gather(*(client.viewer() for _ in range(5)), return_exceptions=True), 5
        )
        assert all(isinstance(r, HttpStatusError) for r in results), results
        sandbox.faults.latency_ms = 1500  # now it hangs: the timeout must end the wait
        results = await asyncio.wait_for(
            asyncio.gather(*(client.viewer() for _ in range(5)), return_exceptions=True), 10
        )
        assert all(isinstance(r, RequestTimeout) for r in results), results
        sandbox.faults.reset()
        assert (await client.viewer()).client_id == "posdesk-demo"  # recovers afterwards
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_interactive_renewal_uses_refresh_token(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    sandbox.token_lifetime = 2
    profile = interactive_profile(sandbox, "refresh-pc")
    client = await PosClient.connect(
        profile, open_browser=browser("clerk", "clerk-pass"), journal=Journal(tmp_path / "j")
    )
    try:
        before = Credentials().refresh_token(profile.name)
        await asyncio.sleep(2.2)
        assert (await client.viewer()).subject == "clerk"
        assert Credentials().refresh_token(profile.name) != before
        # the refresh token is revoked (e.g. signed out elsewhere): sign in again
        Credentials().set_refresh_token(profile.name, "revoked")
        client._auth.set_token(TokenSet("x", renew_at=0.0))
        with pytest.raises(SignInRequired):
            await client.viewer()
        client._open_browser = browser("clerk", "clerk-pass")
        await client.sign_in()
        assert (await client.viewer()).subject == "clerk"
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_early_renewal_failure_keeps_the_valid_token(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        await short_token(client, sandbox, 8)  # renewal due after 6 s, expiry after 8 s
        token = client._auth._token
        assert token is not None
        assert token.renew_at is not None
        client._auth.set_token(
            TokenSet(token.access_token, time.monotonic(), None, token.expires_at)
        )  # renewal due now
        sandbox.faults.paths = ("/token",)
        sandbox.faults.error_kind = "502"
        sandbox.faults.fail_next = 1
        assert (await client.viewer()).client_id == "posdesk-demo"  # old token still used
        assert sandbox.faults.failed == 1
        assert client.token_renewals == 2
        assert (await client.viewer()).client_id == "posdesk-demo"  # and renewed next time
        assert client.token_renewals == 3
    finally:
        await client.aclose()
