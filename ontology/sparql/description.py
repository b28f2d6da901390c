"""The endpoint's SPARQL 1.1 Service Description: what ``GET /sparql`` without a query answers
a client that asks for RDF (https://www.w3.org/TR/sparql11-service-description/).

It says what the endpoint is and does: SPARQL 1.1 Query only (Update is refused), every result
format the endpoint writes, simple entailment (no inference), no federation (SERVICE is
refused), and its dataset: a named graph per load, and a default graph that is the union of
all graphs (sd:UnionDefaultGraph) unless FROM or the protocol names others.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pyoxigraph as ox
from rdflib.namespace import RDF, RDFS

from ontology.dataset import dataset_iri, sparql_endpoint
from ontology.formats import FORMATS, RESULT_FORMATS

SD = "http://www.w3.org/ns/sparql-service-description#"
W3C_FORMATS = "http://www.w3.org/ns/formats/"
SIMPLE_ENTAILMENT = "http://www.w3.org/ns/entailment/Simple"

FORMAT_IRIS: Mapping[str, str] = {
    media_type: W3C_FORMATS + name
    for media_type, name in (
        ("application/sparql-results+json", "SPARQL_Results_JSON"),
        ("application/sparql-results+xml", "SPARQL_Results_XML"),
        ("text/csv", "SPARQL_Results_CSV"),
        ("text/tab-separated-values", "SPARQL_Results_TSV"),
        ("text/turtle", "Turtle"),
        ("application/n-triples", "N-Triples"),
        ("application/ld+json", "JSON-LD"),
        ("application/rdf+xml", "RDF_XML"),
        ("application/n-quads", "N-Quads"),
        ("application/trig", "TriG"),
    )
}
"""The W3C's IRI for each format (https://www.w3.org/ns/formats/), by media type; a test checks
every format the endpoint writes has one."""


def _sd(term: str) -> ox.NamedNode:
    return ox.NamedNode(SD + term)


def description_triples(base: str) -> Iterator[ox.Triple]:
    """The service description of the endpoint at ``{base}/sparql``."""
    service = sparql_endpoint(base)
    dataset = ox.NamedNode(f"{base}/sparql#dataset")
    graph = dataset_iri(base)
    a = ox.NamedNode(str(RDF.type))
    yield ox.Triple(service, a, _sd("Service"))
    yield ox.Triple(service, _sd("endpoint"), service)
    yield ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query"))
    yield ox.Triple(service, _sd("defaultEntailmentRegime"), ox.NamedNode(SIMPLE_ENTAILMENT))
    for media_type in [*(f.media_type for f in RESULT_FORMATS), *(f.media_type for f in FORMATS)]:
        yield ox.Triple(service, _sd("resultFormat"), ox.NamedNode(FORMAT_IRIS[media_type]))
    yield ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph"))
    yield ox.Triple(service, _sd("defaultDataset"), dataset)
    yield ox.Triple(dataset, a, _sd("Dataset"))
    # The default graph (all graphs' union) holds the VoID dataset; its description is the VoID.
    yield ox.Triple(dataset, _sd("defaultGraph"), graph)
    yield ox.Triple(graph, a, _sd("Graph"))
    yield ox.Triple(
        dataset, ox.NamedNode(str(RDFS.seeAlso)), ox.NamedNode(f"{base}/.well-known/void")
    )
