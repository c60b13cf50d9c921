"""OIDC edges (issue 14): malformed requests are 400 OAuth errors, a replayed code revokes its
tokens, the login form has a CSRF token, an Origin check and cannot be framed, and failed
attempts back off exponentially per client id and per user."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from posdesk.sandbox.security import DEMO_CLIENTS
from posdesk.sandbox.server import SandboxServer
from tests.sandbox.oidc_helpers import (
    Pkce,
    authorize_params,
    exchange,
    get_code,
    hidden_fields,
    issuer,
    login,
    redirect_query,
    refresh,
)

VIEWER = {"query": "{ viewer { subject } }"}


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def _viewer(http: httpx.Client, sandbox: SandboxServer, token: str) -> dict[str, object]:
    assert sandbox.info is not None
    headers = {"Authorization": f"Bearer {token}"}
    body: dict[str, object] = http.post(
        sandbox.info.graphql_url, json=VIEWER, headers=headers
    ).json()
    return body


@pytest.mark.parametrize(
    "params",
    [
        {"response_type": 'co"de'},
        {"response_type": "code", "client_id": 'posdesk"desktop'},
        {"response_type": "code\\", "scope": '"openid'},
        {"response_type": "code", "client_id": "posdesk-desktop", "code_challenge_method": '"'},
    ],
)
def test_malformed_authorize_requests_are_400_without_a_traceback(
    sandbox: SandboxServer,
    http: httpx.Client,
    capfd: pytest.CaptureFixture[str],
    params: dict[str, str],
) -> None:
    base = authorize_params(Pkce.new())
    response = http.get(f"{issuer(sandbox)}/authorize", params={**base, **params})
    if response.status_code == 302:  # an error the client's redirect URI may be told
        assert "error" in redirect_query(response)
    else:
        assert response.status_code == 400
        assert "Cannot sign in" in response.text
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize(
    "content",
    [b'grant_type=client"credentials', b"\xff\xfe\x00", b"grant_type=%ZZ&&=="],
)
def test_malformed_token_requests_are_400_oauth_errors(
    sandbox: SandboxServer, http: httpx.Client, capfd: pytest.CaptureFixture[str], content: bytes
) -> None:
    response = http.post(
        f"{issuer(sandbox)}/token",
        content=content,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code in (400, 401)
    assert response.json()["error"]
    assert "Traceback" not in capfd.readouterr().err


def test_a_replayed_code_revokes_the_tokens_issued_from_it(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    pkce = Pkce.new()
    code = get_code(http, sandbox, pkce)
    first = exchange(http, sandbox, code, pkce.verifier)
    assert first.status_code == 200
    tokens = first.json()
    assert "errors" not in _viewer(http, sandbox, tokens["access_token"])
    replay = exchange(http, sandbox, code, pkce.verifier)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    # RFC 6749 §4.1.2: what the code issued is revoked, access and refresh token alike
    refused = _viewer(http, sandbox, tokens["access_token"])
    assert refused["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"  # type: ignore[index]
    assert refresh(http, sandbox, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_tokens_refreshed_before_the_replay_are_revoked_too(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    pkce = Pkce.new()
    code = get_code(http, sandbox, pkce)
    tokens = exchange(http, sandbox, code, pkce.verifier).json()
    rotated = refresh(http, sandbox, tokens["refresh_token"]).json()
    exchange(http, sandbox, code, pkce.verifier)  # the replay
    refused = _viewer(http, sandbox, rotated["access_token"])
    assert refused["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"  # type: ignore[index]
    assert refresh(http, sandbox, rotated["refresh_token"]).json()["error"] == "invalid_grant"


def test_the_login_page_cannot_be_framed(sandbox: SandboxServer, http: httpx.Client) -> None:
    page = http.get(f"{issuer(sandbox)}/authorize", params=authorize_params(Pkce.new()))
    error = http.get(f"{issuer(sandbox)}/authorize", params={"response_type": 'co"de'})
    for response in (page, error):
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"
    assert hidden_fields(page.text)["csrf_token"]


def test_a_login_post_needs_the_forms_csrf_token_once(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    params = authorize_params(Pkce.new())
    url = f"{issuer(sandbox)}/authorize"
    form = {**params, "username": "manager", "password": "manager-pass", "action": "login"}
    assert http.post(url, data=form).status_code == 403  # no token: a cross-site POST
    page = http.get(url, params=params)
    with_token = {**hidden_fields(page.text), **form}
    assert http.post(url, data={**with_token, "csrf_token": "forged"}).status_code == 403
    assert http.post(url, data=with_token).status_code == 302
    assert http.post(url, data=with_token).status_code == 403  # used once


def test_a_login_post_from_another_origin_is_refused(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    params = authorize_params(Pkce.new())
    url = f"{issuer(sandbox)}/authorize"
    page = http.get(url, params=params)
    form = {**hidden_fields(page.text), "username": "manager", "password": "manager-pass"}
    for origin in ("https://evil.example", "null"):
        response = http.post(url, data={**form, "action": "login"}, headers={"Origin": origin})
        assert response.status_code == 403


def _wait_out(seconds: float) -> None:
    time.sleep(seconds + 0.05)


def test_wrong_client_secrets_back_off_exponentially(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    client = DEMO_CLIENTS["demo-clerk"]
    url = f"{issuer(sandbox)}/token"
    form = {"grant_type": "client_credentials"}
    answers = [http.post(url, data=form, auth=(client.client_id, "wrong")) for _ in range(200)]
    checked = [a for a in answers if a.status_code == 401]
    slowed = [a for a in answers if a.status_code == 429]
    assert len(checked) + len(slowed) == 200
    assert len(checked) <= 6  # of 200 tries, only a handful reached the secret check
    assert slowed[-1].json()["error"] == "slow_down"
    retry_after = int(slowed[-1].headers["retry-after"])
    # even the right secret waits; another client does not
    assert http.post(url, data=form, auth=(client.client_id, client.secret)).status_code == 429
    other = DEMO_CLIENTS["posdesk-demo"]
    assert http.post(url, data=form, auth=(other.client_id, other.secret)).status_code == 200
    deadline = time.monotonic() + retry_after + 5
    while time.monotonic() < deadline:
        answer = http.post(url, data=form, auth=(client.client_id, client.secret))
        if answer.status_code == 200:
            break
        _wait_out(float(answer.headers.get("retry-after", "0.2")))
    assert answer.status_code == 200


def test_wrong_passwords_back_off_per_user(sandbox: SandboxServer, http: httpx.Client) -> None:
    statuses = [
        login(http, sandbox, authorize_params(Pkce.new()), password="wrong").status_code
        for _ in range(6)
    ]
    assert statuses[:3] == [401, 401, 401]  # the first failures cost nothing
    assert 429 in statuses[3:]
    locked = login(http, sandbox, authorize_params(Pkce.new()))
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.text
    other = login(
        http, sandbox, authorize_params(Pkce.new()), username="clerk", password="clerk-pass"
    )
    assert other.status_code == 302  # another user is not slowed
    sandbox.provider.backoff.succeeded("user:manager")  # type: ignore[union-attr]
    assert login(http, sandbox, authorize_params(Pkce.new())).status_code == 302
