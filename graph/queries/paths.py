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


EDGES_AMONG: LiteralString = """
UNWIND $ids AS id
MATCH (a:Entity {id: id})-[r]->(b:Entity)
WHERE b.id IN $ids
RETURN a.id AS source, type(r) AS type, b.id AS target
LIMIT $limit
"""


PATHS: LiteralString = """
MATCH (a:Entity {id: $from}), (b:Entity {id: $to})
MATCH p = allShortestPaths((a)-[*..6]-(b))
RETURN [n IN nodes(p) | n {.id, .name, .source, labels: labels(n)}] AS nodes,
       [r IN relationships(p) | {type: type(r), from: startNode(r).id, to: endNode(r).id,
                                 source: r.source, load: r.load}] AS relationships
LIMIT $limit
"""
