"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import GraphStateDep
from api.errors import PROBLEM_RESPONSES
from graph import repository
from graph.errors import GraphUnavailable

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """The process is up."""

    status: str


class Ready(BaseModel):
    """The graph answers: which engine, and how many nodes it holds."""

    status: str
    engine: str
    nodes: int


@router.get("/health")
async def health() -> Health:
    """The process is up (does not touch the graph)."""
    return Health(status="ok")


@router.get("/ready", responses={503: PROBLEM_RESPONSES[503]})
async def ready(state: GraphStateDep) -> Ready:
    """The graph answers a real query (503 saying why if not: stopped, frozen, out of memory)."""
    found = await state.liveness()
    if not found.answering:
        state.failed()
        raise found.error()
    try:
        db = await state.ready()
        nodes = await repository.ping(db)
    except GraphUnavailable:
        state.failed()
        raise
    return Ready(status="ready", engine=db.dialect.engine.value, nodes=nodes)
