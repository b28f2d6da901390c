"""The evidence index: what the evidence filters, ranking, facets and gap map need, in memory.

At 100,000 case studies every evidence statement walks every claim in the graph (seconds on
the embedded engine). The index reads the graph once per load (`graph.queries.evidence_index`)
and answers which case studies match, in which order, from posting lists; only the page shown
is then read from the graph. Its answers are those of the Cypher statements in
`graph.queries.evidence`, which stay as the reference (and the path taken when there is no
index): the same rows, order and totals, the same facet counts and gap-map cells.

Case studies are numbered by the engine's own tie-break order (most recent first, then name,
then id), so ranking is (best strength desc, number) on small ints.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby, islice
from operator import neg
from typing import TYPE_CHECKING, Any

from graph.db import Db
from graph.evidence_lookup import TextScan, YearBuckets
from graph.queries import evidence_index as q
from graph.vocabulary import Vocabulary, from_graph

if TYPE_CHECKING:
    from graph.evidence import EvidenceFilter
    from graph.evidence_tally import Tallies


class TooManyClaims(Exception):
    """The graph holds more claims than the index may: the Cypher statements answer instead."""


def _interned(value: Any) -> Any:
    return sys.intern(value) if isinstance(value, str) else value


def _postings(values: dict[str, list[int]]) -> dict[str, array[int]]:
    return {key: array("i", members) for key, members in values.items()}


@dataclass
class _Builder:
    """The graph's rows, gathered statement by statement, numbered when all are in."""

    max_claims: int
    studies: list[list[Any]] = field(default_factory=list)
    links: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    claims: dict[str, list[tuple[str, Any, Any, Any]]] = field(default_factory=dict)
    """Per case study id: (outcome, strength, evidence type, direction)."""
    count: int = 0
    outcome_names: dict[str, str | None] = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)
    titles: list[str | None] = field(default_factory=list)
    """Names as written, for the tie-break order; `names` are lowered, for `q`."""
    names: list[str | None] = field(default_factory=list)
    descriptions: list[str | None] = field(default_factory=list)
    year_start: list[int | None] = field(default_factory=list)
    year_end: list[int | None] = field(default_factory=list)
    region_ids: list[tuple[str, ...] | None] = field(default_factory=list)
    themes: list[tuple[str, ...]] = field(default_factory=list)
    interventions: list[tuple[str, ...]] = field(default_factory=list)
    studies_by: dict[str, dict[str, list[int]]] = field(
        default_factory=lambda: {k: {} for k in ("theme", "organisation", "region", "place")}
    )
    claim_start: array[int] = field(default_factory=lambda: array("i", [0]))
    outcome: list[str] = field(default_factory=list)
    strength: array[int] = field(default_factory=lambda: array("b"))
    evidence_type: list[str | None] = field(default_factory=list)
    direction: list[str | None] = field(default_factory=list)
    planned: dict[int, tuple[str | None, tuple[str, ...]]] = field(default_factory=dict)
    """Per planned or ongoing evaluation: its expected report date and planned outcomes."""

    def add_claims(self, outcome: str, rows: list[list[Any]]) -> None:
        outcome = sys.intern(outcome)
        for study, strength, evidence_type, direction in rows:
            found = self.claims.setdefault(study, [])
            found.append((outcome, strength, _interned(evidence_type), _interned(direction)))
        self.count += len(rows)
        if self.count > self.max_claims:
            raise TooManyClaims(f"more than {self.max_claims} claims")

    def add_links(self, kind: str, rows: list[list[str]]) -> None:
        found = self.links.setdefault(kind, {})
        for study, target in rows:
            found.setdefault(study, []).append(_interned(target))

    def number(self) -> None:
        """Number the case studies in the Cypher tie-break order: most recent first (no year
        counts as 0), then name (none last), then id; then lay out their claims in that order."""

        links = {kind: self.links.get(kind, {}) for kind in ("theme", "intervention")}
        # The organisation filter's `LED_BY|WITH_PARTNER`: leads and partners as one.
        organisations = {k: list(v) for k, v in self.links.get("lead", {}).items()}
        for study, partners in self.links.get("partner", {}).items():
            organisations.setdefault(study, []).extend(partners)
        links["organisation"] = organisations
        for row in sorted(self.studies, key=lambda r: tie_break(r[0], r[1], r[4], r[5])):
            self._add(row, links)

    def _add(self, row: list[Any], links: dict[str, dict[str, list[str]]]) -> None:
        study, title, name, description, year_start, year_end, regions, places, planned = row
        number = len(self.ids)
        if (evaluation := planned_of(planned)) is not None:
            self.planned[number] = evaluation
        self.ids.append(study)
        self.titles.append(title)
        self.names.append(name)
        self.descriptions.append(description)
        self.year_start.append(year_start)
        self.year_end.append(year_end)
        self.region_ids.append(None if regions is None else tuple(map(_interned, regions)))
        themes = links["theme"].get(study, [])
        self.themes.append(tuple(themes))
        self.interventions.append(tuple(links["intervention"].get(study, [])))
        for kind, values in (
            ("theme", themes),
            ("organisation", links["organisation"].get(study, [])),
            ("region", regions or []),
            ("place", places),
        ):
            postings = self.studies_by[kind]
            for value in dict.fromkeys(values):
                postings.setdefault(value, []).append(number)
        for outcome, strength, evidence_type, direction in self.claims.get(study, []):
            self.outcome.append(outcome)
            # A claim without a strength never passes `c.strength >= $min_strength`.
            self.strength.append(strength if isinstance(strength, int) else 0)
            self.evidence_type.append(evidence_type)
            self.direction.append(direction)
        self.claim_start.append(len(self.outcome))


LINK_KINDS = ("theme", "lead", "partner", "intervention")


def planned_of(row: list[Any]) -> tuple[str | None, tuple[str, ...]] | None:
    """A case study's (expected report date, planned outcomes) if it is a planned or ongoing
    evaluation, from its row's `[evaluation_status, expected_report_date, outcomes]`."""
    status, due, outcomes = row
    return None if status is None else (due, tuple(map(_interned, outcomes)))


def tie_break(
    study: str, title: str | None, year_start: int | None, year_end: int | None
) -> tuple[int, bool, str, str]:
    """The Cypher statements' order among equally strong case studies: most recent first (no
    year counts as 0), then name (none last), then id."""
    recent = year_end if year_end is not None else year_start
    return (-(recent or 0), title is None, title or "", study)


@dataclass(frozen=True)
class Matches:
    """A filter's first matching case studies (numbers, in rank order) and how many match."""

    head: array[int]
    total: int

    def covers(self, end: int) -> bool:
        """Whether a page ending at `end` is a slice of `head`."""
        return end <= len(self.head) or len(self.head) == self.total


class EvidenceIndex:
    """One load's evidence, numbered and posted; see the module docstring."""

    def __init__(self, version: Any, built: _Builder) -> None:
        self.version = version
        self.loads: frozenset[str] | None = None
        """The loads this index reflects, once known (graph/evidence_patch.py patches from
        them)."""
        self.vocabulary = Vocabulary()
        """The names filters may use (`graph.filters.resolve`), read once per load too."""
        self.tallies: Tallies | None = None
        """Facet and gap-map counts kept across patches (graph/evidence_tally.py)."""
        self.outcome_names = built.outcome_names
        self.ids = built.ids
        self.titles = built.titles
        self.names = built.names
        self.descriptions = built.descriptions
        years = list(zip(built.year_start, built.year_end, strict=True))
        self.recent = [e if e is not None else s for s, e in years]
        self.early = [s if s is not None else e for s, e in years]
        self.years = YearBuckets(self.recent, self.early)
        self.text = TextScan(self.names, self.descriptions)
        self.region_ids = built.region_ids
        self.themes = built.themes
        self.interventions = built.interventions
        self.applied = array("i", (n for n, found in enumerate(self.interventions) if found))
        """The case studies that apply an approach, in number order (a patch appends its new
        numbers; dead ones stay, their claims passing no filter): an approach's scope is
        found among them, not by walking every claim the filter reaches."""
        # Numbers follow the tie-break order when built; a patch (graph/evidence_patch.py)
        # gives a changed case study a new number at the end, a position between its
        # neighbours in that order, and leaves its old number behind, dead: claims of strength
        # -1 (which no filter passes), out of every rank order.
        self.number_of = {study: number for number, study in enumerate(self.ids)}
        self.position = array("d", map(float, range(len(self.ids))))
        self.by_position = list(range(len(self.ids)))
        """Live numbers in the tie-break order."""
        self.dead_claims = 0
        self.studies_by = {k: _postings(v) for k, v in built.studies_by.items()}
        self.claim_start = built.claim_start
        self.outcome = built.outcome
        self.strength = built.strength
        self.evidence_type = built.evidence_type
        self.direction = built.direction
        self.planned = built.planned
        """Planned or ongoing evaluations by number (no claims: gaps being filled)."""
        self.claim_study = array("i", bytes(4 * len(built.outcome)))
        for number in range(len(self.ids)):
            for claim in range(self.claim_start[number], self.claim_start[number + 1]):
                self.claim_study[claim] = number
        claims_by: dict[str, dict[Any, list[int]]] = {"outcome": {}, "type": {}, "direction": {}}
        for claim in range(len(self.outcome)):
            claims_by["outcome"].setdefault(self.outcome[claim], []).append(claim)
            claims_by["type"].setdefault(self.evidence_type[claim], []).append(claim)
            claims_by["direction"].setdefault(self.direction[claim], []).append(claim)
        self.claims_by = {k: {v: array("i", c) for v, c in d.items()} for k, d in claims_by.items()}
        # Per single claim filter (none, one outcome, one type, one direction): the case
        # studies it reaches, ranked, with their best strength, so such a page is a walk.
        self.ranked: dict[tuple[str, Any], tuple[array[int], array[int]]] = {
            ("all", None): self._rank(range(len(self.outcome)))
        }
        for kind, postings in self.claims_by.items():
            for value, claims in postings.items():
                self.ranked[(kind, value)] = self._rank(claims)

    @property
    def claims(self) -> int:
        return len(self.outcome) - self.dead_claims

    @property
    def studies_count(self) -> int:
        return len(self.by_position)

    def _rank(self, claims: Iterable[int]) -> tuple[array[int], array[int]]:
        best: dict[int, int] = {}
        for claim in claims:
            number, strength = self.claim_study[claim], self.strength[claim]
            if strength > best.get(number, 0):
                best[number] = strength
        position = self.position
        order = sorted(best, key=lambda n: (-best[n], position[n]))
        return array("i", order), array("b", (best[n] for n in order))

    def studies(self, f: EvidenceFilter) -> set[int] | None:
        """The case studies passing the filter's case-study conditions; None: all of them."""
        wanted = [
            (self.studies_by["theme"], f.themes),
            (self.studies_by["organisation"], f.organisations),
            (self.studies_by["region"], f.regions),
            (self.studies_by["place"], f.places),
        ]
        found: set[int] | None = None
        for postings, values in sorted(wanted, key=lambda w: _size(*w)):
            if not values:
                continue
            members: set[int] = set()
            for value in values:
                members.update(postings.get(value, ()))
            found = members if found is None else found & members
        if f.year_from is not None or f.year_to is not None:
            years = self.years.matching(f.year_from, f.year_to)
            found = years if found is None else found & years
        text = f.params()["text"]
        if text is None:
            return found
        # A few candidates are cheaper to test one by one than the whole text is to search.
        if found is None or len(found) > _TEST_EACH:
            hits = self.text.matching(text)
            if hits is not None:
                return hits if found is None else found & hits
        candidates: Iterable[int] = range(len(self.ids)) if found is None else found
        return {n for n in candidates if self._passes(n, None, None, text)}

    def _passes(self, n: int, year_from: int | None, year_to: int | None, text: str | None) -> bool:
        recent, early = self.recent[n], self.early[n]
        if year_from is not None and (recent is None or recent < year_from):
            return False
        if year_to is not None and (early is None or early > year_to):
            return False
        if text is None:
            return True
        name, description = self.names[n], self.descriptions[n]
        return (name is not None and text in name) or (
            description is not None and text in description
        )

    def claim_passes(self, claim: int, f: EvidenceFilter) -> bool:
        """Whether a claim passes the filter's claim conditions (outcome, strength, ...)."""
        return (
            self.strength[claim] >= f.min_strength
            and (not f.outcomes or self.outcome[claim] in f.outcomes)
            and (not f.evidence_types or self.evidence_type[claim] in f.evidence_types)
            and (not f.directions or self.direction[claim] in f.directions)
        )

    def matching_claims(self, f: EvidenceFilter, studies: set[int] | None) -> Iterator[int]:
        """Every claim passing the filter whose case study does too, grouped by case study."""
        for claim in self._candidate_claims(f):
            if (studies is None or self.claim_study[claim] in studies) and self.claim_passes(
                claim, f
            ):
                yield claim

    def _candidate_claims(self, f: EvidenceFilter) -> Sequence[int]:
        choices = [
            (self.claims_by["outcome"], f.outcomes),
            (self.claims_by["type"], f.evidence_types),
            (self.claims_by["direction"], f.directions),
        ]
        chosen = [(p, v) for p, v in choices if v]
        if not chosen:
            return range(len(self.outcome))
        postings, values = min(chosen, key=lambda c: _size(*c))
        return sorted({c for v in dict.fromkeys(values) for c in postings.get(v, ())})

    def ranking(self, f: EvidenceFilter) -> tuple[Sequence[int], Sequence[int]]:
        """The case studies the claim conditions reach, ranked, and their best strengths."""
        singles = [
            (kind, values[0])
            for kind, values in (
                ("outcome", f.outcomes),
                ("type", f.evidence_types),
                ("direction", f.directions),
            )
            if values
        ]
        lists = sum(1 for values in (f.outcomes, f.evidence_types, f.directions) if values)
        if lists == 0:
            order, best = self.ranked[("all", None)]
        elif lists == 1 and max(len(f.outcomes), len(f.evidence_types), len(f.directions)) == 1:
            order, best = self.ranked.get(singles[0], (array("i"), array("b")))
        else:
            return self._rank(c for c in self._candidate_claims(f) if self.claim_passes(c, f))
        # Ranked by best strength first, so those below the minimum are a tail to cut off
        # (every best strength is at least 1: a study is ranked for a claim of strength > 0).
        if f.min_strength <= 1:
            return order, best
        cut = bisect_right(best, -f.min_strength, key=neg)
        return order[:cut], best[:cut]

    def page(
        self, f: EvidenceFilter, *, limit: int, offset: int, matches: Matches | None = None
    ) -> tuple[list[str], int]:
        """The ids of one page of matching case studies, in order, and how many match: a slice
        of `matches` (the filter's, kept from an earlier page) where they reach that far."""
        end = offset + limit
        if matches is None or not matches.covers(end):
            matches = self.matches(f, keep=end)
        return [self.ids[n] for n in matches.head[offset:end]], matches.total

    def matches(self, f: EvidenceFilter, *, keep: int) -> Matches:
        """The first `keep` case studies matching the filter, in rank order, and how many
        match: the walk of the ranking every page of the filter would otherwise repeat."""
        order, _ = self.ranking(f)
        studies = self.studies(f)
        if studies is None:
            return Matches(array("i", order[:keep]), len(order))
        # The first matches in rank order, by a walk that stops there; the total counts the
        # rest unless the walk found them all, both in C loops rather than a Python one each.
        wanted = studies.__contains__
        head = array("i", islice(filter(wanted, order), keep))
        return Matches(head, len(head) if len(head) < keep else sum(map(wanted, order)))

    def scope(self, f: EvidenceFilter, interventions: list[str]) -> dict[str, dict[str, list[int]]]:
        """The claims in scope of each (approach, case study) pair, keyed by the approach,
        then by the case study's id: what `graph.queries.approaches.STUDIES` gives."""
        wanted = set(interventions)
        studies = self.studies(f)
        pairs: dict[str, dict[int, list[int]]] = {}
        start = self.claim_start
        candidates = self._candidate_claims(f)
        by_study: Iterable[tuple[int, Iterable[int]]]
        if len(candidates) <= sum(start[n + 1] - start[n] for n in self.applied):
            by_study = groupby(
                (c for c in candidates if self.interventions[self.claim_study[c]]),
                key=self.claim_study.__getitem__,
            )
        else:  # fewer claims among the case studies that apply an approach: only those
            by_study = ((n, iter(range(start[n], start[n + 1]))) for n in self.applied)
        # Either way in claim order (numbers in order, their claims laid out so), as
        # `matching_claims` gives them: the pairs come in the same order.
        for study, claims in by_study:
            if studies is not None and study not in studies:
                continue
            passing = [claim for claim in claims if self.claim_passes(claim, f)]
            if not passing:
                continue
            for intervention in dict.fromkeys(self.interventions[study]):
                if not wanted or intervention in wanted:
                    pairs.setdefault(intervention, {})[study] = passing
        return {
            i: {self.ids[study]: claims for study, claims in found.items()}
            for i, found in pairs.items()
        }

    def claim(self, claim: int) -> dict[str, Any]:
        """A claim as an approach card reads it."""
        outcome = self.outcome[claim]
        return {
            "strength": self.strength[claim],
            "direction": self.direction[claim],
            "evidence_type": self.evidence_type[claim],
            "outcome": outcome,
            "outcome_name": self.outcome_names.get(outcome),
        }

    def recency(self, n: int) -> int:
        recent = self.recent[n]
        return recent if recent is not None else 0


_TEST_EACH = 20_000
"""Above this many candidates, searching the joined text beats testing each one's strings."""


def _size(postings: dict[Any, array[int]], values: list[str]) -> int:
    return sum(len(postings.get(v, ())) for v in values) if values else sys.maxsize


async def build(db: Db, version: Any, *, max_claims: int) -> EvidenceIndex:
    """The index of the graph as it is now, from a few statements that each return one list.

    Raises:
        TooManyClaims: the graph holds more than `max_claims` claims.
    """
    built = _Builder(max_claims)
    [outcomes] = await db.read(q.OUTCOMES)
    built.outcome_names = dict(outcomes["outcomes"])
    for outcome in built.outcome_names:
        [found] = await db.read(q.CLAIMS, outcome=outcome)
        built.add_claims(outcome, found["rows"])
    for kind in LINK_KINDS:
        [found] = await db.read(q.LINKS[kind])
        built.add_links(kind, found["rows"])
    [found] = await db.read(q.CASE_STUDIES)
    built.studies = found["rows"]
    built.number()
    index = EvidenceIndex(version, built)
    index.vocabulary = await from_graph(db)
    return index
