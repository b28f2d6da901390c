"""Researchers' Cypher cannot run the embedded engine out of memory (issue 15).

These run against an engine of their own with a small heap, so that a statement which got
through would fail here, quickly, and never wedge the session's engine.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, MutableMapping
from typing import Any

import anyio
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


SLOW = (
    "MATCH (a:Entity), (b:Entity), (c:Entity), (d:Entity) "
    "WHERE a.name = b.name + c.name + d.name RETURN count(*) AS n"
)
"""Over 600 million rows: runs until the engine's timeout."""


def test_a_query_stops_when_its_client_leaves(small: TestClient) -> None:
    async def leave_after(seconds: float) -> tuple[float, list[MutableMapping[str, Any]]]:
        body = json.dumps({"query": SLOW}).encode()
        first = [{"type": "http.request", "body": body, "more_body": False}]
        leave_at = time.monotonic() + seconds

        async def receive() -> dict[str, Any]:
            if first:
                return first.pop()
            if time.monotonic() < leave_at:
                await anyio.sleep(leave_at - time.monotonic())
            return {"type": "http.disconnect"}

        sent: list[MutableMapping[str, Any]] = []

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/cypher",
            "raw_path": b"/cypher",
            "query_string": b"",
            "root_path": "",
            "headers": [(b"content-type", b"application/json"), (b"host", b"testserver")],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        started = time.monotonic()
        await small.app(scope, receive, send)
        return time.monotonic() - started, sent

    assert small.portal is not None
    took, sent = small.portal.call(leave_after, 1.0)
    assert sent[0]["status"] == 408  # said to no one, but not a 500 in the access log
    gate = small.app.state.cypher_gate  # type: ignore[attr-defined]
    assert gate.running == 0  # its place in the budget is given back
    # It ended with its client, not at the server's timeout (10 s) as it would have.
    assert took < 5.0, took
    still_answers(small)


def test_the_slow_query_runs_until_the_timeout_when_its_client_stays(small: TestClient) -> None:
    """The control for the test above: without leaving, the same query takes the timeout."""
    started = time.monotonic()
    response = small.post("/cypher", json={"query": SLOW})
    assert response.status_code == 504, response.text
    assert time.monotonic() - started >= 5.0
