"""The embedded engine's own DDL: what its Cypher cannot create, sent in its SQL over HTTP.

ArcadeDB's Cypher answers ``db.index.fulltext.queryNodes`` but has no ``CREATE FULLTEXT INDEX``:
the index is made with its SQL, here, when the engine starts (Neo4j's is in graph/dialect.py).
Both engines then name it ``entity_text``, so one search statement serves both. The vector index
of the nodes' embeddings is made here too (its Cypher has no ``CREATE VECTOR INDEX`` either).

The index is declared on ``Entity``, the label every kind shares. A node labelled ``Entity`` and
``Outcome`` is stored in a type of its own (``Entity~Outcome``) that extends both, and each such
type, including one first made after the index, gets its own part of the index: one search
covers every kind. (Declared on the kinds instead, it would take one index per kind.)
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from typing import Any, Final

from graph.embedder import DIMENSIONS
from graph.errors import EngineError
from graph.model import FULL_TEXT_INDEX
from graph.settings import GraphSettings

FULL_TEXT_DDL: Final = (
    "CREATE VERTEX TYPE Entity IF NOT EXISTS",
    # The engine indexes only declared properties; a declared STRING takes every name we write.
    "CREATE PROPERTY Entity.name IF NOT EXISTS STRING",
    "CREATE PROPERTY Entity.description IF NOT EXISTS STRING",
    # Lucene's StandardAnalyzer (no stop words), as Neo4j's standard-no-stop-words: both engines
    # split and lower-case alike, so `graph.dialect.lucene_query` reads the same on both.
    f"CREATE INDEX {FULL_TEXT_INDEX} IF NOT EXISTS ON Entity (name, description) FULL_TEXT",
)
"""Idempotent: on a graph that has the index each statement changes nothing."""

VECTOR_DDL: Final = (
    # Declared, or the engine would not index it; a list of floats sent over Bolt is stored as
    # this type (checked with the engine in tests/integration/test_hybrid_search.py).
    "CREATE PROPERTY Entity.embedding IF NOT EXISTS ARRAY_OF_FLOATS",
    # Named `Entity[embedding]` by the engine (graph/dialect.py). Like the full-text index, one
    # declared on `Entity` covers every kind's type, those made after it too.
    f"CREATE INDEX IF NOT EXISTS ON Entity (embedding) LSM_VECTOR METADATA "
    f'{{"dimensions": {DIMENSIONS}, "similarity": "COSINE"}}',
)
"""The vector index over the nodes' sentence embeddings (graph/embedder.py); idempotent."""

BUILD_TIMEOUT: Final = 3600.0
"""Seconds to wait for the index to be built over an existing graph: 3.5 minutes for the 364,000
nodes of 100,000 case studies on a busy two-core machine; instant on a new graph or one that has
it. Until then the start waits: a search without the index would fail."""


def ensure_engine_indexes(server: str, settings: GraphSettings, admin: tuple[str, str]) -> None:
    """Create the full-text and vector indexes unless they exist, through the engine's HTTP API
    at `server`.

    Raises:
        EngineError: the engine refused a statement or could not be reached.
    """
    for statement in (*FULL_TEXT_DDL, *VECTOR_DDL):
        command(server, settings, admin, statement)


def command(
    server: str, settings: GraphSettings, admin: tuple[str, str], statement: str
) -> list[dict[str, Any]]:
    """Run one statement of the engine's SQL as `admin`; its result rows.

    Raises:
        EngineError: the engine refused the statement or could not be reached.
    """
    body = json.dumps({"language": "sql", "command": statement}).encode()
    token = base64.b64encode(f"{admin[0]}:{admin[1]}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 - the engine's own loopback http URL
        f"{server}/api/v1/command/{settings.database}",
        data=body,
        method="POST",
        headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=BUILD_TIMEOUT) as response:  # noqa: S310
            rows: list[dict[str, Any]] = json.loads(response.read())["result"]
            return rows
    except urllib.error.HTTPError as e:
        detail = e.read().decode("utf-8", "replace")[:300]
        raise EngineError(f"The engine refused {statement!r} ({e.code}): {detail}") from e
    except OSError as e:
        raise EngineError(f"Could not reach the engine for {statement!r}: {e}") from e
