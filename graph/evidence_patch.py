"""Patch the evidence index from the loads made since it was built, where that is exact.

Every write stamps the nodes and relationships it changes with its load (graph/changes.py), and
each kind and relationship type the index reads has an index on that stamp
(graph/queries/schema.py), so what new loads changed is found by seeks: the case studies whose
row, claims or links they wrote are re-read whole and replace their old entries. Removals leave
no stamp of their own: a load stamps the nodes it removes links from (a claim no study makes any
more goes with its study's link), and says so on its record; a load that does not (written
before) must have removed nothing. A patch is made only then, when the index's loads are all
still there and no restore rewrote the links; otherwise (or when too many case studies
changed) the caller builds afresh.
"""

from __future__ import annotations

from array import array
from bisect import insort
from collections.abc import Sequence
from typing import Any

from graph.changes import new_loads
from graph.db import Db
from graph.evidence_index import EvidenceIndex, _interned, planned_of, tie_break
from graph.model import Kind, Rel
from graph.queries import evidence_index as q
from graph.queries.schema import LOAD_STAMPED_KINDS, LOAD_STAMPED_RELS
from graph.repository import LoadInfo
from graph.vocabulary import Term, from_graph
from graph.writes import REMOVALS_STAMPED

RESTORE_LOAD = "restore"
"""The load a restore stamps every link with (loaders/backup.py): after it, no stamp says which
load wrote a link."""

FOLLOWED_STUDIES = 100
"""Up to this many changed case studies, a patch brings the kept facet and gap-map counts
(graph/evidence_tally.py) up to date; above, it drops them. Following costs each kept count
a few dict updates per changed case study; counting afresh, a walk over every claim, and only
for the counts asked again."""

_STUDY_RELS = (Rel.HAS_CLAIM, Rel.ADDRESSES, Rel.LED_BY, Rel.WITH_PARTNER, Rel.APPLIES)
_VOCABULARY = frozenset(LOAD_STAMPED_KINDS) - {Kind.CASE_STUDY, Kind.EVIDENCE_CLAIM}


async def patch(db: Db, index: EvidenceIndex, loads: list[LoadInfo], *, max_studies: int) -> bool:
    """Bring `index` (in place) to the graph of `loads`; False, and `index` untouched, when
    that cannot be exact or more than `max_studies` case studies changed.

    Raises:
        GraphUnavailable, QueryTimeout, GraphError: the graph failed to answer.
    """
    if index.loads is None:
        return False
    added = new_loads(index.loads, loads)
    if added is None:
        return False
    if not added:
        return True  # the same loads: the same graph
    if not all(_removed_nothing(load) for load in loads if load.id in added):
        return False
    found = await _stamped(db, sorted(added))
    if found is None:
        return False
    studies, outcomes, vocabulary = found
    if len(studies) > max_studies:
        return False
    [read] = await db.read(q.STUDY_ROWS, ids=sorted(studies))
    outcome_names = None
    if outcomes:
        [read_outcomes] = await db.read(q.OUTCOMES)
        outcome_names = dict(read_outcomes["outcomes"])
    if vocabulary:
        await _patch_vocabulary(db, index, vocabulary)
    if outcome_names is not None:
        index.outcome_names = outcome_names
    rows = read["rows"]
    if len(rows) > FOLLOWED_STUDIES:
        index.tallies = None  # following each kept count would cost more than counting afresh
    if index.tallies is not None:  # what the old entries gave, while their claims live
        index.tallies.retire(
            index, [index.number_of[r[0]] for r in rows if r[0] in index.number_of]
        )
    for row in rows:
        _replace(index, row, index.outcome_names)
    if index.tallies is not None:
        index.tallies.admit(index, [index.number_of[r[0]] for r in rows])
    index.loads = frozenset(load.id for load in loads)
    return True


def _removed_nothing(load: LoadInfo) -> bool:
    """Whether every removal the load made is found from its stamps: it removed nothing, or
    it stamped the nodes it removed links from (a claim removed went with its study's link)."""
    props = load.properties
    if props.get(REMOVALS_STAMPED) is True:
        return True
    return props.get("links_removed") == 0 and props.get("nodes_removed") == 0


async def _stamped(db: Db, loads: list[str]) -> tuple[set[str], bool, set[str]] | None:
    """The case studies the loads changed, whether outcomes changed, and the vocabulary's
    terms they wrote; None when a restore has left links unattributable."""
    found: dict[str, set[str]] = {}
    for row in await db.read(q.STAMPED, loads=loads, load=RESTORE_LOAD):
        found.setdefault(row["found"], set()).update(row["ids"])
    if any(found.get(f"restored {rel.value}") for rel in LOAD_STAMPED_RELS):
        return None
    nodes = {kind: found.get(kind.value, set()) for kind in LOAD_STAMPED_KINDS}
    sources = {rel: found.get(rel.value, set()) for rel in LOAD_STAMPED_RELS}
    studies = nodes[Kind.CASE_STUDY].union(
        *(sources[rel] for rel in _STUDY_RELS),
        found.get("studies of claims", set()),
        found.get("studies of outcome links", set()),
    )
    vocabulary = sources[Rel.DEFAULT_LEVEL].union(*(nodes[kind] for kind in _VOCABULARY))
    return studies, bool(nodes[Kind.OUTCOME]), vocabulary


async def _patch_vocabulary(db: Db, index: EvidenceIndex, ids: set[str]) -> None:
    if any(i in index.vocabulary.terms for i in ids):
        index.vocabulary = await from_graph(db)  # a term renamed: its old names must go
        return
    for r in await db.read(q.VOCABULARY_TERMS, ids=sorted(ids)):
        kind = Kind.from_label(r["labels"])
        if kind in _VOCABULARY:
            alt_names = tuple(r["alt_names"] or ())
            index.vocabulary.add(
                Term(r["id"], kind, r["name"], alt_names, r["strength"], r["default_level"])
            )


def _replace(index: EvidenceIndex, row: list[Any], outcome_names: dict[str, str | None]) -> None:
    """Put one case study's fresh row in place of its old entries."""
    study, title, name, description, year_start, year_end, regions, places = row[:8]
    claims, themes, leads, partners, interventions, planned = row[8:]
    touched: set[tuple[str, Any]] = {("all", None)}
    old = index.number_of.get(study)
    if old is not None:
        touched |= _kill(index, old)
    number = len(index.ids)
    index.number_of[study] = number
    index.ids.append(study)
    index.titles.append(title)
    index.names.append(name)
    index.descriptions.append(description)
    index.recent.append(year_end if year_end is not None else year_start)
    index.early.append(year_start if year_start is not None else year_end)
    index.years.add(number, index.recent[number], index.early[number])
    index.text.add(number, name, description)
    index.region_ids.append(None if regions is None else tuple(map(_interned, regions)))
    index.themes.append(tuple(map(_interned, themes)))
    index.interventions.append(tuple(map(_interned, interventions)))
    if interventions:
        index.applied.append(number)
    if (evaluation := planned_of(planned)) is not None:
        index.planned[number] = evaluation
    for kind, values in (
        ("theme", themes),
        ("organisation", [*leads, *partners]),
        ("region", regions or []),
        ("place", places),
    ):
        postings = index.studies_by[kind]
        for value in dict.fromkeys(values):
            postings.setdefault(_interned(value), array("i")).append(number)
    _place(index, number, tie_break(study, title, year_start, year_end))
    # In the order the whole-graph read lays them out: outcome by outcome.
    order = {outcome: i for i, outcome in enumerate(outcome_names)}
    for outcome, strength, evidence_type, direction in sorted(
        claims, key=lambda c: order.get(c[0], len(order))
    ):
        claim = len(index.outcome)
        index.outcome.append(_interned(outcome))
        index.strength.append(strength if isinstance(strength, int) else 0)
        index.evidence_type.append(_interned(evidence_type))
        index.direction.append(_interned(direction))
        index.claim_study.append(number)
        values = (("outcome", outcome), ("type", evidence_type), ("direction", direction))
        for kind, value in values:
            index.claims_by[kind].setdefault(value, array("i")).append(claim)
            touched.add((kind, value))
    index.claim_start.append(len(index.outcome))
    for key in touched:
        _rank_in(index, key, number)


def _kill(index: EvidenceIndex, number: int) -> set[tuple[str, Any]]:
    """Take an old number out of every rank order; its claims can pass no filter any more.
    Its postings stay: a filter's case studies are only ever matched against claims and rank
    orders, where it no longer is."""
    keys: set[tuple[str, Any]] = set()
    for claim in range(index.claim_start[number], index.claim_start[number + 1]):
        keys |= {
            ("outcome", index.outcome[claim]),
            ("type", index.evidence_type[claim]),
            ("direction", index.direction[claim]),
        }
        index.strength[claim] = -1
        index.dead_claims += 1
    for key in [("all", None), *keys]:
        order, best = index.ranked.get(key, (array("i"), array("b")))
        if number in order:
            at = order.index(number)
            order.pop(at)
            best.pop(at)
    index.by_position.remove(number)
    index.planned.pop(number, None)
    return keys


def _place(index: EvidenceIndex, number: int, key: tuple[int, bool, str, str]) -> None:
    """Give a new number a position between its neighbours in the tie-break order."""

    def key_of(n: int) -> tuple[int, bool, str, str]:
        return tie_break(index.ids[n], index.titles[n], index.early[n], index.recent[n])

    live = index.by_position
    insort(live, number, key=key_of)
    at = live.index(number)
    low = index.position[live[at - 1]] if at > 0 else -1.0
    high = index.position[live[at + 1]] if at + 1 < len(live) else low + 2.0
    middle = (low + high) / 2
    index.position.append(middle)
    if not low < middle < high:  # halved too often: number the positions afresh
        for position, n in enumerate(live):
            index.position[n] = float(position)


def _rank_in(index: EvidenceIndex, key: tuple[str, Any], number: int) -> None:
    """Insert a new number into one rank order, by (best strength desc, position)."""
    kind, value = key
    claims: Sequence[int] = range(index.claim_start[number], index.claim_start[number + 1])
    strengths = [
        index.strength[c]
        for c in claims
        if kind == "all"
        or (kind == "outcome" and index.outcome[c] == value)
        or (kind == "type" and index.evidence_type[c] == value)
        or (kind == "direction" and index.direction[c] == value)
    ]
    best = max(strengths, default=0)
    if best <= 0:
        return  # as `EvidenceIndex._rank`: a case study only with claims of no strength is out
    order, bests = index.ranked.setdefault(key, (array("i"), array("b")))
    mine = (-best, index.position[number])
    low, high = 0, len(order)
    while low < high:
        middle = (low + high) // 2
        if (-bests[middle], index.position[order[middle]]) < mine:
            low = middle + 1
        else:
            high = middle
    order.insert(low, number)
    bests.insert(low, best)
