"""The statements behind the in-process evidence index (graph/evidence_index.py).

One streaming read gives every case study with what the filters, the ranking, the facets and
the gap map need; the page of rows the index picks is then read by id (late materialisation),
in the shape `graph.queries.evidence.WHAT_WORKS` returns.
"""

from __future__ import annotations

from typing import LiteralString

from graph.queries.evidence import _CLAIMS

# The engine sorts the tie-break order (recency, then name, then id), so the index ranks with
# the engine's own string collation, exactly as the Cypher statements do. Names and summaries
# are lowered by the engine for the same reason (its toLower is the one `q` is matched with).
CASE_STUDIES: LiteralString = (
    """MATCH (cs:CaseStudy)
WITH cs
ORDER BY coalesce(cs.year_end, cs.year_start, 0) DESC, cs.name, cs.id
RETURN cs.id AS id, toLower(cs.name) AS name, toLower(cs.description) AS description,
       cs.year_start AS year_start, cs.year_end AS year_end,
       cs.region_ids AS region_ids, coalesce(cs.place_ids, []) AS place_ids,
       [(cs)-[:ADDRESSES]->(t:PolicyTheme) | t.id] AS themes,
       [(cs)-[:LED_BY|WITH_PARTNER]->(g:Entity) | g.id] AS organisations,
       [(cs)-[:APPLIES]->(i:Intervention) | i.id] AS interventions,
       [(cs)"""
    + _CLAIMS.rstrip("\n")
    + """ | [o.id, c.strength, c.evidence_type, c.direction]] AS claims
"""
)

# The rows of one page, in the order of $ids, with the claims that match the claim filters
# (the case-study filters were applied by the index). A handful of ids: the guards cost nothing.
PAGE: LiteralString = (
    """UNWIND range(0, size($ids) - 1) AS position
WITH position, $ids[position] AS id
MATCH (cs:CaseStudy {id: id})"""
    + _CLAIMS
    + """WHERE (size($outcomes) = 0 OR o.id IN $outcomes)
  AND c.strength >= $min_strength
  AND (size($evidence_types) = 0 OR c.evidence_type IN $evidence_types)
  AND (size($directions) = 0 OR c.direction IN $directions)
WITH position, cs, collect(c {
    .id, .strength, .level, .evidence_type, .direction, .source,
    graded_by: c.contributed_by,
    outcome: o.id, outcome_name: o.name,
    level_name: [(c)-[:AT_LEVEL]->(l) | l.name][0],
    type_name: [(c)-[:OF_TYPE]->(t) | t.name][0]
  }) AS claims, max(c.strength) AS best
OPTIONAL MATCH (region:Region) WHERE region.id IN coalesce(cs.region_ids, [])
WITH position, cs, claims, best, collect(region {.id, .name}) AS regions
ORDER BY position
RETURN cs {.id, .name, .description, .year_start, .year_end, .source_urls,
           .reported_results} AS study,
       claims, best,
       [(cs)-[:LED_BY]->(g) | g {.id, .name}] AS leads,
       [(cs)-[:WITH_PARTNER]->(g) | g {.id, .name}] AS partners,
       [(cs)-[:ADDRESSES]->(t) | t {.id, .name}] AS themes,
       [(cs)-[:LOCATED_IN]->(p) | p {.id, .name}] AS places,
       [(cs)-[:APPLIES]->(i:Intervention) | i {.id, .name}] AS interventions,
       regions
"""
)
