"""Rate limits per API key and per client address: a token bucket each, in this process.

Behind a load balancer with several workers, each worker limits on its own; put a shared limit
in the gateway for a hard global cap. The client address is the socket's peer: forwarded-for
headers are not trusted, since any client can set them.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth import bearer_token
from api.errors import RateLimited, send_problem
from graph.keys import split_token

EXEMPT = frozenset({"/health"})


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Allows `per_minute` requests per identity on average, in bursts of up to `burst`."""

    def __init__(self, per_minute: int, burst: int, max_identities: int = 100_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_identities = max_identities
        self.buckets: dict[str, _Bucket] = {}

    def wait(self, identity: str, now: float | None = None) -> float:
        """0 if the request may go ahead (and count it); else seconds until it may."""
        now = time.monotonic() if now is None else now
        bucket = self.buckets.get(identity)
        if bucket is None:
            if len(self.buckets) >= self.max_identities:
                self.buckets.clear()  # bounded memory under address scans
            bucket = self.buckets[identity] = _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate


class RateLimit:
    """ASGI middleware answering 429 (problem+json, Retry-After) when a limit is reached."""

    def __init__(self, app: ASGIApp, per_minute: int, burst: int) -> None:
        self.app = app
        self.limiter = RateLimiter(per_minute, burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        wait = self.limiter.wait(_identity(scope))
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        await send_problem(send, scope["path"], RateLimited(max(1, math.ceil(wait))))


def _identity(scope: Scope) -> str:
    # Limits follow the key's public id when there is one, else the client's address.
    token = bearer_token(scope)
    parts = split_token(token) if token else None
    if parts is not None:
        return f"key:{parts[0]}"
    client = scope.get("client")
    return f"ip:{client[0] if client else 'unknown'}"
