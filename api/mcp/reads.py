"""How the MCP tools reach the graph: the same handles the API's routes are given."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from starlette.datastructures import State

from api.deps import GraphState
from api.settings import ApiSettings
from graph.db import Db
from graph.errors import GraphBusy, GraphUnavailable
from graph.evidence_store import EvidenceStore, begin_request
from ontology.sparql.service import SparqlService


@dataclass(frozen=True)
class Reads:
    """The graph's handle (reconnecting as the routes' does), the SPARQL service, the evidence
    index and the limits: what `api/deps.py` gives a route, for one tool call."""

    graph: GraphState
    sparql: SparqlService
    store: EvidenceStore | None
    settings: ApiSettings

    @classmethod
    def of_app(cls, state: State) -> Reads:
        """The handles the API's lifespan opened (api/main.py)."""
        return cls(state.graph, state.sparql, state.evidence_store, state.settings)

    @asynccontextmanager
    async def db(self) -> AsyncIterator[Db]:
        """The graph for one tool call, as `api.deps.get_db` gives it to a request: an
        unavailable graph is reported to the watchdog, and the next call reconnects."""
        begin_request()  # the load version is checked once per call, as once per request
        try:
            yield await self.graph.ready()
        except GraphBusy:
            raise  # a write conflict says nothing about the engine's health
        except GraphUnavailable:
            self.graph.failed()
            raise
