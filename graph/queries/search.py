"""Free-text search over names and descriptions, through the full-text index on both engines.

The index (``entity_text``, graph.model.FULL_TEXT_INDEX, on ``Entity`` name and description) is
Neo4j's ``CREATE FULLTEXT INDEX`` (graph/dialect.py) and the embedded engine's own SQL DDL
(graph/engine_schema.py); both answer ``db.index.fulltext.queryNodes`` with a Lucene query and
a BM25 score. Hits are ranked by score, then name, then id, so equal scores always come in the
same order.
"""

from __future__ import annotations

from typing import LiteralString

_QUERY: LiteralString = (
    "CALL db.index.fulltext.queryNodes('entity_text', $lucene) YIELD node, score\n"
)
_RANKED: LiteralString = """
RETURN node {.id, .name, .description} AS node, labels(node) AS labels, score
ORDER BY score DESC, node.name, node.id
LIMIT $limit
"""

SEARCH: LiteralString = _QUERY + _RANKED
"""Hits of every kind."""

SEARCH_KINDS: LiteralString = (
    _QUERY + "WHERE any(label IN labels(node) WHERE label IN $kinds)" + _RANKED
)
"""Hits of the kinds in `$kinds` (labels from the `Kind` allow-list, passed as values)."""
