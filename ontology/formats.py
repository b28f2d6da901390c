"""The one table of RDF formats: name, media type, file suffix and serializer."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class RdfFormat:
    name: str
    media_type: str
    suffix: str
    oxigraph: ox.RdfFormat
    chunked: bool
    """True if independently serialised batches concatenate into one valid document."""


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

    A missing header, ``*/*`` or ``text/*`` picks the default (Turtle).
    """
    if not accept:
        return DEFAULT
    ranked: list[tuple[float, int, RdfFormat]] = []
    for position, part in enumerate(accept.split(",")):
        media_type, _, params = part.strip().partition(";")
        media_type = media_type.strip().lower()
        quality = _quality(params)
        if quality <= 0:
            continue
        for fmt in FORMATS:
            if media_type in (fmt.media_type, "*/*") or (
                media_type.endswith("/*") and fmt.media_type.startswith(media_type[:-1])
            ):
                ranked.append((quality, -position, fmt))
                break
    if not ranked:
        return None
    return max(ranked, key=lambda entry: (entry[0], entry[1]))[2]


def _quality(params: str) -> float:
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value)))
            except ValueError:
                return 0.0
    return 1.0
