"""The neighbourhood against the plain breadth-first walk it replaced, on the real engine.

The reference below is that walk as it was (one sorted, limited read of every link of a hop),
with one switch: which nodes it does not follow. Unswitched, it is the old answer, which the new
one must equal whenever that answer was not truncated; switched to "nodes with at least the
hop's budget of links", it must equal the new answer always. Checked on the bundled data plus a
generated corpus, from seeded random centres, at several depths and caps (small caps make hubs).
A node's detail likewise: the one sorted statement's page for a node with no more links than the
page, its count alone for one with more; one statement for the first, and for the second a
bounded read then a count.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from api.settings import ApiSettings
from bench import generate
from graph import repository
from graph.db import open_db
from graph.errors import NotFound
from graph.queries import nodes as nodes_q
from graph.queries import paths as paths_q
from graph.repository import NodeDetail
from loaders.report import LoadReport
from tests.helpers import DATA, clear, load, recorded_reads

GENERATED_STUDIES = 200
CAPS = (3, 10, 40, 300)

# Every test reads the data below, the ones without the API client too (run alone, with -k).
pytestmark = pytest.mark.usefixtures("served_data")


@pytest.fixture(scope="module")
def served_data(
    settings: ApiSettings, sync_driver: Driver, tmp_path_factory: pytest.TempPathFactory
) -> LoadReport:
    """The bundled data and a generated corpus on top: hubs of a few hundred links."""
    clear(sync_driver, settings)
    load(settings, DATA)
    return load(settings, generate.write(tmp_path_factory.mktemp("corpus"), GENERATED_STUDIES))


def _read(driver: Driver, settings: ApiSettings, statement: str, **params: Any) -> list[Any]:
    records, _, _ = driver.execute_query(statement, params, database_=settings.database)
    return [r.data() for r in records]


def links(driver: Driver, settings: ApiSettings, node_id: str) -> int:
    """A node's relationships, counted the plain way (reading them)."""
    rows = _read(
        driver, settings, "MATCH (a:Entity {id: $id})-[r]-() RETURN count(r) AS n", id=node_id
    )
    return int(rows[0]["n"])


def reference(
    driver: Driver, settings: ApiSettings, center: str, depth: int, cap: int, *, skip_hubs: bool
) -> dict[str, Any]:
    """The walk as it was before hubs were counted, optionally not following hubs."""
    assert _read(driver, settings, nodes_q.NODE_SUMMARIES, ids=[center])
    nodes = [center]
    seen = {center}
    frontier, truncated, hubs = [center], False, []
    budget = cap * 4
    for _ in range(depth):
        follow = frontier
        if skip_hubs:
            found = [(n, links(driver, settings, n)) for n in frontier]
            hubs += [{"id": n, "links": k} for n, k in found if k >= budget]
            truncated = truncated or any(k >= budget for _, k in found)
            follow = [n for n, k in found if k < budget]
        rows = _read(driver, settings, paths_q.NEIGHBOURS, ids=follow, limit=budget)
        truncated = truncated or len(rows) >= budget
        frontier = []
        for row in rows:
            if row["id"] in seen:
                continue
            if len(nodes) >= cap:
                truncated = True
                break
            nodes.append(row["id"])
            seen.add(row["id"])
            frontier.append(row["id"])
        if not frontier:
            break
    edges = _read(driver, settings, paths_q.EDGES_AMONG, ids=nodes, limit=cap * 20)
    return {
        "nodes": nodes,
        "edges": sorted((e["source"], e["type"], e["target"]) for e in edges),
        "truncated": truncated,
        "hubs": sorted((h["id"], h["links"]) for h in hubs),
    }


def answer(client: TestClient, center: str, depth: int, cap: int) -> dict[str, Any]:
    response = client.get(f"/graph/neighbourhood/{center}", params={"depth": depth, "limit": cap})
    assert response.status_code == 200, response.text
    body = response.json()
    return {
        "nodes": [n["data"]["id"] for n in body["nodes"]],
        "edges": sorted(
            (e["data"]["source"], e["data"]["type"], e["data"]["target"]) for e in body["edges"]
        ),
        "truncated": body["truncated"],
        "hubs": sorted((h["id"], h["links"]) for h in body["hubs"]),
    }


def centres(driver: Driver, settings: ApiSettings) -> Iterator[str]:
    """Seeded random nodes of every kind, and the busiest ones (the hubs) first."""
    busiest = _read(
        driver,
        settings,
        "MATCH (a:Entity)-[r]-() WITH a, count(r) AS n ORDER BY n DESC, a.id LIMIT 6 "
        "RETURN a.id AS id",
    )
    yield from (r["id"] for r in busiest)
    every = sorted(r["id"] for r in _read(driver, settings, "MATCH (a:Entity) RETURN a.id AS id"))
    yield from random.Random(16).sample(every, 24)  # noqa: S311 - reproducible, not secret


def test_the_answer_is_the_walk_that_does_not_follow_hubs(
    client: TestClient, sync_driver: Driver, settings: ApiSettings
) -> None:
    compared = unchanged = hubs_met = 0
    for center in centres(sync_driver, settings):
        for depth in (1, 2):
            for cap in CAPS:
                new = answer(client, center, depth, cap)
                assert new == reference(
                    sync_driver, settings, center, depth, cap, skip_hubs=True
                ), (center, depth, cap)
                old = reference(sync_driver, settings, center, depth, cap, skip_hubs=False)
                if not old["truncated"]:
                    assert new == old | {"hubs": []}, (center, depth, cap)
                    unchanged += 1
                hubs_met += bool(new["hubs"])
                compared += 1
    # The comparison covered both sides of the rule.
    assert compared == 30 * 2 * len(CAPS)
    assert unchanged > 30
    assert hubs_met > 30


def test_a_hub_is_counted_not_read(
    client: TestClient,
    sync_driver: Driver,
    settings: ApiSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent = recorded_reads(monkeypatch)
    hub = "connects-level-1"  # hundreds of claims at this evidence level
    body = client.get(f"/graph/neighbourhood/{hub}", params={"depth": 1, "limit": 10}).json()
    assert body["truncated"] is True
    assert body["hubs"] == [{"id": hub, "links": links(sync_driver, settings, hub)}]
    assert [n["data"]["id"] for n in body["nodes"]] == [hub]
    assert (paths_q.DEGREES, {"ids": [hub]}) in sent
    assert not [p for s, p in sent if s == paths_q.NEIGHBOURS and hub in p["ids"]]


def test_the_bundled_data_has_no_hub_at_the_default_cap(
    client: TestClient, sync_driver: Driver, settings: ApiSettings
) -> None:
    for center in ("inclusion", "connects-level-1", "socitm", "lga"):
        body = client.get(f"/graph/neighbourhood/{center}", params={"depth": 2}).json()
        assert body["hubs"] == []


def details(settings: ApiSettings, ids: list[str], link_limit: int) -> list[NodeDetail]:
    async def run() -> list[NodeDetail]:
        async with open_db(settings) as db:
            return [await repository.node_detail(db, i, link_limit=link_limit) for i in ids]

    return asyncio.run(run())


@pytest.mark.parametrize("link_limit", [5, 40, 500])
def test_a_node_detail_is_the_sorted_page_unless_it_has_more_links(
    sync_driver: Driver, settings: ApiSettings, link_limit: int
) -> None:
    ids = list(centres(sync_driver, settings))
    for detail in details(settings, ids, link_limit):
        total = links(sync_driver, settings, detail.id)
        assert detail.links_total == total
        if total > link_limit:
            assert detail.links == []
            assert detail.links_truncated
            continue
        # Below the limit: what the single sorted statement gives, link for link.
        old = _read(sync_driver, settings, nodes_q.NODE_DETAIL, id=detail.id, link_limit=500)
        expected = [(x["type"], x["outgoing"], x["id"]) for x in old[0]["links"]]
        got = [(x.type, x.direction == "out", x.node.id) for x in detail.links]
        assert got == expected
        assert not detail.links_truncated


def test_a_node_detail_is_one_statement_unless_the_node_has_more_links(
    sync_driver: Driver, settings: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = recorded_reads(monkeypatch)
    hub, quiet = "connects-level-1", "socitm"
    assert links(sync_driver, settings, hub) > 40 >= links(sync_driver, settings, quiet)
    details(settings, [quiet], 40)
    assert [s for s, _ in sent] == [nodes_q.NODE_DETAIL_BOUNDED]
    sent.clear()
    details(settings, [hub], 40)
    # The hub's links are read no further than one past the page, then counted, not read.
    assert sent == [
        (nodes_q.NODE_DETAIL_BOUNDED, {"id": hub, "scan": 41}),
        (paths_q.DEGREE, {"id": hub}),
    ]
    sent.clear()
    with pytest.raises(NotFound):
        details(settings, ["no-such-node"], 40)
    assert [s for s, _ in sent] == [nodes_q.NODE_DETAIL_BOUNDED]


def test_a_hop_is_one_statement_and_its_hubs_one_more(
    client: TestClient, sync_driver: Driver, settings: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    study = _read(
        sync_driver, settings, "MATCH (cs:CaseStudy) RETURN cs.id AS id ORDER BY id LIMIT 1"
    )[0]["id"]
    sent = recorded_reads(monkeypatch)
    body = client.get(f"/graph/neighbourhood/{study}", params={"depth": 2, "limit": 40}).json()
    assert len(body["nodes"]) > 1
    # A case study's own links are not counted; the next hop's nodes are, all in one statement.
    assert [s for s, _ in sent] == [
        nodes_q.NODE_SUMMARIES,
        paths_q.NEIGHBOURS,
        paths_q.DEGREES,
        paths_q.NEIGHBOURS,
        paths_q.EDGES_AMONG_LIST,
    ]
    assert len(sent[2][1]["ids"]) > 1
