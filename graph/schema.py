"""Create the constraints and indexes the graph relies on. Safe to run any number of times."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graph.queries import schema as schema_q
from graph.queries import versions as versions_q

if TYPE_CHECKING:
    from graph.db import Db


async def ensure_schema(db: Db) -> None:
    """Create the uniqueness constraints and indexes, skipping those that exist."""
    for statement in (
        *schema_q.SCHEMA,
        *schema_q.KIND_ID_INDEXES,
        *schema_q.LOAD_INDEXES,
        *versions_q.SCHEMA,
        *db.dialect.schema_statements,
    ):
        await db.define(statement)
