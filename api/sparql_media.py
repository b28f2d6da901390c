"""Content negotiation for /sparql: one table of result formats, and the RDF formats' table.

Which family applies (results for SELECT and ASK, RDF for CONSTRUCT and DESCRIBE) is only
known once the query is parsed, so both are negotiated up front: a request neither can satisfy
is refused before any evaluation, and the family the query needs is checked afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from api.errors import NotAcceptable
from ontology.formats import FORMATS, RdfFormat, best_media_type
from ontology.formats import by_name as rdf_by_name


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

    def for_results(self) -> tuple[str, ResultFormat]:
        if self.results is None:
            raise NotAcceptable(RESULT_OFFERED)
        return self.results

    def for_rdf(self) -> RdfFormat:
        if self.rdf is None:
            raise NotAcceptable(RDF_OFFERED)
        return self.rdf


def negotiate(accept: str | None, format_name: str | None) -> Choice:
    """The formats to answer in: `format` (a name such as json or ttl) overrides Accept.

    Raises:
        NotAcceptable: no format of either family fits.
    """
    if format_name:
        key = format_name.strip().lower()
        result = next((f for f in RESULT_FORMATS if f.name == key), None)
        choice = Choice((result.media_type, result) if result else None, rdf_by_name(key))
        if choice.results is None and choice.rdf is None:
            raise NotAcceptable([f"format={name}" for name in FORMAT_NAMES])
        return choice
    results_type = best_media_type(accept, RESULT_OFFERED)
    rdf_type = best_media_type(accept, RDF_OFFERED)
    if results_type is None and rdf_type is None:
        raise NotAcceptable(RESULT_OFFERED + RDF_OFFERED)
    results = None
    if results_type is not None:
        name = _RESULT_ALIASES.get(results_type)
        result = next(f for f in RESULT_FORMATS if f.media_type == results_type or f.name == name)
        results = (results_type, result)
    if rdf_type is None and best_media_type(accept, _XML_RESULTS) is not None:
        # Clients that only speak XML results (roqet sends nothing else) get RDF/XML for
        # CONSTRUCT and DESCRIBE, as other SPARQL servers answer them, rather than a 406.
        rdf_type = _RDF_XML
    rdf = next((f for f in FORMATS if f.media_type == rdf_type), None)
    return Choice(results, rdf)


def content_type(media_type: str) -> str:
    """The Content-Type header: text types say they are UTF-8."""
    return f"{media_type}; charset=utf-8" if media_type in _TEXT_TYPES else media_type
