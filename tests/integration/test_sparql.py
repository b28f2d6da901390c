"""/sparql, the SPARQL 1.1 Protocol: methods, media types, limits and errors (bundled data)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef, Variable
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS, VOID
from rdflib.query import Result

from api.settings import ApiSettings
from graph.model import CONCEPTS
from loaders.report import LoadReport
from ontology.formats import FORMATS
from ontology.mapping import CLASSES
from tests.helpers import (
    OUTCOMES,
    SPARQL_PREFIXES,
    app_client,
    bindings,
    problem,
    without_dump_record,
)

BASE = "http://data.test"
RDFLIB_FORMAT = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}
RESULTS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}


@pytest.fixture(scope="module")
def served_data(everything: LoadReport) -> LoadReport:
    """The module's `client` serves all the bundled data."""
    return everything


@pytest.fixture(scope="module")
def app_settings(settings: ApiSettings) -> ApiSettings:
    """A result cap high enough for the whole graph."""
    return settings.model_copy(update={"sparql_result_cap": 100_000})


def test_get_answers_sparql_json_naming_the_load(
    client: TestClient, everything: LoadReport
) -> None:
    response = client.get("/sparql", params={"query": OUTCOMES})
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert response.headers["connects-load"] == everything.load_id
    rows = bindings(response)
    outcomes = client.get("/nodes", params={"kind": "Outcome", "limit": 100}).json()["items"]
    assert {r["o"] for r in rows} == {f"{BASE}/id/outcome/{o['id']}" for o in outcomes}
    assert len(rows) == len(outcomes) == 12


def test_post_as_form_and_as_query_body_answer_the_same(client: TestClient) -> None:
    expected = bindings(client.get("/sparql", params={"query": OUTCOMES}))
    form = client.post("/sparql", data={"query": OUTCOMES})
    body = client.post(
        "/sparql", content=OUTCOMES.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert bindings(form) == bindings(body) == expected


@pytest.mark.parametrize(("media_type", "rdflib_format"), list(RESULTS.items()))
def test_select_results_in_every_format_parse_to_the_same_rows(
    client: TestClient, media_type: str, rdflib_format: str
) -> None:
    query = SPARQL_PREFIXES + (
        "SELECT ?study ?year WHERE { ?study a cg:CaseStudy OPTIONAL { ?study cg:yearEnd ?year } }"
    )
    expected = {
        (r["study"], r.get("year"))
        for r in bindings(client.get("/sparql", params={"query": query}))
    }
    response = client.get("/sparql", params={"query": query}, headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    parsed = Result.parse(io.BytesIO(response.content), format=rdflib_format)
    study, year = Variable("study"), Variable("year")
    rows = {(str(b[study]), str(b[year]) if year in b else None) for b in parsed.bindings}
    assert rows == expected
    assert any(year is None for _, year in rows)
    assert any(year for _, year in rows)


@pytest.mark.parametrize(
    "media_type", ["application/sparql-results+json", "application/sparql-results+xml"]
)
def test_ask_answers_true_and_false(client: TestClient, media_type: str) -> None:
    rdflib_format = RESULTS[media_type]
    answers = []
    for outcome in ("inclusion", "no-such-outcome"):
        query = f"ASK {{ <{BASE}/id/outcome/{outcome}> ?p ?o }}"
        response = client.get("/sparql", params={"query": query}, headers={"Accept": media_type})
        assert response.headers["content-type"] == media_type
        answers.append(Result.parse(io.BytesIO(response.content), format=rdflib_format).askAnswer)
    assert answers == [True, False]


@pytest.fixture(scope="module")
def export(client: TestClient) -> Graph:
    text = client.get("/export", params={"format": "nt"}).text
    return without_dump_record(Graph().parse(data=text, format="nt"))


@pytest.mark.parametrize("rdf_format", FORMATS, ids=[f.name for f in FORMATS])
def test_construct_everything_is_the_export_plus_the_void_description(
    client: TestClient, export: Graph, rdf_format: Any
) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    response = client.get(
        "/sparql", params={"query": query}, headers={"Accept": rdf_format.media_type}
    )
    assert response.headers["content-type"].split(";")[0] == rdf_format.media_type
    graph = Graph().parse(data=response.text, format=RDFLIB_FORMAT[rdf_format.name])
    dataset = URIRef(f"{BASE}/.well-known/void#dataset")
    assert (dataset, VOID.sparqlEndpoint, URIRef(f"{BASE}/sparql")) in graph
    void = Graph().parse(data=client.get("/.well-known/void").text, format="turtle")
    statistics = _statistics(void)
    assert statistics, "the VoID description counts the published triples"
    assert isomorphic(graph, export + (void - statistics))


def _statistics(void: Graph) -> Graph:
    """The VoID statistics: about the store, so not in it (they would count themselves)."""
    dataset = URIRef(f"{BASE}/.well-known/void#dataset")
    counts = (VOID.triples, VOID.entities, VOID.classes, VOID.properties)
    partitions = (VOID.classPartition, VOID.propertyPartition)
    out = Graph()
    for predicate in counts:
        out += void.triples((dataset, predicate, None))
    for predicate in partitions:
        for _, _, partition in void.triples((dataset, predicate, None)):
            out.add((dataset, predicate, partition))
            out += void.triples((partition, None, None))
    return out


def test_the_statistics_count_the_sparql_store(client: TestClient) -> None:
    """void:triples and each class partition's count are what SPARQL counts."""
    void = Graph().parse(data=client.get("/.well-known/void").text, format="turtle")
    dataset = URIRef(f"{BASE}/.well-known/void#dataset")

    def count(query: str) -> int:
        response = client.get(
            "/sparql",
            params={"query": query},
            headers={"Accept": "application/sparql-results+json"},
        )
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    assert int(str(void.value(dataset, VOID.triples))) == count(
        "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    )
    partitions = list(void.objects(dataset, VOID.classPartition))
    assert len(partitions) == int(str(void.value(dataset, VOID.classes))) > 10
    for partition in partitions:
        cls = void.value(partition, VOID["class"])
        assert int(str(void.value(partition, VOID.entities))) == count(
            f"SELECT (COUNT(DISTINCT ?s) AS ?n) {{ ?s a <{cls}> }}"
        )


def test_every_framework_concept_is_a_skos_concept(client: TestClient, export: Graph) -> None:
    """SPARQL here does no inference: each concept says skos:Concept itself."""
    concepts = {s for kind in CONCEPTS for s in export.subjects(RDF.type, URIRef(CLASSES[kind]))}
    assert len(concepts) > 100
    response = client.get(
        "/sparql",
        params={"query": f"PREFIX skos: <{SKOS}> SELECT (COUNT(?c) AS ?n) {{ ?c a skos:Concept }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == len(concepts)
    # Each scheme has top concepts, and each top concept says so both ways.
    schemes = set(export.subjects(RDF.type, SKOS.ConceptScheme))
    assert schemes
    for scheme in schemes:
        tops = set(export.objects(scheme, SKOS.hasTopConcept))
        assert tops, scheme
        assert tops == set(export.subjects(SKOS.topConceptOf, scheme))
    # A concept with a broader concept is not a top concept.
    assert not set(export.subjects(SKOS.broader, None)) & set(
        export.subjects(SKOS.topConceptOf, None)
    )


def test_describe_gives_a_resource_in_turtle(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": f"DESCRIBE <{BASE}/id/outcome/inclusion>"})
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    inclusion = URIRef(f"{BASE}/id/outcome/inclusion")
    assert Literal("Inclusion", lang="en") in set(graph.objects(inclusion, None))


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": OUTCOMES, "format": "csv"},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.text.splitlines()[0] == "o,name"
    assert len(response.text.splitlines()) == 13


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (
            "application/sparql-results+xml;q=0.5, text/tab-separated-values",
            "text/tab-separated-values",
        ),
        ("application/json", "application/json"),
        ("text/turtle, */*;q=0.1", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_select_is_negotiated_with_q_values(
    client: TestClient, accept: str, media_type: str
) -> None:
    response = client.get("/sparql", params={"query": OUTCOMES}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]


def test_a_format_for_the_other_family_leaves_accept_to_choose(client: TestClient) -> None:
    # format=csv names a results format; a CONSTRUCT still answers in what Accept allows.
    params = {"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "format": "csv"}
    response = client.get("/sparql", params=params, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/n-triples")


@pytest.mark.parametrize(
    ("query", "accept", "fmt"),
    [
        (OUTCOMES, "image/png", None),
        (OUTCOMES, "text/turtle", None),  # a graph format for SELECT results
        ("CONSTRUCT WHERE { ?s ?p ?o }", "text/csv", None),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "text/csv", "csv"),
        (OUTCOMES, "image/png", "png"),  # an unknown name leaves Accept to choose
    ],
)
def test_no_acceptable_format_is_406(
    client: TestClient, query: str, accept: str | None, fmt: str | None
) -> None:
    headers = {"Accept": accept} if accept else {}
    params = {"query": query, **({"format": fmt} if fmt else {})}
    response = client.get("/sparql", params=params, headers=headers)
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"


def test_a_syntax_error_is_400_saying_where(client: TestClient) -> None:
    body = problem(
        client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x }"}), 400, "invalid-query"
    )
    assert "1:" in body["detail"]


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.get("/sparql", params={"query": "INSERT DATA { <a:s> <a:p> <a:o> }"}),
        lambda c: c.get("/sparql", params={"update": "INSERT DATA { <a:s> <a:p> <a:o> }"}),
        lambda c: c.post("/sparql", data={"update": "CLEAR ALL"}),
        lambda c: c.post("/sparql", data={"query": "PREFIX a: <a:> DELETE WHERE { ?s ?p ?o }"}),
        lambda c: c.post(
            "/sparql", content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"}
        ),
    ],
    ids=["insert-as-query", "update-param", "form-update", "delete-as-query", "update-body"],
)
def test_updates_are_refused_and_change_nothing(client: TestClient, send: Any) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = bindings(client.get("/sparql", params={"query": count}))
    body = problem(send(client), 400, "read-only")
    assert "read-only" in body["detail"]
    assert bindings(client.get("/sparql", params={"query": count})) == before


def test_federated_queries_are_refused(client: TestClient) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    problem(client.get("/sparql", params={"query": query}), 400, "service-refused")


@pytest.mark.parametrize(
    ("params", "slug"),
    [
        ({"format": "json"}, "invalid-request"),
        ({"query": "  "}, "invalid-request"),
        ({"query": OUTCOMES, "default-graph-uri": "http://data.test/g"}, "unknown-graph"),
        ({"query": OUTCOMES, "named-graph-uri": "http://data.test/g"}, "unknown-graph"),
    ],
)
def test_protocol_mistakes_are_400(client: TestClient, params: dict[str, str], slug: str) -> None:
    problem(client.get("/sparql", params=params), 400, slug)


def test_two_queries_are_400(client: TestClient) -> None:
    response = client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    problem(response, 400, "invalid-request")


def test_empty_dataset_parameters_are_ignored(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": OUTCOMES, "default-graph-uri": ""})
    assert len(bindings(response)) == 12


def test_a_form_with_too_many_fields_is_400(client: TestClient) -> None:
    body = "&".join(f"f{i}=x" for i in range(200)) + "&query=ASK%7B%7D"
    sent = client.post(
        "/sparql",
        content=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    problem(sent, 400, "invalid-request")


def test_other_bodies_are_415(client: TestClient) -> None:
    response = client.post("/sparql", content=b"{}", headers={"Content-Type": "application/json"})
    problem(response, 415, "unsupported-media-type")


def test_long_queries_are_refused(settings: ApiSettings, everything: LoadReport) -> None:
    long_query = OUTCOMES + "#" + "x" * 2000
    with app_client(settings, sparql_max_query_bytes=1024) as client:
        assert bindings(client.get("/sparql", params={"query": OUTCOMES}))
        problem(client.post("/sparql", data={"query": long_query}), 413, "too-large")
        body = long_query.encode()
        sent = client.post(
            "/sparql", content=body, headers={"Content-Type": "application/sparql-query"}
        )
        problem(sent, 413, "too-large")
        problem(client.get("/sparql", params={"query": long_query * 2}), 414, "too-long")


def test_the_result_cap_is_a_clear_error(settings: ApiSettings, everything: LoadReport) -> None:
    with app_client(settings, sparql_result_cap=5) as client:
        body = problem(client.get("/sparql", params={"query": OUTCOMES}), 422, "result-cap")
        assert "more than 5 results" in body["detail"]
        assert "LIMIT" in body["detail"]
        assert len(bindings(client.get("/sparql", params={"query": OUTCOMES + " LIMIT 5"}))) == 5
        construct = "CONSTRUCT WHERE { ?s ?p ?o }"
        problem(client.get("/sparql", params={"query": construct}), 422, "result-cap")


def test_a_long_streamed_query_stops_at_the_time_limit(
    settings: ApiSettings, everything: LoadReport
) -> None:
    # Solutions come one at a time: evaluation itself stops at the deadline.
    query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
    with app_client(settings, sparql_timeout=0.3, sparql_result_cap=1_000_000) as client:
        body = problem(client.get("/sparql", params={"query": query}), 504, "query-timeout")
        assert "0.3 s" in body["detail"]
        assert len(bindings(client.get("/sparql", params={"query": OUTCOMES}))) == 12


def test_sparql_is_rate_limited_like_every_route(
    settings: ApiSettings, everything: LoadReport
) -> None:
    with app_client(settings, rate_limit_per_minute=1, rate_limit_burst=2) as client:
        assert [
            client.get("/sparql", params={"query": OUTCOMES}).status_code for _ in range(2)
        ] == [200, 200]
        response = client.get("/sparql", params={"query": OUTCOMES})
        problem(response, 429, "rate-limited")
        assert int(response.headers["retry-after"]) > 0


def test_a_browser_gets_a_form_and_other_clients_the_description(client: TestClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = client.get("/sparql", headers={"Accept": browser})
    assert page.headers["content-type"].startswith("text/html")
    assert '<form method="get" action="/sparql">' in page.text
    assert 'name="query"' in page.text
    # SPARQL 1.1 Service Description: GET without a query is the endpoint's description.
    described = client.get("/sparql", headers={"Accept": "*/*"})
    assert described.headers["content-type"].startswith("text/turtle")
    assert "sd:Service" in described.text


def test_the_void_description_names_the_endpoint_and_the_store_its_load(
    client: TestClient, everything: LoadReport
) -> None:
    void = Graph().parse(data=client.get("/.well-known/void").text, format="turtle")
    dataset = URIRef(f"{BASE}/.well-known/void#dataset")
    assert void.value(dataset, VOID.sparqlEndpoint) == URIRef(f"{BASE}/sparql")
    query = (
        "PREFIX prov: <http://www.w3.org/ns/prov#> SELECT ?load "
        f"WHERE {{ <{dataset}> prov:wasGeneratedBy ?load }}"
    )
    response = client.get("/sparql", params={"query": query})
    assert bindings(response) == [{"load": f"{BASE}/id/load/{everything.load_id}"}]


def test_json_results_are_plain_json(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "*/*"})
    assert json.loads(response.content) == {"head": {}, "boolean": True}


def test_browsers_on_allowed_origins_can_read_the_load_header(
    settings: ApiSettings, everything: LoadReport
) -> None:
    with app_client(settings, cors_origins=["https://app.example"]) as client:
        response = client.get(
            "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://app.example"}
        )
    assert response.headers["access-control-allow-origin"] == "https://app.example"
    assert "Connects-Load" in response.headers["access-control-expose-headers"]
