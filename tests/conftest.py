"""Shared fixtures: the real embedded engine, started once per test session."""

from __future__ import annotations

import asyncio
import hashlib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver, GraphDatabase
from rdflib import Graph

from api.settings import ApiSettings
from graph import engine
from graph.db import open_db
from graph.queries import writes as writes_q
from loaders.pipeline import load_paths
from loaders.report import LoadReport

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
STRATEGY = DATA / "strategy"
STRATEGY_NODES = 158
"""Nodes in data/strategy: the framework as the strategy states it, and the resources it names."""
BUNDLED_CASE_STUDIES = 135
"""Case studies in data/case-studies (the 33 first bundled and 102 more)."""
INCLUSION_STUDIES = 35
"""Bundled case studies with evidence about Inclusion (one claim each)."""
BUNDLED_INTERVENTIONS = 32
"""Interventions in data/interventions, in 7 families."""
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def without_dump_record(graph: Graph) -> Graph:
    """A dump minus the record it carries of itself (when it was made, in which format)."""
    for subject in {s for s in graph.subjects() if "/.well-known/void#dump-" in str(s)}:
        graph.remove((subject, None, None))
    return graph


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiSettings]:
    """Settings for a private embedded engine, running for the whole session."""
    test_settings = ApiSettings(
        data_dir=tmp_path_factory.mktemp("engine"),
        bolt_port=free_port(),
        http_port=free_port(),
        public_base_uri="http://data.test",
        rate_limit_per_minute=0,  # tests that need limits set their own
    )
    engine.start(test_settings)
    yield test_settings
    engine.stop(test_settings)


@pytest.fixture(scope="session")
def sync_driver(settings: ApiSettings) -> Iterator[Driver]:
    """A plain driver for test set-up and inspection (the code under test uses its own)."""
    auth = (engine.ROOT_USER, engine.root_password(settings))
    with GraphDatabase.driver(engine.bolt_uri(settings), auth=auth) as driver:
        yield driver


def clear(driver: Driver, settings: ApiSettings) -> None:
    driver.execute_query(writes_q.CLEAR, database_=settings.database)


def load(settings: ApiSettings, *paths: Path, contributor: str | None = None) -> LoadReport:
    """Run the real loader (async) from a synchronous test."""

    async def run() -> LoadReport:
        async with open_db(settings) as db:
            return await load_paths(
                db, list(paths), base_uri=settings.public_base_uri, contributor=contributor
            )

    return asyncio.run(run())


def count(driver: Driver, settings: ApiSettings, label: str) -> int:
    """How many nodes have `label`."""
    records, _, _ = driver.execute_query(
        "MATCH (n:Entity) WHERE $label IN labels(n) RETURN count(n) AS c",
        {"label": label},
        database_=settings.database,
    )
    return int(records[0]["c"])


def fingerprint(driver: Driver, settings: ApiSettings) -> str:
    """A digest of every node and relationship with all properties: equal means unchanged."""
    nodes, _, _ = driver.execute_query(
        "MATCH (n) RETURN labels(n) AS l, properties(n) AS p", database_=settings.database
    )
    rels, _, _ = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p",
        database_=settings.database,
    )
    lines = sorted(repr(sorted(r.data().items())) for r in [*nodes, *rels])
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@pytest.fixture
def empty_graph(sync_driver: Driver, settings: ApiSettings) -> Driver:
    clear(sync_driver, settings)
    return sync_driver


@pytest.fixture(scope="module")
def everything(settings: ApiSettings, sync_driver: Driver) -> LoadReport:
    """All the bundled data (framework, case studies, evidence), loaded once for a module."""
    clear(sync_driver, settings)
    return load(settings, DATA)


@pytest.fixture(scope="module")
def framework(settings: ApiSettings, sync_driver: Driver) -> LoadReport:
    """The bundled strategy framework, loaded once for a module of read-only tests."""
    clear(sync_driver, settings)
    return load(settings, STRATEGY)
