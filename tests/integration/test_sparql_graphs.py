"""SPARQL over the per-load named graphs: GRAPH, FROM, FROM NAMED and the protocol's dataset."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from api.settings import ApiSettings
from loaders.report import LoadReport
from tests.helpers import (
    BUNDLED_CASE_STUDIES,
    CONTRIBUTION,
    DATA,
    SPARQL_PREFIXES,
    bindings,
    clear,
    load,
    problem,
)

BASE = "http://data.test"
STUDIES = SPARQL_PREFIXES + "SELECT ?s {0} WHERE {{ ?s a cg:CaseStudy }}"
PER_GRAPH = SPARQL_PREFIXES + "SELECT ?g ?s {0} WHERE {{ GRAPH ?g {{ ?s a cg:CaseStudy }} }}"
PARTNER = f"{BASE}/id/case-study/partner-study"


@pytest.fixture(scope="module")
def served_data(
    settings: ApiSettings, sync_driver: Driver, tmp_path_factory: pytest.TempPathFactory
) -> tuple[LoadReport, LoadReport]:
    """The bundled data, then a partner's contribution: two loads, two named graphs."""
    clear(sync_driver, settings)
    first = load(settings, DATA)
    partner = Path(tmp_path_factory.mktemp("partner")) / "partner.ttl"
    partner.write_text(CONTRIBUTION, encoding="utf-8")
    return first, load(settings, partner, contributor="lga")


def _graph(report: LoadReport) -> str:
    return f"{BASE}/id/load/{report.load_id}"


def _ask(client: TestClient, query: str, **params: str) -> list[dict[str, str]]:
    return bindings(client.get("/sparql", params={"query": query, **params}))


def test_graph_ranges_over_the_loads(
    client: TestClient, served_data: tuple[LoadReport, LoadReport]
) -> None:
    rows = _ask(client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
    assert {r["g"] for r in rows} == {_graph(r) for r in served_data}
    query = SPARQL_PREFIXES + "SELECT ?g WHERE { GRAPH ?g { <" + PARTNER + "> a cg:CaseStudy } }"
    assert _ask(client, query) == [{"g": _graph(served_data[1])}]


def test_a_query_that_names_no_graph_reads_them_all(client: TestClient) -> None:
    assert len(_ask(client, STUDIES.format(""))) == BUNDLED_CASE_STUDIES + 1


def test_from_reads_the_graphs_it_names(
    client: TestClient, served_data: tuple[LoadReport, LoadReport]
) -> None:
    first, second = served_data
    assert _ask(client, STUDIES.format(f"FROM <{_graph(second)}>")) == [{"s": PARTNER}]
    assert len(_ask(client, STUDIES.format(f"FROM <{_graph(first)}>"))) == BUNDLED_CASE_STUDIES
    prefixed = f"PREFIX load: <{BASE}/id/load/> " + STUDIES.format(f"FROM load:{second.load_id}")
    assert _ask(client, prefixed) == [{"s": PARTNER}]


def test_from_named_answers_per_load(
    client: TestClient, served_data: tuple[LoadReport, LoadReport]
) -> None:
    _, second = served_data
    query = PER_GRAPH.format(f"FROM NAMED <{_graph(second)}>")
    assert _ask(client, query) == [{"g": _graph(second), "s": PARTNER}]


def test_the_protocols_dataset_overrides_from(
    client: TestClient, served_data: tuple[LoadReport, LoadReport]
) -> None:
    first, second = served_data
    query = STUDIES.format(f"FROM <{_graph(first)}>")
    rows = _ask(client, query, **{"default-graph-uri": _graph(second)})
    assert rows == [{"s": PARTNER}]
    named = SPARQL_PREFIXES + "SELECT ?g WHERE { GRAPH ?g { ?s a cg:CaseStudy } } LIMIT 1"
    only = _ask(client, named, **{"named-graph-uri": _graph(second)})
    assert only == [{"g": _graph(second)}]
    # Only named graphs given: the default graph is empty, as the protocol says.
    assert _ask(client, STUDIES.format(""), **{"named-graph-uri": _graph(second)}) == []


def test_an_unknown_graph_is_a_located_400_not_an_empty_answer(client: TestClient) -> None:
    query = STUDIES.format(f"FROM NAMED <{BASE}/id/load/nosuch>")
    [error] = problem(client.get("/sparql", params={"query": query}), 400, "unknown-graph")[
        "errors"
    ]
    assert error["location"] == "query.query"
    assert f"<{BASE}/id/load/nosuch>" in error["message"]
    sent = client.post("/sparql", data={"query": STUDIES.format(""), "default-graph-uri": "x:y"})
    assert problem(sent, 400, "unknown-graph")["errors"][0]["location"] == "body.default-graph-uri"


def test_graphs_named_in_syntax_beyond_sparql_11_are_refused_not_read_as_empty(
    client: TestClient,
) -> None:
    """rdflib cannot read SPARQL 1.2's isTRIPLE: its FROM graph could not be checked, and
    pyoxigraph would have answered an unknown graph with a count of 0."""
    query = (
        "SELECT (COUNT(*) AS ?n) FROM <http://example.org/nope> "
        "WHERE { ?s ?p ?o FILTER(!isTRIPLE(?o)) }"
    )
    [error] = problem(client.get("/sparql", params={"query": query}), 400, "unknown-graph")[
        "errors"
    ]
    assert error["location"] == "query.query"
    assert "cannot be checked" in error["message"]
    # Without FROM, the same query reads every graph and answers.
    plain = query.replace("FROM <http://example.org/nope> ", "")
    answered = client.get(
        "/sparql", params={"query": plain}, headers={"Accept": "application/json"}
    )
    assert answered.status_code == 200, answered.text
    assert int(answered.json()["results"]["bindings"][0]["n"]["value"]) > 0
