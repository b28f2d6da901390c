"""Content negotiation for /sparql, over the one table of formats (ontology/formats.py).

Both families are negotiated up front (results for SELECT and ASK, RDF for CONSTRUCT and
DESCRIBE): a request neither can satisfy is refused at once, one the query's form cannot
satisfy is refused before evaluation, and the child that evaluates answers in the family the
query turned out to need.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from ontology.formats import (
    FORMATS,
    RESULT_ALIASES,
    RESULT_FORMATS,
    NotAcceptable,
    RdfFormat,
    best_media_type,
    by_media_type,
    by_name,
    results_by_name,
)

RESULT_OFFERED = [*(f.media_type for f in RESULT_FORMATS), *RESULT_ALIASES]
RDF_OFFERED = [f.media_type for f in FORMATS]
CLIENT_RDF_NAMES: Mapping[str, str] = {
    "n3": "turtle",  # Turtle is N3 without its rules; N3 clients read it
    "text/n3": "turtle",
    "text/rdf+n3": "turtle",
    "application/x-turtle": "turtle",
    "application/turtle": "turtle",
    "n-triples": "ntriples",
    "json-ld": "jsonld",
    "application/x-json+ld": "jsonld",
    "json": "jsonld",
    "application/json": "jsonld",
    "rdf+xml": "rdfxml",
    "xml": "rdfxml",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
}
"""What SPARQL clients (SPARQLWrapper, Jena, Virtuoso's) call an RDF format for CONSTRUCT and
DESCRIBE, besides our own names and the media types: ``json`` and ``xml`` name a graph format
there, as they name a results format for SELECT and ASK."""
FORMAT_NAMES = [
    *(f.name for f in RESULT_FORMATS),
    *(n for f in FORMATS for n in (f.name, f.suffix)),
    *CLIENT_RDF_NAMES,
]

_XML_RESULTS = ["application/sparql-results+xml", "application/xml"]
_RDF_XML = "application/rdf+xml"
_TEXT_TYPES = frozenset({"text/csv", "text/tab-separated-values", "text/turtle"})


@dataclass(frozen=True)
class Formats:
    """What to answer in: (media type, results format) for SELECT and ASK, an RDF format for
    graphs; None where the client accepts nothing of that family."""

    results: tuple[str, ox.QueryResultsFormat] | None
    rdf: RdfFormat | None

    def for_form(self, form: str) -> Formats:
        """These formats, if the query's form (SELECT, CONSTRUCT, ...) can be answered in them.

        Raises:
            NotAcceptable: the query's form needs a family the client accepts nothing of.
        """
        if form in ("SELECT", "ASK") and self.results is None:
            raise wrong_family("results")
        if form in ("CONSTRUCT", "DESCRIBE") and self.rdf is None:
            raise wrong_family("rdf")
        return self


def wrong_family(family: str) -> NotAcceptable:
    """The 406 for a query whose answer is in a family (results or rdf) the client refused."""
    return NotAcceptable(RESULT_OFFERED if family == "results" else RDF_OFFERED)


def negotiate(accept: str | None, format_values: list[str]) -> Formats:
    """The formats to answer in. `format` values (names such as json, ttl or n3, or media
    types) override Accept for the family they name; a family no value names (an unknown name
    names none) is negotiated from Accept.

    Raises:
        NotAcceptable: no format of either family fits.
    """
    by_accept = _from_accept(accept)
    # SPARQLWrapper, for one, sends a name and a media type: `format=tsv&format=text/...`.
    keys = [value.strip().lower() for value in format_values]
    results = next((r for r in map(results_by_name, keys) if r is not None), None)
    rdf = next((r for r in map(_rdf_named, keys) if r is not None), None)
    named = (results.media_type, results.oxigraph) if results else None
    chosen = Formats(named or by_accept.results, rdf or by_accept.rdf)
    if chosen.results is None and chosen.rdf is None:
        named_offers = [f"format={name}" for name in FORMAT_NAMES] if keys else []
        raise NotAcceptable(RESULT_OFFERED + RDF_OFFERED + named_offers)
    return chosen


def _rdf_named(key: str) -> RdfFormat | None:
    return by_name(key) or by_media_type(key) or by_name(CLIENT_RDF_NAMES.get(key, ""))


def _from_accept(accept: str | None) -> Formats:
    results_type = best_media_type(accept, RESULT_OFFERED)
    rdf_type = best_media_type(accept, RDF_OFFERED)
    results = None
    if results_type is not None:
        found = results_by_name(results_type)
        results = (results_type, found.oxigraph) if found else None
    if rdf_type is None and best_media_type(accept, _XML_RESULTS) is not None:
        # Clients that only speak XML results get RDF/XML for CONSTRUCT and DESCRIBE, as
        # other SPARQL servers answer them, rather than a 406.
        rdf_type = _RDF_XML
    return Formats(results, by_media_type(rdf_type) if rdf_type else None)


def content_type(media_type: str) -> str:
    """The Content-Type header: text types say they are UTF-8."""
    return f"{media_type}; charset=utf-8" if media_type in _TEXT_TYPES else media_type
