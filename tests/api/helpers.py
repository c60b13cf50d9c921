"""Connect posdesk.api to the test sandbox over real HTTP, and drive its login page headlessly."""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from posdesk.api.client import PosClient, RetryPolicy
from posdesk.api.credentials import Credentials
from posdesk.api.profile import ConnectionProfile
from posdesk.domain import PurchaseDraft, PurchaseLine
from posdesk.sandbox.security import DEMO_CLIENTS
from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from posdesk.store.journal import Journal

FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)


def base_url(sandbox: SandboxServer) -> str:
    assert sandbox.info is not None
    return sandbox.info.base_url


def cc_profile(
    sandbox: SandboxServer, client_id: str = "posdesk-demo", *, timeout: float = 10.0
) -> ConnectionProfile:
    """A client-credentials profile for a demo client; its secret goes into the keyring."""
    name = f"test-{client_id}"
    Credentials().set_client_secret(name, DEMO_CLIENTS[client_id].secret)
    return ConnectionProfile(
        name=name,
        base_url=base_url(sandbox),
        auth_flow="client_credentials",
        client_id=client_id,
        timeout=timeout,
    )


def interactive_profile(sandbox: SandboxServer, name: str = "store-pc") -> ConnectionProfile:
    return ConnectionProfile(name=name, base_url=base_url(sandbox), auth_flow="interactive")


async def connect(
    sandbox: SandboxServer,
    tmp_path: Path,
    client_id: str = "posdesk-demo",
    **kwargs: Any,
) -> PosClient:
    kwargs.setdefault("retry", FAST_RETRY)
    kwargs.setdefault("journal", Journal(tmp_path / "journal.sqlite3"))
    kwargs.setdefault("settle_delay", 0.0)
    return await PosClient.connect(cc_profile(sandbox, client_id), **kwargs)


def hidden_fields(page: str) -> dict[str, str]:
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    return {name: html.unescape(value) for name, value in fields}


def browser(
    username: str = "manager",
    password: str = "manager-pass",
    *,
    action: str = "login",
    opened: list[str] | None = None,
) -> Callable[[str], Awaitable[None]]:
    """A stand-in for the system browser: shows the login page, submits the form and follows
    the redirect to posdesk's loopback listener — exactly the requests a browser makes."""

    async def open_browser(url: str) -> None:
        if opened is not None:
            opened.append(url)
        async with httpx.AsyncClient(follow_redirects=False, timeout=10) as http:
            page = await http.get(url)
            assert page.status_code == 200, page.text
            form = hidden_fields(page.text)  # with the form's one-time csrf_token
            form.update({"username": username, "password": password, "action": action})
            origin = f"{page.url.scheme}://{page.url.netloc.decode()}"  # as a browser sends
            answer = await http.post(
                str(page.url.copy_with(query=None)), data=form, headers={"Origin": origin}
            )
            assert answer.status_code == 302, answer.text
            callback = await http.get(answer.headers["location"])
            assert callback.status_code in (200, 400)

    return open_browser


def no_browser(url: str) -> None:
    raise AssertionError(f"the browser must not be opened: {url}")


class CountedHttp:
    """Counts GraphQL POSTs (real HTTP, counted by an httpx event hook)."""

    def __init__(self) -> None:
        self.posts = 0
        self.http = httpx.AsyncClient(timeout=10, event_hooks={"request": [self._seen]})

    async def _seen(self, request: httpx.Request) -> None:
        if request.url.path.endswith("/graphql"):
            self.posts += 1


def purchase_draft(transaction_id: str, amount: str = "3.49") -> PurchaseDraft:
    """A one-line web purchase for the fixture member (the server accepts any id)."""
    value = Decimal(amount)
    return PurchaseDraft(
        transaction_id=transaction_id,
        store_code="AUSTIN",
        purchased_on=datetime(2025, 5, 2, 14, 30, tzinfo=UTC),
        pay_amount=value,
        sub_total=value,
        tax_amount=Decimal(0),
        lines=(PurchaseLine(1, FIXTURES.plain_sku, Decimal(1), value, value),),
        member_id=FIXTURES.card_owner_member_id,
        channel="WEB",
    )
