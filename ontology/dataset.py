"""The dataset described with VoID and DCAT: what it is, where its dumps are, which load."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pyoxigraph as ox
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, PROV, RDF, SKOS, VOID, XSD

from graph.repository import LoadInfo
from ontology.formats import FORMATS, RdfFormat
from ontology.mapping import load_iri
from ontology.namespaces import ONTOLOGY_IRI


def _iri(term: str) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def dataset_iri(base: str) -> ox.NamedNode:
    return ox.NamedNode(f"{base}/.well-known/void#dataset")


def sparql_endpoint(base: str) -> ox.NamedNode:
    return ox.NamedNode(f"{base}/sparql")


def void_triples(base: str, latest: LoadInfo | None) -> Iterator[ox.Triple]:
    """VoID and DCAT for the whole dataset, with one DCAT distribution per dump format."""
    ds = dataset_iri(base)
    yield ox.Triple(ds, _iri(RDF.type), _iri(VOID.Dataset))
    yield ox.Triple(ds, _iri(RDF.type), _iri(DCAT.Dataset))
    yield ox.Triple(ds, _iri(DCTERMS.title), ox.Literal("Connects Graph", language="en"))
    yield ox.Triple(
        ds,
        _iri(DCTERMS.description),
        ox.Literal(
            "The Socitm Connects strategy framework, its organisations, and case studies of "
            "UK local public services with the evidence they offer, as linked data.",
            language="en",
        ),
    )
    yield ox.Triple(ds, _iri(FOAF.homepage), ox.NamedNode(f"{base}/docs"))
    yield ox.Triple(ds, _iri(VOID.uriSpace), ox.Literal(f"{base}/id/"))
    yield ox.Triple(ds, _iri(VOID.uriLookupEndpoint), ox.NamedNode(f"{base}/search?q="))
    yield ox.Triple(ds, _iri(VOID.sparqlEndpoint), sparql_endpoint(base))
    for vocabulary in (SKOS, ORG, PROV, DCTERMS, ONTOLOGY_IRI + "#"):
        yield ox.Triple(ds, _iri(VOID.vocabulary), ox.NamedNode(str(vocabulary)))
    for rdf_format in FORMATS:
        url = f"{base}/export?format={rdf_format.name}"
        yield ox.Triple(ds, _iri(VOID.dataDump), ox.NamedNode(url))
        distribution = dump_iri(base, rdf_format)
        yield ox.Triple(ds, _iri(DCAT.distribution), distribution)
        yield ox.Triple(distribution, _iri(RDF.type), _iri(DCAT.Distribution))
        yield ox.Triple(distribution, _iri(DCAT.downloadURL), ox.NamedNode(url))
        yield ox.Triple(
            distribution,
            _iri(DCAT.mediaType),
            ox.NamedNode(f"https://www.iana.org/assignments/media-types/{rdf_format.media_type}"),
        )
    if latest is not None:
        yield ox.Triple(ds, _iri(PROV.wasGeneratedBy), load_iri(base, latest.id))
        if started := latest.properties.get("started_at"):
            modified = ox.Literal(started, datatype=_iri(XSD.dateTime))
            yield ox.Triple(ds, _iri(DCTERMS.modified), modified)


def dump_iri(base: str, rdf_format: RdfFormat) -> ox.NamedNode:
    return ox.NamedNode(f"{base}/.well-known/void#dump-{rdf_format.name}")


def dump_triples(
    base: str, rdf_format: RdfFormat, latest: LoadInfo | None, made: datetime
) -> Iterator[ox.Triple]:
    """The record a dump carries of itself: when it was made and from which load."""
    dump = dump_iri(base, rdf_format)
    yield ox.Triple(dump, _iri(RDF.type), _iri(DCAT.Distribution))
    yield ox.Triple(dump, _iri(DCTERMS.isPartOf), dataset_iri(base))
    created = made.isoformat(timespec="seconds")
    yield ox.Triple(dump, _iri(DCTERMS.created), ox.Literal(created, datatype=_iri(XSD.dateTime)))
    if latest is not None:
        yield ox.Triple(dump, _iri(PROV.wasDerivedFrom), load_iri(base, latest.id))
