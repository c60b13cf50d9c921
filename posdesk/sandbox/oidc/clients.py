"""The OAuth clients the sandbox knows: the confidential demo clients and the desktop client."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from ipaddress import ip_address
from urllib.parse import urlsplit

from authlib.oauth2.rfc6749.util import scope_to_list

from posdesk.sandbox.security import (
    DEMO_CLIENTS,
    DESKTOP_CLIENT_ID,
    DemoClient,
)

SCOPES_SUPPORTED = ("openid", "profile", "offline_access")


@dataclass(frozen=True, slots=True)
class OAuthClient:
    """authlib's ClientMixin for both the confidential demo clients and the desktop client."""

    client_id: str
    secret: str | None = field(repr=False)  # None: a public client (PKCE, no secret)
    grant_types: frozenset[str]
    demo: DemoClient | None = None
    secret_override: str | None = field(default=None, repr=False)  # a rotated secret

    @property
    def is_public(self) -> bool:
        return self.secret is None

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return None  # the desktop client must name its loopback redirect URI

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return ""
        return " ".join(s for s in scope_to_list(scope) if s in SCOPES_SUPPORTED)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return self.is_public and is_loopback_redirect_uri(redirect_uri)

    def check_client_secret(self, client_secret: str) -> bool:
        if self.secret_override is not None:
            return secrets.compare_digest(client_secret, self.secret_override)
        return self.demo is not None and self.demo.check_secret(client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.is_public:
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and "authorization_code" in self.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


def is_loopback_redirect_uri(uri: str) -> bool:
    """RFC 8252 §7.3: ``http`` on a loopback host, any port, any path, no fragment."""
    try:
        parts = urlsplit(uri)
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return False
    if parts.scheme != "http" or parts.fragment or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def build_clients() -> dict[str, OAuthClient]:
    clients = {
        c.client_id: OAuthClient(c.client_id, c.secret, frozenset({"client_credentials"}), c)
        for c in DEMO_CLIENTS.values()
    }
    clients[DESKTOP_CLIENT_ID] = OAuthClient(
        DESKTOP_CLIENT_ID, None, frozenset({"authorization_code", "refresh_token"})
    )
    return clients
