"""The statements behind the in-process evidence index (graph/evidence_index.py).

One streaming read gives every case study with what the filters, the ranking, the facets and
the gap map need; the page of rows the index picks is then read by id (late materialisation),
in the shape `graph.queries.evidence.WHAT_WORKS` returns.
"""

from __future__ import annotations

from typing import LiteralString

from graph.model import Kind, Rel
from graph.queries import allow_listed
from graph.queries.evidence import _CLAIM_ROWS, _CLAIMS, _STUDY_ROW
from graph.queries.schema import LOAD_STAMPED_KINDS, LOAD_STAMPED_RELS

# Each statement returns one row holding a list: the embedded engine spends ~100 us on every
# row it sends over Bolt, ~30x what the same data costs as one list (measured at 100,000 case
# studies), and walking relationships with MATCH costs far less there than pattern
# comprehensions per case study. Claims are read one outcome at a time so that no statement
# comes near the server-side timeout. Names and summaries are lowered by the engine, whose
# toLower is the one `q` is matched with.
CASE_STUDIES: LiteralString = """MATCH (cs:CaseStudy)
RETURN collect([cs.id, cs.name, toLower(cs.name), toLower(cs.description),
                cs.year_start, cs.year_end, cs.region_ids, coalesce(cs.place_ids, []),
                [cs.evaluation_status, cs.expected_report_date,
                 coalesce(cs.planned_outcome_ids, [])]]) AS rows
"""

OUTCOMES: LiteralString = "MATCH (o:Outcome) RETURN collect([o.id, o.name]) AS outcomes"

CLAIMS: LiteralString = """MATCH (o:Outcome {id: $outcome})
MATCH (cs:CaseStudy)-[:HAS_CLAIM]->(c:EvidenceClaim)-[:FOR_OUTCOME]->(o)
RETURN collect([cs.id, c.strength, c.evidence_type, c.direction]) AS rows
"""

LINKS: dict[str, LiteralString] = {
    "theme": """MATCH (cs:CaseStudy)-[:ADDRESSES]->(n:PolicyTheme)
RETURN collect([cs.id, n.id]) AS rows
""",
    # Leads and partners apart: together they are the longest of these reads at 100,000.
    "lead": """MATCH (cs:CaseStudy)-[:LED_BY]->(n:Entity)
RETURN collect([cs.id, n.id]) AS rows
""",
    "partner": """MATCH (cs:CaseStudy)-[:WITH_PARTNER]->(n:Entity)
RETURN collect([cs.id, n.id]) AS rows
""",
    "intervention": """MATCH (cs:CaseStudy)-[:APPLIES]->(n:Intervention)
RETURN collect([cs.id, n.id]) AS rows
""",
}

# Looked up as Entity: the unique index is on Entity.id (graph/queries/schema.py), and neither
# engine uses it for a match on the CaseStudy label alone (a label scan per id: seconds at L).
# The rows of one page, in the order of $ids, with the claims that match the claim filters
# (the case-study filters were applied by the index). A handful of ids: the guards cost nothing.
PAGE: LiteralString = (
    """UNWIND range(0, size($ids) - 1) AS position
WITH position, $ids[position] AS id
MATCH (cs:Entity {id: id})
WHERE cs:CaseStudy
MATCH (cs)"""
    + _CLAIMS
    + """WHERE (size($outcomes) = 0 OR o.id IN $outcomes)
  AND c.strength >= $min_strength
  AND (size($evidence_types) = 0 OR c.evidence_type IN $evidence_types)
  AND (size($directions) = 0 OR c.direction IN $directions)
WITH position, cs, """
    + _CLAIM_ROWS
    + """, max(c.strength) AS best
OPTIONAL MATCH (region:Region) WHERE region.id IN coalesce(cs.region_ids, [])
WITH position, cs, claims, best, collect(region {.id, .name}) AS regions
ORDER BY position
"""
    + _STUDY_ROW
)

# What an approach card needs of the case studies the index found in scope (graph/approaches).
STUDY_DETAILS: LiteralString = """UNWIND $ids AS id
MATCH (cs:Entity {id: id})
WHERE cs:CaseStudy
RETURN cs {.id, .name, .reported_results, .source_urls, .year_start, .year_end} AS study,
       [(cs)-[:LED_BY]->(g) | g.name][0] AS organisation,
       [(cs)-[:LOCATED_IN]->(p) | p.name] AS places
"""


# What given loads stamped, for patching the index (graph/evidence_patch.py): each a seek on the
# kind's or type's `load` index (graph/queries/schema.py), never a scan; `found` names the kind
# or type, as `STAMPED` (all of them in one statement) returns them.
STAMPED_NODES: dict[Kind, LiteralString] = {
    kind: allow_listed(
        f"MATCH (n:`{kind.value}`) WHERE n.load IN $loads "
        f"RETURN '{kind.value}' AS found, collect(n.id) AS ids"
    )
    for kind in LOAD_STAMPED_KINDS
}

# The pattern's ends unlabelled: the embedded engine seeks a relationship index only so.
STAMPED_LINK_SOURCES: dict[Rel, LiteralString] = {
    rel: allow_listed(
        f"MATCH (a)-[r:`{rel.value}`]->() WHERE r.load IN $loads "
        f"RETURN '{rel.value}' AS found, collect(a.id) AS ids"
    )
    for rel in LOAD_STAMPED_RELS
}

# Whether a restore stamped links of the type (one is enough to tell: it stamps them all).
RESTORED_LINKS: dict[Rel, LiteralString] = {
    rel: allow_listed(
        f"MATCH ()-[r:`{rel.value}`]->() WHERE r.load IN [$load] WITH r LIMIT 1 "
        f"RETURN 'restored {rel.value}' AS found, collect(r.load) AS ids"
    )
    for rel in LOAD_STAMPED_RELS
}

# The case studies making the claims given loads stamped, or whose claims' outcome links they
# stamped (a claim changed alone changes its study's rows): from the seek, along HAS_CLAIM.
CLAIM_STUDIES: dict[str, LiteralString] = {
    "claims": """MATCH (c:EvidenceClaim) WHERE c.load IN $loads
MATCH (cs:CaseStudy)-[:HAS_CLAIM]->(c)
RETURN 'studies of claims' AS found, collect(cs.id) AS ids""",
    "outcome links": """MATCH (c)-[r:FOR_OUTCOME]->() WHERE r.load IN $loads
MATCH (cs:CaseStudy)-[:HAS_CLAIM]->(c)
RETURN 'studies of outcome links' AS found, collect(cs.id) AS ids""",
}

# What a patch reads first, in one round trip: after a small load a patch is mostly round trips
# (24 of them took ~0.5 s of a 0.6 s patch at 100,000 case studies, under load). Stamped claims
# and outcome links come as their case studies. A branch that finds nothing may return no row
# at all (the embedded engine does so) or an empty list (Neo4j).
STAMPED: LiteralString = allow_listed(
    "\nUNION ALL\n".join(
        [
            *(v for k, v in STAMPED_NODES.items() if k is not Kind.EVIDENCE_CLAIM),
            *(v for k, v in STAMPED_LINK_SOURCES.items() if k is not Rel.FOR_OUTCOME),
            *CLAIM_STUDIES.values(),
            *RESTORED_LINKS.values(),
        ]
    )
)

# Given case studies as the whole-graph reads above give them: the CASE_STUDIES row, then their
# claims (CLAIMS) and links (LINKS), each behind the same labels.
STUDY_ROWS: LiteralString = """UNWIND $ids AS id
MATCH (cs:CaseStudy {id: id})
RETURN collect([cs.id, cs.name, toLower(cs.name), toLower(cs.description),
                cs.year_start, cs.year_end, cs.region_ids, coalesce(cs.place_ids, []),
                [(cs)-[:HAS_CLAIM]->(c:EvidenceClaim)-[:FOR_OUTCOME]->(o:Outcome)
                 | [o.id, c.strength, c.evidence_type, c.direction]],
                [(cs)-[:ADDRESSES]->(n:PolicyTheme) | n.id],
                [(cs)-[:LED_BY]->(n:Entity) | n.id],
                [(cs)-[:WITH_PARTNER]->(n:Entity) | n.id],
                [(cs)-[:APPLIES]->(n:Intervention) | n.id],
                [cs.evaluation_status, cs.expected_report_date,
                 coalesce(cs.planned_outcome_ids, [])]]) AS rows
"""

# New vocabulary terms (graph.queries.nodes.VOCABULARY's rows) by id.
VOCABULARY_TERMS: LiteralString = """UNWIND $ids AS id
MATCH (n:Entity {id: id})
OPTIONAL MATCH (n)-[:DEFAULT_LEVEL]->(level:EvidenceLevel)
RETURN n.id AS id, labels(n) AS labels, n.name AS name, n.alt_names AS alt_names,
       n.strength AS strength, level.id AS default_level
"""
