"""Versions are built from what the writer sent, not read back (graph/writes.py LoadWriter):
after every load, each node's latest version must still be the node exactly as the engine lists
it, its links in the engine's order, whether the load took one pass or several transactions,
created nodes, changed ones or removed ones."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from api.settings import ApiSettings
from bench import generate
from graph import versions, writes
from graph.db import open_db
from graph.model import Kind, Rel
from graph.writes import LinkRow, LoadRecord, LoadWriter, NodeRow
from loaders import writing
from tests.helpers import DATA, clear, load

STUDIES = 120
DERIVED = {"checksum", "embedding", "embedding_sha256"}

LATEST = """
MATCH (v:Version)
WITH v ORDER BY v.at DESC
WITH v.node AS node, collect(v) AS vs
RETURN node, vs[0].props AS props, vs[0].links AS links, vs[0].change AS change,
       [x IN vs | x.load] AS loads
"""

NOW = """
MATCH (n:Entity)
RETURN n.id AS id, n {.*} AS props, [(n)-[r]->(b:Entity) | [type(r), b.id]] AS links
"""


def assert_versions_exact(driver: Driver, settings: ApiSettings) -> dict[str, Any]:
    """Every node's latest version is the node as it is; no load versions a node twice."""
    latest, _, _ = driver.execute_query(LATEST, database_=settings.database)
    by_node = {r["node"]: r for r in latest}
    now, _, _ = driver.execute_query(NOW, database_=settings.database)
    assert now
    for node in now:
        version = by_node[node["id"]]
        # Derived properties (the change checksum, the sentence embedding) are never versioned.
        props = {k: v for k, v in node["props"].items() if k not in DERIVED}
        assert json.loads(version["props"]) == props, node["id"]
        assert json.loads(version["links"]) == node["links"], node["id"]
        assert version["change"] != "removed", node["id"]
        assert len(version["loads"]) == len(set(version["loads"])), node["id"]
    return by_node


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


def test_versions_built_from_the_writer_are_the_nodes_as_the_engine_lists_them(
    passes: str, sync_driver: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    clear(sync_driver, settings)
    load(settings, DATA)
    corpus = generate.write(tmp_path, STUDIES)
    first = load(settings, corpus)
    assert first.counts.nodes_created > STUDIES
    assert_versions_exact(sync_driver, settings)
    study, outcome = fewer(corpus)
    second = load(settings, corpus)
    assert second.counts.links_removed >= 2
    assert second.counts.nodes_removed == 1
    by_node = assert_versions_exact(sync_driver, settings)
    assert by_node[study]["change"] == "changed"
    [orphan] = [
        node
        for node, v in by_node.items()
        if v["change"] == "removed" and node.startswith(f"claim-{study}-")
    ]
    assert outcome.lower().split()[0] in orphan


def test_a_node_given_more_links_after_its_version_is_versioned_once_with_all(
    sync_driver: Driver, settings: ApiSettings
) -> None:
    """A writer's caller may add links to a node it made in an earlier batch without saying so
    (`later`): the version already written is replaced, not doubled."""
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
    assert by_node["p"]["loads"] == ["load-test"]
    assert sorted(to for _, to in json.loads(by_node["p"]["links"])) == ["r1", "r2"]


def test_a_restore_records_no_versions(sync_driver: Driver, settings: ApiSettings) -> None:
    clear(sync_driver, settings)
    node = NodeRow("p", Kind.PLACE, {"id": "p", "name": "P", "source": "t"})

    async def run() -> None:
        async with open_db(settings) as db:
            await writes.upsert(db, [node], [], LoadRecord("restore"), record_load=False)

    asyncio.run(run())
    records, _, _ = sync_driver.execute_query(
        "MATCH (v:Version) RETURN count(v) AS c", database_=settings.database
    )
    assert records[0]["c"] == 0


def test_a_load_of_new_case_studies_reads_none_of_them_back(
    passes: str,
    sync_driver: Driver,
    settings: ApiSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What ran the engine out of its 1 GB heap at 100,000 case studies: reading every created
    node back at the end of a load to version it. A created node's version is written from what
    was sent, batch by batch; only nodes whose state the writer cannot know are read back."""
    clear(sync_driver, settings)
    load(settings, DATA)
    read_back: list[int] = []
    record = versions.record

    async def counting(*args: Any, **kwargs: Any) -> int:
        read_back.append(len(kwargs["created"]))
        return await record(*args, **kwargs)

    monkeypatch.setattr(versions, "record", counting)
    report = load(settings, generate.write(tmp_path, STUDIES))
    assert report.counts.nodes_created > STUDIES
    assert read_back  # the load recorded its versions
    assert sum(read_back) == 0
    assert_versions_exact(sync_driver, settings)
