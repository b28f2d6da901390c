"""The few things that differ between Neo4j 5 and the embedded ArcadeDB engine.

Everything else in ``graph/`` is shared Cypher. Measured differences kept here: how the
full-text index is made (Neo4j: ``CREATE FULLTEXT INDEX``; ArcadeDB's Cypher has no such
statement, so graph/engine_schema.py makes it with the engine's SQL; both then answer the same
``db.index.fulltext.queryNodes``; likewise the vector index and ``db.index.vector.queryNodes``,
whose index each engine names its own way), the Lucene query both read (``lucene_query``) and query
timeouts (Neo4j honours the driver's per-transaction timeout; ArcadeDB ignores it and enforces
``arcadedb.command.timeout``, set when the engine starts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import LiteralString

from neo4j import AsyncDriver, Query

from graph.errors import ServerTooOld

NEO4J_FULLTEXT_INDEX: LiteralString = (
    "CREATE FULLTEXT INDEX entity_text IF NOT EXISTS FOR (n:Entity) ON EACH [n.name, n.description]"
)
"""Neo4j's full-text index; the embedded engine's is its own SQL (graph/engine_schema.py). Both
are named `entity_text` and searched by graph/queries/search.py. Neo4j's default analyzer,
standard-no-stop-words, splits and lower-cases as the embedded engine's StandardAnalyzer does."""

NEO4J_VECTOR_INDEX: LiteralString = (
    "CREATE VECTOR INDEX entity_embedding IF NOT EXISTS FOR (n:Entity) ON n.embedding "
    "OPTIONS {indexConfig: {`vector.dimensions`: 384, `vector.similarity_function`: 'cosine'}}"
)
"""Neo4j's vector index over the nodes' sentence embeddings (graph/embedder.py); the embedded
engine's is its own SQL (graph/engine_schema.py). Both score cosine as (1 + cos) / 2."""

NEO4J_AWAIT_INDEXES: LiteralString = "CALL db.awaitIndexes(1800)"
"""Neo4j builds a new index in the background: a search before it is online would fail."""

_VECTOR_INDEX_NAMES: dict[str, str] = {"neo4j": "entity_embedding", "arcadedb": "Entity[embedding]"}
"""How each engine names the vector index in `db.index.vector.queryNodes` (ArcadeDB names an
index by its type and property)."""


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
        if self.engine is Engine.NEO4J:
            return (NEO4J_FULLTEXT_INDEX, NEO4J_VECTOR_INDEX, NEO4J_AWAIT_INDEXES)
        return ()

    @property
    def vector_index(self) -> str:
        """The vector index's name, as `db.index.vector.queryNodes` takes it."""
        return _VECTOR_INDEX_NAMES[self.engine.value]

    @property
    def explain_classifies(self) -> bool:
        """Whether EXPLAIN's query type tells reads from writes. ArcadeDB reports 'w' for every
        statement, so there the engine's read-only user is what keeps researchers' Cypher safe."""
        return self.engine is Engine.NEO4J


MIN_NEO4J = (5, 23)
"""The oldest Neo4j our statements run on: the gap map's `CALL (x) { }` subqueries came in 5.23.
The image tested (docker-compose.yml, tests/neo4j) is `neo4j:5.26`, the 5.x long-term release."""
_VERSION = re.compile(r"^Neo4j/(\d+)\.(\d+)")


def engine_from_agent(agent: str) -> Engine:
    """Tell the engine from the Bolt server agent string, refusing a Neo4j that is too old.

    Raises:
        ServerTooOld: a Neo4j before `MIN_NEO4J` (5.23); later ones (2025.x) are accepted.
    """
    if "arcadedb" in agent.lower():
        return Engine.ARCADEDB
    found = _VERSION.match(agent)
    if found is None or (int(found[1]), int(found[2])) < MIN_NEO4J:
        raise ServerTooOld(
            f"The graph server is {agent!r}; Connects Graph needs Neo4j "
            f"{'.'.join(map(str, MIN_NEO4J))} or later (tested on neo4j:5.26)."
        )
    return Engine.NEO4J


async def detect(driver: AsyncDriver, query_timeout: float) -> Dialect:
    """Ask the server who it is and return the matching dialect.

    Raises:
        ServerTooOld: a Neo4j too old for our statements.
    """
    info = await driver.get_server_info()
    return Dialect(engine_from_agent(info.agent), query_timeout)


# A word as Lucene's standard tokenizer (Unicode UAX #29) sees it, near enough: runs of word
# characters, kept whole across `.`, `'`, `’` and `:` between them (`u.k`, `don't`) and `,`
# between digits (`1,000`); a hyphen, a quote or any other punctuation splits (`place-based` is
# `place` and `based`, `Covid-19` is `covid` and `19`).
_WORD = re.compile(r"\w+(?:(?:[.'’:]|(?<=\d),(?=\d))\w+)*")
# Lucene's classic query parser reads these, in capitals, as operators, not words.
_OPERATORS = frozenset({"AND", "OR", "NOT"})
_MIN_PREFIX = 3


def search_words(text: str) -> list[str]:
    """The words of free text as a full-text index sees them: split, lower-cased, no operators.

    Both engines' index analyzers (Neo4j's standard-no-stop-words, ArcadeDB's StandardAnalyzer)
    split and lower-case what they index as this does, so a query's words are the index's words.
    """
    words = []
    for token in _WORD.findall(text):
        if token in _OPERATORS:
            continue
        # Lower-casing can turn one character into a letter and a combining mark (`İ`).
        words += [w for w in _WORD.findall(token.lower()) if any(c.isalnum() for c in w)]
    return words


def lucene_query(text: str) -> str:
    """A Lucene query for the full-text index (either engine): every word of `text` must match.

    A word of three characters or more matches the start of an indexed word (`school*` finds
    `schools`), a shorter one only the whole word. A prefix query (`word*`) is not analyzed, so
    the words are split and lower-cased first (`search_words`). What a researcher types is never
    read as Lucene syntax: operators are dropped and the only special character a word can keep
    (`:`) is escaped. An empty string when no word is left.
    """
    terms = []
    for word in search_words(text):
        escaped = word.replace(":", "\\:")
        terms.append(f"{escaped}*" if len(word) >= _MIN_PREFIX else escaped)
    return " AND ".join(terms)
