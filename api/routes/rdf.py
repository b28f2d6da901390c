"""The whole graph as RDF, and the record of loads behind it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse

from api.deps import GraphDep, SettingsDep
from api.errors import PROBLEM_RESPONSES, NotAcceptable
from graph import repository
from graph.repository import LoadInfo
from ontology.export import export_graph
from ontology.formats import FORMATS, by_name, negotiate

router = APIRouter(tags=["rdf"])

_EXPORT_CONTENT = {f.media_type: {"schema": {"type": "string"}} for f in FORMATS}


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        200: {"content": _EXPORT_CONTENT, "description": "The graph in the chosen format."},
        406: {"description": "No acceptable format."},
        422: PROBLEM_RESPONSES[422],
    },
)
async def export(
    graph: GraphDep,
    settings: SettingsDep,
    format: Annotated[
        str | None,
        Query(
            description="turtle, ntriples, jsonld or rdfxml (or ttl, nt, rdf). "
            "Overrides the Accept header.",
            max_length=20,
        ),
    ] = None,
    accept: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """The whole graph as RDF (Turtle by default), streamed."""
    rdf_format = by_name(format) if format else negotiate(accept)
    if rdf_format is None:
        raise NotAcceptable([f.media_type for f in FORMATS])
    chunks = export_graph(graph.driver, graph.dialect, settings, rdf_format)
    return StreamingResponse(
        chunks,
        media_type=rdf_format.media_type,
        headers={
            "Vary": "Accept",
            "Content-Disposition": f'inline; filename="connects-graph.{rdf_format.suffix}"',
        },
    )


@router.get("/loads")
async def loads(
    graph: GraphDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[LoadInfo]:
    """Recorded loads (provenance), newest first."""
    return await repository.loads(
        graph.driver,
        graph.dialect,
        graph.database,
        limit=min(limit, settings.max_page_size),
        offset=offset,
    )
