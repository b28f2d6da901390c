"""The same graph checks against a real Neo4j 5, started with testcontainers.

Skipped, with the reason, where no Docker engine runs (as on the project's build machines).
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver, GraphDatabase
from pydantic import SecretStr
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.namespace import PROV

from api.main import create_app
from api.settings import ApiSettings
from graph import researcher
from loaders.report import LoadReport
from tests.helpers import (
    DATA,
    INCLUSION_STUDIES,
    STRATEGY_NODES,
    app_client,
    clear,
    load,
    problem,
    without_dump_record,
)

NEO4J_IMAGE = "neo4j:5"


def docker_engine_running() -> bool:
    """True if a Docker engine answers its ping (on DOCKER_HOST or the default socket)."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    address: str | tuple[str, int]
    if host.startswith("unix://"):
        family, address = socket.AF_UNIX, host.removeprefix("unix://")
    elif host.startswith("tcp://"):
        name, _, port = host.removeprefix("tcp://").partition(":")
        family, address = socket.AF_INET, (name, int(port or 2375))
    else:
        return False
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.settimeout(3)
            probe.connect(address)
            probe.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            return b" 200 " in probe.recv(64)
    except OSError:
        return False


pytestmark = [
    pytest.mark.neo4j,
    pytest.mark.skipif(
        not docker_engine_running(),
        reason="No Docker engine is running, so Neo4j 5 cannot be started here; "
        "these tests run wherever `docker info` works.",
    ),
]


@pytest.fixture(scope="module")
def neo4j_settings(settings: ApiSettings) -> Iterator[ApiSettings]:
    from testcontainers.community.neo4j import Neo4jContainer

    with Neo4jContainer(NEO4J_IMAGE, password=secrets.token_urlsafe(16)) as container:
        yield settings.model_copy(
            update={
                "uri": container.get_connection_url(),
                "user": "neo4j",
                "password": SecretStr(container.password),
                "database": "neo4j",  # Community edition has this one database only
            }
        )


@pytest.fixture(scope="module")
def loaded(neo4j_settings: ApiSettings) -> LoadReport:
    report = load(neo4j_settings, DATA)
    assert neo4j_settings.uri is not None
    password = neo4j_settings.password.get_secret_value() if neo4j_settings.password else ""
    with GraphDatabase.driver(neo4j_settings.uri, auth=("neo4j", password)) as driver:
        driver.execute_query("CALL db.awaitIndexes(60)", database_="neo4j")
    return report


@pytest.fixture(scope="module")
def app_settings(neo4j_settings: ApiSettings) -> ApiSettings:
    """The module's `client` runs against Neo4j."""
    return neo4j_settings


@pytest.fixture(scope="module")
def served_data(loaded: LoadReport) -> LoadReport:
    """All the bundled data, loaded into Neo4j."""
    return loaded


def test_loading_is_idempotent_on_neo4j(neo4j_settings: ApiSettings, loaded: LoadReport) -> None:
    assert loaded.counts.nodes_created > STRATEGY_NODES
    again = load(neo4j_settings, DATA)
    assert (again.counts.nodes_created, again.counts.nodes_updated) == (0, 0)
    assert again.counts.links_created == 0


def test_endpoints_answer_the_same_on_neo4j(client: TestClient) -> None:
    assert client.get("/ready").json()["engine"] == "neo4j"
    counts = {k["kind"]: k["count"] for k in client.get("/kinds").json()}
    assert (counts["Outcome"], counts["PolicyTheme"], counts["ResearchInstitute"]) == (12, 5, 3)
    detail = client.get("/nodes/igpp").json()
    assert any(link["node"]["id"] == "university-of-east-london" for link in detail["links"])
    hood = client.get("/graph/neighbourhood/university-of-east-london?depth=2").json()
    assert "focus-housing" in {n["data"]["id"] for n in hood["nodes"]}
    assert client.get("/nodes/nosuch").status_code == 404


def test_full_text_search_uses_the_neo4j_index(client: TestClient) -> None:
    hits = client.get("/search", params={"q": "cyber technical"}).json()
    assert "c-tag" in [h["node"]["id"] for h in hits]
    hits = client.get("/search", params={"q": "free school meal applications"}).json()
    assert hits[0]["node"]["id"] == "caerphilly-digital-workers-school-meals"


def test_what_works_on_neo4j(client: TestClient) -> None:
    body = client.get("/evidence", params={"outcome": "Inclusion", "limit": 50}).json()
    assert body["total"] == INCLUSION_STUDIES
    keys = [(-row["strength"], -(row["year_end"] or 0)) for row in body["items"]]
    assert keys == sorted(keys)
    gap = client.get("/evidence/gap-map", params={"rows": "outcome", "cols": "theme"}).json()
    assert len(gap["cells"]) == 60
    paths = client.get(
        "/graph/paths", params={"from": "greater-manchester-combined-authority", "to": "inclusion"}
    ).json()
    assert paths[0]["nodes"][-1]["id"] == "inclusion"


def test_export_matches_the_embedded_engine(
    client: TestClient, settings: ApiSettings, sync_driver: Driver
) -> None:
    clear(sync_driver, settings)
    load(settings, DATA)
    with TestClient(create_app(settings)) as embedded:
        ours = Graph().parse(data=embedded.get("/export?format=nt").text, format="nt")
    theirs = Graph().parse(data=client.get("/export?format=nt").text, format="nt")
    for graph in (ours, theirs):  # load ids, their records and the dump records differ
        without_dump_record(graph)
        for load_iri in set(graph.objects(None, PROV.wasGeneratedBy)):
            graph.remove((None, PROV.wasGeneratedBy, load_iri))
            graph.remove((load_iri, None, None))
    assert isomorphic(ours, theirs)


# Researchers' Cypher on Neo4j (issue 15).


def test_explain_plans_name_what_the_allow_list_refuses(
    neo4j_settings: ApiSettings, loaded: LoadReport
) -> None:
    """The operators `researcher._check_plan` refuses are the ones Neo4j's plans name."""
    assert neo4j_settings.uri is not None
    assert neo4j_settings.password is not None
    auth = ("neo4j", neo4j_settings.password.get_secret_value())
    with (
        GraphDatabase.driver(neo4j_settings.uri, auth=auth) as driver,
        driver.session(database="neo4j") as session,
    ):
        for statement, operator in [
            ("EXPLAIN LOAD CSV FROM 'http://127.0.0.1:1/x' AS l RETURN l", "LoadCSV"),
            ("EXPLAIN CALL db.labels() YIELD label RETURN label", "ProcedureCall"),
        ]:
            plan = session.run(statement).consume().plan
            assert plan is not None
            assert operator in researcher.plan_operators(plan), statement


def test_cypher_in_production_needs_a_reader_user(
    neo4j_settings: ApiSettings, loaded: LoadReport
) -> None:
    with app_client(neo4j_settings, environment="production") as production:
        response = production.post("/cypher", json={"query": "RETURN 1 AS one"})
    body = problem(response, 503, "cypher-unavailable")
    assert "CONNECTS_READER_USER" in body["detail"]


def test_cypher_runs_as_the_reader_user(neo4j_settings: ApiSettings, loaded: LoadReport) -> None:
    assert neo4j_settings.uri is not None
    assert neo4j_settings.password is not None
    auth = ("neo4j", neo4j_settings.password.get_secret_value())
    password = secrets.token_urlsafe(16)
    with GraphDatabase.driver(neo4j_settings.uri, auth=auth) as driver:
        driver.execute_query(
            "CREATE USER researcher IF NOT EXISTS SET PASSWORD $pw CHANGE NOT REQUIRED",
            {"pw": password},
            database_="system",
        )
    reader = {"reader_user": "researcher", "reader_password": SecretStr(password)}
    with app_client(neo4j_settings, environment="production", **reader) as production:
        body = production.post(
            "/cypher", json={"query": "MATCH (o:Outcome) RETURN count(o) AS n"}
        ).json()
        assert body["rows"] == [[12]]
        refused = production.post(
            "/cypher", json={"query": "LOAD/**/CSV FROM 'http://127.0.0.1:1/' AS l RETURN l"}
        )
        problem(refused, 403, "not-allowed")
