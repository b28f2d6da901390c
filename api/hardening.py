"""HTTP hardening shared by every response: security headers, and CORS when configured."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import VerifiedKeys
from api.errors import BodyTimeout, TooLarge, send_problem
from api.logs import AccessLog
from api.ratelimit import RateLimit
from api.settings import ApiSettings

SECURITY_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"no-referrer",
    b"cross-origin-resource-policy": b"cross-origin",
    # Everything the API serves comes from itself (the docs' Swagger UI too): no remote or
    # inline script, no frames; styles stay inline-capable for the templates' attributes.
    b"content-security-policy": (
        b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        b"script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
}


class SecurityHeaders:
    """Adds the headers above to every response (errors and streams included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS.items() if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyLimit:
    """413 for a request body over the limit, 408 for one that does not arrive in time.

    Nothing is read here: the body is read by the route, if at all, after its key is checked, so
    a request without a valid key is refused before any of its body is read. What the route
    reads passes through a guard that counts the bytes and the time; once the guard has refused
    the body, the response is that refusal, whatever the route would have answered.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await send_problem(send, scope["path"], TooLarge(self.max_bytes))
            return
        guard = _GuardedBody(receive, self.max_bytes, self.timeout)
        refused = started = False

        async def guarded_send(message: Message) -> None:
            nonlocal refused, started
            if message["type"] == "http.response.start":
                started = True
                if guard.refusal is not None:
                    refused = True
                    await send_problem(send, scope["path"], guard.refusal)
                    return
            if not refused:
                await send(message)

        try:
            await self.app(scope, guard.receive, guarded_send)
        except Exception:
            # The refusal, unless something else went wrong or an answer already began.
            if guard.refusal is None or started:
                raise
            await send_problem(send, scope["path"], guard.refusal)


class _GuardedBody:
    """A request's `receive`, refusing the body past `max_bytes` or `timeout` seconds after it
    is first read (a client that trickles its body holds a worker and memory meanwhile)."""

    def __init__(self, receive: Receive, max_bytes: int, timeout: float) -> None:
        self._receive = receive
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.size = 0
        self.deadline: float | None = None
        self.complete = False
        self.refusal: TooLarge | BodyTimeout | None = None

    async def receive(self) -> Message:
        if self.refusal is not None:
            raise self.refusal
        if self.complete:
            return await self._receive()  # waiting for a disconnect: no longer the body's time
        now = anyio.current_time()
        if self.deadline is None:
            self.deadline = now + self.timeout
        with anyio.move_on_after(self.deadline - now):
            message = await self._receive()
            if message["type"] == "http.request":
                self.size += len(message.get("body", b""))
                if self.size > self.max_bytes:
                    self.refusal = TooLarge(self.max_bytes)
                    raise self.refusal
                self.complete = not message.get("more_body", False)
            return message
        self.refusal = BodyTimeout(self.timeout)
        raise self.refusal


async def read_capped(request: Request, limit: int) -> bytes:
    """A route's request body, refused (413) as soon as it is known to exceed `limit`."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLarge(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


class Slots:
    """A small budget of heavy requests at once; taking a slot never waits."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.taken = 0

    def take(self) -> bool:
        """A slot if one is free (then give it back), else False."""
        if self.taken >= self.size:
            return False
        self.taken += 1
        return True

    def give_back(self) -> None:
        self.taken -= 1


def server_options(settings: ApiSettings) -> dict[str, Any]:
    """uvicorn's options for `connects serve` (and any other place that runs uvicorn): what it
    believes of a request, and the event loop and HTTP parser it runs on.

    uvicorn by default takes X-Forwarded-For from loopback as the client's address, so anything
    on the same host (or a proxy that passes the header through) could choose its own rate-limit
    identity. Only the `trusted_proxies` are believed; none by default.

    uvloop and httptools are named rather than left to uvicorn's "auto", which falls back to
    asyncio and h11 without a word when they are missing: with them, at L, a node detail took
    0.92 of the time and the evidence query under wrk ran 1.12x as many requests (bench/notes.md).
    """
    return {
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": ",".join(settings.trusted_proxies),
        "loop": "uvloop",
        "http": "httptools",
    }


def install(app: FastAPI, settings: ApiSettings) -> None:
    app.add_middleware(
        BodyLimit, max_bytes=settings.max_upload_bytes, timeout=settings.body_read_timeout
    )
    app.add_middleware(AccessLog)
    app.state.verified_keys = verified = VerifiedKeys()
    # Exports stream the whole graph: a few at once, so the rest of the API keeps its pace.
    app.state.export_slots = Slots(settings.export_concurrency)
    if settings.rate_limit_per_minute > 0:
        app.add_middleware(
            RateLimit,
            per_minute=settings.rate_limit_per_minute,
            burst=settings.rate_limit_burst,
            verified=verified,
        )
    app.add_middleware(SecurityHeaders)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "Accept"],
            expose_headers=["Link", "Retry-After", "Connects-Load"],
            max_age=600,
        )
