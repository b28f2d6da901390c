"""Researchers' own read-only Cypher, with parameters, bounded in time, rows, bytes and number."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ReaderDbDep, SettingsDep
from api.errors import PROBLEM_RESPONSES
from graph import researcher
from graph.researcher import EXAMPLE_QUERY, MAX_QUERY_LENGTH, Abandoned, CypherResult, Gate

router = APIRouter(tags=["research"])
_DISCONNECT_POLL = 0.25
"""Seconds between checks that the client is still there."""


class CypherRequest(BaseModel):
    """A read-only Cypher statement and its parameters."""

    # A misspelt or made-up field ("params", "database") must not be silently ignored.
    model_config = ConfigDict(extra="forbid")

    query: str = Field(
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
        examples=[EXAMPLE_QUERY],
    )
    parameters: dict[str, Any] = Field(default_factory=dict, examples=[{}])


def get_gate(request: Request) -> Gate:
    gate: Gate = request.app.state.cypher_gate
    return gate


@router.post(
    "/cypher",
    responses={
        403: {"description": "The statement writes, or uses what researchers may not."},
        422: PROBLEM_RESPONSES[422],
        503: PROBLEM_RESPONSES[503],
        504: {"description": "The query ran longer than the server allows."},
    },
)
async def run_cypher(
    body: CypherRequest,
    request: Request,
    reader: ReaderDbDep,
    settings: SettingsDep,
    gate: Annotated[Gate, Depends(get_gate)],
) -> CypherResult:
    """Run your own read-only Cypher (with parameters) against the published graph.

    Only reading clauses and openCypher's built-in functions may be used; procedures, LOAD CSV
    and administration are refused. At most `CONNECTS_CYPHER_ROW_CAP` rows and
    `CONNECTS_CYPHER_MAX_RESPONSE_BYTES` bytes come back (`truncated_by` says which cap cut
    them); queries stop at the server-side timeout; at most `CONNECTS_CYPHER_CONCURRENCY` run at
    once (503 with Retry-After beyond); a query stops when its client leaves.
    """
    gate.enter()
    query = asyncio.ensure_future(
        researcher.run(
            reader,
            body.query,
            body.parameters,
            row_cap=settings.cypher_row_cap,
            byte_cap=settings.cypher_max_response_bytes,
        )
    )
    try:
        return await _unless_client_leaves(request, query)
    finally:
        query.cancel()  # a no-op once done; stops the query if this handler itself is stopped
        gate.leave()


async def _unless_client_leaves(
    request: Request, query: asyncio.Future[CypherResult]
) -> CypherResult:
    # Cancelling the task closes its session, and with it the engine's connection: the work
    # stops instead of running on for a client who is no longer there.
    while not query.done():
        await asyncio.wait({query}, timeout=_DISCONNECT_POLL)
        if not query.done() and await request.is_disconnected():
            query.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await query
            raise Abandoned("The client left; its query was stopped.")
    return query.result()
