"""Bearer API keys for writes. Reads are open; every write names a key with the right scope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, ClassVar

from fastapi import Depends, Header
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


def requires(scope: Scope) -> object:
    """A dependency that returns the caller's key if it has `scope` (admin has every scope)."""

    async def check(db: DbDep, authorization: Annotated[str | None, Header()] = None) -> ApiKey:
        kind, _, token = (authorization or "").partition(" ")
        if kind.lower() != "bearer" or not token.strip():
            raise Unauthorised
        key = await keys.verify(db, token.strip())
        if key is None:
            raise Unauthorised
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
AdminKey = Annotated[ApiKey, requires(Scope.ADMIN)]
