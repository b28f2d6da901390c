"""The SPARQL store follows the graph: loads from other processes, contributions, removals."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from api.settings import ApiSettings
from graph import changes
from graph.db import open_db
from graph.keys import Scope
from ontology.sparql.service import SparqlService
from ontology.sparql.snapshot import Snapshot, build_snapshot
from tests.helpers import CONTRIBUTION, app_client, clear, load, make_key

BASE = "http://data.test"
STUDY = f"{BASE}/id/case-study/refresh-study"
ADDRESSES = "https://w3id.org/connects-graph/def#addresses"
THEMES = f"SELECT ?theme WHERE {{ <{STUDY}> <{ADDRESSES}> ?theme }}"
HEADER = "id,title,organisation,summary,outcomes,themes,evidence_type,source_url\n"


def write_study(folder: Path, themes: str) -> Path:
    path = folder / "refresh.csv"
    path.write_text(
        HEADER + f'refresh-study,T,Leeds City Council,S.,Inclusion,"{themes}",'
        "news_report,https://example.org/r\n"
    )
    return path


def themes(client: TestClient) -> tuple[set[str], str]:
    response = client.get("/sparql", params={"query": THEMES})
    assert response.status_code == 200, response.text
    found = {b["theme"]["value"] for b in response.json()["results"]["bindings"]}
    return found, response.headers["connects-load"]


pytestmark = pytest.mark.usefixtures("linkable_graph")  # each test writes to a graph of its own


@pytest.fixture(scope="module")
def served_data() -> None:
    """Nothing for the module: each test loads its own graph (`linkable_graph`)."""


def service(client: TestClient) -> SparqlService:
    sparql: Any = client.app.state.sparql  # type: ignore[attr-defined]
    assert isinstance(sparql, SparqlService)
    return sparql


def test_loads_by_another_process_are_seen_by_the_next_query(
    client: TestClient, settings: ApiSettings, tmp_path: Path
) -> None:
    assert themes(client)[0] == set()
    before = service(client).current
    assert before is not None
    report = load(settings, write_study(tmp_path, "Regeneration; Service design"))
    found, header = themes(client)
    assert found == {
        f"{BASE}/id/policy-theme/theme-regeneration",
        f"{BASE}/id/policy-theme/theme-service-design",
    }
    assert header == report.load_id
    # The store queries held before the load was never changed: a new one was swapped in.
    assert service(client).current is not before
    assert not any(before.store.quads_for_pattern(_iri(STUDY), None, None))


def test_removals_reach_the_store(
    client: TestClient, settings: ApiSettings, tmp_path: Path, linkable_graph: Driver
) -> None:
    load(settings, write_study(tmp_path, "Regeneration; Service design"))
    assert len(themes(client)[0]) == 2
    report = load(settings, write_study(tmp_path, "Regeneration"))
    assert report.counts.links_removed == 1
    assert themes(client) == ({f"{BASE}/id/policy-theme/theme-regeneration"}, report.load_id)
    clear(linkable_graph, settings)
    response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert response.headers["connects-load"] == "none"
    assert response.json()["boolean"] is True  # the VoID description is always there
    count = client.get("/sparql", params={"query": f"ASK {{ <{STUDY}> ?p ?o }}"})
    assert count.json()["boolean"] is False


def test_a_contribution_refreshes_at_once_other_loads_at_the_interval(
    settings: ApiSettings, tmp_path: Path
) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    ask = f"ASK {{ <{STUDY}> ?p ?o }}"
    with app_client(settings, sparql_refresh_interval=3600) as client:
        assert client.get("/sparql", params={"query": ask}).json()["boolean"] is False
        load(settings, write_study(tmp_path, "Regeneration"))
        # Within the interval the store is not checked again: still the earlier load.
        assert client.get("/sparql", params={"query": ask}).json()["boolean"] is False
        response = client.post(
            "/contributions",
            content=CONTRIBUTION.encode(),
            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {key}"},
        )
        assert response.status_code == 201, response.text
        partner = f"ASK {{ <{BASE}/id/case-study/partner-study> ?p ?o }}"
        answer = client.get("/sparql", params={"query": partner})
        assert answer.json()["boolean"] is True
        assert answer.headers["connects-load"] == response.json()["load_id"]
        assert client.get("/sparql", params={"query": ask}).json()["boolean"] is True


def test_a_dry_run_contribution_does_not_refresh(settings: ApiSettings) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    with app_client(settings) as client:
        client.get("/sparql", params={"query": "ASK {}"})
        before = service(client).current
        response = client.post(
            "/contributions",
            params={"dry_run": "true"},
            content=CONTRIBUTION.encode(),
            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {key}"},
        )
        assert response.status_code == 200, response.text  # a dry run creates nothing
        assert service(client).stale is False
        assert service(client).current is before


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def snapshot_after(settings: ApiSettings, previous: Snapshot | None) -> tuple[Snapshot, Snapshot]:
    """A snapshot of the graph now, patched from `previous` if possible, and a full rebuild."""

    async def run() -> tuple[Snapshot, Snapshot]:
        async with open_db(settings) as db:
            state = await changes.load_state(db)
            made = await build_snapshot(db, BASE, state, previous)
            full = await build_snapshot(db, BASE, state)
            return made, full

    return asyncio.run(run())


def test_a_patched_store_is_exactly_a_rebuilt_one(
    linkable_graph: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    first, _ = snapshot_after(settings, None)
    assert not first.patched
    three = "Regeneration; Service design; Modernising ICT"
    steps = [
        ("a new case study", "T", "Regeneration; Service design", True),
        ("a changed one", "A new title", three, True),
        # No load is recorded, so there is nothing to patch from: the service keeps its snapshot.
        ("the same again (no new load)", "A new title", three, False),
        # The removal stamps the node it removes the link from: found, and patched.
        (
            "a link removed from a node whose record is unchanged",
            "A new title",
            "Regeneration",
            True,
        ),
    ]
    previous = first
    for what, title, study_themes, patchable in steps:
        path = write_study(tmp_path, study_themes)
        path.write_text(path.read_text().replace(",T,", f",{title},"))
        load(settings, path)
        made, full = snapshot_after(settings, previous)
        assert made.patched is patchable, what
        assert set(made.store) == set(full.store), what
        assert (made.kinds, made.out_links) == (full.kinds, full.out_links), what
        assert made.load_id == full.load_id
        previous = made
    # Another outcome: the old claim is deleted (no stamp), so the totals call for a rebuild.
    path = write_study(tmp_path, "Regeneration")
    path.write_text(path.read_text().replace(",T,", ",A new title,").replace("Inclusion", "Data"))
    assert load(settings, path).counts.nodes_removed == 1
    made, full = snapshot_after(settings, previous)
    assert not made.patched
    assert set(made.store) == set(full.store)
    clear(linkable_graph, settings)
    made, full = snapshot_after(settings, made)
    assert not made.patched
    assert set(made.store) == set(full.store)
