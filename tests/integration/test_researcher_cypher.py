"""POST /cypher: researchers' own Cypher, which must never be able to write."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from api.settings import ApiSettings
from graph.keys import Scope
from loaders.report import LoadReport
from tests.helpers import app_client, bindings, fingerprint, make_key, problem

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
    assert body["truncated_by"] == "rows"


def test_bytes_are_capped_and_truncation_says_so(
    app_settings: ApiSettings, client: TestClient
) -> None:
    statement = "MATCH (n:Entity) RETURN n.id AS id, n.name AS name, n.description AS d"
    with app_client(app_settings, cypher_row_cap=100_000, cypher_max_response_bytes=2048) as small:
        response = small.post("/cypher", json={"query": statement})
    body = response.json()
    assert body["truncated"] is True
    assert body["truncated_by"] == "bytes"
    assert 0 < len(body["rows"]) < 100
    assert len(response.content) <= 2048 + 200  # the cap, and the envelope around the rows


def test_an_answer_under_both_caps_is_not_truncated(client: TestClient) -> None:
    body = client.post("/cypher", json={"query": "RETURN 1 AS one"}).json()
    assert (body["truncated"], body["truncated_by"]) == (False, None)


def test_over_the_concurrency_budget_is_503_at_once(client: TestClient) -> None:
    gate = client.app.state.cypher_gate  # type: ignore[attr-defined]
    taken = 0
    try:
        while gate.running < gate.limit:  # the budget taken, as by long queries
            gate.enter()
            taken += 1
        response = client.post("/cypher", json={"query": "RETURN 1 AS one"})
        problem(response, 503, "busy")
        assert int(response.headers["Retry-After"]) > 0
        assert client.get("/evidence", params={"outcome": "inclusion"}).status_code == 200
    finally:
        for _ in range(taken):
            gate.leave()
    assert client.post("/cypher", json={"query": "RETURN 1 AS one"}).status_code == 200


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


def test_an_unknown_field_is_422_naming_it(client: TestClient) -> None:
    response = client.post("/cypher", json={"query": "RETURN 1", "database": "system"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "body.database"


# What researchers may not call or say, however it is spelt (issue 15). Each names what the
# refusal must mention.
NOT_ALLOWED = [
    ("LOAD/**/CSV FROM 'http://169.254.169.254/' AS l RETURN l", "LOAD"),
    ("LOAD//x\nCSV FROM 'file:///etc/passwd' AS l RETURN l", "LOAD"),
    ("lOaD\u00a0cSv FROM 'file:///etc/passwd' AS l RETURN l", "LOAD"),
    ("\uff2c\uff2f\uff21\uff24 CSV FROM 'file:///etc/passwd' AS l RETURN l", "LOAD"),
    ("/* LOAD CSV is fine in a comment */ LOAD CSV FROM 'file:///x' AS l RETURN l", "LOAD"),
    ("CALL apoc.util.sleep(20000)", "apoc.util.sleep"),
    ("RETURN apoc.version() AS v", "apoc.version"),
    ("CALL `apoc`.`util`.`sleep`(20000)", "apoc.util.sleep"),
    ("RETURN `apoc.util.sleep`(1) AS x", "apoc.util.sleep"),
    ("RETURN sql.version() AS v", "sql.version"),
    ("CALL sql.version()", "sql.version"),
    ("SHOW DATABASES", "SHOW"),
    ("/**/SHOW/**/TRANSACTIONS", "SHOW"),
    ("CALL dbms.components()", "dbms.components"),
    ("CALL dbms.listConfig()", "dbms.listConfig"),
    ("CALL db.labels()", "db.labels"),
    ("CALL db.info() YIELD name RETURN name", "db.info"),
    ("USE system MATCH (n) RETURN n", "USE"),
    ("CALL { MATCH (n:Outcome) RETURN n } IN TRANSACTIONS RETURN n", "TRANSACTIONS"),
    ("MATCH (n:Outcome) /* */ SET/**/n.name = 'x'", "SET"),
    ("MATCH (n:Outcome) //\nMERGE (m:Outcome {id: n.id})", "MERGE"),
    ("FOREACH (i IN [1] | CREATE (:Entity {id: 'z'}))", "FOREACH"),
    ("RETURN 1 AS x; RETURN 2 AS y", "';'"),
    ("EXPLAIN MATCH (n) RETURN n", "EXPLAIN"),
    ("PROFILE MATCH (n) RETURN n", "PROFILE"),
    ("CYPHER runtime=slotted MATCH (n) RETURN n", "CYPHER"),
    # What could exhaust memory is tried in test_researcher_memory.py, on an engine of its own.
    ("RETURN size(range(1, $n)) AS n", "range"),
    ("RETURN \\u0063ount(*) AS n", "backslash"),
    ("RETURN 'unterminated", "never closed"),
]  # fmt: skip


def test_there_are_enough_refusals() -> None:
    assert len(NOT_ALLOWED) >= 15


@pytest.mark.parametrize(("statement", "named"), NOT_ALLOWED, ids=range(len(NOT_ALLOWED)))
def test_what_is_not_allowed_is_refused_and_named(
    client: TestClient, sync_driver: Driver, settings: ApiSettings, statement: str, named: str
) -> None:
    before = fingerprint(sync_driver, settings)
    response = client.post("/cypher", json={"query": statement})
    assert response.status_code in (403, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert named.lower() in response.text.lower()
    assert fingerprint(sync_driver, settings) == before


ALLOWED = [
    "MATCH (o:Outcome) RETURN count(*) AS n",
    "MATCH (o:Outcome) WHERE o.name CONTAINS 'Inc' RETURN toLower(o.name) AS name",
    "MATCH (o:Outcome) RETURN coalesce(o.description, '') AS d, labels(o) AS l, keys(o) AS k",
    "MATCH (o:Outcome) WITH o.name AS `set` RETURN `set`",  # a quoted keyword is a name
    "MATCH (n:Entity) RETURN n.id AS `CREATE`, {create: 1} AS m LIMIT 1",
    "MATCH (o:Outcome) // LOAD CSV in a comment\nRETURN 'LOAD CSV' AS text LIMIT 1",
    "UNWIND range(1, 10) AS i RETURN sum(i) AS total",
    "CALL { MATCH (o:Outcome) RETURN o } RETURN count(o) AS n",
    "MATCH (o:Outcome) RETURN count { (o)--() } AS degree LIMIT 1",
]


@pytest.mark.parametrize("statement", ALLOWED, ids=range(len(ALLOWED)))
def test_reading_cypher_is_still_allowed(client: TestClient, statement: str) -> None:
    response = client.post("/cypher", json={"query": statement})
    assert response.status_code == 200, response.text


# Key material and load records are bookkeeping, not published data (issue 15).
BOOKKEEPING_LABELS = ("ApiKey", "Load")
LOOKING_FOR_KEYS = [
    "MATCH (k:ApiKey) RETURN k",
    "MATCH (k:ApiKey) RETURN k.secret_hash AS h, k.organisation AS o",
    "MATCH (k:ApiKey) RETURN count(k) AS n",
    "MATCH (l:Load) RETURN l",
    "MATCH (n) RETURN n",
    "MATCH (n) RETURN properties(n) AS p",
    "MATCH (n) WHERE n.secret_hash IS NOT NULL RETURN n.secret_hash AS h",
    "MATCH (n) WHERE any(k IN keys(n) WHERE k CONTAINS 'secret') RETURN keys(n) AS k",
    "MATCH (n) UNWIND keys(n) AS k RETURN DISTINCT k",
    "MATCH (n) UNWIND labels(n) AS l RETURN DISTINCT l",
    "MATCH (n) WHERE NOT n:Entity RETURN n",
    "MATCH (n) WHERE 'ApiKey' IN labels(n) RETURN n",
    "MATCH (n {organisation: 'lga'}) RETURN n",
    "MATCH (n) WHERE n.revoked IS NOT NULL OR n.scope IS NOT NULL RETURN n",
    "MATCH (n) RETURN collect(n) AS all",
    "OPTIONAL MATCH (k:ApiKey) RETURN k",
    "MATCH (k:`ApiKey`) RETURN k",
    "MATCH (n:ApiKey|Load) RETURN n",
    "MATCH p = (n)--() RETURN p LIMIT 1000",
]


@pytest.fixture(scope="module")
def key_records(
    app_settings: ApiSettings, served_data: LoadReport, sync_driver: Driver
) -> list[str]:
    """Two keys made (one revoked), and every value their records hold, as text."""
    make_key(app_settings, Scope.CONTRIBUTE)
    make_key(app_settings, Scope.CONTRIBUTE, organisation="nesta")
    records, _, _ = sync_driver.execute_query(
        "MATCH (k:ApiKey) RETURN properties(k) AS p", database_=app_settings.database
    )
    values = [str(v) for r in records for v in r["p"].values() if len(str(v)) >= 8]
    assert any("secret" in k for r in records for k in r["p"])  # what we look for exists
    return values


@pytest.mark.parametrize("statement", LOOKING_FOR_KEYS, ids=range(len(LOOKING_FOR_KEYS)))
def test_key_material_and_load_records_are_unreachable(
    client: TestClient, key_records: list[str], statement: str
) -> None:
    response = client.post("/cypher", json={"query": statement})
    assert response.status_code in (200, 403, 422), response.text
    text = response.text
    for label in BOOKKEEPING_LABELS:
        assert f'"{label}"' not in text
    assert "secret_hash" not in text
    for value in key_records:
        assert value not in text


def test_no_published_node_is_hidden_from_researchers(
    client: TestClient, key_records: list[str], sync_driver: Driver, settings: ApiSettings
) -> None:
    records, _, _ = sync_driver.execute_query(
        "MATCH (n:Entity) RETURN count(n) AS n", database_=settings.database
    )
    body = client.post("/cypher", json={"query": "MATCH (n:Entity) RETURN count(*) AS n"}).json()
    assert body.get("rows") == [[records[0]["n"]]], body


def test_reading_every_node_says_to_name_a_label(
    client: TestClient, key_records: list[str]
) -> None:
    response = client.post("/cypher", json={"query": "MATCH (n) RETURN count(*) AS n"})
    assert response.status_code in (200, 403)
    if response.status_code == 403:  # the embedded engine: its reader cannot see every type
        assert "(n:Entity)" in response.json()["detail"]


def test_sparql_cannot_see_key_material(client: TestClient, key_records: list[str]) -> None:
    sought = " || ".join(f"CONTAINS(STR(?o), {json.dumps(v)})" for v in key_records)
    found = client.post(
        "/sparql",
        data={"query": f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER({sought}) }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert bindings(found) == []
    kinds = client.post(
        "/sparql",
        data={"query": "SELECT DISTINCT ?kind ?p WHERE { ?s a ?kind ; ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    rows = bindings(kinds)
    assert any(row["kind"].endswith("#Outcome") for row in rows)  # the published graph is there
    assert not [row for row in rows if "apikey" in row["kind"].lower() or "secret" in row["p"]]
