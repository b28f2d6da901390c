"""`/graph/paths` bounded, on the real engine with a generated corpus on top of the bundled data.

Outcomes there have hundreds of claims: with the hub threshold lowered to suit, two outcomes
are two hubs (refused before the search), a study and its outcome one (searched, as before). The
time bound is checked by its mechanism (a deadline already passed), never by a clock.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from api.settings import ApiSettings
from bench import generate
from graph import path_search
from graph.queries import paths as paths_q
from loaders.report import LoadReport
from tests.helpers import DATA, clear, load, problem, recorded_reads

GENERATED_STUDIES = 200
HUB_LINKS = 100
"""Low enough that every outcome of the generated corpus is a hub."""


@pytest.fixture(scope="module")
def served_data(
    settings: ApiSettings, sync_driver: Driver, tmp_path_factory: pytest.TempPathFactory
) -> LoadReport:
    clear(sync_driver, settings)
    load(settings, DATA)
    return load(settings, generate.write(tmp_path_factory.mktemp("corpus"), GENERATED_STUDIES))


def _read(driver: Driver, settings: ApiSettings, statement: str, **params: Any) -> list[Any]:
    records, _, _ = driver.execute_query(statement, params, database_=settings.database)
    return [r.data() for r in records]


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    return recorded_reads(monkeypatch)


def bounds(monkeypatch: pytest.MonkeyPatch, **changes: float) -> None:
    """The API's path search with these bounds instead of the defaults."""
    defaults = path_search.shortest_paths.__kwdefaults__
    assert defaults is not None
    for name, value in changes.items():
        monkeypatch.setitem(defaults, name, value)


def busiest_outcomes(driver: Driver, settings: ApiSettings) -> list[tuple[str, int]]:
    rows = _read(
        driver,
        settings,
        "MATCH (o:Outcome)-[r]-() WITH o, count(r) AS n ORDER BY n DESC, o.id LIMIT 2 "
        "RETURN o.id AS id, n",
    )
    return [(r["id"], r["n"]) for r in rows]


def test_two_hubs_are_refused_before_the_search(
    client: TestClient,
    sync_driver: Driver,
    settings: ApiSettings,
    monkeypatch: pytest.MonkeyPatch,
    sent: list[tuple[str, dict[str, Any]]],
) -> None:
    (a, links_a), (b, links_b) = busiest_outcomes(sync_driver, settings)
    assert min(links_a, links_b) >= HUB_LINKS
    bounds(monkeypatch, hub_links=HUB_LINKS)
    response = client.get("/graph/paths", params={"from": a, "to": b})
    body = problem(response, 422, "too-broad")
    assert body["errors"][0]["location"] == "query.to"
    assert f"{links_a:,}" in body["errors"][0]["message"]
    assert paths_q.PATHS not in [statement for statement, _ in sent]


def test_a_search_past_its_time_is_refused_and_the_api_goes_on(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, sent: list[tuple[str, dict[str, Any]]]
) -> None:
    bounds(monkeypatch, seconds=0)
    response = client.get("/graph/paths", params={"from": "igpp", "to": "inclusion"})
    body = problem(response, 422, "too-broad")
    assert body["errors"][0]["location"] == "query.to"
    assert "longer than 0 s" in body["detail"]
    assert paths_q.PATHS in [statement for statement, _ in sent]
    assert client.get("/graph/paths", params={"from": "igpp", "to": "igpp"}).status_code == 200


def test_within_the_bounds_the_answer_is_the_unbounded_search(
    client: TestClient,
    sync_driver: Driver,
    settings: ApiSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One hub end (an outcome) and ordinary ones: the same paths, in the same order, as before.
    bounds(monkeypatch, hub_links=HUB_LINKS)
    (hub, _), _ = busiest_outcomes(sync_driver, settings)
    studies = _read(
        sync_driver, settings, "MATCH (cs:CaseStudy) RETURN cs.id AS id ORDER BY id LIMIT 5"
    )
    pairs = [(s["id"], hub) for s in studies] + [("igpp", "inclusion"), ("socitm", "lga")]
    for start, end in pairs:
        response = client.get("/graph/paths", params={"from": start, "to": end, "limit": 50})
        assert response.status_code == 200, (start, end, response.text)
        old = _read(sync_driver, settings, paths_q.PATHS, **{"from": start, "to": end, "limit": 50})
        assert [[n["id"] for n in p["nodes"]] for p in response.json()] == [
            [n["id"] for n in p["nodes"]] for p in old
        ], (start, end)
