"""What holds on every route, found by walking the app: HEAD answers as GET does, and an
unknown query parameter is a 422 that names it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from api.main import create_app
from api.query_params import takes_any
from api.settings import ApiSettings
from tests.helpers import problem

SAMPLES = {
    "node_id": "inclusion",
    "intervention_id": "nosuch",
    "kind": "outcome",
    "ident": "inclusion",
    "receipt": "snosuch",
    "report_id": "rnosuch",
    "suffix": "ttl",
    "file": "2020-01-01-load-nosuch.nt",
}
"""A value for each path parameter: real where the framework has one, else a 404 is fine."""
QUERIES = {"/sparql": "query=ASK%20%7B%7D", "/nodes": "kind=Outcome"}
"""Required query parameters, so the GET gets past validation."""
VARYING = {"date", "content-length"}
"""Headers that may differ between two identical requests (a stream has no length)."""


def _app() -> FastAPI:
    return create_app(ApiSettings())


def _get_routes() -> list[APIRoute]:
    return [
        rc.original_route
        for rc in iter_route_contexts(_app().routes)
        if isinstance(rc.original_route, APIRoute) and "GET" in (rc.original_route.methods or ())
    ]


def _url(route: APIRoute) -> str:
    path = re.sub(r"\{(\w+)\}", lambda m: SAMPLES[m.group(1)], route.path)
    query = QUERIES.get(route.path)
    return f"{path}?{query}" if query else path


def _static_files() -> list[str]:
    """One file from each mounted static directory."""
    urls = []
    for rc in iter_route_contexts(_app().routes):
        mount = rc.original_route
        if isinstance(mount, Mount) and isinstance(mount.app, StaticFiles):
            directory = Path(str(mount.app.directory))
            first = sorted(p for p in directory.rglob("*.css") if p.is_file())[0]
            urls.append(f"{mount.path}/{first.relative_to(directory).as_posix()}")
    return urls


GET_URLS = sorted({_url(r) for r in _get_routes()} | {"/openapi.json", *_static_files()})
CHECKED_URLS = sorted({_url(r) for r in _get_routes() if not takes_any(r)})


def test_the_walk_finds_the_routes() -> None:
    assert {"/evidence", "/docs", "/sparql?query=ASK%20%7B%7D", "/what-works"} <= set(GET_URLS)
    assert any(url.startswith("/assets/") for url in GET_URLS)
    assert any(url.startswith("/explore/assets/") for url in GET_URLS)


@pytest.mark.parametrize("url", GET_URLS)
def test_head_answers_as_get_without_a_body(client: TestClient, url: str) -> None:
    get = client.get(url, follow_redirects=False)
    head = client.head(url, follow_redirects=False)
    assert head.status_code == get.status_code, head.text
    assert head.content == b""
    same = {k: v for k, v in get.headers.items() if k not in VARYING}
    assert {k: v for k, v in head.headers.items() if k not in VARYING} == same
    if "content-length" in get.headers:
        assert head.headers["content-length"] == get.headers["content-length"]


@pytest.mark.parametrize("url", CHECKED_URLS)
def test_an_unknown_query_parameter_is_named(client: TestClient, url: str) -> None:
    joined = f"{url}&bogus=1" if "?" in url else f"{url}?bogus=1"
    body = problem(client.get(joined), 422, "invalid")
    assert {"location": "query.bogus", "message": body["errors"][0]["message"]} in body["errors"]
    assert "'bogus'" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("url", "meant"),
    [
        ("/evidence?outcom=Inclusion", "outcome"),
        ("/what-works?outcom=Inclusion", "outcome"),
        ("/nodes?kind=Outcome&limt=5", "limit"),
        ("/export?fromat=nt", "format"),
        ("/graph/paths?from=igpp&too=inclusion", "to"),
    ],
)
def test_a_misspelt_parameter_gets_a_suggestion(client: TestClient, url: str, meant: str) -> None:
    body = problem(client.get(url), 422, "invalid")
    [error] = body["errors"]
    assert error["message"].endswith(f"did you mean '{meant}'?")


def test_declared_parameters_still_pass(client: TestClient) -> None:
    assert client.get("/evidence?outcome=Inclusion&limit=5").status_code == 200
    assert client.get("/nodes?kind=Outcome&limit=2&offset=1").status_code == 200


def test_the_sparql_protocol_parameters_keep_their_own_answers(client: TestClient) -> None:
    dataset = client.get("/sparql?query=ASK%20%7B%7D&named-graph-uri=http://data.test/g")
    problem(dataset, 400, "unknown-graph")
    assert client.get("/sparql?query=ASK%20%7B%7D&format=json").status_code == 200
    # Clients add parameters of their own (SPARQLWrapper: output, results).
    assert client.get("/sparql?query=ASK%20%7B%7D&output=json&results=json").status_code == 200
    post = client.post(
        "/sparql?default-graph-uri=http://data.test/g",
        content="ASK {}",
        headers={"Content-Type": "application/sparql-query"},
    )
    problem(post, 400, "unknown-graph")


def test_the_explorer_keeps_its_state_in_the_query_string(client: TestClient) -> None:
    assert client.get("/explore?view=what-works&outcome=inclusion").status_code == 200


def test_unknown_names_are_echoed_within_bounds(client: TestClient) -> None:
    query = "&".join(f"{'x' * 300}{n}=1" for n in range(50))
    body = problem(client.get(f"/health?{query}"), 422, "invalid")
    assert len(body["errors"]) == 10
    assert all(len(e["location"]) <= len("query.") + 64 for e in body["errors"])
