"""Facet counts and gap-map rows from the evidence index, as the Cypher statements give them.

`facet_counts` gives what `graph.queries.evidence.FACETS` returns (key -> distinct case
studies) and `gap_rows` the rows of `GAP_MAP` (cell, strength, direction, count, newest), so
`graph.evidence` turns either into the same answer.

Counting means walking every matching claim (250,000 at 100,000 case studies: seconds). For a
filter with claim conditions only (outcome, type, direction, strength) each case study adds to
a count on its own, so the counts are kept on the index (`Tallies`) and a patch
(graph/evidence_patch.py) takes out what a replaced case study gave and puts in what its new
entry gives: the first facets or gap map after a small load is then a lookup.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import TYPE_CHECKING, Any

from graph.evidence_index import EvidenceIndex
from graph.queries.evidence import PLANNED_DIMENSIONS, Dimension

if TYPE_CHECKING:
    from graph.evidence import EvidenceFilter

Keys = Callable[[EvidenceIndex, int, int], tuple[Any, ...]]
Group = tuple[Any, Any, int, str]
"""A gap-map row's key: (row key, column key, best strength, direction)."""

NOT_STATED = "not_stated"
KEPT_TALLIES = 128
"""As many kept tallies as a patch brings up to date (each costs it little: a few dict
updates per changed case study); the least recently asked go first."""


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


def _of_studies(
    index: EvidenceIndex, f: EvidenceFilter, studies: Iterable[int]
) -> Iterator[tuple[int, list[int]]]:
    """Given case studies with their claims passing the filter's claim conditions (a filter
    with no case-study conditions: `kept`)."""
    for study in studies:
        claims = range(index.claim_start[study], index.claim_start[study + 1])
        passing = [claim for claim in claims if index.claim_passes(claim, f)]
        if passing:
            yield study, passing


def _facet_keys(index: EvidenceIndex, keys: Keys, study: int, claims: list[int]) -> set[Any]:
    return {k for claim in claims for k in keys(index, study, claim)}


def _gap_cells(
    index: EvidenceIndex, rows: Dimension, cols: Dimension, study: int, claims: list[int]
) -> tuple[list[Group], str]:
    """One case study's gap-map rows (a cell, its best strength there, its direction there),
    and its `newest` key."""
    row_keys, col_keys = KEYS[rows], KEYS[cols]
    cells: dict[tuple[Any, Any], tuple[int, set[str]]] = {}
    for claim in claims:
        strength = index.strength[claim]
        direction = _direction(index, study, claim)[0]
        for row in row_keys(index, study, claim):
            for col in col_keys(index, study, claim):
                best, seen = cells.get((row, col), (0, set()))
                seen.add(direction)
                cells[(row, col)] = (max(best, strength), seen)
    groups = []
    for (row, col), (strength, seen) in cells.items():
        stated = seen - {NOT_STATED}
        direction = NOT_STATED if not stated else stated.pop() if len(stated) == 1 else "mixed"
        groups.append((row, col, strength, direction))
    return groups, f"{10000 + index.recency(study)} {index.ids[study]}"


@dataclass
class FacetTally:
    """Distinct case studies per key of one dimension, for one filter."""

    dimension: Dimension
    counts: dict[Any, int] = field(default_factory=dict)

    def add(self, index: EvidenceIndex, studies: Iterable[tuple[int, list[int]]]) -> None:
        keys = KEYS[self.dimension]
        counts = self.counts
        for study, claims in studies:
            for key in _facet_keys(index, keys, study, claims):
                counts[key] = counts.get(key, 0) + 1

    def remove(self, index: EvidenceIndex, studies: Iterable[tuple[int, list[int]]]) -> None:
        keys = KEYS[self.dimension]
        counts = self.counts
        for study, claims in studies:
            for key in _facet_keys(index, keys, study, claims):
                counts[key] -= 1
                if not counts[key]:
                    del counts[key]


@dataclass
class GapTally:
    """Per gap-map row key: how many case studies, and the newest (`gap_rows`' columns)."""

    rows: Dimension
    cols: Dimension
    groups: dict[Group, list[Any]] = field(default_factory=dict)
    """[count, newest] per group."""

    def add(self, index: EvidenceIndex, studies: Iterable[tuple[int, list[int]]]) -> None:
        groups = self.groups
        for study, claims in studies:
            cells, newest = _gap_cells(index, self.rows, self.cols, study, claims)
            for key in cells:
                group = groups.setdefault(key, [0, newest])
                group[0] += 1
                group[1] = max(group[1], newest)

    def remove(
        self, index: EvidenceIndex, studies: Iterable[tuple[int, list[int]]]
    ) -> dict[Group, str]:
        """Take out what `studies` gave; the groups whose newest case study went, with it.
        Their newest stays unknown ("") until `exact` tells whether a case study put in
        after is at least as new (the next newest is not kept)."""
        gone: dict[Group, str] = {}
        groups = self.groups
        for study, claims in studies:
            cells, newest = _gap_cells(index, self.rows, self.cols, study, claims)
            for key in cells:
                group = groups[key]
                group[0] -= 1
                if not group[0]:
                    del groups[key]
                    gone.pop(key, None)
                elif newest == group[1]:
                    gone[key] = newest
                    group[1] = ""
        return gone

    def exact(self, gone: dict[Group, str]) -> bool:
        """Whether each group whose newest went has one as new since (put in by `add`)."""
        return all(
            key not in self.groups or self.groups[key][1] >= newest for key, newest in gone.items()
        )


Tally = FacetTally | GapTally


class Tallies:
    """The counts kept on one index, per (filter, what is counted), for filters with claim
    conditions only; brought up to date by every patch."""

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple[Any, ...], tuple[EvidenceFilter, Tally]] = OrderedDict()
        self._gone: dict[tuple[Any, ...], dict[Group, str]] = {}
        """Per gap tally, between `retire` and `admit`: the groups whose newest went."""

    def __len__(self) -> int:
        return len(self._kept)

    def kept(self) -> dict[tuple[Any, ...], Tally]:
        """The tallies kept now, by key."""
        return {key: tally for key, (_, tally) in self._kept.items()}

    def get(self, key: tuple[Any, ...]) -> Tally | None:
        found = self._kept.get(key)
        if found is None:
            return None
        self._kept.move_to_end(key)
        return found[1]

    def keep(self, key: tuple[Any, ...], f: EvidenceFilter, tally: Tally) -> None:
        self._kept[key] = (f, tally)
        while len(self._kept) > KEPT_TALLIES:
            self._kept.popitem(last=False)

    def retire(self, index: EvidenceIndex, numbers: list[int]) -> None:
        """Take out of every kept tally what the case studies numbered so gave: called by a
        patch before their claims die."""
        for key, (f, tally) in self._kept.items():
            studies = list(_of_studies(index, f, numbers))
            if isinstance(tally, FacetTally):
                tally.remove(index, studies)
            else:
                self._gone[key] = tally.remove(index, studies)

    def admit(self, index: EvidenceIndex, numbers: list[int]) -> None:
        """Put in what the new entries numbered so give; a tally that cannot follow exactly
        is dropped, to be counted afresh when asked."""
        for key, (f, tally) in list(self._kept.items()):
            tally.add(index, _of_studies(index, f, numbers))
            if isinstance(tally, GapTally) and not tally.exact(self._gone.get(key, {})):
                del self._kept[key]
        self._gone.clear()


def kept(f: EvidenceFilter) -> bool:
    """Whether a filter's counts can be kept across patches: it has no case-study conditions,
    so every case study's share of the counts depends on its own entry only."""
    return not (
        f.themes
        or f.organisations
        or f.regions
        or f.places
        or f.year_from is not None
        or f.year_to is not None
        or f.params()["text"] is not None
    )


def _tallies(index: EvidenceIndex) -> Tallies:
    if index.tallies is None:
        index.tallies = Tallies()
    return index.tallies


def facet_counts(index: EvidenceIndex, f: EvidenceFilter, dimension: Dimension) -> dict[Any, int]:
    """Distinct matching case studies per key of the dimension."""
    if not kept(f):
        tally = FacetTally(dimension)
        tally.add(index, _by_study(index, f))
        return tally.counts
    tallies = _tallies(index)
    key = ("facets", f.model_dump_json(), dimension)
    found = tallies.get(key)
    if not isinstance(found, FacetTally):
        found = FacetTally(dimension)
        found.add(index, _by_study(index, f))
        tallies.keep(key, f, found)
    return dict(found.counts)


def gap_rows(
    index: EvidenceIndex, f: EvidenceFilter, rows: Dimension, cols: Dimension
) -> list[dict[str, Any]]:
    """One row per (cell, best strength, direction): how many case studies, and the newest."""
    key = ("gap-map", f.model_dump_json(), rows, cols)
    tallies = _tallies(index) if kept(f) else None
    found = tallies.get(key) if tallies is not None else None
    if not isinstance(found, GapTally):
        found = GapTally(rows, cols)
        found.add(index, _by_study(index, f))
        if tallies is not None:
            tallies.keep(key, f, found)
    return [
        {
            "row_key": row,
            "col_key": col,
            "strength": strength,
            "direction": direction,
            "count": count,
            "newest": newest,
        }
        for (row, col, strength, direction), (count, newest) in found.groups.items()
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
