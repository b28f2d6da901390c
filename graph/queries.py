"""Every Cypher statement the project runs, as literal parameterised constants.

Labels and relationship types appear only through the `Kind` and `Rel` allow-lists, backtick-
quoted, in the tables built at the end of this module.
"""

from __future__ import annotations

from typing import LiteralString

from graph.model import Kind, Rel

# --- schema -------------------------------------------------------------------------------

SCHEMA: tuple[LiteralString, ...] = (
    "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT load_id IF NOT EXISTS FOR (n:Load) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT api_key_id IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.id IS UNIQUE",
    "CREATE INDEX entity_name IF NOT EXISTS FOR (n:Entity) ON (n.name)",
)

# --- health -------------------------------------------------------------------------------

PING: LiteralString = "MATCH (n:Entity) RETURN count(n) AS nodes"

ENGINE_READY: LiteralString = "RETURN 1 AS ok"

# --- writes -------------------------------------------------------------------------------

EXISTING_NODES: LiteralString = """
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN n.id AS id, labels(n) AS labels, n.checksum AS checksum
"""

ALL_KINDS: LiteralString = "MATCH (n:Entity) RETURN n.id AS id, labels(n) AS labels"

NODE_OWNERS: LiteralString = """
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN n.id AS id, n.contributed_by AS owner
"""

UPDATE_NODES: LiteralString = """
UNWIND $rows AS row
MATCH (n:Entity {id: row.id})
SET n = row.props
"""

VOCABULARY: LiteralString = """
MATCH (n:Entity)
WHERE n:Outcome OR n:PolicyTheme OR n:Region OR n:Organisation OR n:ResearchInstitute
   OR n:EvidenceLevel OR n:EvidenceType OR n:Intervention
OPTIONAL MATCH (n)-[:DEFAULT_LEVEL]->(level:EvidenceLevel)
RETURN n.id AS id, labels(n) AS labels, n.name AS name, n.alt_names AS alt_names,
       n.strength AS strength, level.id AS default_level
"""

REMOVE_STALE_LINKS: LiteralString = """
UNWIND $rows AS row
MATCH (a:Entity {id: row.id})-[r]->(b:Entity)
WHERE NOT (type(r) + '>' + b.id) IN row.keep
DELETE r
RETURN count(*) AS removed
"""

REMOVE_ORPHAN_CLAIMS: LiteralString = """
MATCH (c:EvidenceClaim)
WHERE NOT EXISTS { MATCH (:CaseStudy)-[:HAS_CLAIM]->(c) }
DETACH DELETE c
RETURN count(*) AS removed
"""

CREATE_LOAD: LiteralString = "CREATE (l:Load) SET l = $props"

# --- reads --------------------------------------------------------------------------------

KIND_COUNTS: LiteralString = """
MATCH (n:Entity)
RETURN labels(n) AS labels, count(*) AS count
"""

NODE_DETAIL: LiteralString = """
MATCH (n:Entity {id: $id})
OPTIONAL MATCH (n)-[r]-(m:Entity)
WITH n, r, m ORDER BY type(r), m.name, m.id
WITH n, collect(CASE WHEN r IS NULL THEN null ELSE {
    type: type(r), outgoing: startNode(r) = n, id: m.id, name: m.name, labels: labels(m)
  } END) AS links
RETURN n {.*} AS props, labels(n) AS labels, links[0..$link_limit] AS links, size(links) AS total
"""

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

NODE_SUMMARIES: LiteralString = """
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN n.id AS id, n.name AS name, labels(n) AS labels
"""

EXPORT_IDS: LiteralString = "MATCH (n:Entity) RETURN n.id AS id"

EXPORT_NODES: LiteralString = """
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN n {.*} AS props, labels(n) AS labels
"""

EXPORT_LINKS: LiteralString = """
UNWIND $ids AS id
MATCH (a:Entity {id: id})-[r]->(b:Entity)
RETURN a.id AS from_id, type(r) AS type, b.id AS to_id, labels(b) AS to_labels,
       r.source AS source
ORDER BY from_id, type, to_id
"""

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

# --- what changed since some loads (the SPARQL store patches itself from these) -----------

CHANGED_NODES: LiteralString = "MATCH (n:Entity) WHERE n.load IN $loads RETURN n.id AS id"

CHANGED_LINK_SOURCES: LiteralString = """
MATCH (a:Entity)-[r]->(:Entity)
WHERE r.load IN $loads
RETURN DISTINCT a.id AS id
"""

ENTITY_COUNT: LiteralString = "MATCH (n:Entity) RETURN count(n) AS count"

LINK_COUNT: LiteralString = "MATCH (:Entity)-[r]->(:Entity) RETURN count(r) AS count"

# --- API keys (their own label: never part of the published graph) ----------------------

CREATE_KEY: LiteralString = "CREATE (k:ApiKey) SET k = $props"

KEY_BY_ID: LiteralString = "MATCH (k:ApiKey {id: $id}) RETURN k {.*} AS key"

KEYS: LiteralString = "MATCH (k:ApiKey) RETURN k {.*} AS key ORDER BY k.created_at, k.id"

REVOKE_KEY: LiteralString = """
MATCH (k:ApiKey {id: $id})
SET k.revoked_at = $now
RETURN k.id AS id
"""

CLEAR: LiteralString = "MATCH (n) DETACH DELETE n"

# --- per kind and per relationship type, from the allow-lists -----------------------------


def _literal(text: str) -> LiteralString:
    # Built only from enum values: no user input ever reaches these statements.
    return text


CREATE_NODES: dict[Kind, LiteralString] = {
    # Entity first: ArcadeDB stores each label combination, in order, as its own type.
    kind: _literal(f"UNWIND $rows AS row CREATE (n:Entity:`{kind.value}`) SET n = row.props")
    for kind in Kind
}

LIST_NODES: dict[Kind, LiteralString] = {
    kind: _literal(
        f"MATCH (n:`{kind.value}`) "
        "WHERE $text IS NULL OR toLower(n.name) CONTAINS $text "
        "RETURN n {.id, .name, .description, .notation} AS node, labels(n) AS labels "
        "ORDER BY n.name, n.id SKIP $offset LIMIT $limit"
    )
    for kind in Kind
}

COUNT_NODES: dict[Kind, LiteralString] = {
    kind: _literal(
        f"MATCH (n:`{kind.value}`) "
        "WHERE $text IS NULL OR toLower(n.name) CONTAINS $text "
        "RETURN count(n) AS total"
    )
    for kind in Kind
}

MERGE_LINKS: dict[Rel, LiteralString] = {
    rel: _literal(
        "UNWIND $rows AS row "
        "MATCH (a:Entity {id: row.from_id}) MATCH (b:Entity {id: row.to_id}) "
        f"MERGE (a)-[r:`{rel.value}`]->(b) "
        "ON CREATE SET r.source = row.source, r.load = $load "
        "WITH r, row WHERE r.source <> row.source "
        "SET r.source = row.source, r.load = $load "
        "RETURN count(r) AS updated"
    )
    for rel in Rel
}
