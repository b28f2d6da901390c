"""How the embedded engine runs our statements, read from its own plan (PROFILE over Bolt),
never from timing: which index a statement seeks by, that it starts from the node it seeks,
and that a count is made without reading what it counts.

The engine's pitfalls these guard against (issue 16): an index declared on `Entity` does not
serve a seek by kind (`(i:Intervention {id: $id})` scans every Intervention); `WHERE a.id IN
$ids` and `UNWIND` before an `OPTIONAL MATCH` lose the seek or the edge count; the planner
follows the pattern in the order it is written.
"""

from __future__ import annotations

from typing import Any, LiteralString

import pytest
from neo4j import Driver

from api.settings import ApiSettings
from graph.model import Kind, Rel
from graph.queries import approaches as approaches_q
from graph.queries import evidence_index as index_q
from graph.queries import nodes as nodes_q
from graph.queries import paths as paths_q
from loaders.report import LoadReport

pytestmark = pytest.mark.embedded_only(reason="reads the embedded engine's query plans")

SEEK = ("NodeIndexSeek", "[index: ")
"""How the plan says a node was found by an index: the cost-based planner's operator, or the
traditional planner's note on its MATCH NODE step."""
SCAN = ("NodeByLabelScan", "AllNodesScan", "[filter:")
"""How it says every node of a label (or every node) was read and filtered instead."""


def profile(driver: Driver, settings: ApiSettings, statement: str, **params: Any) -> str:
    _, summary, _ = driver.execute_query(
        "PROFILE " + statement, params, database_=settings.database
    )
    assert summary.profile is not None
    plan: str = summary.profile["args"]["string-representation"]
    return plan


@pytest.fixture(scope="module", autouse=True)
def _data(framework: LoadReport) -> LoadReport:
    return framework


@pytest.mark.parametrize("kind", list(Kind))
def test_a_seek_by_kind_and_id_uses_an_index_of_that_kind(
    sync_driver: Driver, settings: ApiSettings, kind: Kind
) -> None:
    statement = f"MATCH (n:`{kind.value}` {{id: $id}}) RETURN n.id AS id"
    plan = profile(sync_driver, settings, statement, id="inclusion")
    assert "NodeIndexSeek" in plan, plan
    assert f"index={kind.value}_id" in plan, plan


def test_a_seek_by_entity_and_id_uses_the_unique_index(
    sync_driver: Driver, settings: ApiSettings
) -> None:
    plan = profile(sync_driver, settings, "MATCH (n:Entity {id: $id}) RETURN n.id", id="inclusion")
    assert "index=Entity[id]" in plan, plan


ANCHORED: dict[str, tuple[LiteralString, dict[str, Any]]] = {
    "NEIGHBOURS": (paths_q.NEIGHBOURS, {"ids": ["inclusion", "igpp"], "limit": 50}),
    "EDGES_AMONG": (paths_q.EDGES_AMONG, {"ids": ["inclusion", "igpp"], "limit": 50}),
    "DEGREE": (paths_q.DEGREE, {"id": "inclusion"}),
    "EDGES_AMONG_LIST": (paths_q.EDGES_AMONG_LIST, {"ids": ["inclusion", "igpp"], "limit": 50}),
    "PATHS": (paths_q.PATHS, {"from": "inclusion", "to": "igpp", "limit": 5}),
    "NODE_DETAIL": (nodes_q.NODE_DETAIL, {"id": "inclusion", "link_limit": 50}),
    "NODE_DETAIL_BOUNDED": (nodes_q.NODE_DETAIL_BOUNDED, {"id": "inclusion", "scan": 51}),
    "NODE_SUMMARIES": (nodes_q.NODE_SUMMARIES, {"ids": ["inclusion", "igpp"]}),
    "INTERVENTIONS_BY_ID": (
        approaches_q.INTERVENTIONS_BY_ID,
        {"interventions": ["digital-inclusion-hubs"], "limit": 5},
    ),
}


@pytest.mark.parametrize("name", list(ANCHORED))
def test_statements_start_from_the_node_they_seek(
    sync_driver: Driver, settings: ApiSettings, name: str
) -> None:
    statement, params = ANCHORED[name]
    plan = profile(sync_driver, settings, statement, **params)
    assert any(seek in plan for seek in SEEK), plan
    assert not any(scan in plan for scan in SCAN), plan


def test_the_check_sees_a_scan_where_there_is_one(
    sync_driver: Driver, settings: ApiSettings
) -> None:
    # The same count as DEGREE, for a list of ids: the engine reads every Entity to find them.
    statement = (
        "MATCH (a:Entity) WHERE a.id IN $ids "
        "OPTIONAL MATCH (a)-[r]-(x) WITH a, count(x) AS degree RETURN degree"
    )
    plan = profile(sync_driver, settings, statement, ids=["inclusion"])
    assert any(scan in plan for scan in SCAN), plan


def test_a_degree_is_counted_from_the_edge_lists(
    sync_driver: Driver, settings: ApiSettings
) -> None:
    plan = profile(sync_driver, settings, paths_q.DEGREE, id="inclusion")
    assert "COUNT EDGES OPTIMIZATION" in plan, plan


@pytest.mark.parametrize("kind", list(index_q.STAMPED_NODES))
def test_what_a_load_stamped_on_a_kind_is_found_by_its_load_index(
    sync_driver: Driver, settings: ApiSettings, kind: Kind
) -> None:
    plan = profile(sync_driver, settings, index_q.STAMPED_NODES[kind], loads=["some-load"])
    assert "NodeIndexSeek" in plan, plan
    assert f"index={kind.value}_load" in plan, plan


@pytest.mark.parametrize("rel", list(index_q.STAMPED_LINK_SOURCES))
def test_what_a_load_stamped_on_a_relationship_type_is_found_by_its_load_index(
    sync_driver: Driver, settings: ApiSettings, rel: Rel
) -> None:
    plan = profile(sync_driver, settings, index_q.STAMPED_LINK_SOURCES[rel], loads=["some-load"])
    assert f"MATCH EDGE BY INDEX (a)-[r:{rel.value}]" in plan, plan
    assert f"[index: {rel.value}_load on load]" in plan, plan
    restored = profile(sync_driver, settings, index_q.RESTORED_LINKS[rel], load="restore")
    assert f"[index: {rel.value}_load on load]" in restored, restored


def test_the_load_check_sees_a_scan_where_there_is_one(
    sync_driver: Driver, settings: ApiSettings
) -> None:
    # Labelled ends: the engine walks every case study's links rather than seek the index.
    statement = (
        "MATCH (a:CaseStudy)-[r:HAS_CLAIM]->(:EvidenceClaim) WHERE r.load IN $loads "
        "RETURN collect(a.id) AS ids"
    )
    plan = profile(sync_driver, settings, statement, loads=["some-load"])
    assert "BY INDEX" not in plan, plan


@pytest.mark.parametrize(
    ("name", "statement", "params"),
    [
        *(
            (f"CLAIM_STUDIES[{name}]", statement, {"loads": ["some-load"]})
            for name, statement in index_q.CLAIM_STUDIES.items()
        ),
        ("STUDY_ROWS", index_q.STUDY_ROWS, {"ids": ["some-study"]}),
        ("VOCABULARY_TERMS", index_q.VOCABULARY_TERMS, {"ids": ["inclusion"]}),
    ],
)
def test_a_patch_reads_its_case_studies_by_seeks(
    sync_driver: Driver, settings: ApiSettings, name: str, statement: str, params: Any
) -> None:
    plan = profile(sync_driver, settings, statement, **params)
    assert any(seek in plan for seek in SEEK), plan
    assert not any(scan in plan for scan in SCAN), plan
