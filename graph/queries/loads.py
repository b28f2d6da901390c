"""The record of loads, and what given loads changed (the SPARQL store patches itself from
these)."""

from __future__ import annotations

from typing import LiteralString

LOADS: LiteralString = """
MATCH (l:Load)
RETURN l {.*} AS props
ORDER BY l.started_at DESC, l.id
SKIP $offset
LIMIT $limit
"""


LOAD_BY_ID: LiteralString = "MATCH (l:Load {id: $id}) RETURN l {.*} AS props"


LOAD_COUNT: LiteralString = "MATCH (l:Load) RETURN count(l) AS loads"


LATEST_LOAD: LiteralString = """
MATCH (l:Load)
RETURN l {.*} AS props
ORDER BY l.started_at DESC, l.id
LIMIT 1
"""


CHANGED_NODES: LiteralString = "MATCH (n:Entity) WHERE n.load IN $loads RETURN n.id AS id"


CHANGED_LINK_SOURCES: LiteralString = """
MATCH (a:Entity)-[r]->(:Entity)
WHERE r.load IN $loads
RETURN DISTINCT a.id AS id
"""


LINK_COUNT: LiteralString = "MATCH (:Entity)-[r]->(:Entity) RETURN count(r) AS count"
