"""The benchmark's floor (bench/floor.py) answers the questions the API answers, alike.

A ratio to the floor is only honest if both answer the same question: every request the bench
times is put to the API and to the floor over the bundled data plus a small generated corpus,
and their answers compared as the bench compares them (no timing here).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.settings import ApiSettings
from bench import generate, targets
from bench.floor import Floor, from_graph
from graph.db import open_db
from loaders.report import LoadReport
from tests.helpers import load

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate.write(tmp_path_factory.mktemp("corpus"), 300, seed=16)


@pytest.fixture(scope="module")
def served_data(everything: LoadReport, settings: ApiSettings, corpus: Path) -> object:
    return load(settings, corpus)


@pytest.fixture(scope="module")
def floor(served_data: object, settings: ApiSettings, corpus: Path) -> Floor:
    async def build() -> Floor:
        async with open_db(settings) as db:
            return await from_graph(db, corpus)

    return asyncio.run(build())


def every_ask(floor: Floor, corpus: Path, max_nodes: int) -> list[targets.Ask]:
    values = targets.Corpus.read(corpus)
    chosen = [
        *targets.evidence_targets(floor, values),
        *targets.other_targets(floor, values, max_nodes),
    ]
    bundled = targets.Corpus.read(DATA / "case-studies" / "case-studies.csv")
    chosen += targets.evidence_targets(floor, bundled)
    return [ask for target in chosen for ask in target.asks if ask.check is not None]


def test_the_floor_answers_every_timed_request_as_the_api_does(
    client: TestClient, floor: Floor, corpus: Path, app_settings: ApiSettings
) -> None:
    max_nodes = app_settings.max_neighbourhood_nodes
    asks = [*every_ask(floor, corpus, max_nodes), targets.facets_ask(), targets.gap_map_ask()]
    assert len(asks) > 150
    differences = []
    for ask in asks:
        response = client.get(ask.path)
        assert response.status_code == 200, ask.path
        assert ask.check is not None
        assert ask.floor is not None
        difference = ask.check(response.json(), ask.floor(floor))
        if difference:
            differences.append(f"{ask.path}: {difference}")
    assert differences == []


def test_requests_find_something_so_the_comparison_is_not_vacuous(
    client: TestClient, floor: Floor, corpus: Path
) -> None:
    empty = [
        ask.path
        for ask in every_ask(floor, corpus, 200)
        if ask.path.startswith("/evidence?") and not client.get(ask.path).json()["total"]
    ]
    assert len(empty) <= 2, empty  # a rare place or term may miss the bundled studies
