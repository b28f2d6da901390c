"""The namespace's documents: the ontology (``/def``) and the SHACL shapes, in every RDF format
of the one table, and the terms the ontology's HTML page lists.

The Turtle served is the file itself, comments and all; the other formats are written from it
once per process (the files change only with the service).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from ontology.formats import RdfFormat
from ontology.mapping import PREFIXES
from ontology.namespaces import ONTOLOGY_IRI

HERE = Path(__file__).resolve().parent


class Vocabulary(StrEnum):
    """The two documents, named by their file in ontology/."""

    ONTOLOGY = "connects.ttl"
    SHAPES = "shapes.ttl"


_PREFIXES = {**PREFIXES, "owl": str(OWL), "rdfs": str(RDFS), "sh": str(SH)}


@functools.cache
def serialized(vocabulary: Vocabulary, rdf_format: RdfFormat) -> bytes:
    """`vocabulary` in `rdf_format`."""
    path = HERE / vocabulary.value
    if rdf_format.oxigraph == ox.RdfFormat.TURTLE:
        return path.read_bytes()
    triples = [quad.triple for quad in ox.parse(path=path, format=ox.RdfFormat.TURTLE)]
    return ox.serialize(triples, format=rdf_format.oxigraph, prefixes=_PREFIXES) or b""


@dataclass(frozen=True)
class Term:
    """One class or property, as its HTML page lists it."""

    iri: str
    name: str
    """The local name, which is also the fragment id on the page."""
    label: str
    definition: str
    related: list[tuple[str, str]]
    """(what, the IRI of another term): its superclasses, domain and range."""


@dataclass(frozen=True)
class Ontology:
    """What the HTML page of the ontology shows."""

    iri: str
    title: str
    description: str
    version: str
    sections: list[tuple[str, list[Term]]]


@functools.cache
def ontology() -> Ontology:
    """The ontology's terms, by kind and name."""
    graph = Graph().parse(HERE / Vocabulary.ONTOLOGY.value, format="turtle")
    iri = URIRef(ONTOLOGY_IRI)
    kinds = (
        ("Classes", OWL.Class),
        ("Object properties", OWL.ObjectProperty),
        ("Datatype properties", OWL.DatatypeProperty),
    )
    return Ontology(
        iri=ONTOLOGY_IRI,
        title=str(graph.value(iri, URIRef("http://purl.org/dc/terms/title")) or ""),
        description=str(graph.value(iri, URIRef("http://purl.org/dc/terms/description")) or ""),
        version=str(graph.value(iri, OWL.versionInfo) or ""),
        sections=[(title, _terms(graph, kind)) for title, kind in kinds],
    )


def _terms(graph: Graph, kind: URIRef) -> list[Term]:
    related = (("subclass of", RDFS.subClassOf), ("domain", RDFS.domain), ("range", RDFS.range))
    terms = []
    for subject in graph.subjects(RDF.type, kind):
        if not isinstance(subject, URIRef):
            continue
        definition = graph.value(subject, SKOS.definition) or graph.value(subject, RDFS.comment)
        terms.append(
            Term(
                iri=str(subject),
                name=str(subject).rsplit("#", 1)[-1],
                label=str(graph.value(subject, RDFS.label) or ""),
                definition=str(definition or ""),
                related=sorted(
                    (what, str(other))
                    for what, predicate in related
                    for other in graph.objects(subject, predicate)
                    if isinstance(other, URIRef)
                ),
            )
        )
    return sorted(terms, key=lambda t: t.name)
