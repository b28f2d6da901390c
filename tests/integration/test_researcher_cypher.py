"""POST /cypher: researchers' own Cypher, which must never be able to write."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from api.settings import ApiSettings
from loaders.report import LoadReport
from tests.helpers import fingerprint

ATTEMPTS = [
    "CREATE (n:Entity:Outcome {id: 'x', name: 'x'})",
    "MERGE (n:Entity {id: 'x'})",
    "MATCH (n:Outcome) SET n.name = 'hacked'",
    "MATCH (n:Outcome {id: 'inclusion'}) SET n += {name: 'hacked'}",
    "MATCH (n:Outcome) REMOVE n.name",
    "MATCH (n:Outcome) SET n:Hacked",
    "MATCH (n) DELETE n",
    "MATCH (n) DETACH DELETE n",
    "MATCH ()-[r]->() DELETE r",
    "UNWIND [1, 2] AS i MERGE (:Entity {id: 'y' + toString(i)})",
    "FOREACH (i IN [1] | CREATE (:Entity {id: 'z'}))",
    "MATCH (n:Outcome) WITH n LIMIT 1 CREATE (n)-[:RELATED]->(:Entity {id: 'w'})",
    "CALL { CREATE (n:Entity {id: 'sub'}) RETURN n } RETURN 1",
    "MATCH (n:Outcome) CALL (n) { SET n.name = 'x' } RETURN count(*)",
    "RETURN 1; CREATE (n:Entity {id: 'second'})",
    "/* just a read */ CREATE (n:Entity {id: 'comment'})",
    "// a read\nCREATE (n:Entity {id: 'line-comment'})",
    "\u00a0CREATE\t(n:Entity {id: 'nbsp'})",
    "create (n:Entity {id: 'lower'})",
    "\uff23\uff32\uff25\uff21\uff34\uff25 (n:Entity {id: 'fullwidth'})",
    "CREATE INDEX hacked IF NOT EXISTS FOR (n:Entity) ON (n.description)",
    "DROP CONSTRAINT entity_id",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "CALL db.createLabel('Hacked')",
]


@pytest.fixture(scope="module")
def served_data(everything: LoadReport) -> LoadReport:
    """The module's `client` serves all the bundled data."""
    return everything


@pytest.fixture(scope="module")
def app_settings(settings: ApiSettings) -> ApiSettings:
    """A row cap of 5, to see results truncated."""
    return settings.model_copy(update={"cypher_row_cap": 5})


def test_there_are_enough_attempts() -> None:
    assert len(ATTEMPTS) >= 20


@pytest.mark.parametrize("statement", ATTEMPTS, ids=range(len(ATTEMPTS)))
def test_no_write_gets_through(
    client: TestClient, sync_driver: Driver, settings: ApiSettings, statement: str
) -> None:
    before = fingerprint(sync_driver, settings)
    response = client.post("/cypher", json={"query": statement})
    assert response.status_code in (403, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert fingerprint(sync_driver, settings) == before


def test_reads_work_with_parameters(client: TestClient) -> None:
    response = client.post(
        "/cypher",
        json={
            "query": "MATCH (o:Outcome {id: $id}) RETURN o.name AS name, o AS node",
            "parameters": {"id": "inclusion"},
        },
    )
    body = response.json()
    assert body["columns"] == ["name", "node"]
    assert body["rows"][0][0] == "Inclusion"
    assert "Outcome" in body["rows"][0][1]["labels"]
    assert body["truncated"] is False


def test_rows_are_capped_and_truncation_is_said(client: TestClient) -> None:
    body = client.post("/cypher", json={"query": "MATCH (o:Outcome) RETURN o.id"}).json()
    assert len(body["rows"]) == 5
    assert body["truncated"] is True


def test_an_injection_in_a_parameter_is_just_a_value(client: TestClient) -> None:
    body = client.post(
        "/cypher",
        json={
            "query": "MATCH (n:Entity) WHERE n.id = $id RETURN n.id",
            "parameters": {"id": "x' }) DETACH DELETE n //"},
        },
    ).json()
    assert body["rows"] == []


def test_invalid_cypher_is_422(client: TestClient) -> None:
    response = client.post("/cypher", json={"query": "MATCH (n RETURN n"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "body.query"
