"""API keys: their own label, never part of the published graph."""

from __future__ import annotations

from typing import LiteralString

CREATE_KEY: LiteralString = "CREATE (k:ApiKey) SET k = $props"


KEY_BY_ID: LiteralString = "MATCH (k:ApiKey {id: $id}) RETURN k {.*} AS key"


KEYS: LiteralString = "MATCH (k:ApiKey) RETURN k {.*} AS key ORDER BY k.created_at, k.id"


REVOKE_KEY: LiteralString = """
MATCH (k:ApiKey {id: $id})
SET k.revoked_at = $now
RETURN k.id AS id
"""
