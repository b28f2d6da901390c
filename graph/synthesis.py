"""Evidence cards: what the case studies for one approach (or approach x outcome) add up to.

Pure functions and models; nothing here touches the database. The input is the rating rule (see
`graph.rating_rule`) and one `Study` per case study in scope, each with its best claim: the
shape one Cypher query per scope returns, for example

    MATCH (cs:CaseStudy)-[:APPLIES]->(:Intervention {id: $id}), (cs)-[:HAS_CLAIM]->(c)
    ... RETURN cs.id AS case_study_id, cs.name AS title, org.name AS organisation,
        places, c.strength AS strength, c.direction AS direction,
        c.evidence_type AS evidence_type, cs.reported_results AS reported_results,
        cs.source_urls AS source_urls

The card never reads stronger than its studies: studies are counted, not weighted; results
against are always listed; and the rating is recomputed without the weakest evidence.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from graph.rating_rule import (
    AGAINST,
    AGAINST_WORDS,
    STRENGTH_NAMES,
    Direction,
    Rule,
    Tally,
    plural,
)

WEAK_TYPES = frozenset({"self-reported-case-study", "news-report"})
"""Evidence types left out by the robustness check (as are all studies at strength 1)."""
MAX_LISTED = 100


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Study(_Model):
    """One case study in scope and its best claim for the scope."""

    case_study_id: str
    title: str
    organisation: str | None = None
    places: list[str] = Field(default_factory=list)
    strength: int = Field(ge=1, le=5, description="Of its best claim, on the common 1-5 scale.")
    direction: Direction = Direction.NOT_STATED
    evidence_type: str | None = Field(default=None, description="An EvidenceType id.")
    reported_results: list[str] = Field(default_factory=list)
    source_urls: list[str] = Field(default_factory=list)

    @field_validator("direction", mode="before")
    @classmethod
    def _unstated(cls, value: object) -> object:
        return Direction.NOT_STATED if value is None else value

    @field_validator("evidence_type")
    @classmethod
    def _as_node_id(cls, value: str | None) -> str | None:
        return value.replace("_", "-") if value else None

    @property
    def weak(self) -> bool:
        """Self-reported or a news report: what the robustness check leaves out."""
        return self.strength == 1 or self.evidence_type in WEAK_TYPES

    @property
    def source(self) -> str | None:
        return self.source_urls[0] if self.source_urls else None


class Crosswalk(_Model):
    """Another reading of the common scale: each strength 1-5 and the strength it becomes."""

    name: str
    strengths: dict[int, int]

    @field_validator("strengths")
    @classmethod
    def _every_strength(cls, value: dict[int, int]) -> dict[int, int]:
        if set(value) != set(STRENGTH_NAMES) or not set(value.values()) <= set(STRENGTH_NAMES):
            raise ValueError("maps each strength 1-5 to a strength 1-5")
        return value


class RatingRef(_Model):
    """A rating given: its id, name and rank (higher ranks first)."""

    id: str
    name: str
    rank: int


class StrengthLevel(_Model):
    """A strength on the common 1-5 scale, with its name."""

    strength: int
    name: str


class ReportedResult(_Model):
    """A figure as the case study states it (unverified)."""

    case_study_id: str
    text: str
    source: str | None


class StudyRef(_Model):
    """A case study a card lists, with its best claim's strength and direction."""

    case_study_id: str
    title: str
    organisation: str | None
    strength: int
    direction: Direction
    evidence_type: str | None
    source: str | None


class Robustness(_Model):
    """The rating recomputed on other evidence: does it hold?"""

    check: str = Field(description="What was changed, in words.")
    studies: int
    rating: RatingRef
    rule: str
    badge: Literal["holds", "changes"]
    changes_to: RatingRef | None = None


class EvidenceCard(_Model):
    """What the studies in one scope add up to, and the rule clause that rated them."""

    studies: int
    places: int
    strengths: dict[int, int] = Field(description="Studies at each strength 1-5.")
    best_strength: StrengthLevel | None
    directions: dict[Direction, int]
    rating: RatingRef
    rule: str = Field(description="The clause that gave the rating, with its numbers.")
    passed_over: list[str] = Field(description="Why each rating checked before it was not met.")
    summary: str
    reported_results: list[ReportedResult]
    reported_results_total: int
    did_not_work: list[StudyRef] = Field(description="Studies negative, no effect or mixed.")
    did_not_work_total: int
    robustness: Robustness
    crosswalk: Robustness | None = None


def build_card(
    rule: Rule,
    studies: Iterable[Study],
    *,
    crosswalk: Crosswalk | None = None,
    max_listed: int = MAX_LISTED,
) -> EvidenceCard:
    """The evidence card for one scope's studies (one per case study).

    Args:
        rule: The rating rule, from the `evidence-ratings` scheme.
        studies: One per case study, with its best claim for the scope.
        crosswalk: Optionally, the rating recomputed with strengths read another way.
        max_listed: At most this many reported results and results against are listed; the
            totals always count them all.

    Raises:
        ValueError: A case study appears twice (it would be counted twice).
    """
    studies = _distinct(studies)
    tally = _tally(studies)
    verdict = rule.apply(tally)
    rating = _ref(verdict.rating.id, rule)
    against = sorted(
        (s for s in studies if s.direction in AGAINST),
        key=lambda s: (-s.strength, s.case_study_id),
    )
    results = [
        ReportedResult(case_study_id=s.case_study_id, text=text, source=s.source)
        for s in sorted(studies, key=lambda s: (-s.strength, s.case_study_id))
        for text in s.reported_results
    ]
    robust = _recheck(rule, rating, [s for s in studies if not s.weak], WITHOUT_WEAK)
    walked = None
    if crosswalk is not None:
        moved = [
            s.model_copy(update={"strength": crosswalk.strengths[s.strength]}) for s in studies
        ]
        walked = _recheck(rule, rating, moved, f"strengths read as {crosswalk.name}")
    best = max((s.strength for s in studies), default=None)
    return EvidenceCard(
        studies=len(studies),
        places=len({p.strip().casefold() for s in studies for p in s.places}),
        strengths={
            n: sum(c for (s, _), c in tally.cells.items() if s == n) for n in STRENGTH_NAMES
        },
        best_strength=StrengthLevel(strength=best, name=STRENGTH_NAMES[best]) if best else None,
        directions={d: tally.count([d]) for d in Direction},
        rating=rating,
        rule=rule_text(tally, verdict.met, verdict.rating.name),
        passed_over=verdict.passed_over,
        summary=summary(tally, rating, studies, robust),
        reported_results=results[:max_listed],
        reported_results_total=len(results),
        did_not_work=[_study_ref(s) for s in against[:max_listed]],
        did_not_work_total=len(against),
        robustness=robust,
        crosswalk=walked,
    )


WITHOUT_WEAK = "without self-reported and news-report evidence"


def ranking_key(card: EvidenceCard) -> tuple[int, int, int]:
    """Sort key for approaches, strongest first: rating rank, then best strength, then the
    number of studies (`sorted(cards, key=ranking_key)`)."""
    best = card.best_strength.strength if card.best_strength else 0
    return (-card.rating.rank, -best, -card.studies)


def rule_text(tally: Tally, met: list[str], rating_name: str) -> str:
    """The clause that gave a rating, from the numbers: '2 studies, both reported (strength 1);
    2 of 2 studies positive (needs 1): emerging'."""
    numbers = met or [_nothing_met(tally)]
    return f"{profile(tally)}; {', '.join(numbers)}: {rating_name.lower()}"


def profile(tally: Tally) -> str:
    """How many studies and how strong: '4 studies, strongest 1 independently evaluated
    (strength 4)'."""
    n = tally.studies
    if n == 0:
        return "No studies"
    best = max(s for (s, _), c in tally.cells.items() if c)
    at_best = tally.count(list(Direction), best)
    level = f"{STRENGTH_NAMES[best].lower()} (strength {best})"
    if at_best == n:
        return f"1 study, {level}" if n == 1 else f"{n} studies, {_all(n)} {level}"
    return f"{n} studies, strongest {at_best} {level}"


def summary(tally: Tally, rating: RatingRef, studies: list[Study], robust: Robustness) -> str:
    """The card in plain sentences: the rating, how weak the evidence is, what is unstated."""
    n = tally.studies
    if n == 0:
        return f"{rating.name}: no case studies offer evidence for this yet."
    places = len({p.strip().casefold() for s in studies for p in s.places})
    studied = plural(n, "case study", "case studies")
    parts = [f"{rating.name}: {studied} in {plural(places, 'place')}."]
    if (weak := _all_weak(n, max(s.strength for s in studies))) is not None:
        parts.append(weak)
    unstated = tally.count([Direction.NOT_STATED])
    if unstated == n:
        parts.append("No study states whether it worked.")
    elif unstated:
        parts.append(f"{unstated} of {n} do not state whether it worked.")
    if tally.against:
        parts.append(f"{tally.against} found it {AGAINST_WORDS}: see what did not work.")
    if robust.changes_to is not None:
        parts.append(f"{WITHOUT_WEAK.capitalize()} it would be {robust.changes_to.name.lower()}.")
    return " ".join(parts)


def _all_weak(n: int, best: int) -> str | None:
    """'All 5 studies are self-reported or news reports (strength 1): weak evidence.'"""
    those = "The only study is" if n == 1 else f"All {n} studies are"
    if best == 1:
        kind = "self-reported or a news report" if n == 1 else "self-reported or news reports"
        return f"{those} {kind} (strength 1): weak evidence."
    if best == 2:
        kind = (
            "the organisation's own figures at best"
            if n == 1
            else ("the organisations' own accounts or figures")
        )
        return f"{those} {kind}, checked by nobody else (strength 2 or below): weak evidence."
    return None


def _all(n: int) -> str:
    return "both" if n == 2 else "all"


def _nothing_met(tally: Tally) -> str:
    if tally.studies == 0:
        return "nothing to rate"
    if tally.stated == 0:
        return "none states a direction"
    return f"{tally.positive} positive and {tally.against} {AGAINST_WORDS} of {tally.stated}"


def _distinct(studies: Iterable[Study]) -> list[Study]:
    out: dict[str, Study] = {}
    for study in studies:
        if study.case_study_id in out:
            raise ValueError(
                f"case study {study.case_study_id!r} is given twice: give its best claim once"
            )
        out[study.case_study_id] = study
    return list(out.values())


def _tally(studies: Iterable[Study]) -> Tally:
    return Tally.of((s.strength, s.direction) for s in studies)


def _ref(rating_id: str, rule: Rule) -> RatingRef:
    rating = rule.by_id(rating_id)
    return RatingRef(id=rating.id, name=rating.name, rank=rating.rank)


def _study_ref(study: Study) -> StudyRef:
    fields = ("case_study_id", "title", "organisation", "strength", "direction", "evidence_type")
    return StudyRef(source=study.source, **{f: getattr(study, f) for f in fields})


def _recheck(rule: Rule, rating: RatingRef, studies: list[Study], check: str) -> Robustness:
    tally = _tally(studies)
    verdict = rule.apply(tally)
    again = _ref(verdict.rating.id, rule)
    return Robustness(
        check=check,
        studies=tally.studies,
        rating=again,
        rule=rule_text(tally, verdict.met, verdict.rating.name),
        badge="holds" if again.id == rating.id else "changes",
        changes_to=None if again.id == rating.id else again,
    )


def rule_table(rule: Rule) -> str:
    """The rule as a Markdown table, in the order it is checked (the README shows this)."""
    lines = ["| Checked | Rating | Rank | All of these hold |", "|---|---|---|---|"]
    for r in rule.ratings:
        needs = "; ".join(r.needs()) if not r.fallback else "none of the above"
        lines.append(f"| {r.notation} | {r.name} (`{r.id}`) | {r.rank} | {needs} |")
    return "\n".join(lines)
