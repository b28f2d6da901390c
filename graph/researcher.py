"""Researchers' own Cypher, read only, bounded by a server-side timeout and a row cap.

Two guards, one of which each engine can enforce: on Neo4j the statement is classified with
EXPLAIN (its query type must be 'r') and runs in a read transaction; on the embedded engine it
runs as a user whose group may only read, so the engine itself refuses any write.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from neo4j import AsyncManagedTransaction, unit_of_work
from neo4j import exceptions as neo
from neo4j.graph import Node, Path, Relationship
from pydantic import BaseModel

from graph.db import Db
from graph.errors import GraphError, QueryFailed

MAX_QUERY_LENGTH = 10_000
EXAMPLE_QUERY = "MATCH (o:Outcome) RETURN o.name AS outcome ORDER BY outcome"
"""Shown in the API documentation."""
# LOAD CSV reads files and URLs from the server's side, yet counts as a read: never allowed.
_LOAD_CSV = re.compile(r"\bLOAD\s+CSV\b", re.IGNORECASE)


class WriteRefused(GraphError):
    """The statement would write, or the engine refused a write: researchers may only read."""


class InvalidCypher(GraphError):
    """The statement is not valid Cypher (the message says where)."""


class CypherResult(BaseModel):
    """The rows a researcher's Cypher returned (at most the row cap)."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool


async def run(
    db: Db,
    statement: str,
    parameters: Mapping[str, Any],
    *,
    row_cap: int,
) -> CypherResult:
    """Run a researcher's statement read-only; at most `row_cap` rows, `truncated` if more.

    `db` is the read-only handle: on the embedded engine, one whose user may only read.

    Raises:
        WriteRefused: the statement writes (or tries to).
        InvalidCypher: the server cannot parse it.
        QueryTimeout: it ran longer than the server allows.
    """

    if _LOAD_CSV.search(statement):
        raise WriteRefused("LOAD CSV is not allowed: it reads files on the server.")

    async def read(tx: AsyncManagedTransaction) -> CypherResult:
        if db.dialect.explain_classifies:
            plan = await tx.run("EXPLAIN " + statement, dict(parameters))
            summary = await plan.consume()
            if summary.query_type != "r":
                raise WriteRefused("Only read-only Cypher may run here.")
        result = await tx.run(statement, dict(parameters))
        columns = list(result.keys())
        rows: list[list[Any]] = []
        async for record in result:
            if len(rows) == row_cap:
                await result.consume()
                return CypherResult(columns=columns, rows=rows, truncated=True)
            rows.append([_json(value) for value in record.values()])
        return CypherResult(columns=columns, rows=rows, truncated=False)

    try:
        async with db.session(read=True) as session:
            # Neo4j stops the transaction at the timeout; the embedded engine's reader group
            # carries the same limit (readTimeout).
            bounded = unit_of_work(timeout=db.dialect.query_timeout)(read)
            return await session.execute_read(bounded)
    except GraphError as e:
        cause = e.__cause__
        if isinstance(cause, neo.Forbidden) or (
            isinstance(cause, neo.ClientError) and "Security" in (cause.code or "")
        ):
            raise WriteRefused("Only read-only Cypher may run here.") from e
        if isinstance(cause, neo.CypherSyntaxError):
            raise InvalidCypher(cause.message or "Invalid Cypher.") from e
        if isinstance(e, QueryFailed):
            # The researcher's statement, not our code, is what the engine could not run.
            raise InvalidCypher("The graph could not run this query.") from e
        raise


def _json(value: Any) -> Any:
    """Graph values as plain JSON: nodes and relationships as maps, temporals as ISO text."""
    if isinstance(value, Node):
        return {"labels": sorted(value.labels), "properties": _json(dict(value))}
    if isinstance(value, Relationship):
        return {"type": value.type, "properties": _json(dict(value))}
    if isinstance(value, Path):
        return {
            "nodes": [_json(n) for n in value.nodes],
            "relationships": [_json(r) for r in value.relationships],
        }
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value
