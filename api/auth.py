"""Bearer API keys for writes. Reads are open; every write names a key with the right scope."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from typing import Annotated, ClassVar

from fastapi import Depends, Header, Request
from starlette.types import Scope as AsgiScope

from api.deps import DbDep
from graph import keys
from graph.keys import ApiKey, Scope


class Unauthorised(Exception):
    """No key, or a key that is unknown, malformed or revoked (401)."""

    status: ClassVar[int] = 401
    slug: ClassVar[str] = "unauthorised"
    headers: ClassVar[Mapping[str, str]] = {"WWW-Authenticate": "Bearer"}

    def __init__(self) -> None:
        super().__init__("Send a valid API key as 'Authorization: Bearer <key>'.")


class Forbidden(Exception):
    """A valid key without the scope this action needs (403)."""

    status: ClassVar[int] = 403
    slug: ClassVar[str] = "forbidden"

    def __init__(self, needed: Scope) -> None:
        super().__init__(f"This needs a key with the '{needed}' scope.")


class VerifiedKeys:
    """Tokens this process has verified lately, by their digest, with their key's id.

    Middleware that runs before any route (rate limits) may count a request against a key only
    once the key is known to be real; until then a token is just text its sender chose. Entries
    last `ttl` seconds, so a revoked key soon stops being an identity; the routes themselves
    always verify against the graph.
    """

    def __init__(self, ttl: float = 60.0, max_entries: int = 10_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[str, tuple[str, float]] = {}

    def remember(self, token: str, key_id: str) -> None:
        if len(self._entries) >= self.max_entries:
            self._entries.clear()  # bounded; a cleared token is verified again when next used
        self._entries[_fingerprint(token)] = (key_id, time.monotonic() + self.ttl)

    def key_id(self, token: str) -> str | None:
        """The id of the key `token` was verified as, if that was less than `ttl` ago."""
        entry = self._entries.get(_fingerprint(token))
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]


def _fingerprint(token: str) -> str:
    # The full token is a secret: only its digest is kept in memory.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def requires(scope: Scope) -> object:
    """A dependency that returns the caller's key if it has `scope` (admin has every scope).

    A key that passes is remembered for the rate limits (`VerifiedKeys`) and named in the access
    log; nothing is recorded about one that fails.
    """

    async def check(
        request: Request, db: DbDep, authorization: Annotated[str | None, Header()] = None
    ) -> ApiKey:
        kind, _, token = (authorization or "").partition(" ")
        if kind.lower() != "bearer" or not token.strip():
            raise Unauthorised
        key = await keys.verify(db, token.strip())
        if key is None:
            raise Unauthorised
        request.state.key_id = key.id
        verified: VerifiedKeys | None = getattr(request.app.state, "verified_keys", None)
        if verified is not None:
            verified.remember(token.strip(), key.id)
        if key.scope is not scope and key.scope is not Scope.ADMIN:
            raise Forbidden(scope)
        return key

    return Depends(check)


def bearer_token(scope: AsgiScope) -> str | None:
    """The bearer token of a request (for middleware that sees only the ASGI scope)."""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            kind, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if kind.lower() == "bearer" else ""
    return None


ContributorKey = Annotated[ApiKey, requires(Scope.CONTRIBUTE)]
CuratorKey = Annotated[ApiKey, requires(Scope.CURATE)]
AdminKey = Annotated[ApiKey, requires(Scope.ADMIN)]
