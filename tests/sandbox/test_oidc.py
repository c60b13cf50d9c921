"""The sandbox's OpenID Connect provider, exercised over real HTTP on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from posdesk.sandbox.oidc import API_AUDIENCE, InvalidTokenError, OidcProvider
from posdesk.sandbox.security import DEMO_CLIENTS, DEMO_USERS
from posdesk.sandbox.server import SandboxServer
from tests.sandbox.oidc_helpers import (
    DESKTOP,
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

VIEWER = "query { viewer { subject clientId roles permissions locationCode } }"


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(follow_redirects=False, timeout=10) as client:
        yield client


def graphql(sandbox: SandboxServer, token: str | None, query: str = VIEWER) -> dict[str, Any]:
    assert sandbox.info is not None
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    response = httpx.post(sandbox.info.graphql_url, json={"query": query}, headers=headers)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


# --- discovery and client credentials ---------------------------------------------------------


def test_discovery_document_names_real_endpoints(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    meta = http.get(f"{issuer(sandbox)}/.well-known/openid-configuration").json()
    assert meta["issuer"] == issuer(sandbox)
    assert {"client_credentials", "authorization_code", "refresh_token"} <= set(
        meta["grant_types_supported"]
    )
    assert {"client_secret_basic", "client_secret_post", "none"} <= set(
        meta["token_endpoint_auth_methods_supported"]
    )
    assert meta["code_challenge_methods_supported"] == ["S256"]
    jwks = http.get(meta["jwks_uri"]).json()
    assert [k["kty"] for k in jwks["keys"]] == ["RSA"]
    assert all("d" not in k for k in jwks["keys"]), "JWKS must not leak the private key"


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_client_credentials_token_is_an_rs256_jwt_valid_against_jwks(
    sandbox: SandboxServer, http: httpx.Client, method: str
) -> None:
    meta = http.get(f"{issuer(sandbox)}/.well-known/openid-configuration").json()
    client = DEMO_CLIENTS["demo-manager"]
    form = {"grant_type": "client_credentials"}
    if method == "client_secret_post":
        form |= {"client_id": client.client_id, "client_secret": client.secret}
        response = http.post(meta["token_endpoint"], data=form)
    else:
        response = http.post(
            meta["token_endpoint"], data=form, auth=(client.client_id, client.secret)
        )
    assert response.status_code == 200, response.text
    token = response.json()
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 3600
    assert "refresh_token" not in token  # client credentials issue no refresh token

    keys = KeySet.import_key_set(http.get(meta["jwks_uri"]).json())
    decoded = jwt.decode(token["access_token"], keys, algorithms=["RS256"])
    claims = decoded.claims
    assert decoded.header["alg"] == "RS256"
    assert claims["iss"] == issuer(sandbox)
    assert claims["aud"] == API_AUDIENCE
    assert claims["sub"] == claims["client_id"] == "demo-manager"
    assert claims["roles"] == ["Manager"]
    assert claims["location_code"] == client.location_code
    assert 3600 <= claims["exp"] - claims["iat"] < 3601

    viewer = graphql(sandbox, token["access_token"])["data"]["viewer"]
    assert viewer["clientId"] == "demo-manager"
    assert viewer["locationCode"] == client.location_code
    assert "ViewSales" in viewer["permissions"]
    assert "EditGiftCard" not in viewer["permissions"]


@pytest.mark.parametrize(
    ("client_id", "secret", "status"),
    [
        ("demo-clerk", "wrong-secret", 401),
        ("no-such-client", "whatever", 401),
    ],
)
def test_client_credentials_rejects_bad_credentials(
    sandbox: SandboxServer, http: httpx.Client, client_id: str, secret: str, status: int
) -> None:
    response = http.post(
        f"{issuer(sandbox)}/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
    )
    assert response.status_code == status
    assert response.json()["error"] == "invalid_client"


def test_public_client_cannot_use_client_credentials(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    response = http.post(
        f"{issuer(sandbox)}/token",
        data={"grant_type": "client_credentials", "client_id": DESKTOP},
    )
    assert response.status_code in (400, 401)
    assert response.json()["error"] in ("invalid_client", "unauthorized_client")


def test_every_demo_client_gets_a_token_with_its_roles(
    sandbox: SandboxServer, sandbox_token: Callable[[str], str]
) -> None:
    for client_id, client in DEMO_CLIENTS.items():
        viewer = graphql(sandbox, sandbox_token(client_id))["data"]["viewer"]
        assert viewer["subject"] == client_id
        assert tuple(viewer["roles"]) == client.roles
    noperms = graphql(sandbox, sandbox_token("demo-noperms"))["data"]["viewer"]
    assert noperms["permissions"] == []


# --- token rejection --------------------------------------------------------------------------


def _claims(sandbox: SandboxServer, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer(sandbox),
        "aud": API_AUDIENCE,
        "sub": "posdesk-demo",
        "client_id": "posdesk-demo",
        "roles": ["Owner"],
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return claims


def _sign(sandbox: SandboxServer, claims: dict[str, Any], key: RSAKey | None = None) -> str:
    assert sandbox.provider is not None
    signing_key = key or sandbox.provider.key
    header = {"alg": "RS256", "kid": sandbox.provider.key.kid}
    return jwt.encode(header, claims, signing_key, algorithms=["RS256"])


def test_a_correctly_signed_handmade_token_is_accepted(sandbox: SandboxServer) -> None:
    """Control for the rejection cases below: only the one broken property differs."""
    body = graphql(sandbox, _sign(sandbox, _claims(sandbox)))
    assert body["data"]["viewer"]["subject"] == "posdesk-demo"


def _bad_tokens(sandbox: SandboxServer) -> dict[str, str]:
    good = _sign(sandbox, _claims(sandbox))
    header_b64, payload_b64, signature = good.split(".")
    other_key = RSAKey.generate_key(2048)
    return {
        "bad signature (other key, same kid)": _sign(sandbox, _claims(sandbox), other_key),
        "tampered payload": ".".join(
            [header_b64, b64(_claims(sandbox, roles=["Administrator"])), signature]
        ),
        "alg none": ".".join([b64({"alg": "none", "typ": "JWT"}), payload_b64, ""]),
        "wrong issuer": _sign(sandbox, _claims(sandbox, iss="https://evil.example")),
        "wrong audience": _sign(sandbox, _claims(sandbox, aud="some-other-api")),
        "expired": _sign(
            sandbox, _claims(sandbox, iat=int(time.time()) - 120, exp=int(time.time()) - 60)
        ),
        "missing exp": _sign(sandbox, {k: v for k, v in _claims(sandbox).items() if k != "exp"}),
        "garbage": "not-a-jwt",
    }


@pytest.mark.parametrize(
    "case",
    [
        "bad signature (other key, same kid)",
        "tampered payload",
        "alg none",
        "wrong issuer",
        "wrong audience",
        "expired",
        "missing exp",
        "garbage",
    ],
)
def test_untrustworthy_tokens_get_not_authenticated(sandbox: SandboxServer, case: str) -> None:
    body = graphql(sandbox, _bad_tokens(sandbox)[case])
    assert body["data"] is None
    assert error_codes(body) == ["NOT_AUTHENTICATED"]


def test_hs256_signed_with_the_public_key_is_rejected(sandbox: SandboxServer) -> None:
    """The classic algorithm-confusion attack: HMAC keyed with the RSA public key."""
    assert sandbox.provider is not None
    public_pem = sandbox.provider.key.as_pem(private=False)
    signing_input = f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{b64(_claims(sandbox))}"
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    forged = f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    assert error_codes(graphql(sandbox, forged)) == ["NOT_AUTHENTICATED"]


def test_missing_token_reaches_resolvers_which_say_not_authenticated(
    sandbox: SandboxServer,
) -> None:
    body = graphql(sandbox, None)
    assert body["data"]["viewer"] is None
    assert error_codes(body) == ["NOT_AUTHENTICATED"]


def test_non_bearer_authorization_header_is_not_authenticated(sandbox: SandboxServer) -> None:
    assert sandbox.info is not None
    response = httpx.post(
        sandbox.info.graphql_url,
        json={"query": VIEWER},
        auth=("posdesk-demo", "posdesk-demo-secret"),
    )
    assert error_codes(response.json()) == ["NOT_AUTHENTICATED"]


def test_a_token_lives_exactly_its_lifetime_not_rounded_to_whole_seconds() -> None:
    clock = [100.99]
    provider = OidcProvider("http://127.0.0.1:1", token_lifetime=1, clock=lambda: clock[0])
    token = provider.access_token(DEMO_CLIENTS["demo-clerk"].principal())
    for now in (101.0, 101.5, 101.98):
        clock[0] = now
        assert provider.verify(token).subject == "demo-clerk"
    clock[0] = 101.99
    with pytest.raises(InvalidTokenError):
        provider.verify(token)


def test_token_expires_after_the_configured_lifetime(
    sandbox: SandboxServer, sandbox_token: Callable[[str], str]
) -> None:
    sandbox.token_lifetime = 2
    token = sandbox_token("demo-clerk")
    assert graphql(sandbox, token)["data"]["viewer"]["subject"] == "demo-clerk"
    time.sleep(3.1)
    assert error_codes(graphql(sandbox, token)) == ["NOT_AUTHENTICATED"]


# --- authorization code + PKCE (public desktop client) ---------------------------------------


def test_authorization_code_with_pkce_signs_in_a_user(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    pkce = Pkce.new()
    code = get_code(http, sandbox, pkce, nonce="n-123")
    response = exchange(http, sandbox, code, pkce.verifier)
    assert response.status_code == 200, response.text
    token = response.json()
    assert token["refresh_token"]
    viewer = graphql(sandbox, token["access_token"])["data"]["viewer"]
    assert viewer["subject"] == "manager"
    assert viewer["clientId"] == DESKTOP
    assert viewer["locationCode"] == DEMO_USERS["manager"].location_code

    keys = KeySet.import_key_set(http.get(f"{issuer(sandbox)}/jwks.json").json())
    id_token = jwt.decode(token["id_token"], keys, algorithms=["RS256"]).claims
    assert id_token["aud"] == DESKTOP
    assert id_token["sub"] == "manager"
    assert id_token["nonce"] == "n-123"

    userinfo = http.get(
        f"{issuer(sandbox)}/userinfo",
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    assert userinfo.json()["sub"] == "manager"


@pytest.mark.parametrize(
    "redirect_uri",
    ["http://127.0.0.1:1/cb", "http://[::1]:65000/x", "http://localhost:8080/callback"],
)
def test_any_loopback_port_is_accepted(
    sandbox: SandboxServer, http: httpx.Client, redirect_uri: str
) -> None:
    params = authorize_params(Pkce.new(), redirect_uri=redirect_uri)
    response = login(http, sandbox, params)
    assert response.status_code == 302
    assert response.headers["location"].startswith(redirect_uri + "?")


@pytest.mark.parametrize(
    "redirect_uri",
    ["https://evil.example/cb", "http://192.168.1.5:8080/cb", "http://127.0.0.1:8080/cb#frag"],
)
def test_non_loopback_redirect_uri_is_refused_without_redirecting(
    sandbox: SandboxServer, http: httpx.Client, redirect_uri: str
) -> None:
    params = authorize_params(Pkce.new(), redirect_uri=redirect_uri)
    response = http.get(f"{issuer(sandbox)}/authorize", params=params)
    assert response.status_code == 400
    assert "location" not in response.headers


def test_wrong_verifier_is_invalid_grant(sandbox: SandboxServer, http: httpx.Client) -> None:
    code = get_code(http, sandbox, Pkce.new())
    response = exchange(http, sandbox, code, Pkce.new().verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_missing_verifier_is_invalid_request(sandbox: SandboxServer, http: httpx.Client) -> None:
    code = get_code(http, sandbox, Pkce.new())
    response = exchange(http, sandbox, code, None)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    "params",
    [
        {},  # no code_challenge at all
        {"code_challenge_method": "plain"},
    ],
)
def test_public_client_must_use_pkce_s256(
    sandbox: SandboxServer, http: httpx.Client, params: dict[str, str]
) -> None:
    pkce = Pkce.new() if params else None
    query = authorize_params(pkce, **params)
    if pkce is not None and params.get("code_challenge_method") == "plain":
        query["code_challenge"] = pkce.verifier
    response = http.get(f"{issuer(sandbox)}/authorize", params=query)
    assert redirect_query(response)["error"] == "invalid_request"


def test_code_is_single_use(sandbox: SandboxServer, http: httpx.Client) -> None:
    pkce = Pkce.new()
    code = get_code(http, sandbox, pkce)
    assert exchange(http, sandbox, code, pkce.verifier).status_code == 200
    again = exchange(http, sandbox, code, pkce.verifier)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_wrong_password_shows_the_login_page_again(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    response = login(http, sandbox, authorize_params(Pkce.new()), password="nope")
    assert response.status_code == 401
    assert "Wrong user name or password" in response.text
    assert "location" not in response.headers


def test_cancel_redirects_with_access_denied(sandbox: SandboxServer, http: httpx.Client) -> None:
    params = authorize_params(Pkce.new())
    page = http.get(f"{issuer(sandbox)}/authorize", params=params)  # the form, with its token
    form = {**hidden_fields(page.text), "action": "cancel"}
    response = http.post(f"{issuer(sandbox)}/authorize", data=form)
    query = redirect_query(response)
    assert query["error"] == "access_denied"
    assert query["state"] == params["state"]


def test_confidential_client_cannot_use_the_login_flow(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    params = authorize_params(Pkce.new(), client_id="demo-clerk")
    response = http.get(f"{issuer(sandbox)}/authorize", params=params)
    assert response.status_code == 400


def test_refresh_rotates_and_reuse_revokes_the_family(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    pkce = Pkce.new()
    first = exchange(http, sandbox, get_code(http, sandbox, pkce), pkce.verifier).json()

    second = refresh(http, sandbox, first["refresh_token"])
    assert second.status_code == 200, second.text
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert graphql(sandbox, rotated["access_token"])["data"]["viewer"]["subject"] == "manager"

    replay = refresh(http, sandbox, first["refresh_token"])
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    # The replay of a rotated token revoked the whole sign-in, including the newest token.
    assert refresh(http, sandbox, rotated["refresh_token"]).status_code == 400


def test_refresh_token_is_bound_to_its_client(sandbox: SandboxServer, http: httpx.Client) -> None:
    """RFC 6749 §5.2/§6: another client, properly authenticated, presenting the token gets
    ``invalid_grant`` ("issued to another client"); one not allowed to refresh at all gets
    ``unauthorized_client``. Neither uses up the token of the client it was issued to."""
    pkce = Pkce.new()
    token = exchange(http, sandbox, get_code(http, sandbox, pkce), pkce.verifier).json()

    def present_as_clerk() -> httpx.Response:
        return http.post(
            f"{issuer(sandbox)}/token",
            data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
            auth=("demo-clerk", DEMO_CLIENTS["demo-clerk"].secret),
        )

    not_allowed = present_as_clerk()
    assert not_allowed.status_code == 400, not_allowed.text
    assert not_allowed.json()["error"] == "unauthorized_client"

    assert sandbox.provider is not None  # reset_sandbox puts the registration back
    sandbox.provider.restrict_client(
        "demo-clerk", frozenset({"client_credentials", "refresh_token"})
    )
    stolen = present_as_clerk()
    assert stolen.status_code == 400, stolen.text
    assert stolen.json()["error"] == "invalid_grant"
    assert "access_token" not in stolen.json()

    own = refresh(http, sandbox, token["refresh_token"])
    assert own.status_code == 200, own.text
    assert graphql(sandbox, own.json()["access_token"])["data"]["viewer"]["subject"] == "manager"


def test_plain_http_is_refused_for_a_non_loopback_host(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    """OAuth over http only on loopback: a request addressed to a public name is refused."""
    response = http.post(
        f"{issuer(sandbox)}/token",
        data={"grant_type": "client_credentials"},
        auth=("posdesk-demo", DEMO_CLIENTS["posdesk-demo"].secret),
        headers={"Host": "pos.example.com"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "insecure_transport"
