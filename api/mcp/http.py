"""The MCP server over streamable HTTP, a route of the API at `/mcp`.

Inside the API's middleware, so a call is rate-limited, size-capped and logged like any request.
Stateless, with JSON answers: any worker answers any call, and nothing is kept between them. The
transport's own app never starts, so the API's lifespan runs its session manager
(`Transport.running`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from fastapi import FastAPI
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.routing import Route

from api.mcp import server
from api.mcp.reads import Reads
from api.settings import ApiSettings

PATH = "/mcp"
LOOPBACK = ["127.0.0.1", "localhost", "[::1]"]


class Transport:
    """The MCP server's HTTP transport, routed at `PATH`.

    The SDK's session manager may run only once, but an app's lifespan may run again (a test
    client opened twice, a server restarted in-process): each run gets a fresh manager, made
    as the first was, and the route hands calls to the current one.
    """

    def __init__(self, assistant: server.ReadOnlyServer, settings: ApiSettings) -> None:
        self.assistant = assistant
        self.settings = settings
        first = self._app()
        [handler] = [
            r.endpoint
            for r in first.routes
            if isinstance(r, Route) and isinstance(r.endpoint, StreamableHTTPASGIApp)
        ]
        self.handler = handler
        self.routes = first.routes
        self.used = False

    def _app(self) -> Starlette:
        return self.assistant.streamable_http_app(
            streamable_http_path=PATH,
            stateless_http=True,
            json_response=True,
            transport_security=transport_security(self.settings),
            # A call's largest argument is a SPARQL query (escaped in JSON: allow for it).
            max_request_body_size=4 * self.settings.sparql_max_query_bytes,
        )

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The session manager, for as long as the API runs."""
        if self.used:
            self._app()  # a fresh manager, as the first was made
            self.handler.session_manager = self.assistant.session_manager
        self.used = True
        async with self.assistant.session_manager.run():
            yield


def mount(app: FastAPI, settings: ApiSettings) -> Transport:
    """Answer MCP at `PATH`, reading through the handles the API's lifespan opens."""
    transport = Transport(server.build(lambda: Reads.of_app(app.state)), settings)
    # Its route, not the app: a mount would answer /mcp with a redirect to /mcp/, a round trip
    # more for every call.
    app.router.routes.extend(transport.routes)
    return transport


def transport_security(settings: ApiSettings) -> TransportSecuritySettings:
    """DNS-rebinding protection: only the service's own public host and loopback may be named in
    Host, and only those and the configured CORS origins in Origin."""
    public = urlsplit(settings.public_base_uri)
    hosts = [public.netloc, *LOOPBACK] if public.netloc else LOOPBACK
    origins = [f"{public.scheme}://{public.netloc}", *settings.cors_origins]
    return TransportSecuritySettings(
        allowed_hosts=[h for host in hosts for h in (host, f"{host}:*")],
        allowed_origins=[*origins, *(f"http://{host}:*" for host in LOOPBACK)],
    )
