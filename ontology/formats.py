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
    RdfFormat("turtle", "text/turtle", "ttl", ox.RdfFormat.TURTLE),
    RdfFormat("ntriples", "application/n-triples", "nt", ox.RdfFormat.N_TRIPLES),
    RdfFormat("jsonld", "application/ld+json", "jsonld", ox.RdfFormat.JSON_LD),
    RdfFormat("rdfxml", "application/rdf+xml", "rdf", ox.RdfFormat.RDF_XML),
)

DEFAULT = FORMATS[0]


def by_suffix(suffix: str) -> RdfFormat | None:
    return next((f for f in FORMATS if f.suffix == suffix), None)


def by_name(name: str) -> RdfFormat | None:
    """A format by its name or file suffix (``turtle`` or ``ttl``)."""
    key = name.strip().lower()
    return next((f for f in FORMATS if key in (f.name, f.suffix)), None)


def negotiate(accept: str | None) -> RdfFormat | None:
    """The best RDF format for an Accept header (Turtle if none is given); None if none fits."""
    chosen = best_media_type(accept, [f.media_type for f in FORMATS])
    return next((f for f in FORMATS if f.media_type == chosen), None)


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
