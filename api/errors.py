"""The only place that turns errors into HTTP: RFC 9457 problem details, one shape everywhere.

Errors defined above ``graph/`` carry their HTTP meaning as data (``status``, ``slug`` naming
the problem type ``/problems/<slug>``, and optionally ``headers`` and a 422's ``errors``);
``graph/`` knows nothing of HTTP, so its errors are given theirs in `MAPPED`. One handler,
`handle`, answers them all; the title is always the status's phrase.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, ClassVar, Protocol, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Send

from api.auth import Forbidden, Unauthorised
from graph.approaches import RuleMissing, ScopeTooLarge
from graph.cypher_guard import NotAllowed
from graph.errors import (
    Conflict,
    CredentialsRefused,
    EngineDown,
    GraphBusy,
    GraphError,
    GraphUnavailable,
    ModelUnavailable,
    NotFound,
    QueryTimeout,
    ServerTooOld,
    TooBroad,
)
from graph.filters import InvalidFilter
from graph.researcher import Abandoned, Busy, InvalidCypher, ReaderMissing, WriteRefused
from loaders.corrections import ReportRefused
from loaders.curation import GradesMismatch
from loaders.submissions import (
    EditTokenRefused,
    HoneypotFilled,
    InvalidSubmission,
    NotRevisable,
)
from ontology.formats import NotAcceptable
from ontology.sparql.errors import SparqlError

PROBLEM_MEDIA_TYPE = "application/problem+json"
_MAX_INSTANCE = 512
log = logging.getLogger("connects.api")


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    type: str = Field(default="about:blank", examples=["/problems/not-found"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str | None = Field(default=None, examples=["No node has the id 'nosuch'."])
    instance: str | None = Field(default=None, examples=["/nodes/nosuch"])
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="For 422: each invalid parameter, where it is and why."
    )


class TooLarge(Exception):
    """The request body is larger than the server accepts (413)."""

    status: ClassVar[int] = 413
    slug: ClassVar[str] = "too-large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"The body is larger than {limit} bytes.")


class BodyTimeout(Exception):
    """The request body did not arrive in the time the server allows (408)."""

    status: ClassVar[int] = 408
    slug: ClassVar[str] = "body-timeout"
    headers: ClassVar[Mapping[str, str]] = {"Connection": "close"}

    def __init__(self, seconds: float) -> None:
        super().__init__(f"The request body did not arrive within {seconds:g} s; send it faster.")


class UnsupportedMediaType(Exception):
    """The request body's Content-Type is not one we read (415)."""

    status: ClassVar[int] = 415
    slug: ClassVar[str] = "unsupported-media-type"

    def __init__(self, accepted: list[str]) -> None:
        super().__init__(f"Send one of: {', '.join(accepted)}.")


class InvalidContribution(Exception):
    """A contribution that is empty or breaks the shapes or rules: nothing was written (422)."""

    status: ClassVar[int] = 422
    slug: ClassVar[str] = "invalid-contribution"

    def __init__(
        self, detail: str, errors: list[dict[str, Any]] | None = None, turtle: bytes | None = None
    ) -> None:
        super().__init__(detail)
        self.errors = errors
        self.turtle = turtle
        """The errors as a SHACL sh:ValidationReport, sent to a client that asks for Turtle."""


class RateLimited(Exception):
    """Too many requests from one key or address (429)."""

    status: ClassVar[int] = 429
    slug: ClassVar[str] = "rate-limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many requests; try again in {retry_after} s.")
        self.headers = {"Retry-After": str(retry_after)}


class ExportBusy(Exception):
    """Every export slot is taken (503): a whole-graph export is heavy, so only a few run."""

    status: ClassVar[int] = 503
    slug: ClassVar[str] = "export-busy"
    headers: ClassVar[Mapping[str, str]] = {"Retry-After": "10"}

    def __init__(self, slots: int) -> None:
        super().__init__(f"{slots} exports are running, the most at once; try again shortly.")


CARRIERS: tuple[type[Exception], ...] = (
    SparqlError,
    NotAcceptable,
    TooLarge,
    BodyTimeout,
    UnsupportedMediaType,
    InvalidContribution,
    RateLimited,
    ExportBusy,
    Unauthorised,
    Forbidden,
    InvalidSubmission,
    HoneypotFilled,
    EditTokenRefused,
    NotRevisable,
    GradesMismatch,
    ReportRefused,
)
"""The errors (and their subclasses) that carry their own status, slug and headers."""


class _Carrier(Protocol):
    status: int
    slug: str


@dataclass(frozen=True)
class ProblemType:
    """What an error that does not carry it means in HTTP."""

    status: int
    slug: str
    detail: str | None = None
    """Said instead of the error's own text, which may hold internals."""
    headers: Mapping[str, str] = field(default_factory=dict)
    location: str | None = None
    """For a 422 about one input: where it is; the error's text says what is wrong."""


MAPPED: dict[type[Exception], ProblemType] = {
    NotFound: ProblemType(404, "not-found"),
    Conflict: ProblemType(409, "conflict"),
    GraphUnavailable: ProblemType(
        503,
        "graph-unavailable",
        "The graph database is unavailable; try again shortly.",
        headers={"Retry-After": "5"},
    ),
    EngineDown: ProblemType(503, "graph-unavailable", headers={"Retry-After": "5"}),
    GraphBusy: ProblemType(503, "graph-busy", headers={"Retry-After": "1"}),
    # No Retry-After: these last until an operator changes the configuration or the server.
    CredentialsRefused: ProblemType(
        503,
        "graph-credentials-refused",
        "The graph database refused the service's credentials; an operator must correct "
        "CONNECTS_USER or CONNECTS_PASSWORD (retrying will not help).",
    ),
    ServerTooOld: ProblemType(503, "graph-server-too-old"),
    QueryTimeout: ProblemType(
        504,
        "query-timeout",
        "The query took longer than the server allows; narrow it and try again.",
    ),
    WriteRefused: ProblemType(403, "read-only"),
    NotAllowed: ProblemType(403, "not-allowed"),
    Busy: ProblemType(503, "busy", headers={"Retry-After": "2"}),
    ReaderMissing: ProblemType(503, "cypher-unavailable"),
    # Nobody reads it (the client has gone); it keeps the access log from saying 500.
    Abandoned: ProblemType(408, "abandoned"),
    InvalidFilter: ProblemType(422, "invalid"),
    ScopeTooLarge: ProblemType(422, "too-broad", location="query"),
    TooBroad: ProblemType(422, "too-broad"),
    RuleMissing: ProblemType(503, "rating-rule-missing"),
    ModelUnavailable: ProblemType(
        503,
        "search-model-unavailable",
        "Search by meaning is unavailable: the embedding model is not installed as pinned; "
        "mode=keyword still works.",
    ),
    InvalidCypher: ProblemType(
        422, "invalid", "The query is not valid Cypher.", location="body.query"
    ),
    GraphError: ProblemType(500, "graph-error", "The graph failed to answer."),
    RequestValidationError: ProblemType(422, "invalid", "Some parameters are invalid."),
    Exception: ProblemType(500, "internal", "An unexpected error occurred."),
}
"""The graph's errors (most specific first; a subclass not listed takes its base's meaning),
the framework's 422, and anything else: a 500 that never echoes the exception's text."""


def problem_of(exc: Exception, path: str) -> tuple[Problem, dict[str, str]]:
    """The problem details for an error, and the headers to send with them."""
    errors: list[dict[str, Any]] | None = None
    if isinstance(exc, CARRIERS):
        carrier = cast(_Carrier, exc)
        status, slug, detail = carrier.status, carrier.slug, str(exc)
        headers = dict(getattr(exc, "headers", {}))
        errors = getattr(exc, "errors", None)
    elif isinstance(exc, StarletteHTTPException):  # a 404 for a path, a 405 with its Allow
        status, slug = exc.status_code, None
        detail = exc.detail if isinstance(exc.detail, str) else None
        headers = dict(exc.headers or {})
    else:
        meaning = next(MAPPED[cls] for cls in type(exc).__mro__ if cls in MAPPED)
        status, slug, headers = meaning.status, meaning.slug, dict(meaning.headers)
        detail = meaning.detail or str(exc)
        if isinstance(exc, RequestValidationError):
            errors = [
                {"location": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                for e in exc.errors()
            ]
        elif isinstance(exc, InvalidFilter | TooBroad):
            errors = [{"location": exc.location, "message": exc.message}]
        elif meaning.location is not None:
            errors = [{"location": meaning.location, "message": str(exc)}]
    problem = Problem(
        type=f"/problems/{slug}" if slug else "about:blank",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        # Bounded: a client's 100 kB path is not echoed back in full.
        instance=path[:_MAX_INSTANCE],
        errors=errors,
    )
    return problem, headers


TURTLE = "text/turtle"


async def handle(request: Request, exc: Exception) -> Response:
    """The one exception handler: any error, as problem details."""
    problem, headers = problem_of(exc, request.url.path)
    turtle = getattr(exc, "turtle", None)
    if turtle is not None and TURTLE in request.headers.get("accept", ""):
        return Response(turtle, status_code=problem.status, media_type=TURTLE, headers=headers)
    if problem.status == 500:
        # The exception text may hold internals (queries, paths): log it, never send it.
        if isinstance(exc, GraphError):
            log.error("graph error on %s: %s", request.url.path, type(exc).__name__)
        else:
            log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers or None,
    )


async def send_problem(send: Send, path: str, exc: Exception) -> None:
    """The same problem details as `handle`, sent by ASGI middleware that has no Request."""
    problem, headers = problem_of(exc, path)
    body = problem.model_dump_json(exclude_none=True).encode()
    raw = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": problem.status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": text}
    for code, text in (
        (404, "No such node"),
        (422, "Invalid parameters"),
        (503, "The graph is unavailable"),
    )
}


def install(app: FastAPI) -> None:
    """Give every error the problem-details shape, through the one handler."""
    for cls in (*CARRIERS, *MAPPED, StarletteHTTPException):
        app.add_exception_handler(cls, handle)
