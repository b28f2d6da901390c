"""Each SPARQL query runs in a child process: killed at the deadline, held to a memory allowance,
and unable to open sockets or files, whatever the query asks for."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.settings import ApiSettings
from loaders.report import LoadReport
from ontology.sparql import evaluate as sparql
from tests.helpers import OUTCOMES, app_client, bindings, problem

# Produces no solution until it has skipped 10^11 of 10^11 rows: nothing can stop it lazily.
UNSTOPPABLE = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } LIMIT 5 OFFSET 100000000000"
# Seconds within which a deadline of 0.5 s must have stopped UNSTOPPABLE, even on a busy machine.
UNSTOPPED_BOUND = 20
# One row whose value grows to about a gigabyte on the bundled data.
GREEDY = "SELECT (STRLEN(GROUP_CONCAT(STR(?c))) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"


@pytest.fixture(scope="module")
def served_data(everything: LoadReport) -> object:
    return everything


def forked_children() -> list[int]:
    """Our children that are copies of this process (the graph engine is a java child)."""
    ours = Path("/proc/self/comm").read_text()
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            comm = (stat.parent / "comm").read_text()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and comm == ours:
            found.append(int(stat.parent.name))
    return found


def test_a_query_that_yields_nothing_until_it_ends_is_killed_at_the_deadline(
    settings: ApiSettings, everything: LoadReport
) -> None:
    with app_client(settings, sparql_timeout=0.5, sparql_concurrency=1) as client:
        # The first query builds the store from the graph: not what the deadline is about.
        assert len(bindings(client.get("/sparql", params={"query": OUTCOMES}))) == 12
        started = time.monotonic()
        body = problem(client.get("/sparql", params={"query": UNSTOPPABLE}), 504, "query-timeout")
        assert "0.5 s" in body["detail"]
        # Unstopped, this query would run for ever: any finite bound shows the deadline cut it,
        # and a generous one keeps a busy machine from failing the test.
        assert time.monotonic() - started < UNSTOPPED_BOUND
        # The one slot is free again (a slot still held would answer 503): the query is gone.
        assert len(bindings(client.get("/sparql", params={"query": OUTCOMES}))) == 12
        assert forked_children() == []


def test_slots_are_bounded_and_come_back(settings: ApiSettings, everything: LoadReport) -> None:
    with (
        app_client(settings, sparql_timeout=0.5, sparql_concurrency=1) as client,
        ThreadPoolExecutor(3) as pool,
    ):
        started = time.monotonic()
        answers = list(
            pool.map(lambda _: client.get("/sparql", params={"query": UNSTOPPABLE}), range(3))
        )
        # One at a time: each either ran into the deadline or waited too long for the slot.
        assert sorted(a.status_code for a in answers) in ([503, 503, 504], [503, 504, 504])
        assert time.monotonic() - started < UNSTOPPED_BOUND
        assert len(bindings(client.get("/sparql", params={"query": OUTCOMES}))) == 12


def test_a_query_that_needs_too_much_memory_is_refused(
    settings: ApiSettings, everything: LoadReport
) -> None:
    with app_client(settings, sparql_memory_mb=64, sparql_timeout=30) as client:
        body = problem(client.get("/sparql", params={"query": GREEDY}), 422, "memory-limit")
        assert "64 MB" in body["detail"]
        assert len(bindings(client.get("/sparql", params={"query": OUTCOMES}))) == 12


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A local server that a federated query would call."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(0.5)
        yield server


def nobody_called(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except TimeoutError:
        return True
    connection.close()
    return False


def test_service_hidden_behind_an_escape_is_refused(
    settings: ApiSettings, everything: LoadReport, listener: socket.socket
) -> None:
    port = listener.getsockname()[1]
    # `\#` is an escape inside a prefixed name, not the start of a comment.
    query = (
        f"PREFIX ex: <a:> SELECT * WHERE {{ BIND(ex:p\\# AS ?x) "
        f"SERVICE <http://127.0.0.1:{port}/admin> {{ ?a ?b ?c }} }}"
    )
    with app_client(settings) as client:
        problem(client.get("/sparql", params={"query": query}), 400, "service-refused")
    assert nobody_called(listener)


def test_a_query_cannot_open_a_socket_even_past_the_check(
    settings: ApiSettings,
    everything: LoadReport,
    listener: socket.socket,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Suppose the check missed a SERVICE: the child it runs in still cannot connect, and what
    # the operating system said about it (os error 24) is not the client's business.
    monkeypatch.setattr(sparql, "refuse_remote", lambda text: None)
    port = listener.getsockname()[1]
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/admin> {{ ?a ?b ?c }} }}"
    with app_client(settings) as client:
        body = problem(client.get("/sparql", params={"query": query}), 400, "query-failed")
    assert body["detail"] == "The query could not be evaluated."
    assert nobody_called(listener)


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ ?s ?p ?o .SERVICE <{url}> {{ ?a ?b ?c }} }}",
        "SELECT * WHERE {{ ?s ?p ?o .sErViCe SILENT <{url}> {{ }} }}",
        "SELECT * WHERE {{ ?s ?p ?o ;SERVICE <{url}> {{ }} }}",
        "SELECT * WHERE {{ {{ ?s ?p ?o }}SERVICE<{url}>{{}} }}",
        "SELECT * WHERE {{ ?s ?p ?o # note\nSERVICE # again\n <{url}> {{}} }}",
        "PREFIX ex: <{url}> SELECT * WHERE {{ ?s ?p ex:o .SERVICE ex: {{}} }}",
        "SELECT * WHERE {{ ?s ?p 1.\\u0053ERVICE <{url}> {{}} }}",
        "SELECT * WHERE {{ BIND(<{url}> AS ?v) FILTER(?a<1)SERVICE?v#>\n{{}} }}",
        "SELECT * WHERE {{ VALUES ?v {{ <{url}> }} SERVICE ?v {{ ?a ?b ?c }} }}",
        "ASK {{ ?s ?p ?o .SERVICE <{url}> {{ }} }}",
    ],
)
def test_federation_is_refused_however_it_touches_its_neighbours(
    client: TestClient, listener: socket.socket, template: str
) -> None:
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    query = template.format(url=url)
    problem(client.get("/sparql", params={"query": query}), 400, "service-refused")
    problem(client.post("/sparql", data={"query": query}), 400, "service-refused")
    assert nobody_called(listener)


@pytest.mark.parametrize(
    ("template", "status"),
    [
        ("SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}", 400),  # refused: no such graph
        ("SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", 400),
        ("SELECT * WHERE {{ GRAPH <{url}> {{ ?s ?p ?o }} }}", 200),
        ("LOAD <{url}>", 400),
        ("LOAD SILENT <{url}> INTO GRAPH <a:g>", 400),
    ],
)
def test_nothing_else_in_a_query_fetches_a_url(
    client: TestClient, listener: socket.socket, template: str, status: int
) -> None:
    query = template.format(url=f"http://127.0.0.1:{listener.getsockname()[1]}/data.ttl")
    assert client.get("/sparql", params={"query": query}).status_code == status
    assert nobody_called(listener)
