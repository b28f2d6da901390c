"""Versions: the earlier states of each public node, kept copy-on-write by the loads that change
them (graph/versions.py): a node's present state is the node itself. Stored as :Version nodes,
a label outside `graph.model.Kind`, so no public read, export, RDF or SPARQL sees them."""

from __future__ import annotations

from typing import LiteralString

from graph.model import Kind
from graph.queries import allow_listed

SCHEMA: tuple[LiteralString, ...] = (
    "CREATE INDEX version_node IF NOT EXISTS FOR (v:Version) ON (v.node)",
    "CREATE INDEX version_at IF NOT EXISTS FOR (v:Version) ON (v.at)",
    "CREATE INDEX version_load IF NOT EXISTS FOR (v:Version) ON (v.load)",
)

# What a node is now, in the shape a version keeps, dated by the load that stamped it;
# `recorded` when an older release already kept this state as a version (graph/versions.py).
# The embedding (384 floats, derived: versions.DERIVED) stays in the engine, here and below.
CURRENT_STATE: LiteralString = """
UNWIND $ids AS id
MATCH (n:Entity {id: id})
OPTIONAL MATCH (l:Load {id: n.load})
RETURN n.id AS id, labels(n) AS labels, n {.*, embedding: null} AS props,
       [(n)-[r]->(b:Entity) | [type(r), b.id]] AS links, l.started_at AS at,
       EXISTS { MATCH (v:Version {node: id}) WHERE v.load = n.load } AS recorded
"""

# The change of each node's latest kept version: whether its present state is a creation.
LATEST_CHANGES: LiteralString = """
UNWIND $ids AS id
MATCH (v:Version {node: id})
WITH id, v ORDER BY v.at DESC
RETURN id, collect(v.change)[0] AS change
"""

CREATE_VERSIONS: LiteralString = "UNWIND $rows AS row CREATE (v:Version) SET v = row"

# Copy-on-write (graph/writes.py): the nodes a load is about to change, found before it does so
# their state can be kept. Sources of links not made yet:
GAINING_LINKS: LiteralString = """
UNWIND $rows AS row
MATCH (a:Entity {id: row.from_id})
MATCH (b:Entity {id: row.to_id})
WHERE NOT EXISTS { MATCH (a)-[r]->(b) WHERE type(r) = row.rel }
RETURN DISTINCT a.id AS id
"""

# Nodes with links their input no longer states (graph.queries.writes.REMOVE_STALE_LINKS):
LOSING_LINKS: LiteralString = """
UNWIND $rows AS row
MATCH (a:Entity {id: row.id})-[r]->(b:Entity)
WHERE NOT (type(r) + '>' + b.id) IN row.keep
RETURN DISTINCT a.id AS id
"""

# Claims no case study makes any more (graph.queries.writes.REMOVE_ORPHAN_CLAIMS):
ORPHANED_CLAIMS: LiteralString = """
UNWIND $ids AS id
MATCH (c:Entity {id: id})
WHERE c:EvidenceClaim AND NOT EXISTS { MATCH (:CaseStudy)-[:HAS_CLAIM]->(c) }
RETURN c.id AS id
"""

# A node given links is changed by the load: its stamp dates its new state.
STAMP: LiteralString = """
UNWIND $ids AS id
MATCH (n:Entity {id: id})
SET n.load = $load
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

# The loads in a range, and the nodes whose present state one of them made (per kind: the
# kinds' own `load` indexes, graph/queries/schema.py, are used; the embedded engine does not use
# an index on `Entity` for a kind). A state an older release kept as a version is listed there.
LOADS_BETWEEN: LiteralString = """
MATCH (l:Load)
WHERE l.started_at > $since AND l.started_at <= $until
RETURN l {.*} AS props
"""

STAMPED_BY: dict[Kind, LiteralString] = {
    kind: allow_listed(
        f"MATCH (n:`{kind.value}`) WHERE n.load IN $loads "
        "AND NOT EXISTS { MATCH (v:Version {node: n.id}) WHERE v.load = n.load } "
        "RETURN n.id AS node, n.name AS name, n.load AS load"
    )
    for kind in Kind
}

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
# as one list (a row per node costs the embedded engine ~100 us over Bolt). Nodes whose present
# state was made by then are taken from ALL_CURRENT instead.
STATE_AT: LiteralString = """
MATCH (v:Version)
WHERE v.at <= $at
WITH v ORDER BY v.at DESC
WITH v.node AS node, collect(v)[0] AS v
WHERE v.change <> 'removed'
RETURN collect([v.node, v.kind, v.props, v.links]) AS rows
"""

# Every node as it is, dated by its stamp's load, as one list (see STATE_AT).
ALL_CURRENT: LiteralString = """
MATCH (n:Entity)
OPTIONAL MATCH (l:Load {id: n.load})
RETURN collect([n.id, labels(n), n {.*, embedding: null}, [(n)-[r]->(b:Entity) | [type(r), b.id]],
                l.started_at,
                EXISTS { MATCH (v:Version {node: n.id}) WHERE v.load = n.load }]) AS rows
"""

LOADS_UNTIL: LiteralString = """
MATCH (l:Load)
WHERE l.started_at <= $at
RETURN l {.*} AS props
"""

# The engine lists a kind's nodes in the order they were made: a past graph is rebuilt in it.
ENTITY_ORDER: LiteralString = "MATCH (n:Entity) RETURN collect(n.id) AS ids"

ALL_VERSIONS: LiteralString = "MATCH (v:Version) RETURN v {.*} AS version"
