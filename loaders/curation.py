"""Curators' decisions on submissions: accept (grading each claim), request changes, decline.

Accepting writes the case study through the loaders' pipeline as a load of its own, whose record
says who decided, when, why, and which statements it changed: the graph's load state moves on,
so the evidence index and the SPARQL store refresh, and the decision is public provenance. The
submission's move to "accepted" is written in that load's own transaction: both, or neither. The
submitter's own claims stay in the private submission and are named in the decision too; the
published grade is the curator's.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from graph import private
from graph.db import Db
from graph.errors import Conflict
from graph.keys import ApiKey
from graph.model import Kind
from graph.private import PrivateRecord
from graph.private_labels import PrivateLabel
from graph.rating_rule import Direction
from graph.vocabulary import Unknown, Vocabulary, from_graph
from graph.writes import LoadTransaction, PropertyValue
from loaders.records import CaseStudyRecord, EvidenceTypeName, Slug, Text
from loaders.report import LoadFailed
from loaders.submissions import OPEN, EvaluationStatus, SubmissionStatus, load_record

DECISION = "curation-decision"
"""The `activity` of a load that a curator's decision made."""


class Grade(BaseModel):
    """The curator's grade of one claim, in the order the submission lists them."""

    model_config = ConfigDict(extra="forbid")
    evidence_type: EvidenceTypeName
    level: Slug | None = Field(default=None, description="Default: the type's default level.")
    direction: Direction = Direction.NOT_STATED


class Accept(BaseModel):
    """Publish the case study with the curator's grades."""

    model_config = ConfigDict(extra="forbid")
    decision: Literal["accept"]
    reason: Text = Field(description="Why: public, shown with the case study.")
    grades: list[Grade] = Field(
        max_length=100, description="One per claim of the submission, in its order."
    )
    note: Text | None = Field(default=None, description="For curators only: never shown.")


class RequestChanges(BaseModel):
    """Ask the submitter for changes; they see the message on their status page."""

    model_config = ConfigDict(extra="forbid")
    decision: Literal["request_changes"]
    message: Text
    note: Text | None = None


class Decline(BaseModel):
    """Decline, with a reason the submitter sees."""

    model_config = ConfigDict(extra="forbid")
    decision: Literal["decline"]
    reason: Text
    note: Text | None = None


Decision = Annotated[Accept | RequestChanges | Decline, Field(discriminator="decision")]


class DecisionResult(BaseModel):
    """What a decision did."""

    receipt: str
    status: SubmissionStatus
    case_study: str | None = None
    load_id: str | None = Field(default=None, description="The load that published it.")
    changed: list[str] = Field(default_factory=list, description="Statements written.")


class GradesMismatch(Exception):
    """The grades do not match the submission's claims (422)."""

    status: ClassVar[int] = 422
    slug: ClassVar[str] = "invalid"

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("The grades do not fit the submission; nothing was written.")
        self.errors = errors


class QueueItem(BaseModel):
    """A submission waiting for a decision, as curators see it (contact included)."""

    receipt: str
    status: SubmissionStatus
    submitted_at: str
    evaluation_status: EvaluationStatus
    expected_report_date: str | None
    case_study: dict[str, Any]
    contact: dict[str, Any]
    messages: list[dict[str, Any]]
    revisions: list[dict[str, Any]] = Field(
        default_factory=list, description="Versions the submitter replaced, oldest first."
    )


async def queue(db: Db, *, limit: int, offset: int) -> tuple[list[QueueItem], int]:
    """Open submissions, oldest first, and how many there are."""
    records, total = await private.page(
        db, PrivateLabel.SUBMISSION, OPEN, limit=limit, offset=offset
    )
    return [_item(r) for r in records], total


def _item(record: PrivateRecord) -> QueueItem:
    doc = record.doc
    return QueueItem(
        receipt=record.id,
        status=SubmissionStatus(record.claimed_from or record.status),
        submitted_at=record.created_at,
        evaluation_status=EvaluationStatus(doc["evaluation_status"]),
        expected_report_date=doc.get("expected_report_date"),
        case_study=doc["case_study"],
        contact=doc["contact"],
        messages=doc.get("messages", []),
        revisions=doc.get("revisions", []),
    )


async def decide(db: Db, receipt: str, decision: Decision, curator: ApiKey) -> DecisionResult:
    """Record a curator's decision on an open submission (and publish it if accepted).

    Raises:
        NotFound: no such submission. Conflict: already decided.
        GradesMismatch: the grades do not fit its claims, or break a rule of the load.
    """
    record = await private.get(db, PrivateLabel.SUBMISSION, receipt)
    record = await private.unclaimed(db, PrivateLabel.SUBMISSION, record)
    if record.status == private.CLAIMED:
        raise Conflict(f"{receipt} is being decided by another curator.")
    if record.status not in OPEN:
        raise Conflict(f"{receipt} has already been {record.status}.")
    # Claimed before anything is written, so of two curators deciding at once only one loads.
    async with private.claimed(db, PrivateLabel.SUBMISSION, record):
        return await _decide(db, record, decision, curator)


async def _decide(
    db: Db, record: PrivateRecord, decision: Decision, curator: ApiKey
) -> DecisionResult:
    entry: dict[str, Any] = {
        "decision": decision.decision,
        "at": private.now(),
        "curator": curator.organisation,
        "curator_key": curator.id,
        "note": decision.note,
    }
    if isinstance(decision, Accept):
        return await _accept(db, record, decision, curator, entry)
    if isinstance(decision, RequestChanges):
        status, told = SubmissionStatus.CHANGES_REQUESTED, decision.message
    else:
        status, told = SubmissionStatus.DECLINED, decision.reason
        entry["reason"] = told
    doc = _with_decision(record.doc, entry, told)
    await private.move(
        db,
        PrivateLabel.SUBMISSION,
        record.id,
        allowed_from=[private.CLAIMED],
        status=status,
        doc=doc,
    )
    return DecisionResult(receipt=record.id, status=status)


def _with_decision(
    doc: dict[str, Any], entry: dict[str, Any], told: str, **changes: Any
) -> dict[str, Any]:
    """The submission's document with a decision, and what its submitter is told, added."""
    return {
        **doc,
        **changes,
        "messages": [*doc.get("messages", []), {"at": entry["at"], "text": told}],
        "decisions": [*doc.get("decisions", []), entry],
    }


async def _accept(
    db: Db, record: PrivateRecord, decision: Accept, curator: ApiKey, entry: dict[str, Any]
) -> DecisionResult:
    submitted = CaseStudyRecord.model_validate(record.doc["case_study"])
    if record.doc["evaluation_status"] != EvaluationStatus.COMPLETED:
        # No findings yet: published as a study under way, with no claims to count as evidence
        # until its report is in; the outcomes its claims name are those it plans to report on
        # (the gap map's "being filled"), and the claims themselves stay in the submission.
        if decision.grades:
            message = (
                "A planned or ongoing evaluation has no findings yet: accept it without grades."
            )
            raise GradesMismatch([{"location": "body.grades", "message": message}])
        submitted = CaseStudyRecord.model_validate(
            {
                **submitted.model_dump(exclude={"evidence"}),
                "evaluation_status": record.doc["evaluation_status"],
                "expected_report_date": record.doc["expected_report_date"],
                "planned_outcomes": [claim.outcome for claim in submitted.evidence],
            }
        )
    if len(decision.grades) != len(submitted.evidence):
        count = f"Give one grade per claim: the submission has {len(submitted.evidence)}."
        raise GradesMismatch([{"location": "body.grades", "message": count}])
    vocabulary = await from_graph(db)
    too_strong = [
        {"location": f"body.grades.{i}.level", "message": why}
        for i, grade in enumerate(decision.grades)
        if (why := _above_its_type(vocabulary, grade))
    ]
    if too_strong:
        raise GradesMismatch(too_strong)
    graded = [
        claim.model_copy(update=grade.model_dump(exclude_none=True))
        for claim, grade in zip(submitted.evidence, decision.grades, strict=True)
    ]
    accepted = submitted.model_copy(update={"evidence": graded})
    changed = await statements_of(db, accepted)
    provenance: dict[str, PropertyValue] = {
        "activity": DECISION,
        "decision": "accept",
        "curator": curator.organisation,
        "reason": decision.reason,
        **subject_props(changed, accepted.id),
        # Sorted, as a backup restores them; each names its outcome, so they still pair up.
        "submitter_claims": sorted(_claim_text(c) for c in submitted.evidence),
        "curator_grades": sorted(_claim_text(c) for c in graded),
        "evaluation_status": str(record.doc["evaluation_status"]),
    }
    if due := record.doc.get("expected_report_date"):
        provenance["expected_report_date"] = str(due)

    async def record_decision(tx: LoadTransaction, load_id: str | None) -> None:
        # In the load's transaction: a decision cut short leaves neither a study published
        # under a submission still open nor a submission accepted with nothing published.
        decided = entry | {"reason": decision.reason, "load_id": load_id, "changed": changed}
        doc = _with_decision(
            record.doc,
            decided,
            decision.reason,
            accepted_record=accepted.model_dump(mode="json", exclude_none=True),
        )
        await private.move(
            tx,
            PrivateLabel.SUBMISSION,
            record.id,
            allowed_from=[private.CLAIMED],
            status=SubmissionStatus.ACCEPTED,
            doc=doc,
            subject=accepted.id,
        )

    try:
        load_id = await load_record(
            db,
            accepted,
            dry_run=False,
            source_name=f"{accepted.id}.json",
            provenance=provenance,
            before_commit=record_decision,
        )
    except LoadFailed as e:
        errors = [{"location": "body.grades", "message": str(i.message)} for i in e.report.issues]
        raise GradesMismatch(errors) from e
    return DecisionResult(
        receipt=record.id,
        status=SubmissionStatus.ACCEPTED,
        case_study=accepted.id,
        load_id=load_id,
        changed=changed,
    )


async def statements_of(db: Db, record: CaseStudyRecord) -> list[str]:
    """The ids a case study's load writes: the study and each of its claims."""
    vocabulary = await from_graph(db)
    claims = []
    for claim in record.evidence:
        try:
            claims.append(f"claim-{record.id}-{vocabulary.resolve(claim.outcome, Kind.OUTCOME)}")
        except Unknown:
            continue  # the load itself reports it
    return [record.id, *claims]


def subject_props(ids: list[str], study: str) -> dict[str, PropertyValue]:
    """The statements a load wrote, with their kinds (the study, else its claims), sorted."""
    ordered = sorted(set(ids))
    kinds = [Kind.CASE_STUDY if i == study else Kind.EVIDENCE_CLAIM for i in ordered]
    return {"subjects": ordered, "subject_kinds": [k.value for k in kinds]}


def _above_its_type(vocabulary: Vocabulary, grade: Grade) -> str | None:
    """Why a grade is stronger than its evidence type supports (the type's default level in
    data/evidence/scales.yaml, the rule partners' contributions keep too), or None."""
    type_term = vocabulary.terms.get(grade.evidence_type.node_id)
    ceiling = vocabulary.terms.get(type_term.default_level or "") if type_term else None
    level = vocabulary.terms.get(grade.level) if grade.level else None
    if level is None or ceiling is None or level.strength is None or ceiling.strength is None:
        return None  # no level given (the type's own), or unknown: the load says which
    if level.strength <= ceiling.strength:
        return None
    return (
        f"{grade.level!r} (strength {level.strength}) is more than {grade.evidence_type.value!r} "
        f"evidence supports: at most strength {ceiling.strength} ({ceiling.id!r})."
    )


def _claim_text(claim: Any) -> str:
    level = claim.level or "default level"
    return f"{claim.outcome}: {claim.evidence_type}, {level}, {claim.direction}"
