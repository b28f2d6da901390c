"""Faults: the graph going away and coming back, the engine killed in the middle of a load,
frozen or out of memory, writers in conflict, and what `connects serve` leaves behind."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver, GraphDatabase
from neo4j import exceptions as neo
from typer.testing import CliRunner

from api.main import create_app
from api.settings import ApiSettings
from cli.main import app as cli
from graph import engine
from graph.db import open_db
from graph.errors import GraphUnavailable
from loaders.writing import STUDIES_PER_TRANSACTION
from tests.helpers import (
    BUNDLED_CASE_STUDIES,
    DATA,
    ROOT,
    count,
    fingerprint,
    free_port,
    frozen,
    load,
    problem,
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


def own_settings(tmp_path: Path, **changes: Any) -> ApiSettings:
    """Settings for an engine of the test's own, with short timeouts."""
    values: dict[str, Any] = {
        "data_dir": tmp_path / "engine",
        "bolt_port": free_port(),
        "http_port": free_port(),
        "public_base_uri": "http://data.test",
        "rate_limit_per_minute": 0,
        "connect_timeout": 1.0,
        "query_timeout": 4.0,
        **changes,
    }
    return ApiSettings.model_validate(values)


@pytest.fixture
def quick_engine(tmp_path: Path) -> Iterator[ApiSettings]:
    """An engine of the test's own with short timeouts, which it may freeze or kill."""
    settings = own_settings(tmp_path)
    engine.start(settings)
    yield settings
    engine.stop(settings, grace=5)


def env_for(settings: ApiSettings) -> dict[str, str]:
    """The environment under which `connects` uses this engine."""
    return {
        "CONNECTS_DATA_DIR": str(settings.data_dir),
        "CONNECTS_BOLT_PORT": str(settings.bolt_port),
        "CONNECTS_HTTP_PORT": str(settings.http_port),
        "CONNECTS_CONNECT_TIMEOUT": str(settings.connect_timeout),
        "CONNECTS_QUERY_TIMEOUT": str(settings.query_timeout),
    }


def test_a_frozen_engine_gives_503_within_the_deadline_and_is_restarted(
    quick_engine: ApiSettings,
) -> None:
    load(quick_engine, DATA / "strategy")
    with TestClient(create_app(quick_engine)) as client:
        assert client.get("/ready").status_code == 200
        pid = engine.status(quick_engine).pid
        assert pid is not None
        with frozen(pid):
            started = time.monotonic()
            stuck = client.post("/cypher", json={"query": "MATCH (n:Entity) RETURN count(n)"})
            problem(stuck, 503, "graph-unavailable")
            assert time.monotonic() - started < quick_engine.query_timeout + 5
            started = time.monotonic()
            ready = problem(client.get("/ready"), 503, "graph-unavailable")
            assert "running but did not answer" in ready["detail"]
            assert time.monotonic() - started < quick_engine.connect_timeout + 3
            started = time.monotonic()
            problem(client.get("/nodes/inclusion"), 503, "graph-unavailable")
            assert time.monotonic() - started < 2  # known to be down: no wait at all
            give_up = time.monotonic() + 150
            while client.get("/ready").status_code != 200:
                assert time.monotonic() < give_up, "the API did not restart the frozen engine"
                time.sleep(1)
        assert engine.status(quick_engine).pid not in (None, pid)
        assert client.get("/nodes/inclusion").json()["properties"]["name"] == "Inclusion"


SLOW = (
    "MATCH (a:Entity), (b:Entity), (c:Entity) "
    "WHERE a.name + b.name + c.name = $x RETURN count(*) AS n"
)


def test_an_engine_killed_mid_request_gives_503_not_500(quick_engine: ApiSettings) -> None:
    load(quick_engine, DATA / "strategy")
    pid = engine.status(quick_engine).pid
    assert pid is not None
    with TestClient(create_app(quick_engine)) as client:
        assert client.get("/ready").status_code == 200
        killer = threading.Timer(1.0, os.kill, (pid, signal.SIGKILL))
        killer.start()
        try:
            response = client.post("/cypher", json={"query": SLOW, "parameters": {"x": "-"}})
        finally:
            killer.join()
        problem(response, 503, "graph-unavailable")
        assert "Retry-After" in response.headers


runner = CliRunner()


def test_db_status_tells_a_frozen_or_out_of_memory_engine_from_an_answering_one(
    tmp_path: Path,
) -> None:
    settings = own_settings(tmp_path, engine_heap="96m")  # small enough to run out, for real
    env = env_for(settings)
    engine.start(settings)
    try:
        answering = runner.invoke(cli, ["db", "status"], env=env)
        assert answering.exit_code == 0, answering.output
        assert "answering" in answering.output
        pid = engine.status(settings).pid
        assert pid is not None
        with frozen(pid):
            started = time.monotonic()
            wedged = runner.invoke(cli, ["db", "status"], env=env)
            assert time.monotonic() - started < settings.connect_timeout + 3
        assert wedged.exit_code == 4, wedged.output
        assert wedged.output.startswith(f"running but not answering (pid {pid})")
        huge = "RETURN size(reduce(s = 'x', i IN range(1, 30) | s + s)) AS n"
        with (
            driver_for(settings) as driver,
            driver.session(database=settings.database) as session,
            pytest.raises(neo.ServiceUnavailable),
        ):
            session.run(huge).consume()  # the engine drops the connection: out of memory
        # The dying Bolt thread closes its socket before Java prints the uncaught error, so
        # the log may say it a moment after the driver sees the drop.
        said_by = time.monotonic() + 10
        while not engine.out_of_memory(settings):
            assert time.monotonic() < said_by, (
                "the engine's log never reported running out of memory"
            )
            time.sleep(0.05)
        with frozen(pid):
            out_of_memory = runner.invoke(cli, ["db", "status"], env=env)
        assert out_of_memory.exit_code == 4, out_of_memory.output
        assert out_of_memory.output.startswith(f"out of memory (pid {pid})")
        assert "OutOfMemoryError" in out_of_memory.output
    finally:
        engine.stop(settings, grace=5)
    stopped = runner.invoke(cli, ["db", "status"], env=env)
    assert stopped.exit_code == 3
    assert stopped.output.startswith("stopped")


COUNTER = "MERGE (n:Entity {id: 'counter'}) SET n.count = 0"
INCREMENT = "MATCH (n:Entity {id: 'counter'}) SET n.count = n.count + 1"
COUNTED = "MATCH (n:Entity {id: 'counter'}) RETURN n.count AS count"


@pytest.mark.usefixtures("empty_graph")
def test_concurrent_writers_to_one_node_are_retried_and_all_succeed(
    settings: ApiSettings,
) -> None:
    writers, each = 4, 10

    async def run() -> int:
        async with open_db(settings) as db:
            await db.write(COUNTER)

            async def writer() -> None:
                for _ in range(each):
                    await db.write(INCREMENT)

            await asyncio.gather(*(writer() for _ in range(writers)))
            return int((await db.read(COUNTED))[0]["count"])

    assert asyncio.run(run()) == writers * each


@pytest.mark.usefixtures("empty_graph")
def test_a_write_conflict_that_cannot_be_retried_is_unavailable_not_a_failure(
    settings: ApiSettings,
) -> None:
    async def run() -> None:
        async with open_db(settings) as db:
            await db.write(COUNTER)
            async with db.transactions() as first, db.transactions() as second:
                await first.current.run(INCREMENT)
                await second.current.run(INCREMENT)
                await first.commit(next_one=False)
                await second.commit(next_one=False)

    # Explicit transactions (a load) cannot be replayed here: the client is told to retry.
    with pytest.raises(GraphUnavailable, match="try again"):
        asyncio.run(run())


def serve(settings: ApiSettings, port: int, *options: str) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - our own CLI
        [CONNECTS, "serve", "--port", str(port), *options],
        cwd=ROOT,
        env={**os.environ, **env_for(settings)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for_health(server: subprocess.Popen[str], port: int) -> None:
    give_up = time.monotonic() + 120
    while time.monotonic() < give_up:
        assert server.poll() is None, server.communicate()[0]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("connects serve did not answer /health")


def test_ctrl_c_on_make_run_stops_the_engine_it_started(tmp_path: Path) -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\t$(BIN)/connects serve --load $(DATA)\n" in makefile.split("\nrun:", 1)[1]
    settings = own_settings(tmp_path)
    port = free_port()
    server = serve(settings, port, "--load", str(DATA / "strategy"))
    try:
        wait_for_health(server, port)
        assert engine.status(settings).running
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=90)
    finally:
        server.kill()
        engine.stop(settings, grace=5)
    assert "Stopped the graph engine this command started." in output
    assert not engine.status(settings).running


def test_serve_leaves_an_engine_it_did_not_start_running_and_says_so(tmp_path: Path) -> None:
    settings = own_settings(tmp_path)
    port = free_port()
    pid = engine.start(settings).pid
    try:
        server = serve(settings, port)
        try:
            wait_for_health(server, port)
            server.send_signal(signal.SIGTERM)
            output, _ = server.communicate(timeout=90)
        finally:
            server.kill()
        assert f"The graph engine is still running (pid {pid}); stop it with `make stop`" in output
        assert engine.status(settings).pid == pid
    finally:
        engine.stop(settings, grace=5)
