"""The whole graph, read by id a batch at a time (RDF export, backups, the SPARQL store)."""

from __future__ import annotations

from typing import LiteralString

EXPORT_IDS: LiteralString = "MATCH (n:Entity) RETURN n.id AS id"


# The sentence embedding is derived and never exported: projected as null, its 384 floats a
# node stay in the engine instead of crossing Bolt to be decoded and dropped (at L, 100,000
# case studies' worth on every dump, backup and SPARQL refresh).
EXPORT_NODES: LiteralString = """
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN n {.*, embedding: null} AS props, labels(n) AS labels
"""


EXPORT_LINKS: LiteralString = """
UNWIND $ids AS id
MATCH (a:Entity {id: id})-[r]->(b:Entity)
RETURN a.id AS from_id, type(r) AS type, b.id AS to_id, labels(b) AS to_labels,
       r.source AS source, r.load AS load
ORDER BY from_id, type, to_id
"""
