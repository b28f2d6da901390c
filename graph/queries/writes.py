"""Batched, idempotent writes keyed on constrained ids, and the look-ups they need first."""

from __future__ import annotations

from typing import LiteralString

from graph.model import Kind, Rel
from graph.queries import allow_listed

EXISTING_NODES: LiteralString = """
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN n.id AS id, labels(n) AS labels, n.checksum AS checksum, elementId(n) AS element
"""


ELEMENT_IDS: LiteralString = """
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN collect([n.id, elementId(n)]) AS elements
"""


ALL_KINDS: LiteralString = "MATCH (n:Entity) RETURN n.id AS id, labels(n) AS labels"


NODE_OWNERS: LiteralString = """
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN n.id AS id, n.contributed_by AS owner
"""


STUDY_CLAIMS: LiteralString = """
UNWIND $ids AS id
MATCH (s:Entity {id: id})-[:HAS_CLAIM]->(c:Entity)
RETURN id, collect(c.id) AS claims
"""


UPDATE_NODES: LiteralString = """
UNWIND $rows AS row
MATCH (n:Entity {id: row.id})
SET n = row.props
"""


# A removal leaves no stamp of its own, so it stamps the node it removes links from: what a load
# changed, removals included, is then found from its stamps (graph/evidence_patch.py).
# The claims it unlinks are returned: only they can have lost their last case study.
REMOVE_STALE_LINKS: LiteralString = """
UNWIND $rows AS row
MATCH (a:Entity {id: row.id})-[r]->(b:Entity)
WHERE NOT (type(r) + '>' + b.id) IN row.keep
SET a.load = $load
WITH r, CASE WHEN type(r) = 'HAS_CLAIM' THEN b.id END AS claim
DELETE r
RETURN count(*) AS removed, collect(claim) AS claims
"""


# Sought by id from the claims a load unlinked (REMOVE_STALE_LINKS): a scan of every claim for
# one with no case study took minutes at 100k case studies, for a load that removed one theme.
REMOVE_ORPHAN_CLAIMS: LiteralString = """
UNWIND $ids AS id
MATCH (c:Entity {id: id})
WHERE c:EvidenceClaim AND NOT EXISTS { MATCH (:CaseStudy)-[:HAS_CLAIM]->(c) }
WITH c, c.id AS id
DETACH DELETE c
RETURN count(id) AS removed, collect(id) AS ids
"""


CREATE_LOAD: LiteralString = "CREATE (l:Load) SET l = $props"


CLEAR: LiteralString = "MATCH (n) DETACH DELETE n"


CREATE_NODES: dict[Kind, LiteralString] = {
    # Entity first: ArcadeDB stores each label combination, in order, as its own type.
    kind: allow_listed(
        f"UNWIND $rows AS row CREATE (n:Entity:`{kind.value}`) SET n = row.props "
        # One record a batch: a record a node cost the loader 19 s of its 310 at L to read.
        "RETURN collect([n.id, elementId(n)]) AS elements"
    )
    for kind in Kind
}


# The ends are found by element id (from CREATE_NODES, EXISTING_NODES or ELEMENT_IDS), a direct
# read of the record, not by `id` through the index: on the embedded engine an index look-up
# inside a load's transaction searches every page written since the index was last compacted,
# and the two per link were a third of a load's time (M, 44 -> 30 s; bench/notes.md).
MERGE_LINKS: dict[Rel, LiteralString] = {
    rel: allow_listed(
        "UNWIND $rows AS row "
        "MATCH (a:Entity) WHERE elementId(a) = row.from_element "
        "MATCH (b:Entity) WHERE elementId(b) = row.to_element "
        f"MERGE (a)-[r:`{rel.value}`]->(b) "
        "ON CREATE SET r.source = row.source, r.load = $load "
        "WITH r, row WHERE r.source <> row.source "
        "SET r.source = row.source, r.load = $load "
        "RETURN count(r) AS updated"
    )
    for rel in Rel
}
