"""PosClient: the one object the app (or a script) uses to talk to a Kensium POS server.

One long-lived ``httpx.AsyncClient`` per connection; GraphQL over POST with variables;
operations from ``posdesk/api/operations``, adapted on connect to what the live server
supports. Reads return domain objects and are retried on transient failures; money-moving
writes go through the journal and are never retried blindly.

``PosClient`` is a façade over one module per concern, each a base class of it:
``connection`` (session, token, schema, send), ``reads``, ``exactly_once`` (journal, the one
send path, reconciliation), ``giftcards``, ``purchases`` and ``terminal``; HTTP itself is in
``transport``. This module joins them and holds the reconcile table (journal kind → how its
server record is found). A new concern is a new base class here.
"""

from __future__ import annotations

import asyncio

import httpx

from posdesk.api.auth import (
    Authenticator,
    BrowserOpener,
    ClientCredentialsGrant,
    Grant,
    RefreshTokenGrant,
    default_open_browser,
    discover,
)
from posdesk.api.connection import SCHEMA_CACHE
from posdesk.api.credentials import Credentials
from posdesk.api.errors import ConfigurationError, SignInRequired
from posdesk.api.exactly_once import WATCH_PERIOD, new_reference
from posdesk.api.giftcards import GiftCards, journal_code
from posdesk.api.operations import load_all
from posdesk.api.profile import ConnectionProfile
from posdesk.api.purchases import Purchases
from posdesk.api.reads import SyncEntity
from posdesk.api.terminal import Terminal
from posdesk.api.transport import RetryPolicy, is_transient, make_http_client
from posdesk.api.wire import wire_datetime, wire_decimal, wire_instant
from posdesk.store.journal import Journal, JournalKind

__all__ = [
    "WATCH_PERIOD",
    "PosClient",
    "RetryPolicy",
    "SyncEntity",
    "is_transient",
    "make_http_client",
    "mask_code",
    "new_reference",
    "wire_datetime",
    "wire_decimal",
    "wire_instant",
]

#: The façade's name for the journal's masking of a code (``••••••1427``); screens use
#: ``posdesk.domain.mask_code`` as it is (``•••• 1427``). One implementation: the domain's.
mask_code = journal_code
#: Schema checks of this process (tests and benchmarks clear it through the façade).
_SCHEMA_CACHE = SCHEMA_CACHE


class PosClient(GiftCards, Purchases, Terminal):
    """A signed-in connection to one POS server. Create with ``await PosClient.connect``."""

    def __init__(
        self,
        profile: ConnectionProfile,
        http: httpx.AsyncClient,
        auth: Authenticator,
        *,
        owns_http: bool,
        journal: Journal | None,
        credentials: Credentials,
        open_browser: BrowserOpener,
        retry: RetryPolicy,
        settle_delay: float,
        grace_period: float = 120.0,
        watch_period: float = WATCH_PERIOD,
    ) -> None:
        super().__init__(
            profile,
            http,
            auth,
            owns_http=owns_http,
            credentials=credentials,
            open_browser=open_browser,
            retry=retry,
            journal=journal,
            settle_delay=settle_delay,
            grace_period=grace_period,
            watch_period=watch_period,
        )
        # the reconcile table: how the server's record of each journaled kind is found
        self._lookups = {
            JournalKind.GIFTCARD_TRANS: self._lookup_transaction,
            JournalKind.GIFTCARD_CAPTURE: self._lookup_capture,
            JournalKind.GIFTCARD_CANCEL: self._lookup_cancel,
            JournalKind.GIFTCARD_ADD: self._lookup_new_card,
            JournalKind.GIFTCARD_EDIT: self._lookup_card_edit,
            JournalKind.PURCHASE_ADD: self._lookup_purchase,
        }
        # kinds settled by their own protocol, never by a look-up (nor by sending again)
        self._reconcilers = {
            JournalKind.TERMINAL_PAYMENT: self._reconcile_terminal,
            JournalKind.TERMINAL_CAPTURE: self._reconcile_terminal,
        }

    @classmethod
    async def connect(
        cls,
        profile: ConnectionProfile,
        *,
        credentials: Credentials | None = None,
        journal: Journal | None = None,
        http: httpx.AsyncClient | None = None,
        open_browser: BrowserOpener = default_open_browser,
        sign_in_timeout: float = 300.0,
        retry: RetryPolicy | None = None,
        settle_delay: float = 1.0,
        grace_period: float = 120.0,
        watch_period: float = WATCH_PERIOD,
        check_schema: bool = True,
    ) -> PosClient:
        """Discover the server, sign in, check the schema. Raises PosError subclasses.

        ``grace_period``: seconds after a write was sent during which "not found on the
        server" proves nothing (a slow server may still commit it); ``watch_period``: how
        long a write given up on after the grace period is still looked up."""
        profile.check_url()
        credentials = credentials or Credentials()
        owns_http = http is None
        # loading the CA bundle (and h2 on first use) costs 15-150 ms of CPU; the packaged
        # operations are parsed once: both off the UI's event loop
        if http is None:
            http = await asyncio.to_thread(make_http_client, profile)
        await asyncio.to_thread(load_all)
        try:
            config = await discover(http, profile.issuer)
            grant: Grant
            if profile.auth_flow == "client_credentials":
                secret = credentials.client_secret(profile.name)
                if not secret:
                    raise ConfigurationError(
                        f"No client secret is stored for the connection {profile.name!r}.",
                        details="keyring entry missing",
                    )
                grant = ClientCredentialsGrant(profile.client_id, secret)
            else:
                grant = RefreshTokenGrant(profile.name, profile.client_id, credentials)
            auth = Authenticator(http, config, grant)
            client = cls(
                profile,
                http,
                auth,
                owns_http=owns_http,
                journal=journal,
                credentials=credentials,
                open_browser=open_browser,
                retry=retry or RetryPolicy(),
                settle_delay=settle_delay,
                grace_period=grace_period,
                watch_period=watch_period,
            )
            try:
                await auth.access_token()
            except SignInRequired:
                if profile.auth_flow != "interactive":
                    raise
                await client.sign_in(browser_timeout=sign_in_timeout)
            if check_schema:
                await client.check_schema()
        except BaseException:
            if owns_http:
                await http.aclose()
            raise
        return client
