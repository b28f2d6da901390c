"""Dereferenceable URIs: /id/{kind}/{id} answers 303 to /doc/{kind}/{id}, which negotiates."""

from __future__ import annotations

import json
from typing import Annotated

import anyio
import pyoxigraph as ox
from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import DbDep, SettingsDep, SparqlDep
from api.errors import PROBLEM_RESPONSES
from api.pages import node_page
from api.routes.nodes import AsOf
from api.validators import fixed, for_data, not_modified
from graph import changes, curation, history, repository, semantic
from graph.db import Db
from graph.errors import NotFound
from graph.history import History
from graph.model import Kind
from ontology import jsonld
from ontology.dataset import cached_statistics, document_about, void_triples
from ontology.formats import FORMATS, NotAcceptable, RdfFormat, best_media_type, by_suffix
from ontology.mapping import PREFIXES, document_triples, load_iri, load_triples, node_iri
from ontology.release_dcat import release_triples
from ontology.releases import directory_in, releases

SIMILAR_ON_PAGE = 5
"""Similar case studies a node's page lists (GET /nodes/{id}/similar gives more)."""

router = APIRouter(tags=["linked data"])

HTML, JSON = "text/html", "application/json"
HISTORY_ON_PAGE = 20
"""The latest versions a node's page lists; GET /nodes/{id}/history pages through them all."""
OFFERED = [HTML, JSON, *(f.media_type for f in FORMATS)]
RDF_OFFERED = [f.media_type for f in FORMATS]
_KINDS = {kind.slug: kind for kind in Kind}

KindSlug = Annotated[
    str, Path(description="The kind, e.g. outcome or policy-theme.", examples=["outcome"])
]
Ident = Annotated[
    str,
    Path(
        max_length=220,
        description="The id, optionally with a suffix: .ttl, .nt, .jsonld, .rdf, .json, .html",
        examples=["inclusion", "inclusion.ttl"],
    ),
]


@router.get("/id/{kind}/{node_id}", status_code=303, responses={404: PROBLEM_RESPONSES[404]})
async def identifier(db: DbDep, kind: KindSlug, node_id: str) -> RedirectResponse:
    """The URI of a thing: 303 See Other to the document that describes it."""
    if kind == "load":
        await repository.load_by_id(db, node_id)
    else:
        await _detail(db, kind, node_id, None)
    return RedirectResponse(f"/doc/{kind}/{node_id}", status_code=303, headers={"Vary": "Accept"})


_SCHEMA_OF = {HTML: "string", JSON: "object", "application/ld+json": "object"}
_CONTENT = {t: {"schema": {"type": _SCHEMA_OF.get(t, "string")}} for t in OFFERED}
_RDF_CONTENT = {t: c for t, c in _CONTENT.items() if t in RDF_OFFERED}


@router.get(
    "/doc/{kind}/{ident}",
    response_class=Response,
    responses={
        200: {"content": _CONTENT, "description": "The description."},
        404: PROBLEM_RESPONSES[404],
        406: {"description": "No acceptable format."},
        422: PROBLEM_RESPONSES[422],
    },
)
async def document(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    kind: KindSlug,
    ident: Ident,
    accept: Annotated[str | None, Header()] = None,
    as_of: AsOf = None,
) -> Response:
    """A resource's description, negotiated (HTML, JSON, Turtle, N-Triples, JSON-LD, RDF/XML);
    with `as_of`, as it stood then. The HTML page lists the node's history."""
    node_id, _, suffix = ident.partition(".")
    media_type = _by_suffix(suffix) if suffix else best_media_type(accept, OFFERED)
    if media_type is None:
        raise NotAcceptable(OFFERED)
    headers = {"Link": f'</id/{kind}/{node_id}>; rel="describes"'}
    base = settings.public_base_uri.rstrip("/")
    stamp = await changes.load_stamp(db)
    validators = for_data(stamp, media_type, f"/doc/{kind}/{node_id}", as_of or "")
    headers |= validators.headers()
    if kind == "load":
        load = await repository.load_by_id(db, node_id)
        if (unchanged := not_modified(request, validators)) is not None:
            return unchanged
        if media_type in (HTML, JSON):
            return Response(load.model_dump_json(), media_type=JSON, headers=headers)
        about = document_about(base, f"/doc/{kind}/{node_id}", load_iri(base, load.id))
        return _rdf([*load_triples(base, load), *about], _format(media_type), headers)
    point = await history.resolve(db, as_of, "query.as_of") if as_of is not None else None
    detail = await _detail(db, kind, node_id, point)
    # Checked once the node is known to exist: `If-None-Match: *` matches only what does.
    if (unchanged := not_modified(request, validators)) is not None:
        return unchanged
    if media_type == JSON:
        return Response(detail.model_dump_json(), media_type=JSON, headers=headers)
    loads = await curation.loads_about(db, node_id)
    if point is not None:  # as it stood then: the decisions made by then
        loads = [load for load in loads if str(load.properties.get("started_at", "")) <= point.at]
    if media_type == HTML:
        page = node_page(
            detail,
            f"/doc/{kind}/{node_id}",
            f"/id/{kind}/{node_id}",
            versions=await _versions(db, node_id),
            as_of=point,
            decisions=[curation.decision(load) for load in loads],
            # As the graph is now: embeddings are not kept in its history.
            similar=[]
            if point is not None
            else await semantic.similar_case_studies(db, node_id, limit=SIMILAR_ON_PAGE),
        )
        return Response(page, media_type="text/html; charset=utf-8", headers=headers)
    triples = list(document_triples(base, detail))
    triples += document_about(base, f"/doc/{kind}/{node_id}", node_iri(base, detail.kind, node_id))
    for load in loads:  # who decided, when and why: PROV, with the statement
        triples += load_triples(base, load)
    return _rdf(triples, _format(media_type), headers)


@router.get(
    "/context.jsonld",
    response_class=Response,
    responses={200: {"content": {"application/ld+json": {"schema": {"type": "object"}}}}},
)
async def context(request: Request) -> Response:
    """The JSON-LD @context our JSON-LD uses: short names for every term we publish."""
    return fixed(request, _CONTEXT_BODY, "application/ld+json", vary=None)


_CONTEXT_BODY = json.dumps({"@context": jsonld.CONTEXT}, indent=1).encode()


@router.get(
    "/.well-known/void",
    response_class=Response,
    responses={
        200: {"content": _RDF_CONTENT, "description": "VoID and DCAT."},
        406: {"description": "No acceptable format."},
    },
)
async def void(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    sparql: SparqlDep,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    """The dataset described with VoID and DCAT: the catalogue, licence, publisher, dumps and
    releases (with checksums), the API and SPARQL endpoint, and statistics of the published
    triples."""
    media_type = best_media_type(accept, RDF_OFFERED)
    if media_type is None:
        raise NotAcceptable(RDF_OFFERED)
    written = await anyio.to_thread.run_sync(releases, directory_in(settings.data_dir))
    # A release is written without a load: its name picks the representation too.
    picks = ("/.well-known/void", *(r.id for r in written))
    validators = for_data(await changes.load_stamp(db), media_type, *picks)
    if (unchanged := not_modified(request, validators)) is not None:
        return unchanged
    latest = await repository.latest_load(db)
    base = settings.public_base_uri.rstrip("/")
    snapshot = await sparql.snapshot(db)  # the SPARQL store holds exactly the published triples
    statistics = await anyio.to_thread.run_sync(cached_statistics, base, snapshot.store)
    triples = [*void_triples(base, latest), *statistics, *release_triples(base, written)]
    return _rdf(triples, _format(media_type), validators.headers())


async def _versions(db: Db, node_id: str) -> History | None:
    try:
        return await history.node_history(db, node_id, limit=HISTORY_ON_PAGE, offset=0)
    except NotFound:  # loaded before versions were recorded
        return None


async def _detail(
    db: Db, kind_slug: str, node_id: str, point: history.Point | None
) -> repository.NodeDetail:
    kind = _KINDS.get(kind_slug)
    if kind is None:
        raise NotFound(f"{kind_slug}/{node_id}")
    if point is not None:
        detail = await history.node_at(db, node_id, point)
    else:
        detail = await repository.node_detail(db, node_id)
    if detail.kind is not kind:
        raise NotFound(f"{kind_slug}/{node_id}")
    return detail


def _by_suffix(suffix: str) -> str | None:
    if suffix in ("html", "json"):
        return {"html": HTML, "json": JSON}[suffix]
    rdf_format = by_suffix(suffix)
    if rdf_format is None:
        raise NotAcceptable([f".{s}" for s in ("html", "json", *(f.suffix for f in FORMATS))])
    return rdf_format.media_type


def _format(media_type: str) -> RdfFormat:
    return next(f for f in FORMATS if f.media_type == media_type)


def _rdf(triples: list[ox.Triple], rdf_format: RdfFormat, headers: dict[str, str]) -> Response:
    if rdf_format.name == "jsonld":
        body = jsonld.document(triples)
    else:
        body = ox.serialize(triples, format=rdf_format.oxigraph, prefixes=PREFIXES) or b""
    return Response(body, media_type=rdf_format.media_type, headers=headers)
