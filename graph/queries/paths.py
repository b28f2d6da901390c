"""Graph-shaped reads: a node's neighbourhood, hop by hop, and the shortest paths between two
nodes."""

from __future__ import annotations

from typing import LiteralString

NEIGHBOURS: LiteralString = """
UNWIND $ids AS id
MATCH (a:Entity {id: id})-[r]-(b:Entity)
RETURN a.id AS from_id, type(r) AS type, startNode(r) = a AS outgoing,
       b.id AS id, b.name AS name, labels(b) AS labels
ORDER BY from_id, type, id
LIMIT $limit
"""


# How many relationships a node has, counted without reading them: the embedded engine answers
# this shape (`OPTIONAL MATCH` then `count()` of the far end, nothing else) from the node's edge
# lists (its plan says COUNT EDGES OPTIMIZATION), in a few ms for 25,000 links. It needs the one
# node anchored by its id: after `UNWIND` or `WHERE a.id IN $ids` the engine reads every link.
DEGREE: LiteralString = """
MATCH (a:Entity {id: $id})
OPTIONAL MATCH (a)-[r]-(x)
WITH a, count(x) AS degree
RETURN degree
"""


# The same count for every node of a hop in one statement: a subquery per node keeps the anchor
# and the count the engine makes from the edge lists (what `UNWIND` straight into the
# `OPTIONAL MATCH` loses), so a hop's hubs cost one round trip, not one per node.
DEGREES: LiteralString = """
UNWIND $ids AS id
CALL (id) {
  MATCH (a:Entity {id: id})
  OPTIONAL MATCH (a)-[r]-(x)
  WITH a, count(x) AS degree
  RETURN degree
}
RETURN id, degree
"""


EDGES_AMONG: LiteralString = """
UNWIND $ids AS id
MATCH (a:Entity {id: id})-[r]->(b:Entity)
WHERE b.id IN $ids
RETURN a.id AS source, type(r) AS type, b.id AS target
LIMIT $limit
"""
"""Edges among the nodes of a neighbourhood, a row each: the answer as it was, which
`EDGES_AMONG_LIST` is tested against."""

EDGES_AMONG_LIST: LiteralString = """
UNWIND $ids AS id
MATCH (a:Entity {id: id})-[r]->(b:Entity)
WHERE b.id IN $ids
WITH a.id AS source, type(r) AS type, b.id AS target
LIMIT $limit
RETURN collect({source: source, type: type, target: target}) AS edges
"""
"""`EDGES_AMONG`'s rows as one list in one row: the embedded engine charges for every row it
sends over Bolt, and a neighbourhood at the default cap has hundreds of edges."""


PATHS: LiteralString = """
MATCH (a:Entity {id: $from}), (b:Entity {id: $to})
MATCH p = allShortestPaths((a)-[*..6]-(b))
RETURN [n IN nodes(p) | n {.id, .name, .source, labels: labels(n)}] AS nodes,
       [r IN relationships(p) | {type: type(r), from: startNode(r).id, to: endNode(r).id,
                                 source: r.source, load: r.load}] AS relationships
LIMIT $limit
"""
