"""The SPARQL endpoint as the protocol and its clients see it: the service description, a
dataset named in the request (refused, never answered empty), and the format names clients
send."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

from ontology.formats import FORMATS, RESULT_FORMATS, RdfFormat
from ontology.sparql.description import FORMAT_IRIS
from tests.helpers import problem

BASE = "http://data.test"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ENDPOINT = URIRef(f"{BASE}/sparql")
LABELS = "SELECT ?o WHERE { ?o <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } LIMIT 3"
INCLUSION = f"CONSTRUCT WHERE {{ <{BASE}/id/outcome/inclusion> ?p ?o }}"
RDFLIB = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}


def description(client: TestClient, accept: str, rdflib_format: str) -> Graph:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    return Graph().parse(data=response.content, format=rdflib_format)


@pytest.mark.parametrize("rdf_format", FORMATS, ids=[f.name for f in FORMATS])
def test_the_service_description_in_each_format(client: TestClient, rdf_format: RdfFormat) -> None:
    graph = description(client, rdf_format.media_type, RDFLIB[rdf_format.name])
    assert (ENDPOINT, RDF.type, SD.Service) in graph
    assert (ENDPOINT, SD.endpoint, ENDPOINT) in graph
    assert (ENDPOINT, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (ENDPOINT, SD.supportedLanguage, SD.SPARQL11Update) not in graph


def test_the_description_names_every_format_and_the_dataset(client: TestClient) -> None:
    graph = description(client, "text/turtle", "turtle")
    served = [f.media_type for f in RESULT_FORMATS] + [f.media_type for f in FORMATS]
    expected = {URIRef(FORMAT_IRIS[media_type]) for media_type in served}
    assert set(graph.objects(ENDPOINT, SD.resultFormat)) == expected
    assert len(expected) == len(served)
    dataset = graph.value(ENDPOINT, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in graph
    default_graph = URIRef(f"{BASE}/.well-known/void#dataset")
    assert graph.value(dataset, SD.defaultGraph) == default_graph
    assert (default_graph, RDF.type, SD.Graph) in graph
    void = graph.value(dataset, RDFS.seeAlso)
    assert str(void) == f"{BASE}/.well-known/void"
    # ... and the VoID it links to is the dataset the default graph is.
    described = Graph().parse(data=client.get("/.well-known/void").text, format="turtle")
    assert (default_graph, URIRef("http://rdfs.org/ns/void#sparqlEndpoint"), ENDPOINT) in described


def test_a_query_is_still_a_query(client: TestClient) -> None:
    asked = client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/turtle, */*;q=0.1"}
    )
    assert asked.json() == {"head": {}, "boolean": True}
    constructed = client.get(
        "/sparql", params={"query": INCLUSION}, headers={"Accept": "text/turtle"}
    )
    graph = Graph().parse(data=constructed.text, format="turtle")
    assert (URIRef(f"{BASE}/id/outcome/inclusion"), None, None) in graph
    assert (ENDPOINT, RDF.type, SD.Service) not in graph


def test_without_a_query_other_parameters_are_still_a_mistake(client: TestClient) -> None:
    problem(client.get("/sparql", params={"format": "json"}), 400, "invalid-request")
    problem(
        client.get("/sparql", headers={"Accept": "application/sparql-results+json"}),
        400,
        "invalid-request",
    )


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM <http://data.test/graph> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <http://data.test/graph> WHERE { GRAPH ?g { ?s ?p ?o } }",
        "select * from<http://data.test/graph>{?s ?p ?o}",
        "CONSTRUCT { ?s ?p ?o } FROM <http://data.test/graph> WHERE { ?s ?p ?o }",
        "ASK FROM <http://data.test/graph> { ?s ?p ?o }",
        "SELECT * \\u0046ROM <http://data.test/graph> WHERE { ?s ?p ?o }",
    ],
)
def test_from_an_unknown_graph_is_refused_where_it_was_written(
    client: TestClient, query: str
) -> None:
    body = problem(client.get("/sparql", params={"query": query}), 400, "unknown-graph")
    [error] = body["errors"]
    assert error["location"] == "query.query"
    assert error["message"].startswith("No graph is named <http://data.test/graph>.")
    posted = client.post(
        "/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
    )
    assert problem(posted, 400, "unknown-graph")["errors"][0]["location"] == "body"
    form = client.post("/sparql", data={"query": query})
    assert problem(form, 400, "unknown-graph")["errors"][0]["location"] == "body.query"


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?s WHERE { ?s ?p "FROM" } LIMIT 1',
        "SELECT ?from WHERE { ?from ?p ?o } LIMIT 1 # FROM <x:g>",
        f"PREFIX from: <{BASE}/id/> SELECT * WHERE {{ from:x ?p ?o }}",
        f"SELECT * WHERE {{ ?s ?p <{BASE}/FROM> }}",
    ],
)
def test_from_elsewhere_is_no_dataset(client: TestClient, query: str) -> None:
    assert client.get("/sparql", params={"query": query}).status_code == 200


@pytest.mark.parametrize("name", ["default-graph-uri", "named-graph-uri"])
def test_unknown_graphs_in_parameters_are_refused_where_they_were_sent(
    client: TestClient, name: str
) -> None:
    in_url = client.get("/sparql", params={"query": LABELS, name: f"{BASE}/graph"})
    [error] = problem(in_url, 400, "unknown-graph")["errors"]
    assert error == {
        "location": f"query.{name}",
        "message": f"No graph is named <{BASE}/graph>. The named graphs are the loads' IRIs "
        "(GET /loads, or SELECT DISTINCT ?g { GRAPH ?g { } }); name no graph to read them all.",
    }
    in_form = client.post("/sparql", data={"query": LABELS, name: f"{BASE}/graph"})
    assert problem(in_form, 400, "unknown-graph")["errors"][0]["location"] == f"body.{name}"


@pytest.mark.parametrize(
    ("names", "media_type"),
    [
        (["json"], "application/sparql-results+json"),
        (["xml"], "application/sparql-results+xml"),
        (["csv"], "text/csv"),
        (["tsv", "text/tab-separated-values"], "text/tab-separated-values"),
        (["application/sparql-results+json"], "application/sparql-results+json"),
        (["application/json"], "application/sparql-results+json"),
        (["json-ld"], "application/sparql-results+json"),  # a graph format: results default
    ],
)
def test_select_takes_the_names_clients_send(
    client: TestClient, names: list[str], media_type: str
) -> None:
    params: list[tuple[str, str | int | float | bool | None]] = [("query", LABELS)]
    params += [("format", n) for n in names]
    response = client.get("/sparql", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize(
    ("names", "media_type", "rdflib_format"),
    [
        (["turtle"], "text/turtle", "turtle"),
        (["n3"], "text/turtle", "turtle"),
        (["rdf+xml", "application/rdf+xml"], "application/rdf+xml", "xml"),
        (["xml"], "application/rdf+xml", "xml"),
        (["rdf"], "application/rdf+xml", "xml"),
        (["json-ld", "application/ld+json"], "application/ld+json", "json-ld"),
        (["json"], "application/ld+json", "json-ld"),
        (["nt"], "application/n-triples", "nt"),
        (["text/n3"], "text/turtle", "turtle"),
    ],
)
def test_construct_takes_the_names_clients_send(
    client: TestClient, names: list[str], media_type: str, rdflib_format: str
) -> None:
    params: list[tuple[str, str | int | float | bool | None]] = [("query", INCLUSION)]
    params += [("format", n) for n in names]
    response = client.get("/sparql", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    graph = Graph().parse(data=response.content, format=rdflib_format)
    assert len(graph) > 5


def test_an_unknown_name_leaves_accept_to_choose(client: TestClient) -> None:
    chosen = client.get(
        "/sparql", params={"query": LABELS, "format": "bogus"}, headers={"Accept": "text/csv"}
    )
    assert chosen.headers["content-type"] == "text/csv; charset=utf-8"
    default = client.get("/sparql", params={"query": LABELS, "format": "bogus"})
    assert default.headers["content-type"] == "application/sparql-results+json"
    nothing = client.get(
        "/sparql", params={"query": LABELS, "format": "bogus"}, headers={"Accept": "image/png"}
    )
    assert nothing.status_code == 406
    assert "format=n3" in nothing.json()["detail"]
