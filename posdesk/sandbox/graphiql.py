"""GraphiQL at ``GET /graphql`` from assets shipped inside the package.

ariadne's explorer loads React and GraphiQL from a public CDN: on a store PC without internet
that is a blank page. The UMD builds under ``static/graphiql`` (see its README for versions
and licences) are served from ``/graphiql/<file>`` instead; the page names no other host.
"""

from __future__ import annotations

import functools
from importlib.resources import files

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

ASSET_PATH = "/graphiql"
_ASSETS = files("posdesk.sandbox").joinpath("static", "graphiql")
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
ASSETS = (
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "graphiql.min.css",
    "start.js",
)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}


@functools.cache
def graphiql_page() -> str:
    """The GraphiQL HTML page: every script and style from this server."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>posdesk sandbox — GraphiQL</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{ASSET_PATH}/graphiql.min.css">
<style>body{{margin:0}}#graphiql{{height:100vh}}</style></head>
<body><div id="graphiql">Loading GraphiQL…</div>
<script src="{ASSET_PATH}/react.production.min.js"></script>
<script src="{ASSET_PATH}/react-dom.production.min.js"></script>
<script src="{ASSET_PATH}/graphiql.min.js"></script>
<script src="{ASSET_PATH}/start.js"></script>
</body></html>"""


@functools.cache
def _asset(name: str) -> bytes:
    return _ASSETS.joinpath(name).read_bytes()


async def _asset_endpoint(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in ASSETS:
        return PlainTextResponse("Not found", status_code=404)
    suffix = name[name.rfind(".") :]
    headers = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}
    return Response(_asset(name), media_type=_TYPES[suffix], headers=headers)


def routes() -> list[Route]:
    """The asset route (the page itself is served by the GraphQL endpoint on GET)."""
    return [Route(ASSET_PATH + "/{name}", _asset_endpoint, methods=["GET"])]
