"""The only place that turns errors into HTTP: RFC 9457 problem details, one shape everywhere."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Send

from api.auth import Forbidden, Unauthorised
from api.filters import InvalidFilter
from graph.errors import Conflict, GraphError, GraphUnavailable, NotFound, QueryTimeout
from graph.researcher import InvalidCypher, WriteRefused
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

    def __init__(self, limit: int) -> None:
        super().__init__(f"The body is larger than {limit} bytes.")


class UnsupportedMediaType(Exception):
    """The request body's Content-Type is not one we read (415)."""

    def __init__(self, accepted: list[str]) -> None:
        super().__init__(f"Send one of: {', '.join(accepted)}.")


def problem(
    request: Request,
    status: int,
    detail: str | None,
    *,
    slug: str | None = None,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    body = Problem(
        type=f"/problems/{slug}" if slug else "about:blank",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        # Bounded: a client's 100 kB path is not echoed back in full.
        instance=request.url.path[:_MAX_INSTANCE],
        errors=errors,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


async def send_problem(
    send: Send,
    path: str,
    status: int,
    detail: str,
    *,
    slug: str,
    headers: dict[str, str] | None = None,
) -> None:
    """The same problem details as `problem`, sent by ASGI middleware that has no Request."""
    body = (
        Problem(
            type=f"/problems/{slug}",
            title=HTTPStatus(status).phrase,
            status=status,
            detail=detail,
            instance=path[:_MAX_INSTANCE],
        )
        .model_dump_json(exclude_none=True)
        .encode()
    )
    raw = [(b"content-type", PROBLEM_MEDIA_TYPE.encode()),
           (b"content-length", str(len(body)).encode())]  # fmt: skip
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
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
    """Register the handlers that give every error the problem-details shape."""

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> JSONResponse:
        return problem(request, 404, str(exc), slug="not-found")

    @app.exception_handler(Conflict)
    async def conflict(request: Request, exc: Conflict) -> JSONResponse:
        return problem(request, 409, str(exc), slug="conflict")

    @app.exception_handler(GraphUnavailable)
    async def unavailable(request: Request, exc: GraphUnavailable) -> JSONResponse:
        detail = "The graph database is unavailable; try again shortly."
        return problem(request, 503, detail, slug="graph-unavailable", headers={"Retry-After": "5"})

    @app.exception_handler(QueryTimeout)
    async def timeout(request: Request, exc: QueryTimeout) -> JSONResponse:
        detail = "The query took longer than the server allows; narrow it and try again."
        return problem(request, 504, detail, slug="query-timeout")

    @app.exception_handler(WriteRefused)
    async def write_refused(request: Request, exc: WriteRefused) -> JSONResponse:
        return problem(request, 403, str(exc), slug="read-only")

    @app.exception_handler(InvalidCypher)
    async def invalid_cypher(request: Request, exc: InvalidCypher) -> JSONResponse:
        errors = [{"location": "body.query", "message": str(exc)}]
        return problem(
            request, 422, "The query is not valid Cypher.", slug="invalid", errors=errors
        )

    @app.exception_handler(GraphError)
    async def graph_error(request: Request, exc: GraphError) -> JSONResponse:
        log.error("graph error on %s: %s", request.url.path, type(exc).__name__)
        return problem(request, 500, "The graph failed to answer.", slug="graph-error")

    @app.exception_handler(NotAcceptable)
    async def not_acceptable(request: Request, exc: NotAcceptable) -> JSONResponse:
        return problem(request, exc.status, str(exc), slug=exc.slug)

    @app.exception_handler(Unauthorised)
    async def unauthorised(request: Request, exc: Unauthorised) -> JSONResponse:
        detail = "Send a valid API key as 'Authorization: Bearer <key>'."
        headers = {"WWW-Authenticate": "Bearer"}
        return problem(request, 401, detail, slug="unauthorised", headers=headers)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> JSONResponse:
        return problem(request, 403, str(exc), slug="forbidden")

    @app.exception_handler(TooLarge)
    async def too_large(request: Request, exc: TooLarge) -> JSONResponse:
        return problem(request, 413, str(exc), slug="too-large")

    @app.exception_handler(UnsupportedMediaType)
    async def unsupported(request: Request, exc: UnsupportedMediaType) -> JSONResponse:
        return problem(request, 415, str(exc), slug="unsupported-media-type")

    @app.exception_handler(InvalidFilter)
    async def invalid_filter(request: Request, exc: InvalidFilter) -> JSONResponse:
        errors = [{"location": exc.location, "message": exc.message}]
        return problem(request, 422, exc.message, slug="invalid", errors=errors)

    install_sparql(app)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"location": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in exc.errors()
        ]
        return problem(request, 422, "Some parameters are invalid.", slug="invalid", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else None
        headers = dict(exc.headers) if exc.headers else None
        return problem(request, exc.status_code, detail, headers=headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The exception text may hold internals (queries, paths): log it, never send it.
        log.exception("unhandled error on %s", request.url.path)
        return problem(request, 500, "An unexpected error occurred.", slug="internal")


def install_sparql(app: FastAPI) -> None:
    """SPARQL errors carry their status and problem type; their messages are for the client."""

    @app.exception_handler(SparqlError)
    async def sparql_error(request: Request, exc: SparqlError) -> JSONResponse:
        headers = dict(exc.headers) or None
        return problem(request, exc.status, str(exc), slug=exc.slug, headers=headers)
