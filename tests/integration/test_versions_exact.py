"""History is kept copy-on-write (graph/writes.py LoadWriter, graph/versions.py): after every
load, each node's latest state in its history must be the node exactly as the engine lists it,
its links in the engine's order, whether the load took one pass or several transactions, and a
load keeps a version only of the nodes it changed: none for the nodes it created."""

from __future__ import annotations

import asyncio
import csv
from collections import Counter
from collections.abc import Collection
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from api.settings import ApiSettings
from bench import generate
from graph import history, versions, writes
from graph.db import open_db
from graph.model import Kind, Rel
from graph.writes import LinkRow, LoadRecord, LoadWriter, NodeRow
from loaders import writing
from tests.helpers import DATA, clear, load

STUDIES = 120
DERIVED = {"checksum", "embedding", "embedding_sha256"}

KEPT = "MATCH (v:Version) RETURN v.node AS node, v.change AS change, v.load AS load"

NOW = """
MATCH (n:Entity)
RETURN n.id AS id, n {.*} AS props, [(n)-[r]->(b:Entity) | [type(r), b.id]] AS links
"""


def kept(driver: Driver, settings: ApiSettings) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(KEPT, database_=settings.database)
    return [r.data() for r in records]


def assert_versions_exact(driver: Driver, settings: ApiSettings) -> dict[str, history.Version]:
    """Every node's state now, read back as history reads it, is the node as it is; no load
    kept a node twice."""
    now, _, _ = driver.execute_query(NOW, database_=settings.database)
    assert now

    async def read() -> dict[str, history.Version]:
        async with open_db(settings) as db:
            point = await history.current_point(db)
            assert point is not None
            return await history.states_at(db, [node["id"] for node in now], point)

    found = asyncio.run(read())
    for node in now:
        props = {k: v for k, v in node["props"].items() if k not in DERIVED}
        assert found[node["id"]].properties == props, node["id"]
        assert [list(link) for link in found[node["id"]].links] == node["links"], node["id"]
    twice = Counter((v["node"], v["load"]) for v in kept(driver, settings))
    assert all(n == 1 for n in twice.values()), twice
    return found


def fewer(corpus: Path) -> tuple[str, str]:
    """The first study without its first theme and its first outcome (a stale ADDRESSES link,
    and a claim no study makes any more); returns the study's id and the orphaned claim's
    outcome name."""
    with corpus.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    row = next(r for r in rows if ";" in r["themes"] and ";" in r["outcomes"])
    row["themes"] = row["themes"].split(";", 1)[1]
    dropped, row["outcomes"] = row["outcomes"].split(";", 1)
    with corpus.open("w", newline="", encoding="utf-8") as f:
        out = csv.DictWriter(f, fieldnames=list(rows[0]))
        out.writeheader()
        out.writerows(rows)
    return row["id"], dropped


@pytest.fixture(params=["one pass", "several transactions"])
def passes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "several transactions":
        monkeypatch.setattr(writing, "STUDIES_PER_CHUNK", 40)
        monkeypatch.setattr(writing, "STUDIES_PER_TRANSACTION", 50)
        monkeypatch.setattr(writing, "STUDIES_IN_ONE_PASS", 0)
    return str(request.param)


def test_history_read_from_the_nodes_and_their_versions_is_the_nodes_as_the_engine_lists_them(
    passes: str, sync_driver: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    clear(sync_driver, settings)
    load(settings, DATA)
    corpus = generate.write(tmp_path, STUDIES)
    first = load(settings, corpus)
    assert first.counts.nodes_created > STUDIES
    assert kept(sync_driver, settings) == []
    assert_versions_exact(sync_driver, settings)
    study, outcome = fewer(corpus)
    second = load(settings, corpus)
    assert second.counts.links_removed >= 2
    assert second.counts.nodes_removed == 1
    assert_versions_exact(sync_driver, settings)
    # The study as it was (it lost links), and the orphaned claim as it was, then removed.
    changes = sorted((v["node"], v["change"]) for v in kept(sync_driver, settings))
    [orphan] = [node for node, change in changes if change == "removed"]
    assert changes == sorted([(study, "created"), (orphan, "created"), (orphan, "removed")])
    assert orphan.startswith(f"claim-{study}-")
    assert outcome.lower().split()[0] in orphan


def test_a_node_given_more_links_in_a_later_batch_of_its_load_keeps_no_version(
    sync_driver: Driver, settings: ApiSettings
) -> None:
    """A writer's caller may add links to a node it made in an earlier batch without saying so
    (`later`): the node had no state before the load, so nothing is kept."""
    clear(sync_driver, settings)
    nodes = [
        NodeRow("p", Kind.PLACE, {"id": "p", "name": "P", "source": "t"}),
        NodeRow("r1", Kind.REGION, {"id": "r1", "name": "R1", "source": "t"}),
        NodeRow("r2", Kind.REGION, {"id": "r2", "name": "R2", "source": "t"}),
    ]

    async def run() -> None:
        async with open_db(settings) as db, db.session() as session:
            tx = await session.begin_transaction()
            writer = LoadWriter(tx, LoadRecord("load-test", {"started_at": "2026-01-01"}))
            assert not await writer.write(nodes, [LinkRow("p", Rel.IN_REGION, "r1", "t")])
            assert not await writer.write([], [LinkRow("p", Rel.IN_REGION, "r2", "t")])
            await writer.finish()
            await tx.commit()

    asyncio.run(run())
    by_node = assert_versions_exact(sync_driver, settings)
    assert kept(sync_driver, settings) == []
    assert sorted(to for _, to in by_node["p"].links) == ["r1", "r2"]


def test_a_restore_records_no_versions(sync_driver: Driver, settings: ApiSettings) -> None:
    clear(sync_driver, settings)
    node = NodeRow("p", Kind.PLACE, {"id": "p", "name": "P", "source": "t"})

    async def run() -> None:
        async with open_db(settings) as db:
            await writes.upsert(db, [node], [], LoadRecord("restore"), record_load=False)

    asyncio.run(run())
    assert kept(sync_driver, settings) == []


def test_a_load_of_new_case_studies_keeps_and_reads_back_nothing(
    passes: str,
    sync_driver: Driver,
    settings: ApiSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What cost the loader a third of its time at M: a version of every node a load created
    (36,432 of them), and before that, reading them back at the end (which ran the engine out of
    its 1 GB heap at 100,000 case studies). A load of new case studies asks to keep no node."""
    clear(sync_driver, settings)
    load(settings, DATA)
    asked: list[str] = []
    keep = versions.keep

    async def counting(tx: Any, ids: Collection[str]) -> int:
        asked.extend(ids)
        return await keep(tx, ids)

    monkeypatch.setattr(versions, "keep", counting)
    report = load(settings, generate.write(tmp_path, STUDIES))
    assert report.counts.nodes_created > STUDIES
    assert asked == []
    assert kept(sync_driver, settings) == []
    assert_versions_exact(sync_driver, settings)
