"""Researchers' own read-only Cypher, with parameters, bounded in time and rows."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import ReaderDbDep, SettingsDep
from api.errors import PROBLEM_RESPONSES
from graph import researcher
from graph.researcher import EXAMPLE_QUERY, MAX_QUERY_LENGTH, CypherResult

router = APIRouter(tags=["research"])


class CypherRequest(BaseModel):
    """A read-only Cypher statement and its parameters."""

    query: str = Field(
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
        examples=[EXAMPLE_QUERY],
    )
    parameters: dict[str, Any] = Field(default_factory=dict, examples=[{}])


@router.post(
    "/cypher",
    responses={
        403: {"description": "The statement writes: only reads may run."},
        422: PROBLEM_RESPONSES[422],
        503: PROBLEM_RESPONSES[503],
        504: {"description": "The query ran longer than the server allows."},
    },
)
async def run_cypher(
    body: CypherRequest, reader: ReaderDbDep, settings: SettingsDep
) -> CypherResult:
    """Run your own read-only Cypher (with parameters) against the graph.

    Writes are refused by the engine itself. At most `CONNECTS_CYPHER_ROW_CAP` rows come back,
    with `truncated` true if there were more; queries stop at the server-side timeout.
    """
    return await researcher.run(
        reader, body.query, body.parameters, row_cap=settings.cypher_row_cap
    )
