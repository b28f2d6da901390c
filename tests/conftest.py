"""Shared fixtures: the real graph engine, started once per test session, the bundled data
loaded into it, and one API client. Helpers that tests import are in tests/helpers.py.

The engine is the embedded one unless `--engine neo4j` (or CONNECTS_TEST_ENGINE=neo4j) asks for
Neo4j 5.26 in Docker (testcontainers); then every integration test runs against it, except those
marked `embedded_only`, and where no Docker engine runs they are all skipped with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver, GraphDatabase
from pydantic import SecretStr

from api.settings import ApiSettings
from graph import engine
from graph.driver import connection
from loaders.report import LoadReport
from tests.helpers import DATA, STRATEGY, app_client, clear, free_port, load, neo4j_server

ENGINES = ("embedded", "neo4j")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--engine",
        choices=ENGINES,
        default=os.environ.get("CONNECTS_TEST_ENGINE", "embedded"),
        help="The graph the integration tests run against: the embedded engine (default) or "
        "Neo4j 5.26 in Docker (needs a running Docker engine). Env: CONNECTS_TEST_ENGINE.",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("engine") != "neo4j":
        return
    for item in items:
        mark = item.get_closest_marker("embedded_only")
        if mark is not None:
            reason = mark.kwargs.get("reason", "tests the embedded engine itself")
            item.add_marker(pytest.mark.skip(reason=f"Embedded engine only: {reason}"))


@pytest.fixture(scope="session")
def settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiSettings]:
    """Settings for the session's graph: a private embedded engine, or Neo4j in Docker."""
    test_settings = ApiSettings(
        data_dir=tmp_path_factory.mktemp("engine"),
        bolt_port=free_port(),
        http_port=free_port(),
        public_base_uri="http://data.test",
        rate_limit_per_minute=0,  # tests that need limits set their own
    )
    if request.config.getoption("engine") == "neo4j":
        with neo4j_server() as (uri, password):
            yield test_settings.model_copy(
                update={
                    "uri": uri,
                    "user": "neo4j",
                    "password": SecretStr(password),
                    "database": "neo4j",  # Community edition has this one database only
                }
            )
        return
    engine.start(test_settings)
    yield test_settings
    engine.stop(test_settings)


@pytest.fixture(scope="session")
def sync_driver(settings: ApiSettings) -> Iterator[Driver]:
    """A plain driver for test set-up and inspection (the code under test uses its own)."""
    uri, auth = connection(settings)
    with GraphDatabase.driver(uri, auth=auth) as driver:
        yield driver


@pytest.fixture
def empty_graph(sync_driver: Driver, settings: ApiSettings) -> Driver:
    clear(sync_driver, settings)
    return sync_driver


@pytest.fixture
def linkable_graph(empty_graph: Driver, settings: ApiSettings) -> Driver:
    """A fresh graph with what a contribution links to: the framework, the evidence scales and
    the places, but no case studies."""
    load(settings, DATA / "strategy", DATA / "evidence", DATA / "places")
    return empty_graph


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


MEMBER_WORKFLOW = "member_workflow"
"""The marker of modules that follow members' submissions, curation and corrections: their
`client` serves all the bundled data, with the keyless intake's rate limit off."""


def _member_workflow(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker(MEMBER_WORKFLOW) is not None


@pytest.fixture(scope="module")
def served_data(request: pytest.FixtureRequest) -> object:
    """What a module's `client` serves: the bundled framework (everything for a module marked
    `member_workflow`). A module that needs other data overrides this fixture."""
    return request.getfixturevalue("everything" if _member_workflow(request) else "framework")


@pytest.fixture(scope="module")
def app_settings(settings: ApiSettings, request: pytest.FixtureRequest) -> ApiSettings:
    """The settings a module's `client` runs with: the session's (the keyless intake's rate
    limit off for a module marked `member_workflow`). A module that needs a limit changed
    overrides this fixture."""
    if _member_workflow(request):
        return settings.model_copy(update={"submission_rate_per_minute": 0})
    return settings


@pytest.fixture(scope="module")
def client(app_settings: ApiSettings, served_data: object) -> Iterator[TestClient]:
    """The API over the real engine, its lifespan running, serving `served_data`; one app for
    the module (tests that need an app of their own make one with `helpers.app_client`)."""
    with app_client(app_settings) as test_client:
        yield test_client
