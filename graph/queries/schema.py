"""Constraints and indexes every engine gets (engine-specific DDL is in graph/dialect.py),
and the statement that tells the engine is up."""

from __future__ import annotations

from typing import LiteralString

from graph.model import Kind, Rel
from graph.queries import allow_listed

SCHEMA: tuple[LiteralString, ...] = (
    "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT load_id IF NOT EXISTS FOR (n:Load) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT api_key_id IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.id IS UNIQUE",
    "CREATE INDEX entity_name IF NOT EXISTS FOR (n:Entity) ON (n.name)",
)


# Every node is `Entity` and its kind. The id constraint is on `Entity`; a statement that finds
# a node by its kind and id (`(i:Intervention {id: $id})`) gets no help from it, on either
# engine: the embedded one scans the kind (its plan says NodeByLabelScan), Neo4j too. So each
# kind has its own index on id; uniqueness stays the constraint's job.
KIND_ID_INDEXES: tuple[LiteralString, ...] = tuple(
    allow_listed(f"CREATE INDEX {kind.value}_id IF NOT EXISTS FOR (n:`{kind.value}`) ON (n.id)")
    for kind in Kind
)


# What a load stamped (`load` on nodes and relationships) is found by these, so that the evidence
# index patches itself from a load by seeks (graph/evidence_patch.py) rather than a scan of
# every node and link (seconds at 100,000 case studies). Per kind and per relationship type:
# the embedded engine uses neither an index on `Entity` for a kind nor one for a pattern whose
# ends are labelled (its plan says MATCH EDGE BY INDEX only for `()-[r:TYPE]->()`).
LOAD_STAMPED_KINDS: tuple[Kind, ...] = (
    Kind.CASE_STUDY,
    Kind.EVIDENCE_CLAIM,
    # The index's vocabulary (graph.queries.nodes.VOCABULARY) and outcome names.
    Kind.OUTCOME,
    Kind.POLICY_THEME,
    Kind.REGION,
    Kind.ORGANISATION,
    Kind.RESEARCH_INSTITUTE,
    Kind.EVIDENCE_LEVEL,
    Kind.EVIDENCE_TYPE,
    Kind.INTERVENTION,
)
LOAD_STAMPED_RELS: tuple[Rel, ...] = (
    Rel.HAS_CLAIM,
    Rel.FOR_OUTCOME,
    Rel.ADDRESSES,
    Rel.LED_BY,
    Rel.WITH_PARTNER,
    Rel.APPLIES,
    Rel.DEFAULT_LEVEL,
)
LOAD_INDEXES: tuple[LiteralString, ...] = tuple(
    allow_listed(f"CREATE INDEX {kind.value}_load IF NOT EXISTS FOR (n:`{kind.value}`) ON (n.load)")
    for kind in LOAD_STAMPED_KINDS
) + tuple(
    allow_listed(
        f"CREATE INDEX {rel.value}_load IF NOT EXISTS FOR ()-[r:`{rel.value}`]-() ON (r.load)"
    )
    for rel in LOAD_STAMPED_RELS
)


ENGINE_READY: LiteralString = "RETURN 1 AS ok"
