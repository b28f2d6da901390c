"""Free-text search over names and descriptions, through the full-text index on both engines.

The index (``entity_text``, graph.model.FULL_TEXT_INDEX, on ``Entity`` name and description) is
Neo4j's ``CREATE FULLTEXT INDEX`` (graph/dialect.py) and the embedded engine's own SQL DDL
(graph/engine_schema.py); both answer ``db.index.fulltext.queryNodes`` with a Lucene query and
a BM25 score. Hits are ranked by score, then name, then id, so equal scores always come in the
same order.
"""

from __future__ import annotations

from typing import LiteralString

_RANKING: LiteralString = """
RETURN node {.id, .name, .description} AS node, labels(node) AS labels, score
ORDER BY score DESC, node.name, node.id
"""

SEARCH: LiteralString = (
    "CALL db.index.fulltext.queryNodes('entity_text', $lucene, {limit: $top}) "
    "YIELD node, score\n" + _RANKING
)
"""The `$top` best-scored hits of every kind, ranked.

Both engines' `limit` option cuts by score alone, before any node is read: the embedded engine
otherwise reads every hit to rank it (4-5x slower for a place 350 studies name, at 100,000
case studies). Where equal scores run past the cut, which of them came is the index's choice,
not the ranking's: graph.repository.search asks again for more."""

SEARCH_KINDS: LiteralString = (
    "CALL db.index.fulltext.queryNodes('entity_text', $lucene) YIELD node, score\n"
    "WHERE any(label IN labels(node) WHERE label IN $kinds)" + _RANKING + "LIMIT $limit\n"
)
"""Hits of the kinds in `$kinds` (labels from the `Kind` allow-list, passed as values), ranked,
at most `$limit`. Every hit is read: the index cannot cut by kind."""
