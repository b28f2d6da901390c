"""Researchers' Cypher cannot run the embedded engine out of memory (issue 15).

These run against an engine of their own with a small heap, so that a statement which got
through would fail here, quickly, and never wedge the session's engine.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.settings import ApiSettings
from graph import engine
from tests.helpers import STRATEGY, app_client, free_port, load

EXPENSIVE = [
    # The red team's: the string doubles 30 times.
    "RETURN size(reduce(s='x', i IN range(1,30) | s + s)) AS n",
    "RETURN size(REDUCE(s='x', i IN range(1,40) | s + s + s)) AS n",
    "RETURN size(/**/reduce/**/(l=[1], i IN range(1,30) | l + l)) AS n",
    "RETURN size(range(1, 100000000)) AS n",
    "RETURN size(range(1, 2147483647, 1)) AS n",
    "UNWIND range(1, 100000000) AS i RETURN collect(i)[0] AS c",
    "UNWIND range(1, 10000) AS a UNWIND range(1, 10000) AS b RETURN collect(a)[0] AS c",
    "RETURN size([x IN range(1, 10000) | [y IN range(1, 10000) | x]]) AS n",
    "WITH 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' AS a "
    + " ".join(["WITH a + a AS a"] * 24)
    + " RETURN size(a) AS n",
    "WITH [1,2,3,4,5,6,7,8,9,10] AS l "
    + " ".join(["WITH l + l AS l"] * 26)
    + " RETURN size(l) AS n",
]


@pytest.fixture(scope="module")
def small_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiSettings]:
    """An engine of the module's own, with a heap small enough to run out quickly."""
    settings = ApiSettings(
        data_dir=tmp_path_factory.mktemp("small-engine"),
        bolt_port=free_port(),
        http_port=free_port(),
        engine_heap="256m",
        query_timeout=10.0,
        rate_limit_per_minute=0,
    )
    engine.start(settings)
    try:
        load(settings, STRATEGY)
        yield settings
    finally:
        engine.stop(settings, grace=5.0)


@pytest.fixture(scope="module")
def small(small_engine: ApiSettings) -> Iterator[TestClient]:
    with app_client(small_engine) as client:
        yield client


def still_answers(client: TestClient) -> None:
    assert client.get("/health").status_code == 200
    body = client.post("/cypher", json={"query": "MATCH (o:Outcome) RETURN count(o) AS n"}).json()
    assert body["rows"] == [[12]], body


@pytest.mark.parametrize("statement", EXPENSIVE, ids=range(len(EXPENSIVE)))
def test_what_could_exhaust_memory_is_refused(small: TestClient, statement: str) -> None:
    response = small.post("/cypher", json={"query": statement})
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/problem+json"
    still_answers(small)
