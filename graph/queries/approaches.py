"""Approaches (interventions) and the evidence for them: the rule, and the studies per approach.

The studies come through the same filter as the evidence list (`graph.queries.evidence`), so an
approach's card and `/evidence` always agree on which claims are in scope.
"""

from __future__ import annotations

from typing import LiteralString

from graph.queries.evidence import _CLAIMS, _WHERE

RATING_RULE: LiteralString = """
MATCH (r:Rating)-[:IN_SCHEME]->(:Scheme {id: 'evidence-ratings'})
RETURN properties(r) AS rating
ORDER BY r.notation
LIMIT 100
"""

RATING_SCHEME: LiteralString = """
MATCH (s:Scheme {id: 'evidence-ratings'})
RETURN s.id AS id, s.name AS name, s.description AS description
"""

# The count walks from the intervention: written from the case study's side, the embedded
# engine scans every case study for each intervention (24 s against 38 ms at 100k).
_INTERVENTION_CARDS: LiteralString = """
OPTIONAL MATCH (i)-[:BROADER]->(f:InterventionFamily)
WITH i, f
ORDER BY coalesce(f.name, ''), i.name, i.id
LIMIT $limit
RETURN i.id AS id, i.name AS name, i.description AS description,
       f.id AS family_id, f.name AS family_name,
       size([(i)<-[:APPLIES]-(cs:CaseStudy) | 1]) AS case_studies
"""

# Every approach, or only those asked for: two statements rather than one with
# `size($interventions) = 0 OR ...`, which costs the embedded engine its index seek.
INTERVENTIONS: LiteralString = "MATCH (i:Intervention)" + _INTERVENTION_CARDS

# Each id sought through the kind's own index (`WHERE i.id IN $interventions` scans the kind).
INTERVENTIONS_BY_ID: LiteralString = (
    "UNWIND $interventions AS wanted MATCH (i:Intervention {id: wanted}) WITH DISTINCT i"
    + _INTERVENTION_CARDS
)


# One row per (intervention, case study) in scope, with every claim of the case study in scope:
# which claim is its best, and what direction it takes, is decided in Python (graph/approaches).
# Bounded by $max_rows: the caller refuses a scope larger than that rather than rate part of it.
STUDIES: LiteralString = (
    "MATCH (cs:CaseStudy)-[:APPLIES]->(i:Intervention), (cs)"
    + _CLAIMS
    + _WHERE
    + """  AND (size($interventions) = 0 OR i.id IN $interventions)
WITH i, cs, collect(c {
    .strength, .direction, .evidence_type, outcome: o.id, outcome_name: o.name
  }) AS claims
LIMIT $max_rows
RETURN i.id AS intervention,
       cs {.id, .name, .reported_results, .source_urls, .year_start, .year_end} AS study,
       [(cs)-[:LED_BY]->(g) | g.name][0] AS organisation,
       [(cs)-[:LOCATED_IN]->(p) | p.name] AS places,
       claims
"""
)
