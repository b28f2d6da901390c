"""What works: one shared filter, and the statements built on it.

Every statement starts from the same match and filter, so the evidence list, its facets and
the gap map always agree on what "matches". Dimensions (outcome, theme, ...) are an allow-list:
each names a fixed Cypher fragment; nothing from a request is ever pasted into a statement.
"""

from __future__ import annotations

from enum import StrEnum
from itertools import permutations
from typing import LiteralString

_CLAIMS: LiteralString = "-[:HAS_CLAIM]->(c:EvidenceClaim)-[:FOR_OUTCOME]->(o:Outcome)\n"

_CLAIM_WHERE: LiteralString = """WHERE (size($outcomes) = 0 OR o.id IN $outcomes)
  AND c.strength >= $min_strength
  AND (size($evidence_types) = 0 OR c.evidence_type IN $evidence_types)
  AND (size($directions) = 0 OR c.direction IN $directions)
"""

# The filter's case-study conditions, which planned evaluations (no claims) are held to too.
_STUDY_WHERE: LiteralString = """\
  AND ($year_from IS NULL OR coalesce(cs.year_end, cs.year_start) >= $year_from)
  AND ($year_to IS NULL OR coalesce(cs.year_start, cs.year_end) <= $year_to)
  AND (size($regions) = 0 OR any(r IN coalesce(cs.region_ids, []) WHERE r IN $regions))
  AND (size($places) = 0 OR any(p IN coalesce(cs.place_ids, []) WHERE p IN $places))
  AND ($text IS NULL OR toLower(cs.name) CONTAINS $text
       OR toLower(cs.description) CONTAINS $text)
  AND (size($themes) = 0
       OR EXISTS { MATCH (cs)-[:ADDRESSES]->(t:PolicyTheme) WHERE t.id IN $themes })
  AND (size($organisations) = 0
       OR EXISTS { MATCH (cs)-[:LED_BY|WITH_PARTNER]->(g:Entity) WHERE g.id IN $organisations })
"""

_WHERE: LiteralString = _CLAIM_WHERE + _STUDY_WHERE

_FILTER: LiteralString = "MATCH (cs:CaseStudy)" + _CLAIMS + _WHERE

_RECENCY: LiteralString = "coalesce(cs.year_end, cs.year_start, 0)"
_DIRECTION: LiteralString = "coalesce(c.direction, 'not_stated')"

# The row shape of an evidence page, shared by the Cypher statement below and the evidence
# index's page read (graph/queries/evidence_index.py), so both answer in the same shape.
_CLAIM_ROWS: LiteralString = """collect(c {
    .id, .strength, .level, .evidence_type, .direction, .source,
    graded_by: c.contributed_by,
    outcome: o.id, outcome_name: o.name,
    level_name: [(c)-[:AT_LEVEL]->(l) | l.name][0],
    type_name: [(c)-[:OF_TYPE]->(t) | t.name][0]
  }) AS claims"""

_STUDY_ROW: LiteralString = """RETURN cs {.id, .name, .description, .year_start, .year_end,
           .source_urls, .reported_results} AS study,
       claims, best,
       [(cs)-[:LED_BY]->(g) | g {.id, .name}] AS leads,
       [(cs)-[:WITH_PARTNER]->(g) | g {.id, .name}] AS partners,
       [(cs)-[:ADDRESSES]->(t) | t {.id, .name}] AS themes,
       [(cs)-[:LOCATED_IN]->(p) | p {.id, .name}] AS places,
       [(cs)-[:APPLIES]->(i:Intervention) | i {.id, .name}] AS interventions,
       regions
"""

WHAT_WORKS: LiteralString = (
    _FILTER
    + """
WITH cs, """
    + _CLAIM_ROWS
    + """, max(c.strength) AS best
ORDER BY best DESC, """
    + _RECENCY
    + """ DESC, cs.name, cs.id
SKIP $offset
LIMIT $limit
OPTIONAL MATCH (region:Region) WHERE region.id IN coalesce(cs.region_ids, [])
WITH cs, claims, best, collect(region {.id, .name}) AS regions
ORDER BY best DESC, """
    + _RECENCY
    + """ DESC, cs.name, cs.id
"""
    + _STUDY_ROW
)

WHAT_WORKS_TOTAL: LiteralString = _FILTER + "RETURN count(DISTINCT cs) AS total"


class Dimension(StrEnum):
    """What evidence can be grouped by."""

    OUTCOME = "outcome"
    THEME = "theme"
    REGION = "region"
    EVIDENCE_TYPE = "evidence_type"
    STRENGTH = "strength"
    YEAR = "year"
    INTERVENTION = "intervention"
    DIRECTION = "direction"


# Each dimension: an extra MATCH it needs (if any) and the expression that gives its key.
_FRAGMENTS: dict[Dimension, tuple[LiteralString, LiteralString]] = {
    Dimension.OUTCOME: ("", "o.id"),
    Dimension.THEME: ("MATCH (cs)-[:ADDRESSES]->(theme:PolicyTheme)\n", "theme.id"),
    # A case study set in several regions counts once in each.
    Dimension.REGION: ("UNWIND coalesce(cs.region_ids, [null]) AS region_id\n", "region_id"),
    Dimension.EVIDENCE_TYPE: ("", "c.evidence_type"),
    Dimension.STRENGTH: ("", "c.strength"),
    Dimension.YEAR: ("", "coalesce(cs.year_end, cs.year_start)"),
    # A case study that applied several approaches counts once under each.
    Dimension.INTERVENTION: (
        "MATCH (cs)-[:APPLIES]->(intervention:Intervention)\n",
        "intervention.id",
    ),
    Dimension.DIRECTION: ("", _DIRECTION),
}

GAP_MAP_DIMENSIONS = (
    Dimension.INTERVENTION,
    Dimension.OUTCOME,
    Dimension.THEME,
    Dimension.REGION,
    Dimension.EVIDENCE_TYPE,
    Dimension.STRENGTH,
    Dimension.DIRECTION,
)

FACETS: dict[Dimension, LiteralString] = {
    dimension: _FILTER
    + extra
    + "WITH "
    + key
    + " AS key, count(DISTINCT cs) AS count\nRETURN key, count\n"
    for dimension, (extra, key) in _FRAGMENTS.items()
}


def _gap_map(rows: Dimension, cols: Dimension) -> LiteralString:
    # One case study at a time (CALL): its cells, its best strength and its direction in each
    # (the one its claims there agree on, mixed if they disagree, not_stated if none says), so
    # the engine never holds a (cell, case study) table, which at 100k case studies outgrows
    # its heap. Rows come out per (cell, strength, direction): at most cells x 25.
    row_extra, row_key = _FRAGMENTS[rows]
    col_extra, col_key = _FRAGMENTS[cols]
    return (
        "MATCH (cs:CaseStudy)\nCALL (cs) {\n  MATCH (cs)"
        + _CLAIMS
        + _WHERE
        + row_extra
        + col_extra
        + "  WITH "
        + row_key
        + " AS row_key, "
        + col_key
        + " AS col_key, max(c.strength) AS strength,\n"
        + "       collect(DISTINCT "
        + _DIRECTION
        + ") AS seen\n"
        + "  WITH row_key, col_key, strength, [d IN seen WHERE d <> 'not_stated'] AS stated\n"
        + "  RETURN row_key, col_key, strength,\n"
        + "         CASE size(stated) WHEN 0 THEN 'not_stated' WHEN 1 THEN stated[0]\n"
        + "         ELSE 'mixed' END AS direction\n}\n"
        + "WITH row_key, col_key, strength, direction, count(*) AS count,\n"
        + "     max(toString(10000 + "
        + _RECENCY
        + ") + ' ' + cs.id) AS newest\n"
        + "RETURN row_key, col_key, strength, direction, count, newest\n"
    )


GAP_MAP: dict[tuple[Dimension, Dimension], LiteralString] = {
    (rows, cols): _gap_map(rows, cols) for rows, cols in permutations(GAP_MAP_DIMENSIONS, 2)
}

PLANNED_DIMENSIONS = (Dimension.INTERVENTION, Dimension.OUTCOME, Dimension.THEME, Dimension.REGION)
"""The gap map's dimensions a planned or ongoing evaluation has keys along: it has no claims,
so no evidence type, strength or direction yet."""

# Planned evaluations: their outcomes are the ones they plan to report on.
_PLANNED_FRAGMENTS = _FRAGMENTS | {
    Dimension.OUTCOME: (
        "UNWIND [p IN coalesce(cs.planned_outcome_ids, [])\n"
        "        WHERE size($outcomes) = 0 OR p IN $outcomes] AS planned_outcome\n",
        "planned_outcome",
    )
}


def _gap_map_planned(rows: Dimension, cols: Dimension) -> LiteralString:
    # Held to the filter's case-study conditions and its outcomes; any claim condition (a type,
    # a direction, a strength above the lowest) is one they cannot meet without claims.
    row_extra, row_key = _PLANNED_FRAGMENTS[rows]
    col_extra, col_key = _PLANNED_FRAGMENTS[cols]
    return (
        """MATCH (cs:CaseStudy)
WHERE cs.evaluation_status IS NOT NULL
  AND size($evidence_types) = 0 AND size($directions) = 0 AND $min_strength <= 1
  AND (size($outcomes) = 0
       OR any(p IN coalesce(cs.planned_outcome_ids, []) WHERE p IN $outcomes))
"""
        + _STUDY_WHERE
        + row_extra
        + col_extra
        + "WITH "
        + row_key
        + " AS row_key, "
        + col_key
        + " AS col_key, cs\n"
        + "RETURN row_key, col_key, count(DISTINCT cs) AS planned,\n"
        + "       min(cs.expected_report_date) AS first_due\n"
    )


GAP_MAP_PLANNED: dict[tuple[Dimension, Dimension], LiteralString] = {
    (rows, cols): _gap_map_planned(rows, cols) for rows, cols in permutations(PLANNED_DIMENSIONS, 2)
}
"""Per cell: the planned or ongoing evaluations there and the earliest report they expect."""

# The values a dimension can take, with names, so empty buckets and cells can be listed.
DIMENSION_VALUES: dict[Dimension, LiteralString] = {
    Dimension.OUTCOME: "MATCH (n:Outcome) RETURN n.id AS key, n.name AS name ORDER BY n.name",
    Dimension.INTERVENTION: (
        "MATCH (n:Intervention) OPTIONAL MATCH (n)-[:BROADER]->(f:InterventionFamily) "
        "RETURN n.id AS key, n.name AS name ORDER BY coalesce(f.name, ''), n.name"
    ),
    Dimension.THEME: "MATCH (n:PolicyTheme) RETURN n.id AS key, n.name AS name ORDER BY n.name",
    Dimension.REGION: "MATCH (n:Region) RETURN n.id AS key, n.name AS name ORDER BY n.name",
    Dimension.EVIDENCE_TYPE: (
        "MATCH (n:EvidenceType) RETURN n.id AS key, n.name AS name ORDER BY n.name"
    ),
}
