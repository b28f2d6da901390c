"""docs/sparql.md's named examples: each gives the answer written there, and the JSON API's."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from api.settings import ApiSettings
from loaders.report import LoadReport
from tests.helpers import DATA, ROOT, load

DOC = (ROOT / "docs" / "sparql.md").read_text(encoding="utf-8")
EXAMPLE = re.compile(r"^### (\S+)\n.*?```sparql\n(.*?)```\s*```csv\n(.*?)```", re.M | re.S)
EXAMPLES = {name: (query, expected) for name, query, expected in EXAMPLE.findall(DOC)}
Rows = list[dict[str, str]]


@pytest.fixture(scope="module")
def served_data(everything: LoadReport) -> LoadReport:
    """The module's `client` serves all the bundled data."""
    return everything


def run(client: TestClient, query: str) -> str:
    response = client.get("/sparql", params={"query": query, "format": "csv"})
    assert response.status_code == 200, response.text
    return response.text.replace("\r\n", "\n")


def rows(text: str) -> Rows:
    return list(csv.DictReader(io.StringIO(text)))


def what_works(client: TestClient, answer: Rows) -> None:
    api = client.get("/evidence", params={"outcome": "Inclusion", "limit": 200}).json()
    assert api["total"] == len(api["items"]) == len(answer)
    expected = {(r["id"], r["title"], r["strength"]) for r in api["items"]}
    assert {(r["case_study"], r["title"], int(r["best"])) for r in answer} == expected


def gap_map(client: TestClient, answer: Rows) -> None:
    grid = client.get("/evidence/gap-map", params={"rows": "outcome", "cols": "theme"}).json()
    cells = {(c["row"], c["col"]): c["case_studies"] for c in grid["cells"] if c["case_studies"]}
    assert {(r["outcome"], r["theme"]): int(r["case_studies"]) for r in answer} == cells


def institutes(client: TestClient, answer: Rows) -> None:
    listed = client.get("/nodes", params={"kind": "ResearchInstitute", "limit": 200}).json()
    pairs = set()
    for institute in listed["items"]:
        detail = client.get(f"/nodes/{institute['id']}").json()
        for link in detail["links"]:
            if link["type"] == "UNIT_OF" and link["direction"] == "out":
                pairs.add((link["node"]["name"], institute["name"]))
    assert pairs
    assert {(r["organisation"], r["institute"]) for r in answer} == pairs


def did_not_work(client: TestClient, answer: Rows) -> None:
    params: dict[str, str | int] = {
        "outcome": "Security and resilience",
        "direction": "negative",
        "limit": 200,
    }
    studies = client.get("/evidence", params=params).json()["items"]
    counts: dict[str, int] = {}
    for study in studies:
        detail = client.get(f"/nodes/{study['id']}").json()
        for link in detail["links"]:
            if link["type"] == "APPLIES" and link["direction"] == "out":
                counts[link["node"]["id"]] = counts.get(link["node"]["id"], 0) + 1
    assert counts
    assert {r["intervention"]: int(r["case_studies"]) for r in answer} == counts


def rating_rule(client: TestClient, answer: Rows) -> None:
    ratings = client.get("/ratings").json()["ratings"]
    assert [r["rating"] for r in answer] == [r["id"] for r in ratings]
    for row, rating in zip(answer, ratings, strict=True):
        assert (int(row["order"]), int(row["rank"])) == (rating["order"], rating["rank"])
        stated = {k: v for k, v in row.items() if v and k not in ("order", "rating", "rank")}
        assert stated == {k: str(v) for k, v in rating["conditions"].items()}


AGAINST_THE_API: dict[str, Callable[[TestClient, Rows], None]] = {
    "what-works-for-inclusion": what_works,
    "gap-map-outcome-by-theme": gap_map,
    "interventions-that-did-not-work-for-security": did_not_work,
    "organisations-and-their-institutes": institutes,
    "the-rating-rule": rating_rule,
}


def test_every_example_is_checked_against_the_api() -> None:
    assert set(EXAMPLES) == set(AGAINST_THE_API)


@pytest.mark.parametrize("name", sorted(AGAINST_THE_API))
def test_an_example_gives_the_documented_answer_and_the_apis(client: TestClient, name: str) -> None:
    query, expected = EXAMPLES[name]
    answer = run(client, query)
    assert answer == expected
    AGAINST_THE_API[name](client, rows(answer))


def test_every_other_query_in_the_doc_runs(client: TestClient) -> None:
    blocks = re.findall(r"```sparql\n(.*?)```", DOC, re.S)
    assert len(blocks) > len(EXAMPLES)
    for query in blocks:
        response = client.get("/sparql", params={"query": query})
        assert response.status_code == 200, (query, response.text)


def test_the_readme_points_to_the_examples() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/sparql.md" in readme


def test_the_load_query_names_the_current_load(client: TestClient, settings: ApiSettings) -> None:
    report: LoadReport = load(settings, DATA)
    assert report.load_id is None  # nothing changed, so nothing new was recorded
    [latest] = client.get("/loads", params={"limit": 1}).json()
    query = re.search(r"```sparql\n(PREFIX prov:.*?)```", DOC, re.S)
    assert query is not None
    [row] = rows(run(client, query.group(1)))
    assert row["load"] == f"{settings.public_base_uri}/id/load/{latest['id']}"
