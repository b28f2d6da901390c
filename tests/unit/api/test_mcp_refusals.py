"""What an assistant is told when a tool fails: the API's words, the parameter, never internals."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, ValidationError

from api.mcp.refusals import invalid_arguments, refusal
from graph import errors as graph_errors
from graph.filters import InvalidFilter
from ontology.sparql.errors import QueryTimedOut


def test_a_timeout_says_so_and_what_to_do() -> None:
    said = str(refusal("evidence", graph_errors.QueryTimeout("MATCH (n) ... secret"), {}))
    assert said == "The query took longer than the server allows; narrow it and try again."
    assert "secret" not in said
    assert "10 s" in str(refusal("sparql", QueryTimedOut(10.0), {}))


def test_an_unavailable_graph_says_when_to_try_again_without_its_address() -> None:
    said = str(refusal("search", graph_errors.GraphUnavailable("bolt://db-host:7687"), {}))
    assert "unavailable" in said
    assert said.endswith("Try again in 5 s.")
    assert "db-host" not in said


def test_an_unexpected_error_never_shows_its_text(caplog: pytest.LogCaptureFixture) -> None:
    said = str(refusal("get_node", RuntimeError("/srv/secret/path"), {}))
    assert said == "An unexpected error occurred."
    assert "unexpected error in the get_node tool" in caplog.text


def test_a_refused_value_names_the_tools_own_parameter() -> None:
    refused = InvalidFilter("query.to", "No node has the id 'nosuch'.")
    assert str(refusal("explain_path", refused, {"to": "to_id"})) == (
        "to_id: No node has the id 'nosuch'."
    )


class _Arguments(BaseModel):
    limit: int = Field(le=50)
    outcome: list[str]


def test_arguments_the_schema_refuses_are_said_in_words() -> None:
    with pytest.raises(ValidationError) as refused:
        _Arguments.model_validate({"limit": 99})
    assert str(invalid_arguments(refused.value)) == (
        "Invalid arguments: limit: Must be at most 50; got 99. outcome: Required, but missing."
    )
