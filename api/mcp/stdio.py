"""The MCP server over stdio, for an assistant that starts `connects mcp` itself.

Stdout is the protocol's channel: nothing else may write to it, so everything this process says
goes to stderr (logging's default), and the engine logs to its own file.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from api.deps import GraphState
from api.main import evidence_store, sparql_limits
from api.mcp import server
from api.mcp.reads import Reads
from api.settings import ApiSettings
from graph.driver import open_driver
from graph.errors import GraphUnavailable
from graph.settings import EvidenceIndexSettings
from ontology.sparql.service import SparqlService


async def serve(settings: ApiSettings) -> None:
    """Answer one assistant on stdin and stdout until it closes them."""
    async with opened(settings) as reads:
        await server.build(lambda: reads).run_stdio_async()


@asynccontextmanager
async def opened(settings: ApiSettings) -> AsyncIterator[Reads]:
    """The handles the tools read through, opened and closed as the API's lifespan does it."""
    state = GraphState(driver=open_driver(settings), settings=settings)
    # A graph not up yet is no reason not to start: tools report it, and reconnect once it is
    # back, as the API does.
    with contextlib.suppress(GraphUnavailable):
        await state.ready()
    sparql = SparqlService(sparql_limits(settings), settings.public_base_uri)
    try:
        yield Reads(state, sparql, evidence_store(EvidenceIndexSettings()), settings)
    finally:
        sparql.close()
        await state.close()
