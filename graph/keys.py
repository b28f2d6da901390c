"""API keys: created and revoked by staff, stored only as hashes, each with a scope and an
organisation. A key is ``cgk_<id>_<secret>``: the id finds the record, the secret is checked
against its SHA-256 in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel

from graph.db import Db
from graph.errors import NotFound
from graph.queries import keys as keys_q

PREFIX = "cgk"


class Scope(StrEnum):
    """What an API key may do besides reading."""

    CONTRIBUTE = "contribute"
    CURATE = "curate"
    """Review members' submissions and reports of errors, and decide on them."""
    ADMIN = "admin"


class ApiKey(BaseModel):
    """What is stored about a key (never the secret itself)."""

    id: str
    organisation: str
    scope: Scope
    label: str
    created_at: str
    revoked_at: str | None = None


def split_token(token: str) -> tuple[str, str] | None:
    """The (public id, secret) of a key as given, or None if it is not in our format."""
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != PREFIX or not key_id or not secret:
        return None
    return key_id, secret


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


_DUMMY_DIGEST = _digest(secrets.token_urlsafe(32))
"""What an unknown id's secret is compared with: a digest no secret is known to match."""


async def create(db: Db, *, organisation: str, scope: Scope, label: str) -> tuple[ApiKey, str]:
    """Make a key; returns its record and the full key, which is shown once and never stored."""
    key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    record = ApiKey(
        id=key_id,
        organisation=organisation,
        scope=scope,
        label=label,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    props = {**record.model_dump(exclude_none=True), "secret_sha256": _digest(secret)}
    await db.write(keys_q.CREATE_KEY, props=props)
    return record, f"{PREFIX}_{key_id}_{secret}"


async def verify(db: Db, token: str) -> ApiKey | None:
    """The key a bearer token stands for, or None if it is malformed, unknown or revoked.

    Every refusal does the same work as an acceptance, one digest and one constant-time
    comparison (against a dummy digest when there is no record), so how long a refusal takes
    does not tell which key ids exist.
    """
    parts = split_token(token)
    key_id, secret = parts if parts is not None else ("", token)
    records = await db.read(keys_q.KEY_BY_ID, id=key_id) if parts is not None else []
    stored = records[0]["key"] if records else {"secret_sha256": _DUMMY_DIGEST}
    matches = hmac.compare_digest(stored["secret_sha256"], _digest(secret))
    if not records or not matches or stored.get("revoked_at"):
        return None
    return ApiKey.model_validate({k: v for k, v in stored.items() if k != "secret_sha256"})


async def all_keys(db: Db) -> list[ApiKey]:
    records = await db.read(keys_q.KEYS)
    return [
        ApiKey.model_validate({k: v for k, v in r["key"].items() if k != "secret_sha256"})
        for r in records
    ]


async def revoke(db: Db, key_id: str) -> None:
    """Revoke a key: it stops working at once. Raises NotFound for an unknown id."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    records = await db.write(keys_q.REVOKE_KEY, id=key_id, now=now)
    if not records:
        raise NotFound(key_id)


async def stored(db: Db) -> list[dict[str, object]]:
    """Every key as stored, its secret's digest included (for a backup; never served)."""
    return [r["key"] for r in await db.read(keys_q.KEYS)]


async def restore(db: Db, records: list[dict[str, object]]) -> int:
    """Recreate keys from `stored`'s records: they work again with the same secrets."""
    for props in records:
        await db.write(keys_q.CREATE_KEY, props=props)
    return len(records)
