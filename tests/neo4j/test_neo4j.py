"""The same graph checks against a real Neo4j 5, started with testcontainers.

Skipped, with the reason, where no Docker engine runs (as on the project's build machines).
Under `--engine neo4j` the whole integration suite runs on Neo4j as well (tests/conftest.py).
"""

from __future__ import annotations

import asyncio
import secrets
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
from graph.db import open_db
from loaders.report import LoadReport
from tests.helpers import (
    DATA,
    INCLUSION_STUDIES,
    NO_DOCKER,
    STRATEGY_NODES,
    app_client,
    clear,
    docker_engine_running,
    load,
    neo4j_server,
    problem,
    without_dump_record,
)

pytestmark = [
    pytest.mark.neo4j,
    pytest.mark.skipif(not docker_engine_running(), reason=NO_DOCKER),
]


@pytest.fixture(scope="module")
def neo4j_settings(settings: ApiSettings) -> Iterator[ApiSettings]:
    """The session's Neo4j under `--engine neo4j`; otherwise one of this module's own."""
    if settings.uri is not None:
        yield settings
        return
    with neo4j_server() as (uri, password):
        yield settings.model_copy(
            update={
                "uri": uri,
                "user": "neo4j",
                "password": SecretStr(password),
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


@pytest.mark.embedded_only(reason="compares Neo4j with the session's embedded engine")
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


def test_sessions_share_the_causal_chain_of_reads_and_writes(neo4j_settings: ApiSettings) -> None:
    # On a cluster, a read after a write waits for it only if both carry the same bookmarks.
    async def run() -> tuple[set[str], set[str]]:
        async with open_db(neo4j_settings) as db, db.session() as session:
            await (await session.run("MERGE (n:BookmarkProbe {id: 1})")).consume()
            written = set((await session.last_bookmarks()).raw_values)
            shared = set(await db.driver.execute_query_bookmark_manager.get_bookmarks())
            return written, shared

    written, shared = asyncio.run(run())
    assert written
    assert written <= shared


def test_awkward_searches_and_a_path_to_itself_on_neo4j(client: TestClient) -> None:
    for text in ("Cyber OR Technical", '"cyber"', "place-based", "Covid-19", "OR", "a:b (c)"):
        assert client.get("/search", params={"q": text}).status_code == 200, text
    hits = client.get("/search", params={"q": "recover from Covid-19"}).json()
    assert "theme-regeneration" in [h["node"]["id"] for h in hits]
    same = client.get("/graph/paths", params={"from": "inclusion", "to": "inclusion"})
    assert (same.status_code, same.json()[0]["length"]) == (200, 0)


def test_the_home_database_is_used_when_none_is_configured(neo4j_settings: ApiSettings) -> None:
    home = neo4j_settings.model_copy(update={"database": None})
    with TestClient(create_app(home)) as client:
        assert client.get("/ready").status_code == 200
        assert client.get("/nodes/inclusion").status_code == 200


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
