"""History: versions recorded by loads, a node's history, `as_of`, `/changes` and the Atom feed,
on the real engine, through a sequence of loads that change an evidence grade."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import feedparser
import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from api.settings import ApiSettings
from tests.helpers import DATA, app_client, clear, load, problem

ATOM = "{http://www.w3.org/2005/Atom}"
STUDY = "gloucester-ransomware-recovery-2021"


def versions(driver: Driver, settings: ApiSettings) -> list[str]:
    """The nodes whose earlier states are kept, one entry a version."""
    records, _, _ = driver.execute_query(
        "MATCH (v:Version) RETURN v.node AS node ORDER BY node", database_=settings.database
    )
    return [r["node"] for r in records]


def regrade(source: Path, target: Path, direction: str) -> Path:
    """The bundled case studies with the first study's direction changed."""
    with source.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows[0]["direction"] = direction
    with target.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return target


# Evidence answers recorded after each load, then asked again with `as_of` that load.
ASKED: list[tuple[str, dict[str, Any]]] = [
    ("/evidence", {}),
    ("/evidence", {"outcome": "security-and-resilience", "limit": "50"}),
    ("/evidence", {"direction": ["positive", "mixed"], "min_strength": "1"}),
    ("/evidence", {"region": "South West", "format": "csv"}),
    ("/evidence/facets", {"group_by": ["outcome", "direction"]}),
    ("/evidence/gap-map", {}),
    ("/evidence/gap-map", {"rows": "direction", "cols": "outcome"}),
    ("/what-works", {}),
    ("/what-works", {"outcome": "security-and-resilience"}),
    ("/interventions", {"sort": "rating"}),
]


def answers(client: TestClient) -> list[tuple[bytes, str]]:
    """Each of ASKED's bodies, with its permalink."""
    found = []
    for path, params in ASKED:
        response = client.get(path, params=params)
        assert response.status_code == 200, response.text
        # A CSV also links its CSVW metadata (rel="describedby").
        [permalink] = re.findall(r'<([^>]+)>; rel="permalink"', response.headers["link"])
        found.append((response.content, permalink))
    return found


@pytest.fixture(scope="module")
def sequence(
    settings: ApiSettings, sync_driver: Driver, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The bundled data loaded, then the first case study re-graded twice; the load ids, and
    the evidence answers right after each load."""
    clear(sync_driver, settings)
    data = tmp_path_factory.mktemp("history") / "data"
    shutil.copytree(DATA, data)
    csv_path = data / "case-studies" / "case-studies.csv"
    original = csv_path.read_text(encoding="utf-8")
    recorded = []
    with app_client(settings) as client:
        first = load(settings, data)
        recorded.append(answers(client))
        counted = [versions(sync_driver, settings)]
        again = load(settings, data)
        counted.append(versions(sync_driver, settings))
        regrade(csv_path, csv_path, "positive")
        second = load(settings, data)
        counted.append(versions(sync_driver, settings))
        recorded.append(answers(client))
        csv_path.write_text(original.replace(",negative,", ",mixed,", 1), encoding="utf-8")
        third = load(settings, data)
        counted.append(versions(sync_driver, settings))
        recorded.append(answers(client))
    return {
        "loads": [first.load_id, second.load_id, third.load_id],
        "unchanged": again.load_id,
        "kept": counted,
        "answers": recorded,
    }


@pytest.fixture(scope="module")
def client(settings: ApiSettings, sequence: dict[str, Any]) -> Any:
    with app_client(settings) as test_client:
        yield test_client


def claim_of(client: TestClient, **params: str) -> dict[str, Any]:
    detail = client.get(f"/nodes/{STUDY}", params=params).json()
    [claim] = [link["node"]["id"] for link in detail["links"] if link["type"] == "HAS_CLAIM"][:1]
    return dict(client.get(f"/nodes/{claim}", params=params).json())


def test_versions_are_kept_only_of_what_a_load_changes(sequence: dict[str, Any]) -> None:
    """Copy-on-write: the first load keeps none, the unchanged reload none, each regrade one
    of each of the study's claims as it was (the direction is the study's), nothing else."""
    first, again, second, third = sequence["kept"]
    assert (first, again) == ([], [])
    assert second
    assert all(node.startswith(f"claim-{STUDY}-") for node in second)
    assert third == sorted(second * 2)


def test_every_loaded_node_has_a_history(
    client: TestClient, sync_driver: Driver, settings: ApiSettings
) -> None:
    records, _, _ = sync_driver.execute_query(
        "MATCH (n:Entity) RETURN n.id AS id ORDER BY id", database_=settings.database
    )
    for record in records[:: max(len(records) // 25, 1)]:
        found = client.get(f"/nodes/{record['id']}/history")
        assert found.status_code == 200, record["id"]
        assert found.json()["items"][0]["node"] == record["id"]


def test_an_unchanged_reload_records_no_version(sequence: dict[str, Any]) -> None:
    assert sequence["unchanged"] is None


def test_a_regrade_records_one_version_of_the_claim_only(
    client: TestClient, sequence: dict[str, Any]
) -> None:
    claim = claim_of(client)["id"]
    history = client.get(f"/nodes/{claim}/history").json()
    assert [v["change"] for v in history["items"]] == ["changed", "changed", "created"]
    assert [v["provenance"]["load"] for v in history["items"]] == sequence["loads"][::-1]
    assert [v["properties"]["direction"] for v in history["items"]] == [
        "mixed",
        "positive",
        "negative",
    ]
    assert history["items"][0]["provenance"]["files"]
    study = client.get(f"/nodes/{STUDY}/history").json()
    assert study["total"] == 1  # its own properties and links never changed


def test_as_of_each_load_gives_the_node_as_it_was(
    client: TestClient, sequence: dict[str, Any]
) -> None:
    for load_id, direction in zip(
        sequence["loads"], ["negative", "positive", "mixed"], strict=True
    ):
        assert claim_of(client, as_of=load_id)["properties"]["direction"] == direction


def test_a_bad_as_of_is_a_located_422(client: TestClient) -> None:
    for value in ("yesterday", "1999-01-01T00:00:00Z"):
        body = problem(client.get(f"/nodes/{STUDY}", params={"as_of": value}), 422, "invalid")
        assert body["errors"][0]["location"] == "query.as_of"


def test_changes_between_two_loads(client: TestClient, sequence: dict[str, Any]) -> None:
    first, second, third = sequence["loads"]
    found = client.get("/changes", params={"since": first, "until": second}).json()
    # The study's direction is its claims': each of its three outcomes' claims changed.
    assert {(c["kind"], c["change"], c["provenance"]["load"]) for c in found["items"]} == {
        ("EvidenceClaim", "changed", second)
    }
    assert len(found["items"]) == found["total"] == 3
    everything = client.get("/changes", params={"limit": 1}).json()
    assert everything["total"] > 100
    assert len(everything["items"]) == 1


def test_the_atom_feed_is_valid_and_stable(client: TestClient, sequence: dict[str, Any]) -> None:
    first = client.get("/changes.atom", params={"outcome": "security-and-resilience"})
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(first.content)  # noqa: S314 - our own response
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None
    entries = root.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        for required in ("id", "title", "updated", "link", "author"):
            assert entry.find(f"{ATOM}{required}") is not None, required
    feed = client.get("/changes.atom", params={"outcome": "security-and-resilience"}).content
    again = ET.fromstring(feed)  # noqa: S314 - our own response
    assert [e.findtext(f"{ATOM}id") for e in again.findall(f"{ATOM}entry")] == [
        e.findtext(f"{ATOM}id") for e in entries
    ]
    bad = client.get("/changes.atom", params={"outcome": "nosuch"})
    assert problem(bad, 422, "invalid")["errors"][0]["location"] == "query.outcome"


def test_a_feed_reader_we_did_not_write_reads_the_atom_feed(
    client: TestClient, sequence: dict[str, Any]
) -> None:
    body = client.get("/changes.atom", params={"outcome": "security-and-resilience"}).content
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")  # well-formed, by its own lenient reading
    assert feed.version == "atom10"
    assert feed.feed.title
    assert feed.entries
    for entry in feed.entries:
        assert entry.id
        assert entry.title
        assert entry.link
        assert entry.updated_parsed
    assert len({entry.id for entry in feed.entries}) == len(feed.entries)
    ours = ET.fromstring(body)  # noqa: S314 - our own response
    assert [e.id for e in feed.entries] == [
        e.findtext(f"{ATOM}id") for e in ours.findall(f"{ATOM}entry")
    ]


def test_as_of_each_load_answers_as_the_evidence_endpoints_did_then(
    client: TestClient, sequence: dict[str, Any]
) -> None:
    assert sequence["answers"][0] != sequence["answers"][1] != sequence["answers"][2]
    for load_id, then in zip(sequence["loads"], sequence["answers"], strict=True):
        for (path, params), (body, _) in zip(ASKED, then, strict=True):
            response = client.get(path, params={**params, "as_of": load_id})
            assert response.status_code == 200, response.text
            assert response.content == body, (path, params, load_id)


def test_permalinks_return_the_same_answer_after_more_loads(
    client: TestClient, sequence: dict[str, Any]
) -> None:
    for then in sequence["answers"]:
        for body, link in then:
            assert link.startswith("http://data.test/")
            again = client.get(link.removeprefix("http://data.test"))
            assert again.content == body, link


def test_as_of_without_a_point_is_a_located_422(client: TestClient) -> None:
    for path in ("/evidence", "/what-works", "/evidence/gap-map"):
        for value in ("last tuesday", "1999-01-01"):
            body = problem(client.get(path, params={"as_of": value}), 422, "invalid")
            assert body["errors"][0]["location"] == "query.as_of"


def test_the_node_page_shows_its_history_and_the_past(
    client: TestClient, sequence: dict[str, Any]
) -> None:
    claim = claim_of(client)["id"]
    page = client.get(f"/doc/evidence-claim/{claim}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "History (3)" in page.text
    for load_id in sequence["loads"]:
        assert f"?as_of={load_id}" in page.text
    then = client.get(
        f"/doc/evidence-claim/{claim}",
        params={"as_of": sequence["loads"][0]},
        headers={"Accept": "text/html"},
    )
    assert then.status_code == 200
    assert "As the graph stood at load" in then.text
    assert "negative" in then.text
    assert "mixed" not in then.text.split("History")[0]
