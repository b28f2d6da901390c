"""RDF export: every format parses back to the same triples, and uses declared terms."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, SKOS

from ontology.formats import FORMATS
from tests.helpers import ROOT, without_dump_record

RDFLIB_FORMAT = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}


def parse(text: str, rdf_format: str) -> Graph:
    return without_dump_record(Graph().parse(data=text, format=RDFLIB_FORMAT[rdf_format]))


@pytest.fixture(scope="module")
def ntriples(client: TestClient) -> Graph:
    return parse(client.get("/export", params={"format": "ntriples"}).text, "ntriples")


@pytest.mark.parametrize("rdf_format", [f.name for f in FORMATS])
def test_every_format_parses_back_to_the_same_graph(
    client: TestClient, ntriples: Graph, rdf_format: str
) -> None:
    response = client.get("/export", params={"format": rdf_format})
    assert response.status_code == 200
    graph = parse(response.text, rdf_format)
    assert len(graph) == len(ntriples) > 1000
    assert isomorphic(graph, ntriples)


def test_ntriples_line_count_is_the_triple_count(client: TestClient, ntriples: Graph) -> None:
    text = client.get("/export?format=nt").text
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == len(Graph().parse(data=text, format="nt"))
    assert len(lines) > len(ntriples)  # the dump's record of itself comes first


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json;q=0.5, application/rdf+xml;q=0.9", "application/rdf+xml"),
        ("text/html;q=1.0, text/turtle;q=0.2", "text/turtle"),
        ("*/*", "text/turtle"),
    ],
)
def test_accept_header_is_negotiated(client: TestClient, accept: str, media_type: str) -> None:
    response = client.get("/export", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert "Accept" in response.headers["vary"].split(", ")


def test_outcomes_are_skos_concepts_in_their_scheme(ntriples: Graph) -> None:
    outcome = URIRef("http://data.test/id/outcome/inclusion")
    scheme = URIRef("http://data.test/id/scheme/digitalisation-outcomes")
    assert (outcome, SKOS.prefLabel, Literal("Inclusion", lang="en")) in ntriples
    assert (outcome, SKOS.inScheme, scheme) in ntriples
    assert (scheme, RDF.type, SKOS.ConceptScheme) in ntriples
    assert len(set(ntriples.subjects(SKOS.inScheme, scheme))) == 12


def test_every_class_and_property_used_is_declared(ntriples: Graph) -> None:
    ontology = Graph().parse(ROOT / "ontology" / "connects.ttl")
    ours = "https://w3id.org/connects-graph/def#"
    used = set(ntriples.objects(None, RDF.type)) | set(ntriples.predicates())
    for term in used:
        if str(term).startswith(ours):
            declared = set(ontology.objects(term, RDF.type))
            assert declared & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}, term
