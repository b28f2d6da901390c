"""Rate limits per verified API key, else per client address: a token bucket each, in this
process.

A request counts against a key only if this process verified that very token lately (a write
route checked it: `api.auth.VerifiedKeys`); any other token, made up or not, counts against the
sender's address, so inventing key ids buys no extra requests and sending junk under a real
key's id does not use up that key's allowance.

Behind a load balancer with several workers, each worker limits on its own; put a shared limit
in the gateway for a hard global cap. The client address is the socket's peer: uvicorn is told
to believe X-Forwarded-For only from CONNECTS_TRUSTED_PROXIES (`api.hardening.server_options`),
none by default.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth import VerifiedKeys, bearer_token
from api.errors import RateLimited, send_problem

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

    def __init__(self, app: ASGIApp, per_minute: int, burst: int, verified: VerifiedKeys) -> None:
        self.app = app
        self.limiter = RateLimiter(per_minute, burst)
        self.verified = verified

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        wait = self.limiter.wait(identity(scope, self.verified))
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        await send_problem(send, scope["path"], RateLimited(max(1, math.ceil(wait))))


def identity(scope: Scope, verified: VerifiedKeys) -> str:
    """Whom a request counts against: its key if the token was verified lately, else its
    address."""
    token = bearer_token(scope)
    key_id = verified.key_id(token) if token else None
    if key_id is not None:
        return f"key:{key_id}"
    client = scope.get("client")
    return f"ip:{client[0] if client else 'unknown'}"
