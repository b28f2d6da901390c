"""Content negotiation for /sparql: one table of result formats, and the RDF formats' table.

Both families are negotiated up front (results for SELECT and ASK, RDF for CONSTRUCT and
DESCRIBE): a request neither can satisfy is refused at once, one the query's form cannot
satisfy is refused before evaluation, and the child that evaluates answers in the family the
query turned out to need.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from api.errors import NotAcceptable
from ontology.formats import FORMATS, RdfFormat, best_media_type
from ontology.formats import by_name as rdf_by_name
from ontology.sparql_child import Formats


@dataclass(frozen=True)
class ResultFormat:
    name: str
    media_type: str
    oxigraph: ox.QueryResultsFormat


RESULT_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat("json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ResultFormat("xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ResultFormat("csv", "text/csv", ox.QueryResultsFormat.CSV),
    ResultFormat("tsv", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
)
_RESULT_ALIASES = {"application/json": "json", "application/xml": "xml"}
"""Types clients often ask for, answered as the SPARQL format they stand for, and labelled so."""

RESULT_OFFERED = [*(f.media_type for f in RESULT_FORMATS), *_RESULT_ALIASES]
RDF_OFFERED = [f.media_type for f in FORMATS]
FORMAT_NAMES = [
    *(f.name for f in RESULT_FORMATS),
    *(n for f in FORMATS for n in (f.name, f.suffix)),
]

_XML_RESULTS = ["application/sparql-results+xml", "application/xml"]
_RDF_XML = "application/rdf+xml"
_TEXT_TYPES = frozenset({"text/csv", "text/tab-separated-values", "text/turtle"})


@dataclass(frozen=True)
class Choice:
    """What to answer with: (media type, format) for results, an RDF format for graphs."""

    results: tuple[str, ResultFormat] | None
    rdf: RdfFormat | None

    def for_form(self, form: str) -> Formats:
        """What the child may answer in; a 406 now if the query's form rules out both.

        Raises:
            NotAcceptable: the query's form needs a family the client accepts nothing of.
        """
        if form in ("SELECT", "ASK") and self.results is None:
            raise NotAcceptable(RESULT_OFFERED)
        if form in ("CONSTRUCT", "DESCRIBE") and self.rdf is None:
            raise NotAcceptable(RDF_OFFERED)
        results = (self.results[0], self.results[1].oxigraph) if self.results else None
        return Formats(results, self.rdf)


def negotiate(accept: str | None, format_values: list[str]) -> Choice:
    """The formats to answer in. `format` values (names such as json or ttl, or media types)
    override Accept for the family they name; the other family is still negotiated.

    Raises:
        NotAcceptable: no format of either family fits.
    """
    by_accept = _from_accept(accept)
    if not format_values:
        if by_accept.results is None and by_accept.rdf is None:
            raise NotAcceptable(RESULT_OFFERED + RDF_OFFERED)
        return by_accept
    # SPARQLWrapper, for one, sends a name and a media type: `format=tsv&format=text/...`.
    keys = [value.strip().lower() for value in format_values]
    results = next((r for r in map(_result_named, keys) if r is not None), None)
    rdf = next((r for r in map(_rdf_named, keys) if r is not None), None)
    if results is None and rdf is None:
        raise NotAcceptable([f"format={name}" for name in FORMAT_NAMES])
    return Choice(results or by_accept.results, rdf or by_accept.rdf)


def _result_named(key: str) -> tuple[str, ResultFormat] | None:
    key = _RESULT_ALIASES.get(key, key)
    found = next((f for f in RESULT_FORMATS if key in (f.name, f.media_type)), None)
    return (found.media_type, found) if found else None


def _rdf_named(key: str) -> RdfFormat | None:
    return rdf_by_name(key) or next((f for f in FORMATS if f.media_type == key), None)


def _from_accept(accept: str | None) -> Choice:
    results_type = best_media_type(accept, RESULT_OFFERED)
    rdf_type = best_media_type(accept, RDF_OFFERED)
    results = None
    if results_type is not None:
        name = _RESULT_ALIASES.get(results_type)
        result = next(f for f in RESULT_FORMATS if f.media_type == results_type or f.name == name)
        results = (results_type, result)
    if rdf_type is None and best_media_type(accept, _XML_RESULTS) is not None:
        # Clients that only speak XML results get RDF/XML for CONSTRUCT and DESCRIBE, as
        # other SPARQL servers answer them, rather than a 406.
        rdf_type = _RDF_XML
    rdf = next((f for f in FORMATS if f.media_type == rdf_type), None)
    return Choice(results, rdf)


def content_type(media_type: str) -> str:
    """The Content-Type header: text types say they are UTF-8."""
    return f"{media_type}; charset=utf-8" if media_type in _TEXT_TYPES else media_type
