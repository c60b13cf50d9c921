"""Drive the sandbox's authorization-code + PKCE flow the way a desktop app would (over HTTP)."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx

from posdesk.sandbox.server import SandboxServer

DESKTOP = "posdesk-desktop"
REDIRECT = "http://127.0.0.1:53123/callback"


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class Pkce:
    verifier: str
    challenge: str

    @classmethod
    def new(cls) -> Pkce:
        verifier = secrets.token_urlsafe(48)
        return cls(verifier, s256(verifier))


def issuer(sandbox: SandboxServer) -> str:
    assert sandbox.info is not None
    return sandbox.info.issuer


def authorize_params(pkce: Pkce | None, **extra: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": DESKTOP,
        "redirect_uri": REDIRECT,
        "state": "st-" + secrets.token_hex(4),
        "scope": "openid profile offline_access",
    }
    if pkce is not None:
        params["code_challenge"] = pkce.challenge
        params["code_challenge_method"] = "S256"
    params.update(extra)
    return params


def hidden_fields(page: str) -> dict[str, str]:
    """The hidden inputs of the login form, as a browser would submit them."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))


def login(
    http: httpx.Client,
    sandbox: SandboxServer,
    params: dict[str, str],
    username: str = "manager",
    password: str = "manager-pass",
) -> httpx.Response:
    """GET the login page, then POST its form with credentials; returns the POST response."""
    page = http.get(f"{issuer(sandbox)}/authorize", params=params)
    assert page.status_code == 200, page.text
    assert "text/html" in page.headers["content-type"]
    form = hidden_fields(page.text)
    form.update({"username": username, "password": password, "action": "login"})
    # a browser names the page's origin on every form POST
    return http.post(f"{issuer(sandbox)}/authorize", data=form, headers={"Origin": issuer(sandbox)})


def redirect_query(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def get_code(http: httpx.Client, sandbox: SandboxServer, pkce: Pkce, **extra: str) -> str:
    params = authorize_params(pkce, **extra)
    query = redirect_query(login(http, sandbox, params))
    assert query["state"] == params["state"]
    return query["code"]


def exchange(
    http: httpx.Client, sandbox: SandboxServer, code: str, verifier: str | None
) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": DESKTOP,
    }
    if verifier is not None:
        form["code_verifier"] = verifier
    return http.post(f"{issuer(sandbox)}/token", data=form)


def refresh(http: httpx.Client, sandbox: SandboxServer, refresh_token: str) -> httpx.Response:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": DESKTOP}
    return http.post(f"{issuer(sandbox)}/token", data=form)
