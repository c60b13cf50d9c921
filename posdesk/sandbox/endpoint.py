"""``/graphql`` over HTTP: what is accepted, how big, and where it runs.

* ``POST`` with ``Content-Type: application/json`` (any other type → 415: a cross-site
  ``multipart/form-data``, ``text/plain`` or urlencoded form needs no CORS preflight, so any web
  page open on the PC could otherwise send work); ``GET`` with ``?query=`` for queries only
  (a mutation over GET → 405); ``GET`` without a query serves GraphiQL.
* Bodies over :data:`MAX_BODY_BYTES` → 413 (:class:`BodyLimitMiddleware`, every path).
* Every document is measured before it is validated or run (:mod:`.graphql_api.cost`).
* Execution runs on a worker thread (at most :data:`EXECUTION_THREADS` at once), never on the
  event loop: a costly request does not hold up a look-up sent meanwhile.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any, Protocol

import anyio
from ariadne import graphql_sync
from graphql import GraphQLError, GraphQLSchema, OperationDefinitionNode, OperationType
from graphql.language import DocumentNode
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from posdesk.sandbox.db import Database
from posdesk.sandbox.faults import replay_body
from posdesk.sandbox.graphiql import SECURITY_HEADERS, graphiql_page
from posdesk.sandbox.graphql_api import QueryCache, format_error
from posdesk.sandbox.graphql_api.cost import LIMITS, measure, too_costly
from posdesk.sandbox.oidc import InvalidTokenError, OidcProvider


class _Server(Protocol):
    """What the endpoint needs of ``SandboxServer`` (resolvers find both in the context)."""

    @property
    def db(self) -> Database: ...


MAX_BODY_BYTES = 1_000_000
"""Largest request body any endpoint reads (413 above)."""
EXECUTION_THREADS = 4
"""GraphQL requests executing at once; more wait for a thread (the event loop stays free)."""
HEAVY_ROWS = 5_000
"""A request asking for more rows than this is costly: one costly request runs at a time, so
look-ups share the CPU with at most one of them."""

# ariadne logs every GraphQL error with a traceback; most are expected (NOT_AUTHORIZED,
# VALIDATION) and all reach the caller in the response, so keep them out of stderr.
_GRAPHQL_LOG = logging.getLogger("posdesk.sandbox.graphql")
_GRAPHQL_LOG.addHandler(logging.NullHandler())
_GRAPHQL_LOG.propagate = False


def not_authenticated(message: str) -> dict[str, Any]:
    """The GraphQL error body for a request whose bearer token is not acceptable."""
    return {
        "data": None,
        "errors": [{"message": message, "extensions": {"code": "NOT_AUTHENTICATED"}}],
    }


def request_error(status: int, code: str, message: str) -> JSONResponse:
    """An HTTP-level refusal, still shaped like a GraphQL error body."""
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status)


class BodyLimitMiddleware:
    """Reads at most :data:`MAX_BODY_BYTES` of any request body (413 beyond), then replays it
    to the app, so no endpoint (nor the fault middleware) ever buffers more."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        too_large = request_error(
            413, "REQUEST_TOO_LARGE", f"Request bodies are limited to {self.limit} bytes."
        )
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, replay_body(b"".join(chunks), receive), send)


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            name is None or (definition.name is not None and definition.name.value == name)
        ):
            return definition
    return None


class GraphQLEndpoint:
    """``/graphql``: checks transport and bearer token, then runs ariadne on a worker thread.

    A request *with* a bad token (signature, alg, issuer, audience, expiry) is refused as a
    whole: HTTP 200 with a single ``NOT_AUTHENTICATED`` error and ``data: null``. A request
    *without* a token runs with ``principal=None``; resolvers then raise ``NOT_AUTHENTICATED``
    themselves (so introspection and GraphiQL work without signing in).
    """

    def __init__(self, server: _Server, provider: OidcProvider, schema: GraphQLSchema) -> None:
        self.server = server
        self.provider = provider
        self.schema = schema
        self.queries = QueryCache()  # parse + validate each distinct document once
        self.limiter = anyio.CapacityLimiter(EXECUTION_THREADS)
        self.heavy = threading.Semaphore(1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self._respond(Request(scope, receive))
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response:
        if request.method == "GET":
            params = request.query_params
            if "query" not in params:
                return HTMLResponse(graphiql_page(), headers=SECURITY_HEADERS)
            data: Any = {"query": params["query"], "operationName": params.get("operationName")}
            if "variables" in params:
                try:
                    data["variables"] = json.loads(params["variables"])
                except (ValueError, RecursionError):
                    return request_error(400, "BAD_REQUEST", "variables is not JSON.")
            query_only = True
        else:
            media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if media_type != "application/json":
                return request_error(
                    415,
                    "UNSUPPORTED_MEDIA_TYPE",
                    "GraphQL requests are POSTed as application/json.",
                )
            try:
                data = json.loads(await request.body())
            except (ValueError, RecursionError):
                return request_error(400, "BAD_REQUEST", "The body is not JSON.")
            query_only = False
        try:
            principal = self.provider.principal_from_header(request.headers.get("authorization"))
        except InvalidTokenError as error:
            return JSONResponse(not_authenticated(str(error)))
        context = {
            "request": request,
            "principal": principal,
            "db": self.server.db,
            "server": self.server,
        }
        status, body = await anyio.to_thread.run_sync(
            self._execute, data, context, query_only, limiter=self.limiter
        )
        return Response(body, status_code=status, media_type="application/json")

    def _parse(self, context: Any, data: dict[str, Any]) -> DocumentNode:
        """ariadne ``query_parser``: parse (cached), then refuse a document that costs too much
        before validation (which is quadratic in the number of fields) or execution."""
        document = self.queries.parse(context, data)
        variables = data.get("variables")
        cost = measure(
            self.schema,
            document,
            variables if isinstance(variables, dict) else None,
            data.get("operationName") if isinstance(data.get("operationName"), str) else None,
        )
        if context.get("query_only"):
            operation = _operation(document, data.get("operationName"))
            if operation is not None and operation.operation is not OperationType.QUERY:
                context["mutation_over_get"] = True
                raise GraphQLError("Mutations are sent with POST.")
        if cost.rows > HEAVY_ROWS:
            self.heavy.acquire()  # released when this request's execution ends
            context["heavy"] = True
        return document

    def _execute(self, data: Any, context: dict[str, Any], query_only: bool) -> tuple[int, bytes]:
        """On a worker thread: parse, measure, validate, run, encode."""
        context["query_only"] = query_only
        try:
            success, result = graphql_sync(
                self.schema,
                data,
                context_value=context,
                query_parser=self._parse,
                query_validator=self.queries.validate,
                logger=_GRAPHQL_LOG.name,
                error_formatter=format_error,
            )
        except RecursionError:  # a pathological document the cost checks did not foresee
            error = too_costly("MaxNesting", LIMITS.max_nesting, LIMITS.max_nesting + 1)
            success, result = False, {"data": None, "errors": [format_error(error)]}
        finally:
            if context.pop("heavy", False):
                self.heavy.release()
        if context.get("mutation_over_get"):  # GraphQL over HTTP: 405
            message = "Mutations are sent with POST."
            refusal = {"message": message, "extensions": {"code": "METHOD_NOT_ALLOWED"}}
            return 405, json.dumps({"data": None, "errors": [refusal]}).encode()
        return (200 if success else 400), json.dumps(result).encode()
