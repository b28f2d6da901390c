"""The error table: every error the API knows has one meaning, and one problem shape."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from fastapi.exceptions import RequestValidationError

from api import errors
from api.auth import Forbidden, Unauthorised
from api.errors import CARRIERS, MAPPED, problem_of
from graph import approaches, researcher
from graph import errors as graph_errors
from graph.cypher_guard import NotAllowed
from graph.filters import InvalidFilter
from graph.keys import Scope
from graph.researcher import InvalidCypher, WriteRefused
from loaders.corrections import ReportRefused
from loaders.curation import GradesMismatch
from loaders.submissions import EditTokenRefused, HoneypotFilled, InvalidSubmission, NotRevisable
from ontology.formats import NotAcceptable
from ontology.sparql import errors as sparql_errors

SAMPLES: list[Exception] = [
    graph_errors.NotFound("nosuch"),
    graph_errors.Conflict("taken"),
    graph_errors.GraphUnavailable("bolt://secret-host:7687 refused"),
    graph_errors.GraphBusy("A conflicting change."),
    graph_errors.EngineDown("The graph engine is running but out of memory."),
    graph_errors.CredentialsRefused("The graph database refused the credentials."),
    graph_errors.ServerTooOld("The graph server is 'Neo4j/5.20.0'; needs 5.23 or later."),
    graph_errors.QueryTimeout("MATCH (n) RETURN n"),
    graph_errors.QueryFailed("MATCH (secret) RETURN 1"),
    graph_errors.GraphError("internals"),
    WriteRefused("CREATE (n)"),
    InvalidCypher("Invalid input 'RETURN'"),
    NotAllowed("CALL apoc.util.sleep is not allowed."),
    researcher.Busy("2 researchers' queries are already running."),
    researcher.ReaderMissing("Set CONNECTS_READER_USER."),
    researcher.Abandoned("The client left."),
    RequestValidationError([{"loc": ("query", "limit"), "msg": "not an int", "type": "x"}]),
    RuntimeError("/home/secret/path"),
    sparql_errors.QuerySyntaxError("The query is not valid SPARQL 1.1: 1:8"),
    sparql_errors.SparqlBusy(),
    sparql_errors.ProtocolError("Too long.", status=414, slug="too-long"),
    NotAcceptable(["text/turtle"]),
    errors.TooLarge(10),
    errors.BodyTimeout(30),
    errors.ExportBusy(2),
    errors.UnsupportedMediaType(["text/turtle"]),
    errors.InvalidContribution("Nothing was written.", [{"location": "x", "message": "y"}]),
    errors.RateLimited(3),
    Unauthorised(),
    Forbidden(Scope.ADMIN),
    InvalidFilter("query.outcome", "No outcome is called 'nosuch'."),
    approaches.ScopeTooLarge("Narrow the filter."),
    graph_errors.TooBroad("query.q", "These words match too many nodes to rank in time."),
    approaches.RuleMissing("The rule is not loaded."),
    graph_errors.ModelUnavailable("/x/model.onnx is not the pinned embedding model."),
    InvalidSubmission([{"location": "body.contact.email", "message": "Not an address."}]),
    HoneypotFilled(),
    EditTokenRefused("This submission's edit token is not the one sent."),
    NotRevisable("accepted"),
    GradesMismatch([{"location": "body.grades", "message": "One per claim."}]),
    ReportRefused("body.statement", "No statement has the id 'nosuch'."),
]


def test_every_entry_of_the_table_has_a_sample() -> None:
    for cls in (*MAPPED, *CARRIERS):
        assert any(type(sample) is cls or issubclass(type(sample), cls) for sample in SAMPLES), cls


@pytest.mark.parametrize("exc", SAMPLES, ids=lambda e: type(e).__name__)
def test_every_error_is_one_problem_shape(exc: Exception) -> None:
    problem, headers = problem_of(exc, "/some/path")
    assert problem.title == HTTPStatus(problem.status).phrase
    assert problem.type.startswith("/problems/")
    assert problem.instance == "/some/path"
    assert problem.detail
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())
    if problem.status == 422:
        assert problem.errors
        assert all(set(error) == {"location", "message"} for error in problem.errors)
    if problem.status >= 500:
        assert "secret" not in problem.model_dump_json()  # internals are logged, never sent


def test_graph_errors_take_their_meaning_from_the_table() -> None:
    problem, headers = problem_of(graph_errors.GraphUnavailable("down"), "/x")
    assert (problem.status, problem.type) == (503, "/problems/graph-unavailable")
    assert headers == {"Retry-After": "5"}
    # A subclass not in the table means what its base means.
    problem, _ = problem_of(graph_errors.EngineError("no engine"), "/x")
    assert (problem.status, problem.type) == (500, "/problems/graph-error")


def test_an_engine_known_to_be_down_says_why_and_a_conflict_says_try_again() -> None:
    down = graph_errors.EngineDown("The graph engine is running but out of memory.")
    problem, headers = problem_of(down, "/x")
    assert (problem.status, problem.type, headers) == (
        503,
        "/problems/graph-unavailable",
        {"Retry-After": "5"},
    )
    assert problem.detail == str(down)
    problem, headers = problem_of(graph_errors.GraphBusy("Conflict."), "/x")
    assert (problem.status, problem.type, headers) == (
        503,
        "/problems/graph-busy",
        {"Retry-After": "1"},
    )


def test_carried_meanings_are_read_from_the_error() -> None:
    problem, headers = problem_of(sparql_errors.SparqlBusy(), "/sparql")
    assert (problem.status, problem.type, headers) == (503, "/problems/busy", {"Retry-After": "2"})
    problem, _ = problem_of(sparql_errors.QueryTimedOut(2), "/sparql")
    assert (problem.status, problem.type) == (504, "/problems/query-timeout")
    problem, headers = problem_of(Unauthorised(), "/contributions")
    assert headers == {"WWW-Authenticate": "Bearer"}
