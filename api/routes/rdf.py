"""The whole graph as RDF, and the record of loads behind it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import Response, StreamingResponse

from api.deps import DbDep, SettingsDep
from api.errors import PROBLEM_RESPONSES, ExportBusy
from api.hardening import Slots
from api.validators import for_data, not_modified
from graph import changes, repository
from graph.errors import GraphError
from graph.repository import LoadInfo
from ontology.export import export_graph
from ontology.formats import DUMP_FORMATS, FormatName, NotAcceptable, dump_by_name, negotiate_dump

router = APIRouter(tags=["rdf"])
log = logging.getLogger("connects.api")

_EXPORT_CONTENT = {
    f.media_type: {"schema": {"type": "object" if f.name == "jsonld" else "string"}}
    for f in DUMP_FORMATS
}


async def export_slot(request: Request) -> AsyncIterator[None]:
    """One of the few exports that may run at once, held until its stream ends.

    Raises:
        ExportBusy: every slot is taken (503, Retry-After).
    """
    slots: Slots = request.app.state.export_slots
    if not slots.take():
        raise ExportBusy(slots.size)
    try:
        yield
    finally:
        slots.give_back()


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        200: {"content": _EXPORT_CONTENT, "description": "The graph in the chosen format."},
        406: {"description": "No acceptable format."},
        422: PROBLEM_RESPONSES[422],
        503: {"description": "As many exports as the server allows are running."},
    },
    dependencies=[Depends(export_slot)],
)
async def export(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    format: Annotated[
        FormatName | None,
        Query(description="The format, by name or file suffix. Overrides the Accept header."),
    ] = None,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    """The whole graph as RDF (Turtle by default), streamed; N-Quads and TriG put each triple in
    the named graph of the load that wrote it."""
    rdf_format = dump_by_name(format) if format else negotiate_dump(accept)
    if rdf_format is None:
        raise NotAcceptable([f.media_type for f in DUMP_FORMATS])
    validators = for_data(await changes.load_stamp(db), rdf_format.media_type, "/export")
    if (unchanged := not_modified(request, validators)) is not None:
        return unchanged
    chunks = export_graph(db, rdf_format, base_uri=settings.public_base_uri)
    # The first batch is read before answering, so an unreachable graph is a 503, not an
    # empty 200. A failure after that can only cut the stream short (and is logged).
    first = await anext(chunks)
    return StreamingResponse(
        _prepend(first, chunks),
        media_type=rdf_format.media_type,
        headers={
            **validators.headers(),
            "Content-Disposition": f'inline; filename="connects-graph.{rdf_format.suffix}"',
        },
    )


async def _prepend(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    try:
        async for chunk in rest:
            yield chunk
    except GraphError:
        log.exception("export stream cut short")
        raise


@router.get("/loads")
async def loads(
    db: DbDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[LoadInfo]:
    """Recorded loads (provenance), newest first."""
    return await repository.loads(
        db,
        limit=min(limit, settings.max_page_size),
        offset=offset,
    )
