"""What works as researchers ask it: approaches rated by the bundled case studies, end to end."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import ApiSettings
from loaders.report import LoadReport
from tests.conftest import BUNDLED_INTERVENTIONS

RANSOMWARE = {
    "hackney-ransomware-2020",
    "redcar-cleveland-ransomware-2020",
    "gloucester-ransomware-recovery-2021",
}


@pytest.fixture(scope="module")
def client(settings: ApiSettings, everything: LoadReport) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def ranking(card: dict[str, Any]) -> tuple[int, int, int]:
    """graph.synthesis.ranking_key, on a card as the API returns it."""
    best = card["best_strength"]["strength"] if card["best_strength"] else 0
    return (-card["rating"]["rank"], -best, -card["studies"])


def test_what_works_for_inclusion_ranks_approaches_with_their_studies(
    client: TestClient,
) -> None:
    body = client.get("/what-works", params={"outcome": "Inclusion", "limit": 200}).json()
    assert body["outcome"] == [{"id": "inclusion", "name": "Inclusion"}]
    assert body["total"] == len(body["items"]) > 3
    assert "/ratings" in body["rule"]
    keys = [ranking(item["card"]) for item in body["items"]]
    assert keys == sorted(keys)
    for item in body["items"]:
        card, studies = item["card"], item["case_studies"]
        assert card["studies"] == len(studies) > 0
        assert card["rule"].endswith(card["rating"]["name"].lower())
        assert all("inclusion" in [o["id"] for o in s["outcomes"]] for s in studies)
        assert item["intervention"]["family"]["id"].startswith("family-")


def test_interventions_and_one_intervention_answer(client: TestClient) -> None:
    page = client.get("/interventions").json()
    assert page["total"] == BUNDLED_INTERVENTIONS == len(page["items"])
    order = [(i["family"]["name"], i["name"]) for i in page["items"]]
    assert order == sorted(order)
    detail = client.get("/interventions/cyber-incident-recovery").json()
    assert {s["id"] for s in detail["case_studies"]} >= RANSOMWARE
    assert detail["card"]["rating"]["id"] == "mixed"
    assert {o["outcome"]["id"] for o in detail["outcomes"]} >= {"security-and-resilience"}
