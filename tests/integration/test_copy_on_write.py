"""History kept copy-on-write (graph/versions.py): a load keeps a node's earlier state only when
it changes the node, and history, `as_of` and `/changes` read the node with its kept versions."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import pytest
from neo4j import Driver

from api.settings import ApiSettings
from graph import history, writes
from graph.db import open_db
from graph.history import Point
from graph.writes import LinkRow, LoadRecord, NodeRow
from tests.helpers import clear, in_region, place, region

KEPT = """
MATCH (v:Version)
RETURN v.node AS node, v.load AS load, v.change AS change, v.props AS props, v.links AS links
ORDER BY v.at, v.node
"""

A = Point(load="load-a", at="2026-01-01T00:00:00.000000+00:00")
B = Point(load="load-b", at="2026-02-01T00:00:00.000000+00:00")
C = Point(load="load-c", at="2026-03-01T00:00:00.000000+00:00")


def write(
    settings: ApiSettings, point: Point, nodes: Sequence[NodeRow], links: Sequence[LinkRow]
) -> writes.WriteCounts:
    async def run() -> writes.WriteCounts:
        async with open_db(settings) as db:
            record = LoadRecord(point.load, {"started_at": point.at})
            return await writes.upsert(db, nodes, links, record, authoritative=["p"])

    return asyncio.run(run())


def kept(driver: Driver, settings: ApiSettings) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(KEPT, database_=settings.database)
    return [r.data() for r in records]


def states(settings: ApiSettings, ids: list[str], point: Point) -> dict[str, history.Version]:
    async def run() -> dict[str, history.Version]:
        async with open_db(settings) as db:
            return await history.states_at(db, ids, point)

    return asyncio.run(run())


def node_history(settings: ApiSettings, node_id: str, **page: int) -> history.History:
    async def run() -> history.History:
        async with open_db(settings) as db:
            return await history.node_history(
                db, node_id, limit=page.get("limit", 10), offset=page.get("offset", 0)
            )

    return asyncio.run(run())


def changes(settings: ApiSettings, since: Point | None, until: Point) -> history.Changes:
    async def run() -> history.Changes:
        async with open_db(settings) as db:
            return await history.changes_between(
                db, since, until, subjects=None, limit=10, offset=0
            )

    return asyncio.run(run())


@pytest.fixture
def first(empty_graph: Driver, settings: ApiSettings) -> Driver:
    """Load A: a place in a region, the graph empty before."""
    counts = write(settings, A, [place("p", "Old name"), region("r1")], [in_region("p", "r1")])
    assert counts.nodes_created == 2
    return empty_graph


def test_a_load_of_new_nodes_keeps_no_version(first: Driver, settings: ApiSettings) -> None:
    assert kept(first, settings) == []
    found = node_history(settings, "p")
    assert found.total == 1
    [now] = found.items
    assert (now.change, now.at, now.provenance.load) == ("created", A.at, A.load)
    assert now.properties["name"] == "Old name"
    assert now.links == [("IN_REGION", "r1")]


def test_one_changed_field_keeps_exactly_one_version_of_the_old_state(
    first: Driver, settings: ApiSettings
) -> None:
    counts = write(settings, B, [place("p", "New name"), region("r1")], [in_region("p", "r1")])
    assert (counts.nodes_updated, counts.nodes_unchanged) == (1, 1)
    [old] = kept(first, settings)
    assert (old["node"], old["load"], old["change"]) == ("p", A.load, "created")
    assert json.loads(old["props"])["name"] == "Old name"
    found = node_history(settings, "p")
    assert [(v.change, v.provenance.load) for v in found.items] == [
        ("changed", B.load),
        ("created", A.load),
    ]
    assert [v.properties["name"] for v in found.items] == ["New name", "Old name"]
    # An unchanged reload keeps nothing more.
    write(settings, C, [place("p", "New name"), region("r1")], [in_region("p", "r1")])
    assert len(kept(first, settings)) == 1


def test_as_of_rebuilds_the_past_from_the_node_and_its_versions(
    first: Driver, settings: ApiSettings
) -> None:
    write(
        settings,
        B,
        [place("p", "New name"), region("r1"), place("q", "Made later")],
        [in_region("p", "r1")],
    )
    before, after = states(settings, ["p", "q"], A), states(settings, ["p", "q"], B)
    assert before["p"].properties["name"] == "Old name"
    assert after["p"].properties["name"] == "New name"
    assert "q" not in before  # made after A
    assert after["q"].properties["name"] == "Made later"


def test_a_link_gained_or_lost_keeps_the_state_before_and_restamps_the_node(
    first: Driver, settings: ApiSettings
) -> None:
    """A link alone changes a node (its properties are as they were): its state before is
    kept, and the node is stamped with the load that changed it."""
    nodes = [place("p", "Old name"), region("r1"), region("r2")]
    counts = write(settings, B, nodes, [in_region("p", "r1"), in_region("p", "r2")])
    assert (counts.links_created, counts.nodes_updated) == (1, 0)
    write(settings, C, nodes, [in_region("p", "r2")])
    assert [(v["node"], v["load"]) for v in kept(first, settings)] == [
        ("p", A.load),
        ("p", B.load),
    ]
    assert sorted(states(settings, ["p"], A)["p"].links) == [("IN_REGION", "r1")]
    assert sorted(states(settings, ["p"], B)["p"].links) == [
        ("IN_REGION", "r1"),
        ("IN_REGION", "r2"),
    ]
    now = node_history(settings, "p").items[0]
    assert (now.provenance.load, now.links) == (C.load, [("IN_REGION", "r2")])


def test_changes_list_the_present_states_and_the_kept_ones(
    first: Driver, settings: ApiSettings
) -> None:
    write(
        settings,
        B,
        [place("p", "New name"), region("r1"), place("q", "Made later")],
        [in_region("p", "r1")],
    )
    found = changes(settings, A, B)
    assert [(c.node, c.change, c.provenance.load) for c in found.items] == [
        ("p", "changed", B.load),
        ("q", "created", B.load),
    ]
    assert found.total == 2
    everything = changes(settings, None, B)
    assert [(c.node, c.change) for c in everything.items] == [
        ("p", "changed"),
        ("q", "created"),
        ("p", "created"),
        ("r1", "created"),
    ]


def test_history_kept_before_copy_on_write_is_read_once(
    first: Driver, settings: ApiSettings
) -> None:
    """An older release kept every state as a version, the present one too: that version is
    the node's present state, not a second one."""
    clear(first, settings)
    write(settings, A, [place("p", "Old name")], [])
    first.execute_query(
        "MATCH (n:Entity {id: 'p'}) "
        "CREATE (:Version {node: 'p', kind: 'Place', name: 'Old name', change: 'created', "
        'props: \'{"id": "p", "name": "Old name", "source": "t", "load": "load-a"}\', '
        "links: '[]', digest: 'x', load: 'load-a', at: $at})",
        at=A.at,
        database_=settings.database,
    )
    assert [v.change for v in node_history(settings, "p").items] == ["created"]
    write(settings, B, [place("p", "New name")], [])
    assert len(kept(first, settings)) == 1  # not kept again
    assert [v.properties["name"] for v in node_history(settings, "p").items] == [
        "New name",
        "Old name",
    ]
