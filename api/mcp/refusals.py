"""Errors as an assistant reads them: a tool error in plain words, naming the parameter.

The words are the API's (`api.errors.problem_of`, the one error table), so a refusal says the
same over MCP as over HTTP, and an unexpected error never shows its own text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import ValidationError

from api.errors import problem_of
from graph.errors import GraphError
from loaders.messages import in_words

log = logging.getLogger("connects.mcp")


@contextmanager
def in_plain_words(tool: str, renamed: Mapping[str, str] | None = None) -> Iterator[None]:
    """Any error the tool's work raises, as a `ToolError` saying what was wrong and where;
    `renamed` gives the tool's name for an API parameter whose name it does not share."""
    try:
        yield
    except ToolError:
        raise
    except Exception as e:
        raise refusal(tool, e, renamed or {}) from e


def refusal(tool: str, exc: Exception, renamed: Mapping[str, str]) -> ToolError:
    """The tool error for `exc`: the API's problem detail, and which parameter it is about."""
    problem, headers = problem_of(exc, f"mcp:{tool}")
    if problem.status == 500:
        # The text may hold internals (queries, paths): logged, never sent.
        if isinstance(exc, GraphError):
            log.error("graph error in the %s tool: %s", tool, type(exc).__name__)
        else:
            log.error("unexpected error in the %s tool", tool, exc_info=exc)
    errors = problem.errors or []
    said = {error["message"] for error in errors}
    words = [] if problem.detail in said else [problem.detail or problem.title]
    for error in errors:
        where = _parameter(error["location"])
        words.append(f"{renamed.get(where, where)}: {error['message']}")
    if "Retry-After" in headers:
        words.append(f"Try again in {headers['Retry-After']} s.")
    return ToolError(" ".join(words))


def invalid_arguments(exc: ValidationError) -> ToolError:
    """A tool's arguments refused by its schema, each in words (`loaders.messages`)."""
    return ToolError(
        "Invalid arguments: "
        + " ".join(f"{_parameter(_where(e))}: {in_words(e)}" for e in exc.errors())
    )


def _where(error: Any) -> str:
    return ".".join(str(part) for part in error["loc"]) or "arguments"


def _parameter(location: str) -> str:
    # The API says where a parameter was (query.outcome); a tool's arguments have no place.
    return location.removeprefix("query.").removeprefix("body.")
