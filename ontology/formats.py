"""The one table of RDF formats: name, media type, file suffix and serializer."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pyoxigraph as ox


@dataclass(frozen=True)
class RdfFormat:
    name: str
    media_type: str
    suffix: str
    oxigraph: ox.RdfFormat
    chunked: bool
    """True if independently serialised batches concatenate into one valid document."""


class FormatName(StrEnum):
    """Accepted values of ``?format=``: each format's name or file suffix."""

    TURTLE = "turtle"
    TTL = "ttl"
    NTRIPLES = "ntriples"
    NT = "nt"
    JSONLD = "jsonld"
    RDFXML = "rdfxml"
    RDF = "rdf"


FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("turtle", "text/turtle", "ttl", ox.RdfFormat.TURTLE, chunked=True),
    RdfFormat("ntriples", "application/n-triples", "nt", ox.RdfFormat.N_TRIPLES, chunked=True),
    RdfFormat("jsonld", "application/ld+json", "jsonld", ox.RdfFormat.JSON_LD, chunked=False),
    RdfFormat("rdfxml", "application/rdf+xml", "rdf", ox.RdfFormat.RDF_XML, chunked=False),
)

DEFAULT = FORMATS[0]


def by_name(name: str) -> RdfFormat | None:
    """A format by its name or file suffix (``turtle`` or ``ttl``)."""
    key = name.strip().lower()
    return next((f for f in FORMATS if key in (f.name, f.suffix)), None)


def negotiate(accept: str | None) -> RdfFormat | None:
    """The best format for an HTTP Accept header, honouring q-values; None if none fits.

    As RFC 9110 says, the most specific range that matches a format sets its quality, so
    ``text/turtle;q=0, */*`` excludes Turtle. Ties go to the order of FORMATS (Turtle first).
    A missing header picks the default (Turtle).
    """
    if not accept:
        return DEFAULT
    ranges = []
    for part in accept.split(","):
        media_range, _, params = part.strip().partition(";")
        ranges.append((media_range.strip().lower(), _quality(params)))
    best: tuple[float, int, RdfFormat] | None = None
    for position, fmt in enumerate(FORMATS):
        quality = _quality_for(fmt.media_type, ranges)
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, -position, fmt)
    return best[2] if best else None


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
                return 0.0
    return 1.0
