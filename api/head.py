"""HEAD on every GET route: the GET's status and headers, no body.

One mechanism for the whole app (API routes, pages, static files alike) rather than a HEAD
declared per route: a HEAD request is answered as the GET, and the body is dropped on its way
out. Installed inside the access log and rate limit, so those still see the HEAD.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """Runs a HEAD request as a GET and sends only the response's start (status, headers)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        ended = False

        async def without_body(message: Message) -> None:
            nonlocal ended
            if message["type"] == "http.response.start":
                await send(message)
            elif not ended and not message.get("more_body", False):
                # The last of the body (or a file sent by path): end with nothing instead.
                # Content-Length stays the GET's, as RFC 9110 allows for HEAD.
                ended = True
                await send({"type": "http.response.body", "body": b""})

        await self.app({**scope, "method": "GET"}, receive, without_body)
