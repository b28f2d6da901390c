"""Framework nodes: counts, lists by kind, one node's detail, summaries by id, and the names
the loaders and filters match against."""

from __future__ import annotations

from typing import LiteralString

from graph.model import Kind
from graph.queries import allow_listed

ENTITY_COUNT: LiteralString = "MATCH (n:Entity) RETURN count(n) AS count"


KIND_COUNTS: LiteralString = """
MATCH (n:Entity)
RETURN labels(n) AS labels, count(*) AS count
"""


# The embedding is projected as null, as in graph/queries/export.py: a page never shows it.
NODE_DETAIL: LiteralString = """
MATCH (n:Entity {id: $id})
OPTIONAL MATCH (n)-[r]-(m:Entity)
WITH n, r, m ORDER BY type(r), m.name, m.id
WITH n, collect(CASE WHEN r IS NULL THEN null ELSE {
    type: type(r), outgoing: startNode(r) = n, id: m.id, name: m.name, labels: labels(m)
  } END) AS links
RETURN n {.*, embedding: null} AS props, labels(n) AS labels, links[0..$link_limit] AS links,
       size(links) AS total
"""
"""A node with every link, sorted, cut to `$link_limit`: it reads and sorts them all. The node
detail's answer as it was, which `NODE_DETAIL_BOUNDED` is tested against."""

NODE_DETAIL_BOUNDED: LiteralString = """
MATCH (n:Entity {id: $id})
OPTIONAL MATCH (n)-[r]-(m:Entity)
WITH n, r, m LIMIT $scan
WITH n, r, m ORDER BY type(r), m.name, m.id
WITH n, collect(CASE WHEN r IS NULL THEN null ELSE {
    type: type(r), outgoing: startNode(r) = n, id: m.id, name: m.name, labels: labels(m)
  } END) AS links
RETURN n {.*, embedding: null} AS props, labels(n) AS labels, links
"""
"""A node and at most `$scan` of its links, sorted as `NODE_DETAIL` sorts them: one round trip.

With `$scan` one more than the page, a node whose links all fit gets exactly `NODE_DETAIL`'s
page; one that gets `$scan` links has more than the page and is counted instead (`DEGREE`).
The limit comes before the sort, so a hub's 25,000 links are never all read and sorted."""

NODE_SUMMARIES: LiteralString = """
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN n.id AS id, n.name AS name, labels(n) AS labels, n.source AS source
"""


VOCABULARY: LiteralString = """
MATCH (n:Entity)
WHERE n:Outcome OR n:PolicyTheme OR n:Region OR n:Organisation OR n:ResearchInstitute
   OR n:EvidenceLevel OR n:EvidenceType OR n:Intervention
OPTIONAL MATCH (n)-[:DEFAULT_LEVEL]->(level:EvidenceLevel)
RETURN n.id AS id, labels(n) AS labels, n.name AS name, n.alt_names AS alt_names,
       n.strength AS strength, level.id AS default_level
"""


# One statement per kind with and without the name filter, rather than `$text IS NULL OR ...`
# in one: an optional guard in the WHERE clause costs the embedded engine its plan.
_LIST = "RETURN n {.id, .name, .description, .notation} AS node, labels(n) AS labels "
_PAGE = "ORDER BY n.name, n.id SKIP $offset LIMIT $limit"
_MATCHING = "WHERE toLower(n.name) CONTAINS $text "

LIST_NODES: dict[Kind, LiteralString] = {
    kind: allow_listed(f"MATCH (n:`{kind.value}`) {_LIST}{_PAGE}") for kind in Kind
}
"""One page of a kind, by name."""

LIST_NODES_MATCHING: dict[Kind, LiteralString] = {
    kind: allow_listed(f"MATCH (n:`{kind.value}`) {_MATCHING}{_LIST}{_PAGE}") for kind in Kind
}
"""One page of a kind whose names contain `$text` (lower case), by name."""

COUNT_NODES: dict[Kind, LiteralString] = {
    kind: allow_listed(f"MATCH (n:`{kind.value}`) RETURN count(n) AS total") for kind in Kind
}

COUNT_NODES_MATCHING: dict[Kind, LiteralString] = {
    kind: allow_listed(f"MATCH (n:`{kind.value}`) {_MATCHING}RETURN count(n) AS total")
    for kind in Kind
}
