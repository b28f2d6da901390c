"""One error shape everywhere: every kind of error, provoked on a real endpoint, is an RFC 9457
problem with its type, title, status, detail and instance, and the headers it promises."""

from __future__ import annotations

from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import ApiSettings
from tests.helpers import free_port

SPARQL_QUERY = {"content-type": "application/sparql-query"}
TTL = {"content-type": "text/turtle"}
UPLOAD_LIMIT = 4096


@dataclass(frozen=True)
class Case:
    method: str
    url: str
    status: int
    type: str
    request: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.method} {self.url}"


CASES = [
    Case("GET", "/nodes/nosuch", 404, "/problems/not-found"),
    Case("GET", "/no/such/path", 404, "about:blank"),
    Case("DELETE", "/nodes/inclusion", 405, "about:blank", headers={"allow": "GET"}),
    Case("GET", "/nodes?limit=none", 422, "/problems/invalid"),
    Case("GET", "/evidence?outcome=nosuch", 422, "/problems/invalid"),
    Case("POST", "/cypher", 422, "/problems/invalid", {"json": {"query": "MATCH (n RETURN n"}}),
    Case(
        "POST",
        "/contributions",
        401,
        "/problems/unauthorised",
        {"content": b"<a:b> <a:c> <a:d> .", "headers": TTL},
        headers={"www-authenticate": "Bearer"},
    ),
    Case("GET", "/export", 406, "/problems/not-acceptable", {"headers": {"accept": "image/png"}}),
    Case(
        "GET",
        "/sparql?query=ASK%7B%7D",
        406,
        "/problems/not-acceptable",
        {"headers": {"accept": "image/png"}},
    ),
    Case(
        "POST",
        "/sparql",
        415,
        "/problems/unsupported-media-type",
        {"content": b"ASK {}", "headers": {"content-type": "text/plain"}},
    ),
    Case(
        "POST",
        "/sparql",
        413,
        "/problems/too-large",
        {"content": b"#" * (UPLOAD_LIMIT - 1), "headers": SPARQL_QUERY},
    ),
    Case(
        "POST",
        "/contributions",
        413,
        "/problems/too-large",
        {"content": b"#" * (UPLOAD_LIMIT + 1), "headers": TTL},
    ),  # the middleware's 413
    Case("GET", "/sparql?query=SELECT", 400, "/problems/invalid-query"),
    Case(
        "POST",
        "/sparql",
        400,
        "/problems/read-only",
        {"content": b"CLEAR ALL", "headers": {"content-type": "application/sparql-update"}},
    ),
]


@pytest.fixture(scope="module")
def app_settings(settings: ApiSettings) -> ApiSettings:
    """Small upload and query limits, to reach them cheaply."""
    return settings.model_copy(
        update={"max_upload_bytes": UPLOAD_LIMIT, "sparql_max_query_bytes": UPLOAD_LIMIT // 2}
    )


def assert_problem(response: Any, case: Case) -> dict[str, Any]:
    assert response.status_code == case.status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    for name, value in case.headers.items():
        assert response.headers[name] == value
    body: dict[str, Any] = response.json()
    assert set(body) <= {"type", "title", "status", "detail", "instance", "errors"}
    assert body["type"] == case.type
    assert body["title"] == HTTPStatus(case.status).phrase
    assert body["status"] == case.status
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert body["instance"] == case.url.partition("?")[0]
    if case.status == 422:
        assert body["errors"]
        for error in body["errors"]:
            assert set(error) == {"location", "message"}
            assert all(isinstance(value, str) and value for value in error.values())
    else:
        assert "errors" not in body
    return body


@pytest.mark.parametrize("case", CASES, ids=str)
def test_every_error_has_one_shape(client: TestClient, case: Case) -> None:
    assert_problem(client.request(case.method, case.url, **case.request), case)


def test_too_many_requests_has_the_shape_and_says_when_to_retry(settings: ApiSettings) -> None:
    limited = settings.model_copy(update={"rate_limit_per_minute": 1, "rate_limit_burst": 1})
    case = Case("GET", "/kinds", 429, "/problems/rate-limited")
    with TestClient(create_app(limited)) as client:
        client.get("/kinds")
        response = client.get("/kinds")
    assert_problem(response, case)
    assert int(response.headers["retry-after"]) >= 1


@pytest.mark.embedded_only(
    reason="moves the embedded engine's Bolt port; test_api's unreachable URI covers Neo4j"
)
def test_an_unreachable_graph_has_the_shape_and_says_when_to_retry(
    settings: ApiSettings,
) -> None:
    away = settings.model_copy(update={"bolt_port": free_port(), "connect_timeout": 0.5})
    case = Case(
        "GET", "/nodes/inclusion", 503, "/problems/graph-unavailable", headers={"retry-after": "5"}
    )
    with TestClient(create_app(away)) as client:
        assert_problem(client.get(case.url), case)
