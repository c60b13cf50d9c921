"""The log file never contains tokens, secrets, PINs or full card numbers."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from posdesk.logging_setup import redact, setup_logging, teardown_logging

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"Authorization: Bearer {JWT}", JWT),
        ("Authorization: Basic cG9zZGVzazpzM2NyZXQ=", "cG9zZGVzazpzM2NyZXQ="),
        (f"token {JWT} expired", JWT),
        ('{"access_token": "abc123xyz", "token_type": "Bearer"}', "abc123xyz"),
        ("{'client_secret': 'hunter2-secret'}", "hunter2-secret"),
        ("grant_type=refresh_token&refresh_token=r3fr3sh&x=1", "r3fr3sh"),
        ("GET /callback?code=AUTHCODE42&state=s", "AUTHCODE42"),
        ('variables {"pin": "4321", "code": "6035710012345678"}', "4321"),
        ("card 6035 7100 1234 5678 redeemed", "6035 7100 1234"),
        ("password=opensesame", "opensesame"),
        ("Validate client DemoClient(ident='x', credential='x-secret', name='X')", "x-secret"),
        ("OAuthClient(client_id='x', secret='s3cr3t-value', grant_types=...)", "s3cr3t-value"),
        ("RefreshToken(token='rt-value-123', client_id='x')", "rt-value-123"),
    ],
)
def test_redact(text: str, secret: str) -> None:
    assert secret not in redact(text)


def test_card_numbers_keep_the_last_four() -> None:
    assert redact("card 6035710012345678") == "card ••••5678"


def test_harmless_text_is_kept() -> None:
    text = "Loaded 100 customers in 0.25 s from https://pos.example.com/graphql"
    assert redact(text) == text


def test_log_file_is_scrubbed_including_tracebacks(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    path = setup_logging("DEBUG", tmp_path, stderr=False)
    request.addfinalizer(teardown_logging)
    log = logging.getLogger("posdesk.test")
    log.info("token response %s", {"access_token": "tok-SECRET-1", "refresh_token": "ref-SECRET"})
    try:
        raise ValueError(f"bad header Bearer {JWT}")
    except ValueError:
        log.exception("request failed, client_secret=cs-SECRET-2")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "request failed" in text
    assert "ValueError" in text
    for secret in ("tok-SECRET-1", "ref-SECRET", "cs-SECRET-2", JWT):
        assert secret not in text


def test_demo_principals_keep_credentials_out_of_repr() -> None:
    """authlib logs the client object at DEBUG: its repr must not carry the secret."""
    from posdesk.sandbox.security import DEMO_CLIENTS, DEMO_USERS

    for principal in [*DEMO_CLIENTS.values(), *DEMO_USERS.values()]:
        assert principal.credential
        assert principal.credential not in repr(principal)
        assert principal.credential not in str(principal)
        assert principal.ident in repr(principal)  # still useful for debugging


def test_oauth_objects_keep_secrets_out_of_repr() -> None:
    """The provider's client, code and refresh-token records may be logged by authlib."""
    from posdesk.sandbox.oidc import AuthCode, OAuthClient, RefreshToken
    from posdesk.sandbox.security import DEMO_USERS

    user = next(iter(DEMO_USERS.values()))
    client = OAuthClient("acme", "client-SECRET", frozenset({"client_credentials"}))
    code = AuthCode("code-SECRET", "acme", "http://127.0.0.1/", "", user, None, None, None, 0.0)
    refresh = RefreshToken("refresh-SECRET", "acme", user, "", "family", 0.0)
    for record, secret in (
        (client, "client-SECRET"),
        (code, "code-SECRET"),
        (refresh, "refresh-SECRET"),
    ):
        assert secret not in repr(record)
        assert "acme" in repr(record)
