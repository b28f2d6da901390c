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

Both engines' `limit` option cuts by score alone, before any node is read: without it the
embedded engine reads every hit as a record to rank it (at 100,000 case studies, a place 351
nodes name: 11.4 -> 7.2 ms for the statement; `council`, 129,118 hits: 1.2-1.5 s -> 0.2-0.4 s).
Where equal scores run past the cut, which of them came is the index's choice, not the
ranking's: graph.repository.search asks again for more."""

SEARCH_KINDS: LiteralString = (
    "CALL db.index.fulltext.queryNodes('entity_text', $lucene) YIELD node, score\n"
    "WHERE any(label IN labels(node) WHERE label IN $kinds)" + _RANKING + "LIMIT $limit\n"
)
"""Hits of the kinds in `$kinds` (labels from the `Kind` allow-list, passed as values), ranked,
at most `$limit`. Every hit is read: the index cannot cut by kind."""
