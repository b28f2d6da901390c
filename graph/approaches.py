"""What works, as researchers ask it: approaches (interventions) rated by their case studies.

Each approach's evidence card comes from `graph.synthesis.build_card` over the case studies that
applied it, each counted once by its best claim in scope (the same filter as `/evidence`):

- its strength is that of its strongest claim that states a direction (a claim that does not say
  lends its strength to nothing); with no stated direction, its strongest claim's, `not_stated`;
- its direction is the one its stated claims agree on, or `mixed` when they disagree; a
  direction not stated is never read as positive.

The rule itself is read from the graph (the `evidence-ratings` scheme) on every request: one
small read, so a new rule loaded is used at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from graph.db import Db
from graph.errors import GraphError, NotFound
from graph.evidence import DIRECTION_WORDS, EvidenceFilter, NodeRef
from graph.evidence_index import EvidenceIndex
from graph.evidence_store import EvidenceStore
from graph.model import Kind
from graph.queries import approaches as q
from graph.queries import evidence_index as index_q
from graph.queries import nodes as nodes_q
from graph.rating_rule import RATING_FIELDS, STRENGTH_NAMES, Direction, Rule
from graph.synthesis import MAX_LISTED, EvidenceCard, Study, build_card, ranking_key

MAX_STUDY_ROWS = 20_000
"""Most (approach, case study) pairs one answer rates; a broader scope is refused, not cut."""
MAX_INTERVENTIONS = 1_000
RULE_LINK = "/ratings"


class RuleMissing(GraphError):
    """The rating rule (the `evidence-ratings` scheme of `Rating` nodes) is not in the graph."""


class ScopeTooLarge(GraphError):
    """More (approach, case study) pairs than one answer may rate: narrow the filter."""


class NotAnIntervention(NotFound):
    """No intervention has the id (there may be a node of another kind with it)."""

    def __init__(self, node_id: str, kind: Kind | None) -> None:
        super().__init__(node_id)
        other = f" ({node_id!r} is of kind {kind.value})" if kind else ""
        self.args = (f"No intervention has the id {node_id!r}{other}.",)


class InterventionRef(BaseModel):
    """An approach: its id, name and family."""

    id: str
    name: str
    family: NodeRef | None


class StudyEntry(BaseModel):
    """A case study behind a card, counted once by its best claim in scope."""

    id: str
    title: str
    organisation: str | None
    strength: int = Field(description="Of its best claim in scope, on the common 1-5 scale.")
    strength_name: str
    direction: Direction = Field(
        description="What its claims in scope report: mixed if they disagree; not_stated if "
        "none says (never counted as positive)."
    )
    direction_words: str
    evidence_type: str | None
    outcomes: list[NodeRef] = Field(description="The outcomes of its claims in scope.")
    source: str | None


class Approach(BaseModel):
    """An approach ranked for what works: its card and the case studies behind it."""

    intervention: InterventionRef
    card: EvidenceCard
    case_studies: list[StudyEntry] = Field(description="Strongest first; at most 100 listed.")


class WhatWorks(BaseModel):
    """Approaches ranked by their evidence for the outcomes asked about, strongest first."""

    outcome: list[NodeRef] = Field(description="The outcomes asked about; empty: all outcomes.")
    items: list[Approach]
    total: int = Field(description="Approaches with at least one case study in scope.")
    limit: int
    offset: int
    rule: str = Field(description="How ratings are given, and where the rule is.")


class InterventionSummary(BaseModel):
    """An approach, how many case studies applied it, and its card for the filter."""

    id: str
    name: str
    description: str | None
    family: NodeRef | None
    case_studies: int = Field(description="Case studies that applied it, whatever the filter.")
    card: EvidenceCard = Field(description="The case studies in scope, rated.")


class InterventionPage(BaseModel):
    """One page of approaches, by family then name, or by rating."""

    items: list[InterventionSummary]
    total: int
    limit: int
    offset: int


class OutcomeCard(BaseModel):
    """The card for one approach and one outcome."""

    outcome: NodeRef
    card: EvidenceCard


class InterventionDetail(BaseModel):
    """One approach: its card, the case studies behind it, and a card per outcome."""

    intervention: InterventionRef
    description: str | None
    case_studies_total: int = Field(
        description="Case studies that applied it, whatever the filter."
    )
    card: EvidenceCard
    case_studies: list[StudyEntry] = Field(description="In scope, strongest first; at most 100.")
    outcomes: list[OutcomeCard] = Field(description="Each outcome with claims in scope, ranked.")


class RatingClauses(BaseModel):
    """One rating: when it is given (all its conditions hold), and where it ranks."""

    id: str
    name: str
    description: str
    order: int = Field(description="Ratings are checked in this order; the first that holds.")
    rank: int = Field(description="Where it ranks approaches, higher first.")
    needs: list[str] = Field(description="Its conditions in words; all must hold.")
    conditions: dict[str, int | str] = Field(description="The same conditions as data.")


class RatingRule(BaseModel):
    """The rule every card's rating comes from, as data, so any rating can be checked."""

    scheme: NodeRef
    description: str | None
    counting: str = Field(description="How case studies are counted.")
    ratings: list[RatingClauses]


COUNTING = (
    "Each case study that applied the approach is counted once, by its best claim in scope: the "
    "strength of its strongest claim that states a direction, and the direction its claims "
    "agree on (mixed if they disagree, not stated if none says, never assumed positive)."
)


async def rating_rule(db: Db) -> Rule:
    """The rule, from the `Rating` nodes of the `evidence-ratings` scheme.

    Raises:
        RuleMissing: no rating rule is loaded, or it is not a complete rule.
    """
    rows = await db.read(q.RATING_RULE)
    try:
        return Rule.from_rows(r["rating"] for r in rows)
    except ValidationError as e:
        raise RuleMissing(
            "The evidence-ratings rule is not loaded (load data/evidence/ratings.yaml)."
        ) from e


async def rule_as_data(db: Db) -> RatingRule:
    """The rating rule as data: each rating with its clauses in words."""
    rule = await rating_rule(db)
    [scheme] = await db.read(q.RATING_SCHEME)
    fields = [f for f in RATING_FIELDS if f != "rank"]
    return RatingRule(
        scheme=NodeRef(id=scheme["id"], name=scheme["name"]),
        description=scheme["description"],
        counting=COUNTING,
        ratings=[
            RatingClauses(
                id=r.id,
                name=r.name,
                description=r.description,
                order=r.order,
                rank=r.rank,
                needs=r.needs() or ["none of the above"],
                conditions={
                    f: v if isinstance(v, int) else str(v)
                    for f in fields
                    if (v := getattr(r, f)) is not None
                },
            )
            for r in rule.ratings
        ],
    )


def rule_summary(rule: Rule) -> str:
    """How ratings are given, in one line, with a link to the rule."""
    names = ", ".join(r.name.lower() for r in rule.ratings)
    return (
        f"Each approach is rated by the first of: {names}, whose conditions its case studies "
        "meet (each counted once, by its best claim in scope; a direction not stated counts "
        f"for nothing); the card's rule names the clause. The rule as data: {RULE_LINK}."
    )


def best_claim(claims: list[dict[str, Any]]) -> dict[str, Any]:
    """A case study's best claim in scope: its strength, direction and evidence type."""
    stated = [c for c in claims if (c.get("direction") or "not_stated") != "not_stated"]
    chosen = stated or claims
    top = max(chosen, key=lambda c: (c["strength"], c.get("evidence_type") or ""))
    directions = {c["direction"] for c in stated}
    if not directions:
        direction = Direction.NOT_STATED
    else:
        direction = Direction(directions.pop()) if len(directions) == 1 else Direction.MIXED
    return {"strength": top["strength"], "direction": direction, "type": top.get("evidence_type")}


class _Scope:
    """The (approach, case study) rows in scope, as studies per approach and per outcome."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            self.rows[row["intervention"]].append(row)

    def studies(self, intervention: str, outcome: str | None = None) -> list[Study]:
        out = []
        for row in self.rows.get(intervention, []):
            claims = [c for c in row["claims"] if outcome is None or c["outcome"] == outcome]
            if claims:
                out.append(_study(row, claims))
        return out

    def entries(self, intervention: str) -> list[StudyEntry]:
        entries = [_entry(row) for row in self.rows.get(intervention, [])]
        return sorted(entries, key=lambda e: (-e.strength, e.title, e.id))[:MAX_LISTED]

    def outcomes(self, intervention: str) -> dict[str, str]:
        return {
            c["outcome"]: c["outcome_name"]
            for row in self.rows.get(intervention, [])
            for c in row["claims"]
        }


def _study(row: dict[str, Any], claims: list[dict[str, Any]]) -> Study:
    best = best_claim(claims)
    study = row["study"]
    return Study(
        case_study_id=study["id"],
        title=study["name"],
        organisation=row["organisation"],
        places=row["places"] or [],
        strength=best["strength"],
        direction=best["direction"],
        evidence_type=best["type"],
        reported_results=study.get("reported_results") or [],
        source_urls=study.get("source_urls") or [],
    )


def _entry(row: dict[str, Any]) -> StudyEntry:
    s = _study(row, row["claims"])
    outcomes = {c["outcome"]: c["outcome_name"] for c in row["claims"]}
    return StudyEntry(
        id=s.case_study_id,
        title=s.title,
        organisation=s.organisation,
        strength=s.strength,
        strength_name=STRENGTH_NAMES[s.strength],
        direction=s.direction,
        direction_words=DIRECTION_WORDS[s.direction.value],
        evidence_type=s.evidence_type,
        outcomes=[NodeRef(id=k, name=v) for k, v in sorted(outcomes.items(), key=lambda i: i[1])],
        source=s.source,
    )


async def _scope(
    db: Db, evidence: EvidenceFilter, interventions: list[str], store: EvidenceStore | None
) -> _Scope:
    """The pairs in scope, from the index when there is one, else from `q.STUDIES`.

    Raises:
        ScopeTooLarge: MAX_STUDY_ROWS pairs or more are in scope.
    """
    index = await store.index(db) if store is not None else None
    if index is not None:
        return _Scope(await _indexed_rows(db, index, evidence, interventions))
    params = {**evidence.params(), "interventions": interventions, "max_rows": MAX_STUDY_ROWS}
    rows = await db.read(q.STUDIES, **params)
    if len(rows) >= MAX_STUDY_ROWS:
        raise _too_large()
    return _Scope(rows)


def _too_large() -> ScopeTooLarge:
    return ScopeTooLarge(
        f"More than {MAX_STUDY_ROWS - 1} (approach, case study) pairs match: narrow the "
        "filter (an outcome, a theme, a region, a minimum strength)."
    )


async def _indexed_rows(
    db: Db, index: EvidenceIndex, evidence: EvidenceFilter, interventions: list[str]
) -> list[dict[str, Any]]:
    """The rows of `q.STUDIES`, the pairs in scope found by the index; the details of their
    case studies read by id, and not at all when there are too many to rate."""
    pairs = index.scope(evidence, interventions)
    if sum(len(studies) for studies in pairs.values()) >= MAX_STUDY_ROWS:
        raise _too_large()
    ids = sorted({study for studies in pairs.values() for study in studies})
    details = {r["study"]["id"]: r for r in await db.read(index_q.STUDY_DETAILS, ids=ids)}
    return [
        {
            **details[study],
            "intervention": intervention,
            "claims": [index.claim(c) for c in claims],
        }
        for intervention, studies in pairs.items()
        for study, claims in studies.items()
    ]


async def _interventions(db: Db, ids: Iterable[str] = ()) -> list[dict[str, Any]]:
    chosen = list(ids)
    if not chosen:
        return await db.read(q.INTERVENTIONS, limit=MAX_INTERVENTIONS)
    return await db.read(q.INTERVENTIONS_BY_ID, interventions=chosen, limit=MAX_INTERVENTIONS)


def _ref(row: dict[str, Any]) -> InterventionRef:
    family = NodeRef(id=row["family_id"], name=row["family_name"]) if row["family_id"] else None
    return InterventionRef(id=row["id"], name=row["name"], family=family)


async def what_works(
    db: Db,
    evidence: EvidenceFilter,
    *,
    limit: int,
    offset: int,
    store: EvidenceStore | None = None,
) -> WhatWorks:
    """Approaches with case studies in scope, ranked by `ranking_key`: rating rank, then best
    strength, then number of studies (then name)."""
    rule = await rating_rule(db)
    scope = await _scope(db, evidence, [], store)
    known = await _interventions(db, scope.rows) if scope.rows else []
    approaches = [
        Approach(
            intervention=_ref(row),
            card=build_card(rule, scope.studies(row["id"])),
            case_studies=scope.entries(row["id"]),
        )
        for row in known
    ]
    approaches.sort(key=lambda a: (ranking_key(a.card), a.intervention.name))
    names = await db.read(nodes_q.NODE_SUMMARIES, ids=evidence.outcomes)
    return WhatWorks(
        outcome=[NodeRef(id=r["id"], name=r["name"]) for r in names],
        items=approaches[offset : offset + limit],
        total=len(approaches),
        limit=limit,
        offset=offset,
        rule=rule_summary(rule),
    )


async def interventions(
    db: Db,
    evidence: EvidenceFilter,
    *,
    sort: Literal["family", "rating"],
    limit: int,
    offset: int,
    store: EvidenceStore | None = None,
) -> InterventionPage:
    """Every approach with its family, its number of case studies and its card for the filter,
    by family then name, or by rating (`ranking_key`)."""
    rule = await rating_rule(db)
    scope = await _scope(db, evidence, [], store)
    items = [
        InterventionSummary(
            id=row["id"],
            name=row["name"],
            description=row["description"],
            family=_ref(row).family,
            case_studies=row["case_studies"],
            card=build_card(rule, scope.studies(row["id"])),
        )
        for row in await _interventions(db)
    ]
    if sort == "rating":
        items.sort(key=lambda i: (ranking_key(i.card), i.name))
    page = items[offset : offset + limit]
    return InterventionPage(items=page, total=len(items), limit=limit, offset=offset)


async def intervention(
    db: Db, intervention_id: str, evidence: EvidenceFilter, store: EvidenceStore | None = None
) -> InterventionDetail:
    """One approach: its card, its case studies, and a card for each outcome in scope.

    Raises:
        NotAnIntervention: no intervention has the id.
    """
    found = await _interventions(db, [intervention_id])
    if not found:
        other = await db.read(nodes_q.NODE_SUMMARIES, ids=[intervention_id])
        kind = Kind.from_label(other[0]["labels"]) if other else None
        raise NotAnIntervention(intervention_id, kind)
    [row] = found
    rule = await rating_rule(db)
    scope = await _scope(db, evidence, [intervention_id], store)
    outcomes = [
        OutcomeCard(
            outcome=NodeRef(id=oid, name=name),
            card=build_card(rule, scope.studies(intervention_id, oid)),
        )
        for oid, name in scope.outcomes(intervention_id).items()
    ]
    outcomes.sort(key=lambda o: (ranking_key(o.card), o.outcome.name))
    return InterventionDetail(
        intervention=_ref(row),
        description=row["description"],
        case_studies_total=row["case_studies"],
        card=build_card(rule, scope.studies(intervention_id)),
        case_studies=scope.entries(intervention_id),
        outcomes=outcomes,
    )


def rule_clauses(rule: Rule) -> str:
    """The rule in words, one line a rating in the order checked (the API docs show this)."""
    return "\n".join(
        f"{r.notation}. **{r.name}** (`{r.id}`, rank {r.rank}): "
        + ("; ".join(r.needs()) if not r.fallback else "none of the above")
        + "."
        for r in rule.ratings
    )
