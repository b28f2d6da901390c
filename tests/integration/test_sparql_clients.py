"""SPARQL clients we did not write (roqet, SPARQLWrapper) against /sparql on a real server."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest
from neo4j import Driver
from rdflib import Graph, Literal, URIRef, Variable
from rdflib.namespace import SKOS
from rdflib.query import Result
from SPARQLWrapper import JSON, JSONLD, N3, RDFXML, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from api.settings import ApiSettings
from graph.model import Kind
from ontology.mapping import CLASSES
from tests.helpers import DATA, clear, load, served

BASE = "http://data.test"
INSTITUTES = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?organisation ?institute WHERE {
  ?unit org:unitOf ?org . ?org skos:prefLabel ?organisation . ?unit skos:prefLabel ?institute
} ORDER BY ?institute"""
COUNTS = "SELECT ?class (COUNT(?n) AS ?count) WHERE { ?n a ?class } GROUP BY ?class"


@pytest.fixture(scope="module")
def server(settings: ApiSettings, sync_driver: Driver) -> Iterator[str]:
    """The app served by uvicorn on a free port, as partners reach it."""
    clear(sync_driver, settings)
    load(settings, DATA)
    with served(settings) as port:
        yield f"http://127.0.0.1:{port}"


def roqet(endpoint: str, query: str, results: str) -> str:
    binary = shutil.which("roqet")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("roqet is missing: apt-get install rasqal-utils (.ci/run does)")
        pytest.skip("roqet is not installed (apt-get install rasqal-utils; `make test` does)")
    done = subprocess.run(
        [binary, "-q", "-i", "sparql11-query", "-p", endpoint, "-e", query, "-r", results],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert not done.stderr, done.stderr
    return done.stdout


def institutes_from_the_api(server: str) -> set[tuple[str, str]]:
    pairs = set()
    with httpx.Client(base_url=server) as client:
        listed = client.get("/nodes", params={"kind": "ResearchInstitute", "limit": 100}).json()
        for institute in listed["items"]:
            for link in client.get(f"/nodes/{institute['id']}").json()["links"]:
                if link["type"] == "UNIT_OF" and link["direction"] == "out":
                    pairs.add((link["node"]["name"], institute["name"]))
    return pairs


@pytest.mark.parametrize("results", ["xml", "tsv", "csv"])
def test_roqet_gets_the_graph_apis_answer(server: str, results: str) -> None:
    out = roqet(f"{server}/sparql", INSTITUTES, results)
    if results == "csv":
        lines = out.strip().splitlines()
        assert lines[0] == "organisation,institute"
        got = {tuple(line.split(",", 1)) for line in lines[1:]}
    else:
        parsed = Result.parse(io.StringIO(out), format=results)
        organisation, institute = Variable("organisation"), Variable("institute")
        got = {(str(b[organisation]), str(b[institute])) for b in parsed.bindings}
    assert got == institutes_from_the_api(server)
    assert len(got) == 3


def test_roqet_counts_agree_with_kinds(server: str) -> None:
    parsed = Result.parse(io.StringIO(roqet(f"{server}/sparql", COUNTS, "xml")), format="xml")
    counts = {str(b[Variable("class")]): int(str(b[Variable("count")])) for b in parsed.bindings}
    kinds = httpx.get(f"{server}/kinds").json()
    expected = {str(CLASSES[Kind(k["kind"])]): k["count"] for k in kinds if k["count"]}
    assert len(expected) > 20
    assert {c: n for c, n in counts.items() if c in expected} == expected


def wrapper(server: str, query: str, return_format: str, method: str = "GET") -> Any:
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(query)
    client.setReturnFormat(return_format)
    client.setMethod(method)
    return client.query().convert()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_matches_the_graph_api(server: str, method: str) -> None:
    answer = wrapper(server, INSTITUTES, JSON, method)
    got = {
        (b["organisation"]["value"], b["institute"]["value"]) for b in answer["results"]["bindings"]
    }
    assert got == institutes_from_the_api(server)


def test_sparqlwrapper_ask_and_construct(server: str) -> None:
    assert wrapper(server, f"ASK {{ <{BASE}/id/outcome/inclusion> ?p ?o }}", JSON)["boolean"]
    assert not wrapper(server, f"ASK {{ <{BASE}/id/outcome/nosuch> ?p ?o }}", JSON)["boolean"]
    inclusion = URIRef(f"{BASE}/id/outcome/inclusion")
    query = f"CONSTRUCT {{ <{inclusion}> ?p ?v }} WHERE {{ <{inclusion}> ?p ?v }}"
    graph = wrapper(server, query, TURTLE)
    if isinstance(graph, bytes):  # SPARQLWrapper hands Turtle back unparsed
        graph = Graph().parse(data=graph.decode(), format="turtle")
    assert graph.value(inclusion, SKOS.prefLabel) == Literal("Inclusion", lang="en")
    doc = Graph().parse(data=httpx.get(f"{server}/doc/outcome/inclusion.ttl").text)
    assert set(graph.predicate_objects(inclusion)) == set(doc.predicate_objects(inclusion))


def test_sparqlwrapper_sees_a_bad_query_as_bad(server: str) -> None:
    with pytest.raises(QueryBadFormed):
        wrapper(server, "SELECT ?x WHERE { ?x", JSON)


@pytest.mark.parametrize(
    ("return_format", "rdflib_format"),
    [(TURTLE, "turtle"), (N3, "turtle"), (XML, "xml"), (RDFXML, "xml"), (JSONLD, "json-ld")],
)
def test_sparqlwrapper_gets_construct_in_each_format_it_names(
    server: str, return_format: str, rdflib_format: str
) -> None:
    # It sends its own name (format=n3, format=rdf+xml, ...) besides Accept. The body is
    # parsed here: its convert() makes an rdflib ConjunctiveGraph, deprecated in rdflib 7.
    inclusion = URIRef(f"{BASE}/id/outcome/inclusion")
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(f"CONSTRUCT {{ <{inclusion}> ?p ?v }} WHERE {{ <{inclusion}> ?p ?v }}")
    client.setReturnFormat(return_format)
    answer = client.query()
    graph = Graph().parse(data=answer.response.read(), format=rdflib_format)
    assert graph.value(inclusion, SKOS.prefLabel) == Literal("Inclusion", lang="en")


def test_sparqlwrapper_reads_the_service_description(server: str) -> None:
    described = Graph().parse(
        data=httpx.get(f"{server}/sparql", headers={"Accept": "text/turtle"}).text,
        format="turtle",
    )
    endpoint = URIRef(f"{BASE}/sparql")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert described.value(endpoint, URIRef(sd + "endpoint")) == endpoint
