"""The loader against the real engine: counts, idempotency, and refusals that write nothing."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

import pytest
from neo4j import Driver

from api.settings import ApiSettings
from graph import writes
from graph.db import open_db
from graph.errors import Conflict
from graph.model import Kind, Rel
from graph.rating_rule import Rule
from loaders.report import Issue, LoadFailed
from tests.helpers import DATA, STRATEGY, STRATEGY_NODES, fingerprint, load

OUTCOMES = [
    "Connectivity",
    "Data",
    "Democracy",
    "Ethics",
    "Inclusion",
    "Leadership",
    "Local productivity",
    "Organisational capability",
    "Partnership",
    "Security and resilience",
    "Services",
    "Value",
]


def names(driver: Driver, settings: ApiSettings, label: str) -> list[str]:
    records, _, _ = driver.execute_query(
        "MATCH (n:Entity) WHERE $label IN labels(n) RETURN n.name AS name ORDER BY name",
        {"label": label},
        database_=settings.database,
    )
    return [r["name"] for r in records]


def write_file(directory: Path, name: str, body: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_the_framework_loads_with_its_exact_names(
    empty_graph: Driver, settings: ApiSettings
) -> None:
    report = load(settings, STRATEGY)
    assert report.counts.nodes_created == STRATEGY_NODES
    assert report.counts.links_created > 200
    assert names(empty_graph, settings, "Outcome") == OUTCOMES
    assert len(names(empty_graph, settings, "PolicyTheme")) == 5
    assert len(names(empty_graph, settings, "StrategicPriority")) == 3
    assert names(empty_graph, settings, "RecoveryPillar") == [
        "Reform",
        "Renew",
        "Reset",
        "Resilient",
    ]
    records, _, _ = empty_graph.execute_query(
        "MATCH (i:ResearchInstitute)-[:UNIT_OF]->(u:Organisation) "
        "RETURN collect(i.id) AS ids, collect(DISTINCT u.name) AS unis",
        database_=settings.database,
    )
    assert sorted(records[0]["ids"]) == ["icc", "igpp", "sri"]
    assert records[0]["unis"] == ["University of East London"]


def test_outcomes_framework_is_joint_work_of_socitm_lga_and_solace(
    empty_graph: Driver, settings: ApiSettings
) -> None:
    load(settings, STRATEGY)
    records, _, _ = empty_graph.execute_query(
        "MATCH (o:Outcome)-[:IN_SCHEME]->(s:Scheme)-[:DEVELOPED_BY]->(org:Organisation) "
        "RETURN DISTINCT org.id AS id ORDER BY id",
        database_=settings.database,
    )
    assert [r["id"] for r in records] == ["lga", "socitm", "solace"]


def test_every_node_has_id_kind_name_description_and_source(
    empty_graph: Driver, settings: ApiSettings
) -> None:
    load(settings, STRATEGY)
    records, _, _ = empty_graph.execute_query(
        "MATCH (n:Entity) WHERE n.name IS NULL OR n.description IS NULL OR n.source IS NULL "
        "OR size(labels(n)) <> 2 RETURN n.id AS id",
        database_=settings.database,
    )
    assert [r["id"] for r in records] == []


def test_loading_twice_changes_nothing(empty_graph: Driver, settings: ApiSettings) -> None:
    first = load(settings, STRATEGY)
    before = fingerprint_without_loads(empty_graph, settings)
    second = load(settings, STRATEGY)
    assert fingerprint_without_loads(empty_graph, settings) == before
    c = second.counts
    assert (c.nodes_created, c.nodes_updated, c.nodes_unchanged) == (0, 0, STRATEGY_NODES)
    assert (c.links_created, c.links_updated) == (0, 0)
    assert c.links_unchanged == first.counts.links_created


def test_a_load_that_changes_nothing_is_not_recorded(
    empty_graph: Driver, settings: ApiSettings
) -> None:
    first = load(settings, STRATEGY)
    second = load(settings, STRATEGY)
    assert (first.load_id is not None, second.load_id) == (True, None)
    records, _, _ = empty_graph.execute_query(
        "MATCH (l:Load) RETURN collect(l.id) AS ids", database_=settings.database
    )
    assert records[0]["ids"] == [first.load_id]


def fingerprint_without_loads(driver: Driver, settings: ApiSettings) -> list[tuple[object, ...]]:
    records, _, _ = driver.execute_query(
        "MATCH (n:Entity) OPTIONAL MATCH (n)-[r]->(m) "
        "RETURN n.id AS id, n.checksum AS c, type(r) AS t, m.id AS m ORDER BY id, t, m",
        database_=settings.database,
    )
    return [tuple(r.values()) for r in records]


def test_a_changed_description_is_an_update(
    empty_graph: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    body = """
    nodes:
      - {id: t1, kind: PolicyTheme, name: Theme, description: First, source: S}
    """
    path = write_file(tmp_path, "a.yaml", body)
    load(settings, path)
    write_file(tmp_path, "a.yaml", body.replace("First", "Second"))
    report = load(settings, path)
    assert (report.counts.nodes_updated, report.counts.nodes_unchanged) == (1, 0)
    records, _, _ = empty_graph.execute_query(
        "MATCH (n:Entity {id: 't1'}) RETURN n.description AS d", database_=settings.database
    )
    assert records[0]["d"] == "Second"


def test_each_load_is_recorded_with_files_and_checksums(
    empty_graph: Driver, settings: ApiSettings
) -> None:
    report = load(settings, STRATEGY)
    records, _, _ = empty_graph.execute_query(
        "MATCH (l:Load {id: $id}) RETURN l {.*} AS l",
        {"id": report.load_id},
        database_=settings.database,
    )
    recorded = records[0]["l"]
    assert recorded["files"] == [f.path for f in report.files]
    assert len(recorded["checksums"]) == len(report.files) == 12
    assert recorded["nodes_created"] == STRATEGY_NODES
    assert recorded["started_at"].startswith("20")


BAD_INPUTS = {
    "unknown kind": (
        "nodes:\n  - {id: a, kind: Outcom, name: A, description: D, source: S}\n",
        2,
        "nodes.0.kind",
        "Must be one of",
    ),
    "unknown field": (
        "nodes:\n  - id: a\n    kind: Outcome\n    name: A\n    description: D\n"
        "    source: S\n    colour: red\n",
        7,
        "nodes.0.colour",
        "Unknown field",
    ),
    "bad id": (
        "nodes:\n  - {id: Not A Slug, kind: Outcome, name: A, description: D, source: S}\n",
        2,
        "nodes.0.id",
        "is not a valid id",
    ),
    "missing name": (
        "nodes:\n  - {id: a, kind: Outcome, description: D, source: S}\n",
        2,
        "nodes.0.name",
        "Required, but missing.",
    ),
    "number for text": (
        "nodes:\n  - {id: a, kind: Outcome, name: 12, description: D, source: S}\n",
        2,
        "nodes.0.name",
        "Must be text; got 12.",
    ),
    "dangling link": (
        "nodes:\n  - id: a\n    kind: Outcome\n    name: A\n    description: D\n    source: S\n"
        "    links: [{rel: IN_SCHEME, to: nowhere}]\n",
        7,
        "nodes.0.links.0",
        "neither in the input nor in the graph",
    ),
    "link between wrong kinds": (
        "nodes:\n  - id: a\n    kind: Outcome\n    name: A\n    description: D\n    source: S\n"
        "    links:\n      - {rel: UNIT_OF, to: b}\n"
        "  - {id: b, kind: Organisation, name: B, description: D, source: S}\n",
        8,
        "nodes.0.links.0",
        "UNIT_OF cannot go from an Outcome to an Organisation",
    ),
    "malformed yaml": ("nodes:\n  - {id: a, kind: [\n", 3, None, "Malformed file"),
    "yaml alias": (
        "base: &b {kind: Outcome, name: A, description: D, source: S}\nnodes:\n  - *b\n",
        3,
        None,
        "anchors and aliases are not allowed",
    ),
    "no nodes": ("nodes: []\n", 1, "nodes", "The list is empty."),
    "rating rule field on an Outcome": (
        "nodes:\n  - id: a\n    kind: Outcome\n    name: A\n    description: D\n"
        "    source: S\n    min_positive: 2\n",
        2,
        "nodes.0",
        "'min_positive' is only for Rating nodes",
    ),
    "rating share above one": (
        "nodes:\n  - id: a\n    kind: Rating\n    name: A\n    description: D\n"
        "    source: S\n    rank: 1\n    min_against_share: '4/3'\n",
        8,
        "nodes.0.min_against_share",
        "must be a share from 0/1 to 1/1",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_input_is_located_and_nothing_is_written(
    case: str, empty_graph: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    load(settings, STRATEGY)
    before = fingerprint(empty_graph, settings)
    body, line, field, message = BAD_INPUTS[case]
    bad = write_file(tmp_path, "bad.yaml", body)
    with pytest.raises(LoadFailed) as failure:
        # Loaded with the good framework: one bad file stops the whole load.
        load(settings, STRATEGY, bad)
    issue = next(i for i in failure.value.report.issues if i.file == str(bad))
    assert (issue.line, issue.field) == (line, field), issue
    assert message in issue.message
    assert fingerprint(empty_graph, settings) == before


def test_duplicate_ids_across_files_name_both_places(
    empty_graph: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    node = "nodes:\n  - {id: same, kind: Outcome, name: A, description: D, source: S}\n"
    first, second = write_file(tmp_path, "a.yaml", node), write_file(tmp_path, "b.yaml", node)
    with pytest.raises(LoadFailed) as failure:
        load(settings, first, second)
    [issue] = failure.value.report.issues
    assert issue == Issue(
        file=str(second),
        line=2,
        field="nodes.0.id",
        message=f"Duplicate id 'same': also defined at {first}:2.",
    )
    records, _, _ = empty_graph.execute_query(
        "MATCH (n) RETURN count(n) AS c", database_=settings.database
    )
    assert records[0]["c"] == 0


def test_an_id_of_another_kind_in_the_graph_is_refused(
    empty_graph: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    load(settings, STRATEGY)
    before = fingerprint(empty_graph, settings)
    clash = write_file(
        tmp_path,
        "clash.yaml",
        "nodes:\n  - {id: inclusion, kind: PolicyTheme, name: I, description: D, source: S}\n",
    )
    with pytest.raises(LoadFailed) as failure:
        load(settings, clash)
    [issue] = failure.value.report.issues
    assert (issue.line, issue.field) == (2, "nodes.0.kind")
    assert "already belongs to an Outcome" in issue.message
    assert fingerprint(empty_graph, settings) == before


def test_links_may_point_to_nodes_already_in_the_graph(
    empty_graph: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    load(settings, STRATEGY)
    extra = write_file(
        tmp_path,
        "extra.yaml",
        "nodes:\n  - {id: new-aim, kind: PlaceAim, name: N, description: D, source: S,"
        " links: [{rel: BROADER, to: place-business}]}\n",
    )
    report = load(settings, extra)
    assert (report.counts.nodes_created, report.counts.links_created) == (1, 1)


def test_a_failure_mid_transaction_rolls_everything_back(
    empty_graph: Driver, settings: ApiSettings
) -> None:
    """The database itself refuses a late statement: the earlier ones must not survive."""
    load(settings, STRATEGY)
    before = fingerprint(empty_graph, settings)
    rows = [
        writes.NodeRow(f"fresh-{i}", Kind.OUTCOME, {"id": f"fresh-{i}", "name": "F"})
        for i in range(3)
    ]
    # Same id again under another kind: the uniqueness constraint fails in the second batch.
    rows.append(writes.NodeRow("fresh-0", Kind.POLICY_THEME, {"id": "fresh-0", "name": "X"}))
    link = writes.LinkRow("fresh-1", Rel.IN_SCHEME, "digitalisation-outcomes", "test")

    async def run() -> None:
        async with open_db(settings) as db:
            await writes.upsert(db, rows, [link], writes.LoadRecord("load-broken"))

    with pytest.raises(Conflict):
        asyncio.run(run())
    assert fingerprint(empty_graph, settings) == before


def test_a_missing_path_is_reported(empty_graph: Driver, settings: ApiSettings) -> None:
    with pytest.raises(LoadFailed) as failure:
        load(settings, Path("no/such/dir"))
    assert failure.value.report.issues[0].message == "No such file or directory."


def test_a_link_removed_from_the_file_is_removed_from_the_graph(
    empty_graph: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    load(settings, STRATEGY)
    body = """
    nodes:
      - id: extra-aim
        kind: PlaceAim
        name: N
        description: D
        source: S
        links:
          - {rel: BROADER, to: place-business}
          - {rel: RELATED, to: inclusion}
    """
    path = write_file(tmp_path, "extra.yaml", body)
    load(settings, path)
    write_file(
        tmp_path, "extra.yaml", body.replace("          - {rel: RELATED, to: inclusion}\n", "")
    )
    report = load(settings, path)
    assert report.counts.links_removed == 1
    records, _, _ = empty_graph.execute_query(
        "MATCH (:Entity {id: 'extra-aim'})-[r]->(b) RETURN type(r) AS t, b.id AS b",
        database_=settings.database,
    )
    assert [(r["t"], r["b"]) for r in records] == [("BROADER", "place-business")]


def test_duplicate_yaml_keys_are_refused(
    empty_graph: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    bad = write_file(
        tmp_path,
        "dup.yaml",
        "nodes:\n  - id: a\n    kind: Outcome\n    name: A\n    name: B\n"
        "    description: D\n    source: S\n",
    )
    with pytest.raises(LoadFailed) as failure:
        load(settings, bad)
    [issue] = failure.value.report.issues
    assert issue.line == 5
    assert "the key 'name' appears twice" in issue.message


def test_a_file_named_twice_is_read_once(empty_graph: Driver, settings: ApiSettings) -> None:
    report = load(settings, STRATEGY, STRATEGY / "outcomes.yaml")
    assert report.counts.nodes_created == STRATEGY_NODES
    assert len(report.files) == 12


def test_one_bad_record_does_not_hide_the_rest_of_its_file(
    empty_graph: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    scheme = write_file(
        tmp_path,
        "a.yaml",
        "nodes:\n  - {id: s, kind: Scheme, name: S, description: D, source: S, notation: 1}\n"
        "  - {id: t, kind: Scheme, name: T, description: D, source: S}\n",
    )
    user = write_file(
        tmp_path,
        "b.yaml",
        "nodes:\n  - {id: o, kind: Outcome, name: O, description: D, source: S,"
        " links: [{rel: IN_SCHEME, to: t}]}\n",
    )
    with pytest.raises(LoadFailed) as failure:
        load(settings, scheme, user)
    # Only the bad notation: the good scheme 't' in the same file still counts as defined.
    assert [(i.file, i.field) for i in failure.value.report.issues] == [
        (str(scheme), "nodes.0.notation")
    ]


def test_the_rating_rule_loads_as_a_scheme_of_ratings(
    empty_graph: Driver, settings: ApiSettings
) -> None:
    load(settings, STRATEGY, DATA / "evidence")
    records, _, _ = empty_graph.execute_query(
        "MATCH (r:Rating)-[:IN_SCHEME]->(:Scheme {id: 'evidence-ratings'}) "
        "RETURN properties(r) AS props",
        database_=settings.database,
    )
    rule = Rule.from_rows(r["props"] for r in records)
    assert [r.id for r in rule.ratings] == [
        "mixed",
        "established",
        "promising",
        "emerging",
        "insufficient",
    ]
    established = next(r["props"] for r in records if r["props"]["id"] == "established")
    assert established["min_positive_share"] == "3/4"
    assert established["min_strength"] == 4
