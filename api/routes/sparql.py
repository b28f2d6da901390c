"""SPARQL 1.1 Protocol (queries only) over the published RDF, in step with the graph's loads."""

from __future__ import annotations

import functools
from typing import Annotated, Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from anyio import to_thread
from fastapi import APIRouter, Header, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import DbDep, SparqlDep
from api.errors import PROBLEM_RESPONSES, UnsupportedMediaType
from api.hardening import read_capped
from api.query_params import ANY_QUERY
from api.sparql_form import form_page
from api.validators import fixed
from ontology.formats import FORMATS, best_media_type
from ontology.jsonld import document
from ontology.mapping import PREFIXES
from ontology.sparql.description import SD, description_triples
from ontology.sparql.errors import ProtocolError, UpdateRefused
from ontology.sparql.evaluate import names_a_dataset, query_form
from ontology.sparql.graphs import Dataset, from_clauses, refuse_unknown
from ontology.sparql.media import RDF_OFFERED, RESULT_OFFERED, content_type, negotiate
from ontology.sparql.snapshot import Snapshot

router = APIRouter(tags=["sparql"])

LOAD_HEADER = "Connects-Load"
FORM, QUERY_BODY, UPDATE_BODY = (
    "application/x-www-form-urlencoded",
    "application/sparql-query",
    "application/sparql-update",
)
_HTML = "text/html"
_MAX_FIELDS = 100

_PARAMETERS = [
    {
        "name": "query",
        "in": "query",
        "schema": {"type": "string"},
        "description": "The SPARQL query. Without it a browser gets a form.",
    },
    {
        "name": "format",
        "in": "query",
        "schema": {"type": "string"},
        "description": "json, xml, csv, tsv (SELECT, ASK) or turtle, n3, ntriples, json-ld, "
        "rdf+xml, json, xml (CONSTRUCT, DESCRIBE), or a media type, overriding Accept; an "
        "unknown name leaves Accept to choose.",
    },
    {
        "name": "default-graph-uri",
        "in": "query",
        "schema": {"type": "string"},
        "description": "A graph (a load's IRI) for the default graph; repeat for their union. "
        "Overrides FROM. Unknown: 400.",
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "schema": {"type": "string"},
        "description": "A named graph (a load's IRI) for GRAPH to range over; repeatable. "
        "Overrides FROM NAMED. Unknown: 400.",
    },
    {
        "name": "update",
        "in": "query",
        "schema": {"type": "string"},
        "description": "Refused: the endpoint is read-only (SPARQL Update is not accepted).",
    },
]
_CONTENT = {t: {"schema": {"type": "string"}} for t in [*RESULT_OFFERED, *RDF_OFFERED, _HTML]}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": _CONTENT, "description": "The results, negotiated."},
    400: {"description": "Not a SPARQL query, an update, SERVICE, or a bad protocol request."},
    406: {"description": "No acceptable format for this query form."},
    413: {"description": "The query (or body) is longer than the server accepts."},
    422: {"description": "More results than the result cap."},
    503: PROBLEM_RESPONSES[503],
    504: {"description": "The query ran longer than the time limit."},
}


@router.get(
    "/sparql",
    response_class=Response,
    responses=_RESPONSES,
    # SPARQL clients add parameters of their own (SPARQLWrapper's output and results); the
    # protocol's own are checked by _answer.
    openapi_extra={"parameters": _PARAMETERS, **ANY_QUERY},
)
async def sparql_get(
    request: Request,
    db: DbDep,
    sparql: SparqlDep,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    """Run a read-only SPARQL query given as `?query=`. Without one, a browser gets a form and
    an RDF client the SPARQL 1.1 Service Description."""
    params = request.query_params.multi_items()
    if not any(name == "query" for name, _ in params):
        if _wants_html(accept):
            snapshot = await sparql.snapshot(db)
            return HTMLResponse(form_page(snapshot.load_id), headers={"Vary": "Accept"})
        described = best_media_type(accept, RDF_OFFERED) if not params else None
        if described is not None:
            return fixed(request, _description(sparql.base, described), described)
    if len(request.url.query) > sparql.limits.max_query_bytes * 3:  # %-encoded: up to 3x
        raise ProtocolError(
            "The query string is too long; POST the query instead.", status=414, slug="too-long"
        )
    return await _answer(db, sparql, params, accept, where={})


@router.post(
    "/sparql",
    response_class=Response,
    responses={**_RESPONSES, 415: {"description": "Neither a form nor a SPARQL query body."}},
    openapi_extra={
        # The protocol allows these in the URL of a POST too (refused with a reason below).
        "parameters": _PARAMETERS,
        **ANY_QUERY,
        "requestBody": {
            "content": {
                FORM: {"schema": {"type": "object", "properties": {"query": {"type": "string"}}}},
                QUERY_BODY: {"schema": {"type": "string"}},
            }
        },
    },
)
async def sparql_post(
    request: Request,
    db: DbDep,
    sparql: SparqlDep,
    accept: Annotated[str | None, Header()] = None,
    content_type_header: Annotated[str, Header(alias="content-type")] = "",
) -> Response:
    """Run a read-only SPARQL query sent as a form (`query=`) or as an application/sparql-query
    body. SPARQL Update is refused."""
    media_type = content_type_header.split(";")[0].strip().lower()
    if media_type == UPDATE_BODY:
        raise UpdateRefused()
    if media_type not in (FORM, QUERY_BODY):
        raise UnsupportedMediaType([FORM, QUERY_BODY])
    # A form %-encodes the query, which may triple its length.
    factor = 3 if media_type == FORM else 1
    body = await read_capped(request, sparql.limits.max_query_bytes * factor)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("The body is not UTF-8.") from None
    params = request.query_params.multi_items()
    if media_type == FORM:
        try:
            fields = parse_qsl(text, keep_blank_values=True, max_num_fields=_MAX_FIELDS)
        except ValueError:
            raise ProtocolError(f"The form has more than {_MAX_FIELDS} fields.") from None
        params += fields
        where = {name: f"body.{name}" for name, _ in fields}
    elif any(name == "query" for name, _ in params):
        raise ProtocolError("Send the query either in the body or as ?query=, not both.")
    else:
        params.append(("query", text))
        where = {"query": "body"}
    return await _answer(db, sparql, params, accept, where)


async def _answer(
    db: DbDep,
    sparql: SparqlDep,
    params: list[tuple[str, str]],
    accept: str | None,
    where: dict[str, str],
) -> Response:
    """Answer a query; `where` says which parameters came in the body (the rest were in the
    URL), so a refusal names where the client wrote what it refuses."""
    values: dict[str, list[str]] = {}
    for name, value in params:
        values.setdefault(name, []).append(value)
    if "update" in values:
        raise UpdateRefused()
    queries = values.get("query", [])
    if len(queries) != 1 or not queries[0].strip():
        raise ProtocolError("Send exactly one SPARQL query, as the 'query' parameter or body.")
    if len(queries[0].encode("utf-8")) > sparql.limits.max_query_bytes:
        raise ProtocolError(
            f"The query is longer than {sparql.limits.max_query_bytes} bytes.",
            status=413,
            slug="too-large",
        )
    formats = negotiate(accept, values.get("format", [])).for_form(query_form(queries[0]))
    snapshot = await sparql.snapshot(db)
    dataset = await _dataset(snapshot, values, queries[0], where)
    answer = await sparql.run(snapshot, queries[0], formats, dataset)
    headers = {LOAD_HEADER: snapshot.load_id or "none", "Vary": "Accept"}
    return Response(answer.body, media_type=content_type(answer.media_type), headers=headers)


async def _dataset(
    snapshot: Snapshot, values: dict[str, list[str]], text: str, where: dict[str, str]
) -> Dataset:
    """The protocol's dataset, if sent; each graph it or the query's FROM clauses name must be
    one the snapshot holds (UnknownGraph, located, if not)."""
    sent = {name: [v for v in values.get(name, []) if v] for name in _DATASET_PARAMETERS}
    dataset = Dataset(tuple(sent["default-graph-uri"]), tuple(sent["named-graph-uri"]))
    graphs = [(where.get(name, f"query.{name}"), iri) for name in sent for iri in sent[name]]
    if not dataset.sent and names_a_dataset(text):
        location = where.get("query", "query.query")
        iris = await to_thread.run_sync(from_clauses, text, location)
        graphs = [(location, iri) for iri in iris]
    refuse_unknown(snapshot.store, graphs)
    return dataset


_DATASET_PARAMETERS = ("default-graph-uri", "named-graph-uri")


@functools.cache
def _description(base: str, media_type: str) -> bytes:
    triples = list(description_triples(base))
    rdf_format = next(f for f in FORMATS if f.media_type == media_type)
    if rdf_format.name == "jsonld":
        return document(triples)
    prefixes = {**PREFIXES, "sd": SD}
    return ox.serialize(triples, format=rdf_format.oxigraph, prefixes=prefixes) or b""


def _wants_html(accept: str | None) -> bool:
    # Ties go to JSON, so `*/*` (curl, most clients) gets a problem, not a page.
    return best_media_type(accept, [RESULT_OFFERED[0], _HTML]) == _HTML
