"""Sentence embeddings on nodes and the vector index that searches them (graph/semantic.py).

Case studies, interventions, outcomes and resources carry `embedding` (384 floats, unit length)
and `embedding_sha256` (of the text it was computed from). A load that changes a node replaces
all its properties (writes.UPDATE_NODES), embedding included, so a node lacking
`embedding_sha256` is exactly one whose embedding is due. Both engines answer
``db.index.vector.queryNodes`` with a cosine score scaled to 0..1 ((1 + cos) / 2); the index is
named by the dialect (graph/dialect.py), passed as `$index`.
"""

from __future__ import annotations

from typing import LiteralString

_EMBEDDED_KINDS: LiteralString = "(n:CaseStudy OR n:Intervention OR n:Outcome OR n:Resource)"

PENDING: LiteralString = (
    "MATCH (n:Entity) WHERE "
    + _EMBEDDED_KINDS
    + " AND n.embedding_sha256 IS NULL RETURN n.id AS id ORDER BY id"
)
"""Ids of the nodes whose embedding is due."""

TEXTS: LiteralString = """
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN n.id AS id, n.name AS name, n.description AS description, n.checksum AS checksum
"""

# Written only if the node is as it was read: a load that changed it meanwhile wins, and its
# node is due again.
SET_EMBEDDINGS: LiteralString = """
UNWIND $rows AS row
MATCH (n:Entity {id: row.id})
WHERE n.checksum = row.checksum AND n.embedding_sha256 IS NULL
SET n.embedding = row.embedding, n.embedding_sha256 = row.sha256
RETURN count(n) AS written
"""

EMBEDDING_OF: LiteralString = "MATCH (n:Entity {id: $id}) RETURN n.embedding AS embedding"

_NEAREST: LiteralString = "CALL db.index.vector.queryNodes($index, $k, $vector) YIELD node, score\n"
_RANKED: LiteralString = """
RETURN node {.id, .name, .description} AS node, labels(node) AS labels, score
ORDER BY score DESC, node.id
LIMIT $limit
"""

NEAREST: LiteralString = _NEAREST + "WHERE score >= $min_score" + _RANKED
"""The `$k` nodes nearest `$vector`, of any embedded kind, at least `$min_score` alike."""

NEAREST_KINDS: LiteralString = (
    _NEAREST
    + "WHERE score >= $min_score AND any(label IN labels(node) WHERE label IN $kinds)"
    + _RANKED
)
"""The same, of the kinds in `$kinds` only (from the `Kind` allow-list, passed as values):
`$k` is over-fetched, since the index ranks every kind before the filter."""

NEAREST_OTHERS: LiteralString = (
    _NEAREST
    + "WHERE node.id <> $id AND score >= $min_score"
    + " AND any(label IN labels(node) WHERE label IN $kinds)"
    + _RANKED
)
"""Nearest nodes of `$kinds` other than node `$id` itself (similar case studies)."""
