"""Links are merged between element ids (graph/queries/writes.py MERGE_LINKS): the ends a write
made itself come from its own CREATE, the others are looked up once each, by id."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, cast

from neo4j import AsyncResult, AsyncTransaction, Driver

from api.settings import ApiSettings
from graph import writes
from graph.db import open_db
from graph.model import Rel
from graph.queries import writes as writes_q
from graph.writes import LinkRow, LoadRecord, LoadWriter, NodeRow
from tests.helpers import in_region, place, region

LINKS = """
MATCH (a:Entity)-[r]->(b:Entity)
RETURN a.id AS from_id, type(r) AS rel, b.id AS to_id, r.load AS load
ORDER BY from_id, to_id
"""


def upsert(
    settings: ApiSettings, load: str, nodes: Sequence[NodeRow], links: Sequence[LinkRow]
) -> writes.WriteCounts:
    async def run() -> writes.WriteCounts:
        async with open_db(settings) as db:
            return await writes.upsert(db, nodes, links, LoadRecord(load))

    return asyncio.run(run())


def stored_links(driver: Driver, settings: ApiSettings) -> list[tuple[str, str, str, str]]:
    records, _, _ = driver.execute_query(LINKS, database_=settings.database)
    return [(r["from_id"], r["rel"], r["to_id"], r["load"]) for r in records]


def test_links_reach_nodes_of_the_same_write_and_of_earlier_ones(
    empty_graph: Driver, settings: ApiSettings
) -> None:
    upsert(
        settings,
        "load-1",
        [region("north"), place("leeds", "Leeds")],
        [in_region("leeds", "north")],
    )
    # Only links, to nodes an earlier, committed transaction made: their ends are looked up.
    counts = upsert(
        settings,
        "load-2",
        [place("york", "York")],
        [in_region("york", "north"), LinkRow("leeds", Rel.IN_REGION, "north", "other")],
    )
    assert (counts.links_created, counts.links_updated) == (1, 1)
    assert stored_links(empty_graph, settings) == [
        ("leeds", "IN_REGION", "north", "load-2"),
        ("york", "IN_REGION", "north", "load-2"),
    ]


def test_a_link_to_a_node_not_in_the_graph_is_not_written(
    empty_graph: Driver, settings: ApiSettings
) -> None:
    counts = upsert(
        settings,
        "load-1",
        [region("north"), place("leeds", "Leeds")],
        [in_region("leeds", "north"), in_region("leeds", "nowhere"), in_region("ghost", "north")],
    )
    assert (counts.links_created, counts.links_unchanged) == (1, 2)
    assert stored_links(empty_graph, settings) == [("leeds", "IN_REGION", "north", "load-1")]


def test_writing_the_same_links_again_changes_nothing(
    empty_graph: Driver, settings: ApiSettings
) -> None:
    nodes = [region("north"), place("leeds", "Leeds"), place("york", "York")]
    links = [in_region("leeds", "north"), in_region("york", "north")]
    upsert(settings, "load-1", nodes, links)
    again = upsert(settings, "load-2", nodes, links)
    assert (again.links_created, again.links_updated, again.links_unchanged) == (0, 0, 2)
    assert [load for *_, load in stored_links(empty_graph, settings)] == ["load-1", "load-1"]


class _Recording:
    """A transaction that notes each statement sent through it."""

    def __init__(self, tx: AsyncTransaction) -> None:
        self.tx, self.sent = tx, list[str]()

    async def run(self, query: Any, parameters: Any = None, **kwargs: Any) -> AsyncResult:
        self.sent.append(query)
        return await self.tx.run(query, parameters, **kwargs)

    def look_ups(self) -> int:
        return self.sent.count(writes_q.ELEMENT_IDS)


def test_a_load_keeps_the_element_ids_of_what_later_batches_link_to_only(
    empty_graph: Driver, settings: ApiSettings
) -> None:
    """Nodes stating their own links (case studies, claims) are let go after their batch, which
    kept a 100k load's memory down; a link to one later on looks it up again, and is written."""

    async def run() -> list[int]:
        async with open_db(settings) as db, db.transactions() as txs:
            recording = _Recording(txs.current)
            writer = LoadWriter(cast(AsyncTransaction, recording), LoadRecord("load-1"))
            look_ups = []
            # A shared node (not authoritative) is kept: linking to it looks nothing up.
            await writer.write([region("south")], [])
            await writer.write([place("hull", "Hull")], [in_region("hull", "south")], ["hull"])
            look_ups.append(recording.look_ups())
            # An authoritative node is let go after its batch: a later link looks it up.
            await writer.write([region("north")], [], ["north"])
            await writer.write([place("york", "York")], [in_region("york", "north")], ["york"])
            look_ups.append(recording.look_ups())
            # Unless it has links still to come (`later`): they find it kept.
            bath = in_region("bath", "south")
            await writer.write([place("bath", "Bath")], [], ["bath"], later=[bath])
            await writer.write([], [bath])
            look_ups.append(recording.look_ups())
            await writer.finish()
            await txs.commit(next_one=False)
            return look_ups

    assert asyncio.run(run()) == [0, 1, 1]
    assert [(a, b) for a, _, b, _ in stored_links(empty_graph, settings)] == [
        ("bath", "south"),
        ("hull", "south"),
        ("york", "north"),
    ]
