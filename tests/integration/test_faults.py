"""Faults: the graph going away and coming back, and the engine killed in the middle of a load."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver, GraphDatabase

from api.main import create_app
from api.settings import ApiSettings
from graph import engine
from loaders.writing import STUDIES_PER_TRANSACTION
from tests.helpers import (
    BUNDLED_CASE_STUDIES,
    DATA,
    ROOT,
    count,
    fingerprint,
    free_port,
    load,
)

CONNECTS = str(Path(sys.executable).parent / "connects")  # the installed command

pytestmark = pytest.mark.embedded_only(
    reason="kills, restarts and slows private embedded engines to see what the API says"
)


@pytest.fixture
def own_engine(tmp_path: Path) -> Iterator[ApiSettings]:
    """An engine of the test's own, which it may stop and kill."""
    settings = ApiSettings(
        data_dir=tmp_path / "engine",
        bolt_port=free_port(),
        http_port=free_port(),
        public_base_uri="http://data.test",
        rate_limit_per_minute=0,
        connect_timeout=1.0,
    )
    engine.start(settings)
    yield settings
    engine.stop(settings)


def driver_for(settings: ApiSettings) -> Driver:
    auth = (engine.ROOT_USER, engine.root_password(settings))
    return GraphDatabase.driver(engine.bolt_uri(settings), auth=auth)


ASK_INCLUSION = 'ASK { ?o <http://www.w3.org/2004/02/skos/core#prefLabel> "Inclusion"@en }'


def test_the_api_recovers_when_the_graph_comes_back(own_engine: ApiSettings) -> None:
    load(own_engine, DATA / "strategy")
    with TestClient(create_app(own_engine)) as client:
        assert client.get("/ready").status_code == 200
        assert client.get("/sparql", params={"query": ASK_INCLUSION}).json()["boolean"] is True
        engine.stop(own_engine)
        for path, params in (("/nodes/inclusion", {}), ("/sparql", {"query": ASK_INCLUSION})):
            started = time.monotonic()
            down = client.get(path, params=params)
            assert down.status_code == 503, path
            assert down.headers["content-type"] == "application/problem+json"
            assert time.monotonic() - started < 5, path
        assert client.get("/ready").status_code == 503
        assert client.get("/explore").status_code == 200  # the page itself needs no graph
        engine.start(own_engine)
        for _ in range(50):
            if client.get("/ready").status_code == 200:
                break
            time.sleep(0.2)
        assert client.get("/nodes/inclusion").json()["properties"]["name"] == "Inclusion"
        assert client.get("/sparql", params={"query": ASK_INCLUSION}).json()["boolean"] is True


def big_csv(path: Path, rows: int) -> Path:
    lines = ["id,title,organisation,summary,outcomes,themes,evidence_type,source_url"]
    lines += [
        f"bulk-{i},Study {i},Council {i % 300},A synthetic study.,Data;Inclusion;Value,"
        f"Service design,news_report,https://example.org/{i}"
        for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_killing_the_engine_mid_load_keeps_whole_transactions_and_a_rerun_completes(
    own_engine: ApiSettings, tmp_path: Path
) -> None:
    load(own_engine, DATA)  # acknowledged before the crash
    with driver_for(own_engine) as driver:
        before = fingerprint(driver, own_engine)
    # Large enough to be written in several transactions (the two-pass path) and to take far
    # longer than the wait below, so that the kill always lands before the load ends.
    rows = 16_000
    csv = big_csv(tmp_path / "bulk.csv", rows)
    env = {
        **os.environ,
        "CONNECTS_DATA_DIR": str(own_engine.data_dir),
        "CONNECTS_BOLT_PORT": str(own_engine.bolt_port),
        "CONNECTS_HTTP_PORT": str(own_engine.http_port),
    }
    loader = subprocess.Popen(  # noqa: S603 - our own CLI
        [CONNECTS, "load", str(csv)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    pid = engine.status(own_engine).pid
    assert pid is not None
    time.sleep(4)  # checking takes a few seconds; then it writes
    assert loader.poll() is None, "the load finished before the engine could be killed"
    os.kill(pid, signal.SIGKILL)
    output, _ = loader.communicate(timeout=120)
    assert loader.returncode != 0
    assert "unavailable" in output.lower() or "cannot be reached" in output.lower(), output
    engine.start(own_engine)  # recovers from its write-ahead log
    with driver_for(own_engine) as driver:
        studies = count(driver, own_engine, "CaseStudy")
        # Whole transactions only: none, some of STUDIES_PER_TRANSACTION each, or all.
        bundled = BUNDLED_CASE_STUDIES
        assert (studies - bundled) % STUDIES_PER_TRANSACTION == 0 or studies == bundled + rows
        if studies == bundled:
            assert fingerprint(driver, own_engine) == before
    again = subprocess.run(  # noqa: S603
        [CONNECTS, "load", str(csv)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert again.returncode == 0, again.stdout + again.stderr
    with driver_for(own_engine) as driver:
        assert count(driver, own_engine, "CaseStudy") == BUNDLED_CASE_STUDIES + rows
        assert count(driver, own_engine, "EvidenceClaim") >= 3 * rows
        records, _, _ = driver.execute_query(
            "MATCH (n:Entity) WITH n.id AS id, count(*) AS c WHERE c > 1 RETURN count(id) AS dup",
            database_=own_engine.database,
        )
        assert records[0]["dup"] == 0


def test_a_query_past_the_timeout_is_stopped_with_504(tmp_path: Path) -> None:
    settings = ApiSettings(
        data_dir=tmp_path / "engine",
        bolt_port=free_port(),
        http_port=free_port(),
        rate_limit_per_minute=0,
        query_timeout=1.0,
    )
    # The embedded engine takes its timeout when it starts: load under the default, then
    # restart it with one second, so that a busy machine cannot time the load itself out.
    engine.start(settings.model_copy(update={"query_timeout": 15.0}))
    load(settings, DATA / "strategy")
    engine.stop(settings)
    engine.start(settings)
    try:
        slow = (
            "MATCH (a:Entity), (b:Entity), (c:Entity) "
            "WHERE a.name + b.name + c.name = $x RETURN count(*) AS n"
        )
        with TestClient(create_app(settings)) as client:
            started = time.monotonic()
            response = client.post("/cypher", json={"query": slow, "parameters": {"x": "-"}})
            took = time.monotonic() - started
            assert client.get("/ready").status_code == 200  # the server carries on
    finally:
        engine.stop(settings)
    assert response.status_code == 504
    assert response.json()["type"] == "/problems/query-timeout"
    assert took < 5
