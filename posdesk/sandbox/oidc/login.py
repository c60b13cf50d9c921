"""The sign-in page of the authorization endpoint, and what protects it.

* Every form carries a one-time CSRF token the server issued with the page
  (:class:`CsrfTokens`); a POST without a valid one is refused, as is a POST whose ``Origin``
  header names another site (:func:`same_origin`).
* The page cannot be framed: ``Content-Security-Policy: frame-ancestors 'none'`` and
  ``X-Frame-Options: DENY`` (:data:`PAGE_HEADERS`).
* Failed attempts slow down exponentially per user name at the login form and per client id at
  the token endpoint (:class:`Backoff`); a success clears the count.
"""

from __future__ import annotations

import html
import math
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from authlib.oauth2.rfc6749 import OAuth2Error
from starlette.requests import Request
from starlette.responses import HTMLResponse

AUTHORIZE_PATH = "/authorize"

PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # "no-referrer" makes Chromium send "Origin: null"
    "Cache-Control": "no-store",
}
"""Headers of every page the authorization endpoint renders."""

CSRF_FIELD = "csrf_token"
CSRF_LIFETIME = 600.0
"""Seconds a login form stays submittable."""


class CsrfTokens:
    """One-time tokens for the login form: issued with a page, consumed by its POST."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, limit: int = 10_000) -> None:
        self._clock = clock
        self._limit = limit
        self._lock = threading.Lock()
        self._tokens: OrderedDict[str, float] = OrderedDict()

    def issue(self) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = self._clock() + CSRF_LIFETIME
            while len(self._tokens) > self._limit:  # an unsubmitted page flood stays bounded
                self._tokens.popitem(last=False)
        return token

    def consume(self, token: str) -> bool:
        with self._lock:
            expires = self._tokens.pop(token, None)
        return expires is not None and expires > self._clock()


class Backoff:
    """Exponential back-off per key after failed attempts.

    The first :attr:`free` failures cost nothing; from then on the key must wait
    ``base × 2^(failures − free)`` seconds (at most :attr:`cap`) after its last failure.
    """

    def __init__(
        self,
        base: float = 0.25,
        free: int = 3,
        cap: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base = base
        self.free = free
        self.cap = cap
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, tuple[int, float]] = {}

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` may try again (0: now)."""
        with self._lock:
            count, last = self._failures.get(key, (0, 0.0))
        if count < self.free:
            return 0.0
        wait = min(self.base * 2.0 ** (count - self.free), self.cap)
        return max(0.0, last + wait - self._clock())

    def failed(self, key: str) -> None:
        with self._lock:
            count, _ = self._failures.get(key, (0, 0.0))
            self._failures[key] = (count + 1, self._clock())

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()


def retry_seconds(wait: float) -> str:
    """A ``Retry-After`` value (whole seconds, at least 1)."""
    return str(max(1, math.ceil(wait)))


def same_origin(request: Request, issuer: str) -> bool:
    """A browser's ``Origin`` (sent with every form POST) must be the issuer's own; clients
    that send none (not a browser, so no ambient credentials to abuse) are let through."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    expected = urlsplit(issuer)
    return origin == f"{expected.scheme}://{expected.netloc}"


_LOGIN_FIELDS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
)


def login_page(
    params: Mapping[str, Any], error: str | None, csrf_token: str, status: int | None = None
) -> HTMLResponse:
    fields = {name: params[name] for name in _LOGIN_FIELDS if params.get(name) is not None}
    fields[CSRF_FIELD] = csrf_token
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(str(value))}">'
        for name, value in fields.items()
    )
    message = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in — posdesk sandbox</title>
<style>body{{font-family:sans-serif;max-width:22rem;margin:4rem auto}}
label{{display:block;margin:.6rem 0}}input[type=text],input[type=password]{{width:100%}}
.error{{color:#b00020}}</style></head>
<body><h1>Sign in</h1><p>Kensium POS sandbox — demo users are listed in the README.</p>
{message}<form method="post" action="{AUTHORIZE_PATH}">{hidden}
<label>User name <input type="text" name="username" autocomplete="username" autofocus></label>
<label>Password <input type="password" name="password" autocomplete="current-password"></label>
<button type="submit" name="action" value="login">Sign in</button>
<button type="submit" name="action" value="cancel">Cancel</button>
</form></body></html>"""
    code = status if status is not None else (401 if error else 200)
    return HTMLResponse(page, status_code=code, headers=PAGE_HEADERS)


def error_page(error: OAuth2Error | str, description: str = "", status: int = 400) -> HTMLResponse:
    """An OAuth error the browser cannot be redirected with, shown as a page."""
    if isinstance(error, OAuth2Error):
        error, description = error.error, error.description or ""
    text = html.escape(f"{error}: {description}")
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Sign-in error</title></head>"
        f"<body><h1>Cannot sign in</h1><p>{text}</p></body></html>"
    )
    return HTMLResponse(page, status_code=status, headers=PAGE_HEADERS)
