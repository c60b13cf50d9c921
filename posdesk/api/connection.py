"""The GraphQL connection under ``PosClient``: one signed-in session with one server.

It owns the HTTP client and the token, fits the packaged operations to the live schema and
sends them: a read is retried on transient failures within one deadline; a write is sent
exactly once and its failure raised as it is (whether it may have happened is decided by the
exactly-once layer, ``posdesk.api.exactly_once``). Nothing here knows the journal.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Self

import httpx
from graphql import GraphQLSchema, get_introspection_query

from posdesk.api.auth import Authenticator, BrowserOpener, sign_in_interactive
from posdesk.api.compat import (
    FeatureReport,
    check,
    schema_from_introspection,
    schema_key,
    unverified,
)
from posdesk.api.credentials import Credentials
from posdesk.api.errors import (
    FeatureUnavailable,
    HttpStatusError,
    InvalidResponseError,
    NetworkError,
    NotAuthenticated,
    PosError,
    SignInRequired,
    UnknownOutcome,
)
from posdesk.api.operations import Operation, load_all
from posdesk.api.profile import ConnectionProfile
from posdesk.api.transport import (
    MAX_BODY,
    NotSent,
    RetryPolicy,
    deadline_of,
    decode,
    exchange,
    is_transient,
)
from posdesk.store.scope import token_subject


class Connection:
    """A signed-in GraphQL session with one server (the base of ``PosClient``)."""

    def __init__(
        self,
        profile: ConnectionProfile,
        http: httpx.AsyncClient,
        auth: Authenticator,
        *,
        owns_http: bool,
        credentials: Credentials,
        open_browser: BrowserOpener,
        retry: RetryPolicy,
    ) -> None:
        self.profile = profile
        self._http = http
        self._auth = auth
        self._owns_http = owns_http
        self._credentials = credentials
        self._open_browser = open_browser
        self._url = profile.graphql_url
        self.retry = retry
        self._operations: dict[str, Operation] = dict(load_all())
        self.features: FeatureReport = FeatureReport(frozenset(self._operations))
        self.schema: GraphQLSchema | None = None
        """The live schema introspected on connect (None when the server refused it)."""
        #: The largest answer read (decoded bytes); larger ones are refused as they stream in.
        self.max_body = MAX_BODY

    async def sign_in(self, *, browser_timeout: float = 300.0) -> None:
        """Interactive sign-in in the system browser (authorization code + PKCE)."""
        tokens = await sign_in_interactive(
            self._http,
            self._auth.config,
            self.profile.client_id,
            open_browser=self._open_browser,
            browser_timeout=browser_timeout,
        )
        if tokens.refresh_token:
            self._credentials.set_refresh_token(self.profile.name, tokens.refresh_token)
        self._auth.set_token(tokens)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def issuer(self) -> str:
        """The server's OIDC issuer as its discovery document names it (local state key)."""
        return self._auth.config.issuer

    async def token_subject(self) -> str | None:
        """Who the access token was issued to (its ``sub``), when the token is a JWT."""
        return token_subject(await self._auth.access_token())

    @property
    def token_renewals(self) -> int:
        """Token requests made so far (initial sign-in included)."""
        return self._auth.renewals

    async def check_schema(self) -> FeatureReport:
        """Introspect the live server and adapt every packaged operation to it."""
        try:
            data = await self._post_read(
                {"query": get_introspection_query(descriptions=False)}, "Introspection"
            )
            key = await asyncio.to_thread(schema_key, data)
            cached = SCHEMA_CACHE.get(key)
            if cached is not None:
                # the same server schema was checked before in this process: same answer
                self.features, self._operations = cached[0], dict(cached[1])
                self.schema = _SCHEMAS.get(key)
                return self.features
            # building and validating ~40 documents takes ~60 ms of CPU: keep it off the loop
            schema = await asyncio.to_thread(schema_from_introspection, data)
        except NetworkError:
            raise  # the server is unreachable: connecting fails, clearly
        except (PosError, TypeError, ValueError):
            # introspection refused or unreadable (some servers turn it off): assume the
            # packaged operations and say so (features.verified is False)
            self.features, self._operations = unverified(load_all())
            return self.features
        self.features, self._operations = await asyncio.to_thread(check, schema, load_all())
        SCHEMA_CACHE[key] = (self.features, dict(self._operations))
        self.schema = _SCHEMAS[key] = schema
        return self.features

    async def documented_schema(self) -> GraphQLSchema | None:
        """The live schema *with descriptions* (the console's documentation pane); kept as
        ``self.schema``. None when the server refuses introspection."""
        try:
            data = await self._post_read(
                {"query": get_introspection_query(descriptions=True)}, "Introspection"
            )
            self.schema = await asyncio.to_thread(schema_from_introspection, data)
        except Exception:  # refused or unreadable: keep the schema from connect (or none)
            return self.schema
        return self.schema

    def adapt_to(self, schema: GraphQLSchema) -> FeatureReport:
        """Fit the packaged operations to ``schema`` (the live one, or a reduced one in tests)."""
        self.features, self._operations = check(schema, load_all())
        return self.features

    # ---------------------------------------------------------------- transport

    def _op(self, feature: str) -> Operation:
        op = self._operations.get(feature)
        if op is None:
            raise FeatureUnavailable(feature, details=self.features.reason(feature) or "")
        return op

    async def _token(self, rejected: str | None = None) -> str:
        try:
            if rejected is None:
                return await self._auth.access_token()
            return await self._auth.rejected(rejected)
        except PosError as exc:
            raise NotSent(exc) from exc

    async def _post(
        self,
        payload: Mapping[str, Any],
        what: str,
        *,
        deadline: float | None = None,
        max_bytes: int | None = None,
    ) -> Any:
        """One GraphQL POST (with one token renewal on NOT_AUTHENTICATED); returns ``data``.

        Each attempt has the overall deadline (the profile's timeout). Raises NotSent
        only when the request provably never left the PC; a deadline hit or broken answer
        after it may have been written is a plain PosError (unknown outcome for a write)."""
        token = await self._token()
        for attempt in range(2):
            response = await exchange(
                self._http,
                "POST",
                self._url,
                what=what,
                deadline=deadline,
                max_bytes=max_bytes or self.max_body,
                json=payload,
                headers={"Authorization": f"Bearer {token}"},
            )
            try:
                if len(response.content) > BIG_BODY:  # a big sync page: parse off the loop
                    return await asyncio.to_thread(decode, response, what)
                return decode(response, what)
            except NotAuthenticated as exc:
                if attempt == 0:
                    token = await self._token(rejected=token)
                    continue
                raise SignInRequired(details=exc.details) from exc
        raise AssertionError("unreachable")

    async def _post_read(
        self, payload: Mapping[str, Any], what: str, *, max_bytes: int | None = None
    ) -> Any:
        """A read: transient failures are retried with backoff, all within one deadline
        (the profile's timeout) so a slow server cannot stretch a read beyond it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + deadline_of(self._http)
        for attempt in range(self.retry.attempts):
            try:
                return await self._post(
                    payload, what, deadline=deadline - loop.time(), max_bytes=max_bytes
                )
            except NotSent as exc:
                failure = exc.original
            except PosError as exc:
                failure = exc
            delay = self.retry.delay(attempt)
            if (
                not is_transient(failure)
                or attempt + 1 >= self.retry.attempts
                or loop.time() + delay >= deadline
            ):
                raise failure
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def _read(self, feature: str, variables: Mapping[str, Any]) -> Any:
        op = self._op(feature)
        payload = {"query": op.document, "variables": variables, "operationName": op.name}
        data = await self._post_read(payload, op.name, max_bytes=self._body_cap(variables))
        return _root(data, op)

    def _body_cap(self, variables: Mapping[str, Any]) -> int:
        """A page's answer may be as big as the rows asked for, no bigger: a server ignoring
        ``first`` (300,000 rows for 50) is cut off while the body streams in."""
        first = variables.get("first")
        if not isinstance(first, int) or first <= 0:
            return self.max_body
        return min(self.max_body, PAGE_BODY_FLOOR + first * PAGE_ROW_BYTES)

    async def _write(self, feature: str, variables: Mapping[str, Any]) -> Any:
        """Send a mutation once. Raises NotSent, a server refusal, or UnknownOutcome-worthy
        errors (anything else) — the caller decides with the journal."""
        op = self._op(feature)
        payload = {"query": op.document, "variables": variables, "operationName": op.name}
        data = await self._post(payload, op.name)
        return _root(data, op)

    async def _write_once(self, feature: str, variables: Mapping[str, Any]) -> Any:
        """An unjournaled mutation: an unknown outcome is reported, never retried."""
        try:
            result = await self._write(feature, variables)
        except NotSent as exc:
            raise exc.original from None
        except (NetworkError, HttpStatusError, InvalidResponseError) as exc:
            raise UnknownOutcome(_WHAT.get(feature, feature), details=exc.details) from exc
        if result is None:
            raise InvalidResponseError(details=f"{feature}: null result")
        return result


#: Schema check results by ``schema_key``: reconnecting to a server whose schema was already
#: checked (every reconnect, every sandbox run) skips building and validating again.
SCHEMA_CACHE: dict[str, tuple[FeatureReport, dict[str, Operation]]] = {}
_SCHEMAS: dict[str, GraphQLSchema] = {}


_WHAT = {
    "giftcard_add": "new gift card",
    "giftcard_edit": "gift card change",
    "terminal_start": "terminal payment",
    "terminal_continue": "terminal payment",
    "terminal_capture": "terminal capture",
    "terminal_cancel": "terminal cancel",
}

#: Bodies / pages above these sizes are parsed and mapped on a worker thread: a 1000-sale
#: sync page costs ~45 ms of CPU, too long to stall the UI's event loop.
BIG_BODY = 256 * 1024

#: Body cap of a page of ``first`` rows: a floor plus a generous allowance per row (a sale
#: with lines and tenders is a few kB).
PAGE_BODY_FLOOR = 2 * 1024 * 1024
PAGE_ROW_BYTES = 64 * 1024


def _root(data: Mapping[str, Any], op: Operation) -> Any:
    """The operation's root field: an object or null. A string, number or list where an
    object belongs (``"ok"``, ``5``, ``[["id", "9"]]``) is refused here, at the edge."""
    if not op.root_field:
        return data  # several aliased root fields: the caller picks them out
    if op.root_field not in data:
        raise InvalidResponseError(details=f"{op.name}: data lacks {op.root_field}")
    value = data[op.root_field]
    if value is not None and not isinstance(value, dict):
        raise InvalidResponseError(
            details=f"{op.name}: {op.root_field} is a {type(value).__name__}, not an object"
        )
    return value
