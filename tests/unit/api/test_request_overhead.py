"""What every request pays before its route's own work: nothing worked out again."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api import query_params
from api.main import create_app
from api.settings import ApiSettings


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
