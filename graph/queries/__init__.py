"""Every Cypher statement the project runs, as literal parameterised constants, by concern.

- ``schema``: constraints and indexes, and the engine's readiness check.
- ``nodes``: counts, lists, a node's detail, summaries, the names loaders match against.
- ``paths``: neighbourhoods and shortest paths.
- ``evidence``: what works, its facets and the evidence-and-gap map, over one shared filter.
- ``loads``: the record of loads and what they changed.
- ``export``: the whole graph, a batch of ids at a time.
- ``writes``: batched idempotent upserts and the look-ups they need.
- ``keys``: API keys.
- ``search``: free-text search through the full-text index ``entity_text`` (both engines).

The few statements that differ by engine (how the full-text index is made) are in
``graph/dialect.py`` (and the embedded engine's own SQL in ``graph/engine_schema.py``); nothing
else in the project holds Cypher. Labels and relationship types appear only through the
``Kind`` and ``Rel`` allow-lists, backtick-quoted, in tables built with ``allow_listed``.
``tests/unit/graph/test_cypher.py`` parses every statement of every module here with Neo4j's
own parser.
"""

from __future__ import annotations

from typing import LiteralString


def allow_listed(text: str) -> LiteralString:
    """A statement built only from enum values (`Kind`, `Rel`): never from user input."""
    return text
