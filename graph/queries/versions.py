"""Versions: what each public node and its outgoing links were after each load that changed
them (graph/versions.py). Stored as :Version nodes, a label outside `graph.model.Kind`, so no
public read, export, RDF or SPARQL sees them."""

from __future__ import annotations

from typing import LiteralString

SCHEMA: tuple[LiteralString, ...] = (
    "CREATE INDEX version_node IF NOT EXISTS FOR (v:Version) ON (v.node)",
    "CREATE INDEX version_at IF NOT EXISTS FOR (v:Version) ON (v.at)",
    "CREATE INDEX version_load IF NOT EXISTS FOR (v:Version) ON (v.load)",
)

# What a node is now, in the shape a version keeps: read inside the load's own transaction.
CURRENT_STATE: LiteralString = """
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN n.id AS id, labels(n) AS labels, n {.*} AS props,
       [(n)-[r]->(b:Entity) | [type(r), b.id]] AS links
"""

LATEST_DIGESTS: LiteralString = """
UNWIND $ids AS id
MATCH (v:Version {node: id})
WITH id, v ORDER BY v.at DESC
RETURN id, collect(v.digest)[0] AS digest
"""

CREATE_VERSIONS: LiteralString = "UNWIND $rows AS row CREATE (v:Version) SET v = row"

# A load's own versions of some nodes, dropped to be recorded again (graph/writes.py).
DELETE_LOAD_VERSIONS: LiteralString = """
UNWIND $ids AS id
MATCH (v:Version {node: id})
WHERE v.load = $load
DELETE v
"""

HISTORY: LiteralString = """
MATCH (v:Version {node: $id})
OPTIONAL MATCH (l:Load {id: v.load})
RETURN v {.*} AS version, l {.*} AS load
ORDER BY v.at DESC
SKIP $offset
LIMIT $limit
"""

HISTORY_COUNT: LiteralString = "MATCH (v:Version {node: $id}) RETURN count(v) AS total"

AS_OF: LiteralString = """
UNWIND $ids AS id
MATCH (v:Version {node: id})
WHERE v.at <= $at
WITH id, v ORDER BY v.at DESC
WITH id, collect(v)[0] AS v
RETURN v {.*} AS version
"""

CHANGES: LiteralString = """
MATCH (v:Version)
WHERE v.at > $since AND v.at <= $until
OPTIONAL MATCH (l:Load {id: v.load})
RETURN v {.node, .kind, .change, .load, .at, .name} AS version, l {.*} AS load
ORDER BY v.at DESC, v.node
SKIP $offset
LIMIT $limit
"""

CHANGES_COUNT: LiteralString = """
MATCH (v:Version)
WHERE v.at > $since AND v.at <= $until
RETURN count(v) AS total
"""

# Changes to the case studies and claims about one outcome or intervention: the subjects are
# found in the present graph, their versions by index seek.
SUBJECTS_OF_OUTCOME: LiteralString = """
MATCH (o:Entity {id: $id})<-[:FOR_OUTCOME]-(c:EvidenceClaim)<-[:HAS_CLAIM]-(cs:CaseStudy)
RETURN collect(DISTINCT c.id) + collect(DISTINCT cs.id) AS ids
"""

SUBJECTS_OF_INTERVENTION: LiteralString = """
MATCH (i:Entity {id: $id})<-[:APPLIES]-(cs:CaseStudy)
OPTIONAL MATCH (cs)-[:HAS_CLAIM]->(c:EvidenceClaim)
RETURN collect(DISTINCT c.id) + collect(DISTINCT cs.id) AS ids
"""

CHANGES_OF: LiteralString = """
UNWIND $ids AS id
MATCH (v:Version {node: id})
WHERE v.at > $since AND v.at <= $until
OPTIONAL MATCH (l:Load {id: v.load})
RETURN v {.node, .kind, .change, .load, .at, .name} AS version, l {.*} AS load
ORDER BY v.at DESC, v.node
LIMIT $limit
"""

FIRST_LOAD: LiteralString = """
MATCH (l:Load)
RETURN l {.*} AS props
ORDER BY l.started_at, l.id
LIMIT 1
"""

LOAD_AT_OR_BEFORE: LiteralString = """
MATCH (l:Load)
WHERE l.started_at <= $at
RETURN l {.*} AS props
ORDER BY l.started_at DESC, l.id
LIMIT 1
"""

# The whole graph at a point: the version of each node in force then (removed ones left out),
# as one list (a row per node costs the embedded engine ~100 us over Bolt).
STATE_AT: LiteralString = """
MATCH (v:Version)
WHERE v.at <= $at
WITH v ORDER BY v.at DESC
WITH v.node AS node, collect(v)[0] AS v
WHERE v.change <> 'removed'
RETURN collect([v.node, v.kind, v.props, v.links]) AS rows
"""

LOADS_UNTIL: LiteralString = """
MATCH (l:Load)
WHERE l.started_at <= $at
RETURN l {.*} AS props
"""

# The engine lists a kind's nodes in the order they were made: a past graph is rebuilt in it.
ENTITY_ORDER: LiteralString = "MATCH (n:Entity) RETURN collect(n.id) AS ids"

ALL_VERSIONS: LiteralString = "MATCH (v:Version) RETURN v {.*} AS version"
