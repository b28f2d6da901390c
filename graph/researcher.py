"""Researchers' own Cypher, read only, bounded in what it may call, in time, rows and bytes.

Three guards, before and inside the engine:

- `graph.cypher_guard` checks the statement's tokens against an allow-list of functions,
  procedures and clauses, and refuses what could build values larger than memory;
- on Neo4j the statement is planned with EXPLAIN: its query type must be 'r' and no operator may
  load CSV or call a procedure; it then runs in a read transaction as the reader user;
- on the embedded engine it runs as a user whose group may only read, and cannot see the
  bookkeeping types (API keys, load records), so the engine itself refuses writes and hides keys.

On Neo4j the reader is a user of its own (``CONNECTS_READER_USER``, never the admin user;
without one, production refuses researchers' Cypher). Role-based access needs Neo4j Enterprise
(or Aura with roles); Community gives every user every right. Its set-up, in the system
database (``connects`` being ``CONNECTS_DATABASE``)::

    CREATE USER researcher SET PASSWORD $password CHANGE NOT REQUIRED;
    CREATE ROLE researcher;
    GRANT ROLE researcher TO researcher;
    GRANT ACCESS ON DATABASE connects TO researcher;
    GRANT MATCH {*} ON GRAPH connects NODES * TO researcher;
    GRANT MATCH {*} ON GRAPH connects RELATIONSHIPS * TO researcher;
    DENY TRAVERSE ON GRAPH connects NODES ApiKey, Load, Version TO researcher;
    DENY TRAVERSE ON GRAPH connects NODES Submission, ErrorReport TO researcher;
    DENY READ {*} ON GRAPH connects NODES ApiKey, Load, Version TO researcher;
    DENY READ {*} ON GRAPH connects NODES Submission, ErrorReport TO researcher;
    DENY EXECUTE PROCEDURE * ON DBMS TO researcher;
    DENY EXECUTE USER DEFINED FUNCTION * ON DBMS TO researcher;
    DENY LOAD ON ALL DATA TO researcher;

At most `Gate.limit` statements run at once (the rest are refused at once with `Busy`), each in
one transaction that is never retried, so a statement that fails the engine is not run again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from neo4j import AsyncResult, AsyncTransaction
from neo4j import exceptions as neo
from neo4j.graph import Node, Path, Relationship
from pydantic import BaseModel, Field

from graph import cypher_guard
from graph.cypher_guard import NotAllowed
from graph.db import Db
from graph.errors import GraphError, QueryFailed

MAX_QUERY_LENGTH = 10_000
EXAMPLE_QUERY = "MATCH (o:Outcome) RETURN o.name AS outcome ORDER BY outcome"
"""Shown in the API documentation."""
_FORBIDDEN = (
    "Researchers' Cypher may only read published data: it cannot write, nor read API keys or "
    "load records. Match nodes by a label, e.g. (n:Entity), rather than every node (n)."
)
_FETCH_SIZE = 100
"""Records asked of the server at a time: the caps are checked between batches this small."""
# Operators of a Neo4j plan that reach outside the graph although the plan counts as a read.
_REFUSED_OPERATORS = ("LoadCSV", "ProcedureCall", "ProcedureCallEager")


class WriteRefused(GraphError):
    """The statement would write, or the engine refused a write: researchers may only read."""


class InvalidCypher(GraphError):
    """The statement is not valid Cypher (the message says where)."""


class ReaderMissing(GraphError):
    """No read-only user is configured for this graph, so researchers' Cypher cannot run."""


class Abandoned(GraphError):
    """The client left before the answer: its query was stopped, and no one reads this."""


class Busy(GraphError):
    """As many researchers' statements as allowed are already running: try again shortly."""


class CypherResult(BaseModel):
    """The rows a researcher's Cypher returned (at most the row and byte caps)."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool = Field(description="True when more rows were left out (see truncated_by).")
    truncated_by: Literal["rows", "bytes"] | None = Field(
        default=None,
        description=(
            "Which cap cut the answer: 'rows' (CONNECTS_CYPHER_ROW_CAP) or 'bytes' "
            "(CONNECTS_CYPHER_MAX_RESPONSE_BYTES, measured as JSON); null when nothing was cut."
        ),
    )


class Gate:
    """At most `limit` researchers' statements at once; one more is refused, never queued.

    The engine serves few queries at once; keeping researchers below that leaves the API's own
    queries room. The event loop is single-threaded, so a plain counter is enough.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.running = 0

    def enter(self) -> None:
        """Take a place, or raise `Busy` at once."""
        if self.running >= self.limit:
            raise Busy(f"{self.limit} researchers' queries are already running; try again shortly.")
        self.running += 1

    def leave(self) -> None:
        self.running -= 1


async def run(
    db: Db,
    statement: str,
    parameters: Mapping[str, Any],
    *,
    row_cap: int,
    byte_cap: int,
) -> CypherResult:
    """Run a researcher's statement read-only; at most `row_cap` rows and about `byte_cap` bytes.

    `db` is the reader's handle: on the embedded engine, a user that may only read published
    types; on Neo4j, the configured reader user.

    Raises:
        NotAllowed: the statement calls or says something researchers may not (named).
        WriteRefused: the statement writes (or tries to).
        InvalidCypher: the statement cannot be parsed.
        QueryTimeout: it ran longer than the server allows.
    """
    try:
        cypher_guard.check(statement)
    except cypher_guard.Malformed as e:
        raise InvalidCypher(str(e)) from e

    try:
        async with db.session(read=True, fetch_size=_FETCH_SIZE) as session:
            # One transaction, never retried: a statement that failed the engine once (out of
            # memory, say) must not run again. Neo4j stops it at the timeout; the embedded
            # engine's reader group carries the same limit (readTimeout).
            tx = await session.begin_transaction(timeout=db.dialect.query_timeout)
            try:
                if db.dialect.explain_classifies:
                    await _check_plan(tx, statement, parameters)
                result = await tx.run(statement, dict(parameters))
                return await _collect(result, row_cap=row_cap, byte_cap=byte_cap)
            finally:
                if not tx.closed():
                    await tx.rollback()
    except GraphError as e:
        cause = e.__cause__
        if isinstance(cause, neo.Forbidden) or (
            isinstance(cause, neo.ClientError) and "Security" in (cause.code or "")
        ):
            # The embedded engine says the same for a write and for a type the reader cannot
            # see (every node, unlabelled, includes the hidden ones).
            raise WriteRefused(_FORBIDDEN) from e
        if isinstance(cause, neo.CypherSyntaxError):
            raise InvalidCypher(cause.message or "Invalid Cypher.") from e
        if isinstance(e, QueryFailed):
            # The researcher's statement, not our code, is what the engine could not run.
            raise InvalidCypher("The graph could not run this query.") from e
        raise


async def _check_plan(tx: AsyncTransaction, statement: str, parameters: Mapping[str, Any]) -> None:
    """Neo4j only: refuse a plan that writes, loads CSV or calls a procedure."""
    plan = await tx.run("EXPLAIN " + statement, dict(parameters))
    summary = await plan.consume()
    if summary.query_type != "r":
        raise WriteRefused("Only read-only Cypher may run here.")
    for operator in plan_operators(summary.plan or {}):
        if operator in _REFUSED_OPERATORS:
            raise NotAllowed(f"The plan's {operator} operator is not allowed here.")


def plan_operators(plan: Mapping[str, Any]) -> list[str]:
    """Every operator of an EXPLAIN plan, without Neo4j's '@database' suffix."""
    name = str(plan.get("operatorType", "")).split("@", 1)[0]
    found = [name] if name else []
    for child in plan.get("children", []):
        found += plan_operators(child)
    return found


async def _collect(result: AsyncResult, *, row_cap: int, byte_cap: int) -> CypherResult:
    columns = list(result.keys())
    rows: list[list[Any]] = []
    size = len(json.dumps(columns))
    async for record in result:
        if len(rows) == row_cap:
            await result.consume()
            return CypherResult(columns=columns, rows=rows, truncated=True, truncated_by="rows")
        row = [_json(value) for value in record.values()]
        # Measured as the JSON it becomes, row by row, so the answer never grows past the cap.
        size += len(json.dumps(row, default=str, ensure_ascii=False).encode()) + 1
        if size > byte_cap:
            await result.consume()
            return CypherResult(columns=columns, rows=rows, truncated=True, truncated_by="bytes")
        rows.append(row)
    return CypherResult(columns=columns, rows=rows, truncated=False)


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
