"""Facet counts and gap-map rows from the evidence index, as the Cypher statements give them.

`facet_counts` gives what `graph.queries.evidence.FACETS` returns (key -> distinct case
studies) and `gap_rows` the rows of `GAP_MAP` (cell, strength, direction, count, newest), so
`graph.evidence` turns either into the same answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import groupby
from typing import TYPE_CHECKING, Any

from graph.evidence_index import EvidenceIndex
from graph.queries.evidence import PLANNED_DIMENSIONS, Dimension

if TYPE_CHECKING:
    from graph.evidence import EvidenceFilter

Keys = Callable[[EvidenceIndex, int, int], tuple[Any, ...]]

NOT_STATED = "not_stated"


def _region(index: EvidenceIndex, study: int, claim: int) -> tuple[Any, ...]:
    # `UNWIND coalesce(cs.region_ids, [null])`: no property is one null key; an empty list none.
    regions = index.region_ids[study]
    return (None,) if regions is None else regions


def _direction(index: EvidenceIndex, study: int, claim: int) -> tuple[Any, ...]:
    direction = index.direction[claim]
    return (NOT_STATED if direction is None else direction,)


# Each dimension's keys for one (case study, claim) pair, as its Cypher fragment gives them.
KEYS: dict[Dimension, Keys] = {
    Dimension.OUTCOME: lambda index, study, claim: (index.outcome[claim],),
    Dimension.THEME: lambda index, study, claim: index.themes[study],
    Dimension.REGION: _region,
    Dimension.EVIDENCE_TYPE: lambda index, study, claim: (index.evidence_type[claim],),
    Dimension.STRENGTH: lambda index, study, claim: (index.strength[claim],),
    Dimension.YEAR: lambda index, study, claim: (index.recent[study],),
    Dimension.INTERVENTION: lambda index, study, claim: index.interventions[study],
    Dimension.DIRECTION: _direction,
}


def _by_study(index: EvidenceIndex, f: EvidenceFilter) -> Iterator[tuple[int, list[int]]]:
    claims = index.matching_claims(f, index.studies(f))
    for study, group in groupby(claims, key=index.claim_study.__getitem__):
        yield study, list(group)


def facet_counts(index: EvidenceIndex, f: EvidenceFilter, dimension: Dimension) -> dict[Any, int]:
    """Distinct matching case studies per key of the dimension."""
    keys = KEYS[dimension]
    counts: dict[Any, int] = {}
    for study, claims in _by_study(index, f):
        for key in {k for claim in claims for k in keys(index, study, claim)}:
            counts[key] = counts.get(key, 0) + 1
    return counts


def gap_rows(
    index: EvidenceIndex, f: EvidenceFilter, rows: Dimension, cols: Dimension
) -> list[dict[str, Any]]:
    """One row per (cell, best strength, direction): how many case studies, and the newest."""
    row_keys, col_keys = KEYS[rows], KEYS[cols]
    groups: dict[tuple[Any, Any, int, str], list[Any]] = {}
    for study, claims in _by_study(index, f):
        cells: dict[tuple[Any, Any], tuple[int, set[str]]] = {}
        for claim in claims:
            strength = index.strength[claim]
            direction = _direction(index, study, claim)[0]
            for row in row_keys(index, study, claim):
                for col in col_keys(index, study, claim):
                    best, seen = cells.get((row, col), (0, set()))
                    seen.add(direction)
                    cells[(row, col)] = (max(best, strength), seen)
        newest = f"{10000 + index.recency(study)} {index.ids[study]}"
        for (row, col), (strength, seen) in cells.items():
            stated = seen - {NOT_STATED}
            direction = NOT_STATED if not stated else stated.pop() if len(stated) == 1 else "mixed"
            group = groups.setdefault((row, col, strength, direction), [0, newest])
            group[0] += 1
            group[1] = max(group[1], newest)
    return [
        {
            "row_key": row,
            "col_key": col,
            "strength": strength,
            "direction": direction,
            "count": count,
            "newest": newest,
        }
        for (row, col, strength, direction), (count, newest) in groups.items()
    ]


def _planned_keys(
    index: EvidenceIndex, study: int, dimension: Dimension, outcomes: tuple[str, ...]
) -> tuple[Any, ...]:
    if dimension is Dimension.OUTCOME:
        return outcomes
    return KEYS[dimension](index, study, -1)  # the study's own keys; it has no claims


def planned_rows(
    index: EvidenceIndex, f: EvidenceFilter, rows: Dimension, cols: Dimension
) -> list[dict[str, Any]]:
    """`GAP_MAP_PLANNED`'s rows: per cell, the planned or ongoing evaluations there and the
    earliest report they expect; none when a dimension or a claim condition has no meaning
    for evaluations without claims."""
    if rows not in PLANNED_DIMENSIONS or cols not in PLANNED_DIMENSIONS or rows is cols:
        return []
    if f.evidence_types or f.directions or f.min_strength > 1:
        return []
    studies = index.studies(f)
    cells: dict[tuple[Any, Any], tuple[set[int], str | None]] = {}
    for study, (due, planned) in index.planned.items():
        if studies is not None and study not in studies:
            continue
        outcomes = tuple(o for o in planned if not f.outcomes or o in f.outcomes)
        if f.outcomes and not outcomes:
            continue
        for row in _planned_keys(index, study, rows, outcomes):
            for col in _planned_keys(index, study, cols, outcomes):
                seen, first = cells.get((row, col), (set(), None))
                seen.add(study)
                if due is not None and (first is None or due < first):
                    first = due
                cells[(row, col)] = (seen, first)
    return [
        {"row_key": row, "col_key": col, "planned": len(seen), "first_due": first}
        for (row, col), (seen, first) in cells.items()
    ]
