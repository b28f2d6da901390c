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


# What LOAD_COUNT and LATEST_LOAD say of the load version, in one round trip: the evidence
# index checks it on every request. `collect` keeps the order it is given.
LOAD_VERSION: LiteralString = """
MATCH (l:Load)
WITH l ORDER BY l.started_at DESC, l.id
RETURN count(l) AS loads, head(collect(l.id)) AS latest, head(collect(l.started_at)) AS at
"""


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
