"""What works as researchers ask it: approaches rated by the bundled case studies, end to end."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from rdflib import Graph, Literal, URIRef
from rich.console import Console
from typer.testing import CliRunner

from api.settings import ApiSettings
from cli import main as cli_main
from cli.main import app
from graph.evidence import DIRECTION_WORDS
from graph.synthesis import EvidenceCard, ranking_key
from loaders.report import LoadReport
from ontology.namespaces import CG
from tests.helpers import BUNDLED_INTERVENTIONS, graph_env

RANSOMWARE = {
    "hackney-ransomware-2020",
    "redcar-cleveland-ransomware-2020",
    "gloucester-ransomware-recovery-2021",
}


@pytest.fixture(scope="module")
def served_data(everything: LoadReport) -> LoadReport:
    """The module's `client` serves all the bundled data."""
    return everything


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


def test_the_ranking_is_the_synthesis_ranking_key(client: TestClient) -> None:
    items = client.get("/what-works", params={"limit": 200}).json()["items"]
    cards = [EvidenceCard.model_validate(item["card"]) for item in items]
    assert [ranking_key(c) for c in cards] == sorted(ranking_key(c) for c in cards)
    by_rating = client.get("/interventions", params={"sort": "rating"}).json()["items"]
    keys = [ranking_key(EvidenceCard.model_validate(i["card"])) for i in by_rating]
    assert keys == sorted(keys)


def test_no_card_rates_above_what_its_studies_support(client: TestClient) -> None:
    weak_only = 0
    for params in ({}, {"outcome": "Inclusion"}, {"outcome": "Services"}):
        for item in client.get("/what-works", params={**params, "limit": 200}).json()["items"]:
            card, strengths = item["card"], [s["strength"] for s in item["case_studies"]]
            if max(strengths) == 1:
                weak_only += 1
                assert card["rating"]["id"] in {"emerging", "insufficient", "mixed"}, item
            if max(strengths) < 3:
                assert card["rating"]["id"] not in {"promising", "established"}, item
            if card["directions"]["positive"] == 0:
                assert card["rating"]["id"] in {"insufficient", "mixed"}, item
    assert weak_only > 0


def test_what_did_not_work_for_security_and_resilience(client: TestClient) -> None:
    against = ["negative", "mixed", "no_effect"]
    params: dict[str, Any] = {"outcome": "Security and resilience", "direction": against}
    body = client.get("/what-works", params={**params, "limit": 200}).json()
    listed = {s["id"] for item in body["items"] for s in item["case_studies"]}
    assert listed >= RANSOMWARE | {"western-isles-cyber-attack-2023"}
    assert all(s["direction"] in against for item in body["items"] for s in item["case_studies"])
    # Unfiltered, the cards name the same studies under what did not work.
    everything = client.get("/what-works", params={"outcome": "Security and resilience"}).json()
    did_not_work = {
        s["case_study_id"] for item in everything["items"] for s in item["card"]["did_not_work"]
    }
    assert did_not_work >= RANSOMWARE
    assert all(item["card"]["rating"]["id"] == "mixed" for item in body["items"])


def test_a_direction_not_stated_is_never_counted_as_positive(client: TestClient) -> None:
    rows = client.get("/evidence", params={"limit": 200}).json()["items"]
    stated = {r["id"]: {c["direction"] for c in r["claims"]} - {"not_stated"} for r in rows}
    unstated = [i for i, d in stated.items() if not d]
    assert unstated
    seen = 0
    for item in client.get("/interventions").json()["items"]:
        detail = client.get(f"/interventions/{item['id']}").json()
        for study in detail["case_studies"]:
            if not stated[study["id"]]:
                seen += 1
                assert study["direction"] == "not_stated"
                assert study["direction_words"] == "direction not stated"
            if study["direction"] == "positive":
                assert stated[study["id"]] == {"positive"}
        positive = sum(s["direction"] == "positive" for s in detail["case_studies"])
        assert detail["card"]["directions"]["positive"] == positive
    assert seen > 0


def test_the_intervention_by_outcome_map_agrees_with_the_evidence_list(
    client: TestClient,
) -> None:
    gap = client.get("/evidence/gap-map").json()
    assert (gap["rows"], gap["cols"]) == ("intervention", "outcome")
    assert len(gap["cells"]) == BUNDLED_INTERVENTIONS * 12
    empty = [c for c in gap["cells"] if c["case_studies"] == 0]
    assert empty
    assert all(c["best_strength"] is None and c["strongest"] is None for c in empty)
    for cell in gap["cells"]:
        assert sum(cell["directions"].values()) == cell["case_studies"]
    for outcome in ("inclusion", "security-and-resilience"):
        rows = client.get("/evidence", params={"outcome": outcome, "limit": 200}).json()["items"]
        for cell in (c for c in gap["cells"] if c["col"] == outcome):
            applied = [r for r in rows if cell["row"] in {i["id"] for i in r["interventions"]}]
            assert cell["case_studies"] == len(applied), cell
            if applied:
                assert cell["best_strength"] == max(r["strength"] for r in applied)
    detail = client.get("/interventions/cyber-incident-recovery").json()
    for outcome_card in detail["outcomes"]:
        [cell] = [
            c
            for c in gap["cells"]
            if (c["row"], c["col"]) == ("cyber-incident-recovery", outcome_card["outcome"]["id"])
        ]
        assert outcome_card["card"]["studies"] == cell["case_studies"]
        assert outcome_card["card"]["directions"] == cell["directions"]


def test_csv_downloads_parse_and_match_the_json(client: TestClient) -> None:
    params: dict[str, str | int] = {"outcome": "Inclusion", "limit": 200}
    page = client.get("/evidence", params=params).json()
    response = client.get("/evidence", params={**params, "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["id"] for r in rows] == [i["id"] for i in page["items"]]
    for row, item in zip(rows, page["items"], strict=True):
        assert int(row["strength"]) == item["strength"]
        assert row["interventions"] == "; ".join(i["name"] for i in item["interventions"])
        assert row["source_urls"] == "; ".join(item["source_urls"])
        words = row["directions"].split(": ", 1)[1]
        assert words == DIRECTION_WORDS[item["claims"][0]["direction"]]
    negotiated = client.get("/evidence", params=params, headers={"Accept": "text/csv"})
    assert negotiated.text == response.text
    gap = client.get("/evidence/gap-map").json()
    cells = list(csv.DictReader(io.StringIO(client.get("/evidence/gap-map?format=csv").text)))
    assert len(cells) == len(gap["cells"])
    for row, cell in zip(cells, gap["cells"], strict=True):
        assert (row["intervention"], row["outcome"]) == (cell["row"], cell["col"])
        assert int(row["case_studies"]) == cell["case_studies"]
        best = cell["best_strength"]
        assert row["best_strength"] == ("" if best is None else str(best))
        assert {d: int(row[f"direction_{d}"]) for d in DIRECTION_WORDS} == cell["directions"]


@pytest.mark.parametrize(
    ("path", "status", "location"),
    [
        ("/interventions/inclusion", 404, None),
        ("/interventions/nosuch", 404, None),
        ("/what-works?outcome=nosuch", 422, "query.outcome"),
        ("/what-works?limt=3", 422, "query.limt"),
        ("/interventions?sort=best", 422, "query.sort"),
        ("/interventions/tec-remote-monitoring?region=Atlantis", 422, "query.region"),
        ("/evidence/gap-map?rows=nosuch", 422, "query.rows"),
        ("/evidence?format=xml", 422, "query.format"),
    ],
)
def test_problems_say_where(
    client: TestClient, path: str, status: int, location: str | None
) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["instance"] == path.split("?")[0]
    if location:
        assert [e["location"] for e in problem["errors"]] == [location]
    else:
        assert "No intervention has the id" in problem["detail"]


def test_head_answers_where_get_does(client: TestClient) -> None:
    for path in (
        "/what-works",
        "/interventions",
        "/interventions/tec-remote-monitoring",
        "/ratings",
    ):
        response = client.head(path)
        assert response.status_code == 200, path
        assert response.content == b""


def test_the_rule_is_published_and_its_ids_collide_with_nothing(
    client: TestClient, sync_driver: Driver, settings: ApiSettings
) -> None:
    rule = client.get("/ratings").json()
    ids = [r["id"] for r in rule["ratings"]]
    assert ids == ["mixed", "established", "promising", "emerging", "insufficient"]
    assert rule["ratings"][0]["needs"][0].startswith("at least 1/3 of the studies")
    records, _, _ = sync_driver.execute_query(
        "MATCH (n) WHERE n.id IN $ids RETURN n.id AS id, labels(n) AS labels",
        {"ids": ids},
        database_=settings.database,
    )
    assert sorted(r["id"] for r in records) == sorted(ids)  # one node each
    assert all("Rating" in r["labels"] for r in records)
    turtle = client.get("/doc/rating/established.ttl").text
    graph = Graph().parse(data=turtle, format="turtle")
    subject = URIRef(f"{settings.public_base_uri}/id/rating/established")
    assert graph.value(subject, CG.rank) == Literal(4)
    assert str(graph.value(subject, CG.minPositiveShare)) == "3/4"
    docs = client.get("/openapi.json").json()["paths"]
    for path in ("/what-works", "/interventions"):
        assert "**Mixed or negative** (`mixed`, rank 0)" in docs[path]["get"]["description"]


def test_the_command_line_ranks_approaches_and_lists_interventions(
    settings: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in graph_env(settings).items():
        monkeypatch.setenv(name, value)
    # Wide enough for the table's cells not to wrap. The console is made at import, its width
    # fixed then if COLUMNS was set (pytest-xdist's workers set 80): a console of our own.
    monkeypatch.setattr(cli_main, "out", Console(soft_wrap=True, width=200))
    runner = CliRunner()
    ranked = runner.invoke(app, ["what-works", "-o", "Security and resilience"])
    assert ranked.exit_code == 0, ranked.output
    assert "Cyber incident response" in ranked.output
    assert "Mixed or negative" in ranked.output
    assert "negative, no effect or mixed" in ranked.output  # the rule clause
    assert "The rule as data: /ratings" in ranked.output
    listed = runner.invoke(app, ["what-works", "-o", "Inclusion", "--case-studies"])
    assert listed.exit_code == 0, listed.output
    assert "35 case studies" in listed.output
    every = runner.invoke(app, ["interventions"])
    assert every.exit_code == 0, every.output
    assert f"{BUNDLED_INTERVENTIONS} approaches." in every.output
    assert "tec-remote-monitoring" in every.output
    wrong = runner.invoke(app, ["what-works", "-o", "nosuch"])
    assert wrong.exit_code == 2
    assert "not a known Outcome" in wrong.output
