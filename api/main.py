"""The FastAPI application factory. The lifespan owns the process's one driver."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import Depends, FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from api import docs, errors, hardening, intake, pages
from api.as_of import snapshots_for
from api.deps import GraphState
from api.head import HeadAsGet
from api.mcp import http as mcp_http
from api.query_params import refuse_unknown_query_parameters
from api.routes import (
    approaches,
    contributions,
    csvw,
    curation,
    cypher,
    evidence,
    explore,
    graph,
    health,
    history,
    linked_data,
    nodes,
    rdf,
    releases,
    reports,
    sparql,
    submissions,
    vocabulary,
)
from api.settings import ApiSettings
from graph import researcher
from graph.driver import open_driver
from graph.errors import GraphUnavailable
from graph.evidence_store import EvidenceStore
from graph.settings import EvidenceIndexSettings
from ontology.sparql.limits import SparqlLimits
from ontology.sparql.service import SparqlService

log = logging.getLogger("connects.api")

DESCRIPTION = """
The Socitm Connects strategy (2022-25) as a knowledge graph: strategic priorities, the 4Rs,
the ecosystem pillars and services, programme components, policy themes with their key
challenges and opportunities, the 12 digitalisation outcomes, the connected places model,
organisations and research institutes.

Errors are [RFC 9457](https://www.rfc-editor.org/rfc/rfc9457) problem details.
"""


def sparql_limits(settings: ApiSettings) -> SparqlLimits:
    """The SPARQL endpoint's limits, from the settings (``CONNECTS_SPARQL_*``)."""
    return SparqlLimits(
        seconds=settings.sparql_timeout,
        result_cap=settings.sparql_result_cap,
        memory_bytes=settings.sparql_memory_mb * 2**20,
        max_query_bytes=settings.sparql_max_query_bytes,
        concurrency=settings.sparql_concurrency,
        refresh_interval=settings.sparql_refresh_interval,
    )


def evidence_store(settings: EvidenceIndexSettings) -> EvidenceStore | None:
    """The process's evidence index, unless it is turned off (max_claims 0)."""
    if settings.max_claims == 0:
        return None
    return EvidenceStore(max_claims=settings.max_claims, cached_answers=settings.cached_answers)


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """Build the API. Nothing connects until the app starts."""
    settings = settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        driver = open_driver(settings)
        state = GraphState(driver=driver, settings=settings)
        app.state.graph = state
        app.state.cypher_gate = researcher.Gate(settings.cypher_concurrency)
        try:
            await state.ready()
        except GraphUnavailable:
            # Serve anyway: /ready reports it, and requests reconnect once the graph is back.
            log.warning("the graph is not reachable yet; serving and retrying on demand")
        sparql_service = SparqlService(sparql_limits(settings), settings.public_base_uri)
        app.state.sparql = sparql_service
        index_settings = EvidenceIndexSettings()
        app.state.evidence_store = evidence_store(index_settings)
        app.state.snapshots = snapshots_for(settings, index_settings.max_claims)
        try:
            async with transport.running():
                yield
        finally:
            await app.state.snapshots.close()
            sparql_service.close()
            await state.close()

    app = FastAPI(
        title="Connects Graph",
        version=version("connects-graph"),
        description=DESCRIPTION,
        lifespan=lifespan,
        # /docs is served from vendored files by api.docs; FastAPI's own pages load a CDN.
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        dependencies=[Depends(refuse_unknown_query_parameters)],
    )
    app.state.settings = settings
    app.state.query_names = {}
    app.state.intake_limiter = intake.limiter(settings)
    # Gzip on request (Accept-Encoding), streamed responses included.
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    # Outside gzip (a HEAD gets the GET's Content-Encoding and length), inside the access log.
    app.add_middleware(HeadAsGet)
    hardening.install(app, settings)
    errors.install(app)
    routers = (
        health,
        nodes,
        history,
        csvw,
        evidence,
        approaches,
        graph,
        cypher,
        rdf,
        releases,
        linked_data,
        contributions,
        submissions,
        curation,
        reports,
        sparql,
        vocabulary,
    )
    for module in routers:
        app.include_router(module.router)
    # Built per app, with the handles of the app's own lifespan.
    transport = mcp_http.mount(app, settings)
    explore.install(app)
    pages.install(app)
    docs.install(app)
    return app
