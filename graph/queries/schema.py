"""Constraints and indexes every engine gets (engine-specific DDL is in graph/dialect.py),
and the statement that tells the engine is up."""

from __future__ import annotations

from typing import LiteralString

from graph.model import Kind
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


ENGINE_READY: LiteralString = "RETURN 1 AS ok"
