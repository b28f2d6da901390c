"""The few things that differ between Neo4j 5 and the embedded ArcadeDB engine.

Everything else in ``graph/`` is shared Cypher. Measured differences kept here:
full-text search (Neo4j: a FULLTEXT index and ``db.index.fulltext.queryNodes``; ArcadeDB's
Cypher has neither, so it scans names and descriptions) and query timeouts (Neo4j honours the
driver's per-transaction timeout; ArcadeDB ignores it and enforces ``arcadedb.command.timeout``,
set when the engine starts).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import LiteralString

from neo4j import AsyncDriver, Query

NEO4J_FULLTEXT_INDEX: LiteralString = (
    "CREATE FULLTEXT INDEX entity_text IF NOT EXISTS FOR (n:Entity) ON EACH [n.name, n.description]"
)

NEO4J_SEARCH: LiteralString = """
CALL db.index.fulltext.queryNodes('entity_text', $lucene) YIELD node, score
RETURN node {.id, .name, .description} AS node, labels(node) AS labels, score
ORDER BY score DESC, node.id
LIMIT $limit
"""

SCAN_SEARCH: LiteralString = """
MATCH (node:Entity)
WHERE all(term IN $terms WHERE toLower(node.name) CONTAINS term
                            OR toLower(coalesce(node.description, '')) CONTAINS term)
WITH node,
  CASE
    WHEN toLower(node.name) = $text THEN 4.0
    WHEN toLower(node.name) STARTS WITH $text THEN 3.0
    WHEN toLower(node.name) CONTAINS $text THEN 2.0
    WHEN all(term IN $terms WHERE toLower(node.name) CONTAINS term) THEN 1.5
    ELSE 1.0
  END AS score
RETURN node {.id, .name, .description} AS node, labels(node) AS labels, score
ORDER BY score DESC, node.name, node.id
LIMIT $limit
"""


class Engine(StrEnum):
    NEO4J = "neo4j"
    ARCADEDB = "arcadedb"


@dataclass(frozen=True)
class Dialect:
    """How to say engine-specific things to the engine we are connected to."""

    engine: Engine
    query_timeout: float

    def query(self, text: LiteralString) -> Query:
        """Wrap a statement with the server-side timeout where the engine honours one."""
        if self.engine is Engine.NEO4J:
            return Query(text, timeout=self.query_timeout)
        return Query(text)

    @property
    def schema_statements(self) -> tuple[LiteralString, ...]:
        """Engine-specific DDL run after the shared constraints and indexes."""
        return (NEO4J_FULLTEXT_INDEX,) if self.engine is Engine.NEO4J else ()

    @property
    def explain_classifies(self) -> bool:
        """Whether EXPLAIN's query type tells reads from writes. ArcadeDB reports 'w' for every
        statement, so there the engine's read-only user is what keeps researchers' Cypher safe."""
        return self.engine is Engine.NEO4J

    def search(self, text: str) -> tuple[LiteralString, dict[str, object]]:
        """The search statement and its parameters for free text; every word must match."""
        if self.engine is Engine.NEO4J:
            return NEO4J_SEARCH, {"lucene": _lucene_terms(text)}
        words = text.lower().split()
        return SCAN_SEARCH, {"text": " ".join(words), "terms": words}


def engine_from_agent(agent: str) -> Engine:
    """Tell the engine from the Bolt server agent string."""
    return Engine.ARCADEDB if "arcadedb" in agent.lower() else Engine.NEO4J


async def detect(driver: AsyncDriver, query_timeout: float) -> Dialect:
    """Ask the server who it is and return the matching dialect."""
    info = await driver.get_server_info()
    return Dialect(engine_from_agent(info.agent), query_timeout)


_LUCENE_SPECIAL = set('+-&|!(){}[]^"~*?:\\/')


def _lucene_terms(text: str) -> str:
    # User text is escaped term by term, so it can never be read as Lucene query syntax.
    terms = []
    for word in text.split():
        escaped = "".join(f"\\{c}" if c in _LUCENE_SPECIAL else c for c in word)
        terms.append(f"{escaped}*" if len(word) > 2 else escaped)
    return " AND ".join(terms)
