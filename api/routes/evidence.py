"""'What works' for researchers: ranked evidence, facets and the evidence-and-gap map."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response
from pydantic import Field

from api.as_of import AsOfParam, graph_at
from api.deps import DbDep, EvidenceStoreDep, SettingsDep
from api.errors import PROBLEM_RESPONSES
from api.settings import ApiSettings
from graph import evidence, repository
from graph.db import Db
from graph.evidence import EvidenceFilter, EvidencePage, Facet, GapMap
from graph.evidence_csv import evidence_csv, gap_map_csv
from graph.filters import InvalidFilter, RawFilter, resolve
from graph.queries.evidence import Dimension
from ontology import csvw, gap_cube
from ontology.formats import FORMATS, RdfFormat, best_media_type, by_media_type, by_name

router = APIRouter(prefix="/evidence", tags=["evidence"], responses={422: PROBLEM_RESPONSES[422]})


class WhatWorksQuery(RawFilter, AsOfParam):
    """The filters, which page of the ranking, and JSON or CSV."""

    limit: int = Field(default=20, ge=1)
    offset: int = Field(default=0, ge=0, le=1_000_000)
    format: Literal["json", "csv"] | None = Field(
        default=None, description="csv: one row per case study (or send Accept: text/csv)."
    )


class FacetsQuery(RawFilter, AsOfParam):
    """The filters, and the dimensions to count by."""

    group_by: list[Dimension] = Field(
        default=[Dimension.OUTCOME], description="Dimensions to count by; repeat for several."
    )
    zeros: bool = Field(default=False, description="List values with no matches as 0.")


GapDimension = Literal[
    "intervention", "outcome", "theme", "region", "evidence_type", "strength", "direction"
]


GapFormat = Literal["json", "csv", "turtle", "ttl", "ntriples", "nt", "jsonld", "rdfxml", "rdf"]
"""JSON, CSV, or a name of an RDF format (ontology/formats.py) for the Data Cube."""


class GapMapQuery(RawFilter, AsOfParam):
    """The filters, the map's two dimensions, and JSON, CSV or RDF (a Data Cube)."""

    rows: GapDimension = "intervention"
    cols: GapDimension = "outcome"
    format: GapFormat | None = Field(
        default=None,
        description="json, csv, or an RDF format (ttl, nt, jsonld, rdf) for the map as an RDF "
        "Data Cube (by intervention and outcome only); or send Accept.",
    )


async def _resolve(db: DbDep, raw: RawFilter, store: EvidenceStoreDep) -> EvidenceFilter:
    return await resolve(db, raw, store)


@router.get(
    "",
    responses={
        200: {
            "model": EvidencePage,
            "content": {"text/csv": {}},
            "description": "JSON, or CSV on request (format=csv or Accept: text/csv).",
        }
    },
)
async def what_works(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    store: EvidenceStoreDep,
    query: Annotated[WhatWorksQuery, Query()],
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """Case studies with evidence for the outcomes, strongest evidence first, then most recent.

    Each row says why it matched. Weak evidence is shown as weak (strength 1-5), never hidden.
    With `as_of`, as the graph stood then; the Link header is this answer's permalink.
    """
    pinned: dict[str, str] = {}
    db, store = await graph_at(request, pinned, db, store, query.as_of)
    page = await evidence.what_works(
        db,
        await _resolve(db, query, store),
        limit=min(query.limit, settings.max_page_size),
        offset=query.offset,
        store=store,
    )
    wants = query.format or _format(accept)
    if wants == "csv":
        return Response(
            evidence_csv(page),
            media_type="text/csv; charset=utf-8",
            headers=csvw.described_by(
                f"/evidence/csv-metadata.json?table={_table(request)}",
                {
                    "Content-Disposition": 'attachment; filename="evidence.csv"',
                    "X-Total-Count": str(page.total),
                    **pinned,
                },
            ),
        )
    return Response(page.model_dump_json(), media_type="application/json", headers=pinned)


def _table(request: Request) -> str:
    """The CSV's path and query, for its metadata to name (CSVW processors check it)."""
    return quote(f"{request.url.path}?{request.url.query}", safe="")


def _format(accept: str | None) -> str:
    chosen = best_media_type(accept, ["application/json", "text/csv"])
    return "csv" if chosen == "text/csv" else "json"


@router.get("/facets")
async def facets(
    request: Request,
    response: Response,
    db: DbDep,
    store: EvidenceStoreDep,
    query: Annotated[FacetsQuery, Query()],
) -> list[Facet]:
    """Case-study counts for the current filter, grouped by each dimension asked for."""
    db, store = await graph_at(request, response.headers, db, store, query.as_of)
    evidence_filter = await _resolve(db, query, store)
    return await evidence.facets(
        db,
        evidence_filter,
        query.group_by,
        zeros=query.zeros,
        store=store,
    )


@router.get(
    "/gap-map",
    responses={
        200: {
            "model": GapMap,
            "content": {"text/csv": {}, **{f.media_type: {} for f in FORMATS}},
            "description": "JSON, CSV, or the map as an RDF Data Cube, by format or Accept.",
        }
    },
)
async def gap_map(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    store: EvidenceStoreDep,
    query: Annotated[GapMapQuery, Query()],
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """An evidence-and-gap map: every rows x columns cell, empty ones included, with the number
    of case studies, their strength distribution and the strongest evidence. With `as_of`, as
    the graph stood then; the Link header is this answer's permalink."""
    rows, cols = query.rows, query.cols
    if rows == cols:
        raise _same_dimension()
    wants = _gap_format(query.format, accept)
    if isinstance(wants, RdfFormat) and {rows, cols} != {"intervention", "outcome"}:
        raise InvalidFilter("query.rows", "The Data Cube is by intervention and outcome only.")
    pinned: dict[str, str] = {}
    db, store = await graph_at(request, pinned, db, store, query.as_of)
    result = await evidence.gap_map(
        db,
        await _resolve(db, query, store),
        Dimension(rows),
        Dimension(cols),
        store=store,
    )
    if isinstance(wants, RdfFormat):
        # Named from the public base, not the Host a client sent; the query names its filters.
        asked = request.url.remove_query_params("format")
        document = settings.public_base_uri.rstrip("/") + asked.path
        document += f"?{asked.query}" if asked.query else ""
        body = await _cube(db, settings, document, result, wants, asked.query)
        return Response(body, media_type=wants.media_type, headers={"Vary": "Accept", **pinned})
    if wants == "csv":
        return Response(
            gap_map_csv(result),
            media_type="text/csv; charset=utf-8",
            headers=csvw.described_by(
                f"/evidence/gap-map/csv-metadata.json?rows={rows}&cols={cols}"
                f"&table={_table(request)}",
                {
                    "Content-Disposition": f'attachment; filename="gap-map-{rows}-{cols}.csv"',
                    "Vary": "Accept",
                    **pinned,
                },
            ),
        )
    return Response(
        result.model_dump_json(),
        media_type="application/json",
        headers={"Vary": "Accept", **pinned},
    )


_GAP_OFFERED = ["application/json", "text/csv", *(f.media_type for f in FORMATS)]


def _gap_format(name: str | None, accept: str | None) -> str | RdfFormat:
    """json, csv or an RDF format: by name if given, else by Accept (JSON if nothing fits, as
    before negotiation)."""
    if name is None:
        chosen = best_media_type(accept, _GAP_OFFERED) or "application/json"
        rdf_format = by_media_type(chosen)
        return rdf_format or ("csv" if chosen == "text/csv" else "json")
    return by_name(name) or name


async def _cube(
    db: Db,
    settings: ApiSettings,
    document: str,
    result: GapMap,
    rdf_format: RdfFormat,
    filters: str,
) -> bytes:
    base = settings.public_base_uri.rstrip("/")
    latest = await repository.latest_load(db)
    triples = list(gap_cube.cube_triples(base, document, result, latest, filters))
    return await anyio.to_thread.run_sync(gap_cube.cube_document, triples, rdf_format)


def _same_dimension() -> Exception:
    return InvalidFilter("query.cols", "rows and cols must be different dimensions.")
