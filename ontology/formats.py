"""The one table of formats: name, media type, file suffix and pyoxigraph's writer, for RDF
graphs (dumps, documents, CONSTRUCT and DESCRIBE) and for SPARQL results (SELECT and ASK).

Content negotiation over it lives here too; a request that fits nothing is `NotAcceptable`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Generic, TypeVar

import pyoxigraph as ox

Writer = TypeVar("Writer", ox.RdfFormat, ox.QueryResultsFormat)


@dataclass(frozen=True)
class Format(Generic[Writer]):
    """One row of the table."""

    name: str
    media_type: str
    suffix: str
    oxigraph: Writer


class RdfFormat(Format[ox.RdfFormat]):
    """A format for graphs."""


class ResultsFormat(Format[ox.QueryResultsFormat]):
    """A format for SPARQL SELECT and ASK results."""


FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("turtle", "text/turtle", "ttl", ox.RdfFormat.TURTLE),
    RdfFormat("ntriples", "application/n-triples", "nt", ox.RdfFormat.N_TRIPLES),
    RdfFormat("jsonld", "application/ld+json", "jsonld", ox.RdfFormat.JSON_LD),
    RdfFormat("rdfxml", "application/rdf+xml", "rdf", ox.RdfFormat.RDF_XML),
)
"""The RDF formats, the default first."""

DATASET_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("nquads", "application/n-quads", "nq", ox.RdfFormat.N_QUADS),
    RdfFormat("trig", "application/trig", "trig", ox.RdfFormat.TRIG),
)
"""Formats for datasets (named graphs): the dumps with a graph per load, not documents."""

DUMP_FORMATS: tuple[RdfFormat, ...] = FORMATS + DATASET_FORMATS
"""What the whole graph is dumped (and released) as, Turtle first."""

RESULT_FORMATS: tuple[ResultsFormat, ...] = (
    ResultsFormat("json", "application/sparql-results+json", "srj", ox.QueryResultsFormat.JSON),
    ResultsFormat("xml", "application/sparql-results+xml", "srx", ox.QueryResultsFormat.XML),
    ResultsFormat("csv", "text/csv", "csv", ox.QueryResultsFormat.CSV),
    ResultsFormat("tsv", "text/tab-separated-values", "tsv", ox.QueryResultsFormat.TSV),
)
"""The SPARQL results formats, the default first."""

RESULT_ALIASES: Mapping[str, ResultsFormat] = {
    "application/json": RESULT_FORMATS[0],
    "application/xml": RESULT_FORMATS[1],
}
"""Types clients often ask for, answered as the results format they stand for (and labelled so)."""


class FormatName(StrEnum):
    """Accepted values of the dumps' ``?format=``: each dump format's name or file suffix."""

    TURTLE = "turtle"
    TTL = "ttl"
    NTRIPLES = "ntriples"
    NT = "nt"
    JSONLD = "jsonld"
    RDFXML = "rdfxml"
    RDF = "rdf"
    NQUADS = "nquads"
    NQ = "nq"
    TRIG = "trig"


DEFAULT = FORMATS[0]


class NotAcceptable(Exception):
    """The client accepts none of the media types we can produce (406)."""

    status: ClassVar[int] = 406
    slug: ClassVar[str] = "not-acceptable"

    def __init__(self, offered: list[str]) -> None:
        super().__init__(
            f"None of the media types in Accept can be produced. Available: {', '.join(offered)}."
        )
        self.offered = offered


def by_suffix(suffix: str) -> RdfFormat | None:
    return next((f for f in FORMATS if f.suffix == suffix), None)


def by_name(name: str) -> RdfFormat | None:
    """An RDF format by its name or file suffix (``turtle`` or ``ttl``)."""
    key = name.strip().lower()
    return next((f for f in FORMATS if key in (f.name, f.suffix)), None)


def dump_by_name(name: str) -> RdfFormat | None:
    """A dump format (graph or dataset) by its name or file suffix (``nquads`` or ``nq``)."""
    key = name.strip().lower()
    return next((f for f in DUMP_FORMATS if key in (f.name, f.suffix)), None)


def negotiate_dump(accept: str | None) -> RdfFormat | None:
    """The best dump format for an Accept header (Turtle if none is given); None if none fits."""
    chosen = best_media_type(accept, [f.media_type for f in DUMP_FORMATS])
    return next((f for f in DUMP_FORMATS if f.media_type == chosen), None)


def by_media_type(media_type: str) -> RdfFormat | None:
    return next((f for f in FORMATS if f.media_type == media_type), None)


def results_by_name(key: str) -> ResultsFormat | None:
    """A results format by its name or media type (an alias such as application/json too)."""
    alias = RESULT_ALIASES.get(key)
    return alias or next((f for f in RESULT_FORMATS if key in (f.name, f.media_type)), None)


def negotiate(accept: str | None) -> RdfFormat | None:
    """The best RDF format for an Accept header (Turtle if none is given); None if none fits."""
    chosen = best_media_type(accept, [f.media_type for f in FORMATS])
    return by_media_type(chosen) if chosen else None


def best_media_type(accept: str | None, offered: list[str]) -> str | None:
    """Of `offered` (in order of preference), the best for an Accept header; None if none fits.

    As RFC 9110 says, the most specific range that matches a type sets its quality, so
    ``text/turtle;q=0, */*`` excludes Turtle. Ties go to the earlier offer. No header: the first.
    """
    if not accept:
        return offered[0]
    ranges = []
    for part in accept.split(","):
        media_range, _, params = part.strip().partition(";")
        ranges.append((media_range.strip().lower(), _quality(params)))
    best: tuple[float, str] | None = None
    for media_type in offered:
        quality = _quality_for(media_type, ranges)
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, media_type)
    return best[1] if best else None


def _quality_for(media_type: str, ranges: list[tuple[str, float]]) -> float:
    major = media_type.split("/")[0]
    specificity = {media_type: 3, f"{major}/*": 2, "*/*": 1}
    matches = [(specificity[r], q) for r, q in ranges if r in specificity]
    return max(matches)[1] if matches else 0.0


def _quality(params: str) -> float:
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value)))
            except ValueError:
                return 1.0  # a malformed q is ignored, as if it were absent
    return 1.0
