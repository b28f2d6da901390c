"""What every request pays before its route's own work: no thread hops, nothing recomputed."""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from api import query_params
from api.main import create_app
from api.settings import ApiSettings


def _api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        # FastAPI keeps an included router whole (resolving its routes when first matched).
        elif (router := getattr(route, "original_router", None)) is not None:
            yield from _api_routes(router.routes)


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _runs_on_the_loop(call: Any) -> bool:
    # A plain `def` dependency is run by FastAPI in the thread pool: a hand-off to a thread and
    # back on every request, which under load costs more than the dependency itself.
    target = call if inspect.isfunction(call) or inspect.ismethod(call) else type(call).__call__
    return inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target)


def test_every_dependency_and_route_runs_on_the_event_loop() -> None:
    app = create_app(ApiSettings())
    routes = list(_api_routes(app.routes))
    assert {"/evidence", "/nodes/{node_id}", "/search", "/cypher"} <= {r.path for r in routes}
    app_wide = [d.dependency for d in app.router.dependencies]
    assert query_params.refuse_unknown_query_parameters in app_wide
    sync = {
        f"{route.path}: {getattr(call, '__qualname__', call)}"
        for route in routes
        for call in [route.dependant.call, *_calls(route.dependant), *app_wide]
        if call is not None and not _runs_on_the_loop(call)
    }
    assert sync == set()


def test_a_routes_query_parameter_names_are_worked_out_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    worked_out: list[str] = []
    original = query_params.declared

    def counting(route: APIRoute) -> frozenset[str]:
        worked_out.append(route.path)
        return original(route)

    monkeypatch.setattr(query_params, "declared", counting)
    client = TestClient(create_app(ApiSettings()))  # /health needs no graph: no lifespan
    answers = [client.get("/health").status_code for _ in range(3)]
    refused = client.get("/health", params={"verbose": "1"})
    assert answers == [200, 200, 200]
    assert refused.status_code == 422
    assert [e["location"] for e in refused.json()["errors"]] == ["query.verbose"]
    assert worked_out == ["/health"]
