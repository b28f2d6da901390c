"""Reports of errors in one statement, and how curators resolve them.

Anyone may report a problem with a node's field or a claim's grade; the report is kept privately
(its contact too) and linked to the statement by id. A curator resolves it as `kept` (with a
reason) or `corrected` (with the new value): a correction rewrites the case study through the
loaders' pipeline, as a load whose record says what changed, when, why and on which report, so
it is public provenance like a decision. Statements loaded from the curated data files are
corrected in those files; only case studies accepted from submissions, whose record is kept
here, are corrected through the API.
"""

from __future__ import annotations

import secrets
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from graph import curation, private, writes
from graph.db import Db
from graph.errors import Conflict
from graph.keys import ApiKey
from graph.model import Kind
from graph.private import PrivateRecord
from graph.private_labels import PrivateLabel
from graph.writes import LoadTransaction, PropertyValue
from loaders.curation import statements_of, subject_props
from loaders.messages import in_words
from loaders.records import CaseStudyRecord, Name, NodeRecord, Slug, Text
from loaders.report import LoadFailed
from loaders.submissions import HONEYPOT, Email, HoneypotFilled, SubmissionStatus, load_record

CORRECTION = "correction"
"""The `activity` of a load that a correction made."""
CLAIM_ASPECTS = ("evidence_type", "level", "direction")
_NOT_FIELDS = frozenset({"id", "kind", "links", "evidence"})
FIELDS: dict[Kind, frozenset[str]] = {
    Kind.CASE_STUDY: frozenset(CaseStudyRecord.model_fields) - _NOT_FIELDS,
}
"""Fields a report may name, by kind; other kinds: a framework node's fields."""
_NODE_FIELDS = frozenset(NodeRecord.model_fields) - _NOT_FIELDS


class ReportStatus(StrEnum):
    """Where a report stands: open, or resolved as corrected or kept."""

    OPEN = "open"
    CORRECTED = "corrected"
    KEPT = "kept"


class ReportIn(BaseModel):
    """A problem with one statement: a node's field, or a claim's grade."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "statement": "claim-some-study-digital-inclusion",
                    "aspect": "level",
                    "message": "The report is a self-evaluation, not an independent one.",
                    "suggested_value": "self-reported",
                }
            ]
        },
    )
    statement: Slug = Field(description="The id of the node or claim.")
    field: Name | None = Field(default=None, description="For a node: which of its fields.")
    aspect: Literal["evidence_type", "level", "direction"] | None = Field(
        default=None, description="For a claim: which part of its grade."
    )
    message: Text = Field(description="What is wrong, in your words.")
    suggested_value: Name | None = None
    contact: Email | None = Field(default=None, description="Kept private; optional.")
    website: str = Field(default="", description="Leave empty (a trap for bots).")

    @model_validator(mode="before")
    @classmethod
    def _honeypot(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get(HONEYPOT):
            raise HoneypotFilled
        return data


class Resolution(BaseModel):
    """How a curator resolves a report."""

    model_config = ConfigDict(extra="forbid")
    resolution: Literal["corrected", "kept"]
    reason: Text = Field(description="Why: public, shown with the correction or the report.")
    value: str | int | list[str] | None = Field(
        default=None, description="For 'corrected': the statement's new value."
    )


class ReportView(BaseModel):
    """A report as anyone holding its id sees it (never its contact)."""

    id: str
    status: ReportStatus
    reported_at: str
    statement: str
    field: str | None = None
    aspect: str | None = None
    message: str
    suggested_value: str | None = None
    resolution: dict[str, Any] | None = None


class ReportRefused(Exception):
    """A report or resolution that does not fit its statement (422), located."""

    status: ClassVar[int] = 422
    slug: ClassVar[str] = "invalid"

    def __init__(self, location: str, message: str) -> None:
        super().__init__(message)
        self.errors = [{"location": location, "message": message}]


class NotCorrectableHere(Conflict):
    """The statement comes from a curated data file: it is corrected there, not here."""


async def report(db: Db, body: ReportIn) -> ReportView:
    """Keep a report about a statement that exists, naming a field or aspect it has."""
    kind = (await writes.existing_kinds(db, [body.statement])).get(body.statement)
    if kind is None:
        raise ReportRefused("body.statement", f"No statement has the id {body.statement!r}.")
    if kind is Kind.EVIDENCE_CLAIM:
        if body.aspect is None or body.field is not None:
            raise ReportRefused("body.aspect", f"For a claim, name one of {CLAIM_ASPECTS}.")
    elif body.field not in FIELDS.get(kind, _NODE_FIELDS) or body.aspect is not None:
        fields = ", ".join(sorted(FIELDS.get(kind, _NODE_FIELDS)))
        raise ReportRefused("body.field", f"For {kind.value}, name one of its fields: {fields}.")
    doc = body.model_dump(exclude={"website"}) | {"kind": kind.value, "resolution": None}
    record = await private.create(
        db,
        PrivateLabel.REPORT,
        f"r{secrets.token_hex(10)}",
        ReportStatus.OPEN,
        doc,
        subject=body.statement,
    )
    return view(record)


def view(record: PrivateRecord) -> ReportView:
    doc = record.doc
    return ReportView(
        id=record.id,
        status=ReportStatus(record.claimed_from or record.status),
        reported_at=record.created_at,
        statement=doc["statement"],
        field=doc.get("field"),
        aspect=doc.get("aspect"),
        message=doc["message"],
        suggested_value=doc.get("suggested_value"),
        resolution=doc.get("resolution"),
    )


async def open_reports(db: Db, *, limit: int, offset: int) -> tuple[list[PrivateRecord], int]:
    """Open reports, oldest first (with their contacts: for curators only)."""
    return await private.page(
        db, PrivateLabel.REPORT, [ReportStatus.OPEN], limit=limit, offset=offset
    )


async def resolve(db: Db, report_id: str, body: Resolution, curator: ApiKey) -> ReportView:
    """Resolve an open report: kept, or corrected by a load with provenance.

    Raises:
        NotFound, Conflict (already resolved; or not correctable through the API),
        ReportRefused (the new value does not fit).
    """
    record = await private.get(db, PrivateLabel.REPORT, report_id)
    record = await private.unclaimed(db, PrivateLabel.REPORT, record)
    if record.status == private.CLAIMED:
        raise Conflict(f"{report_id} is being resolved by another curator.")
    if record.status != ReportStatus.OPEN:
        raise Conflict(f"{report_id} has already been resolved ({record.status}).")
    # Claimed before the correction's load, so two curators resolving at once load once.
    async with private.claimed(db, PrivateLabel.REPORT, record):
        return await _resolve(db, record, body, curator)


async def _resolve(db: Db, record: PrivateRecord, body: Resolution, curator: ApiKey) -> ReportView:
    resolution: dict[str, Any] = {
        "resolution": body.resolution,
        "reason": body.reason,
        "at": private.now(),
        "curator": curator.organisation,
    }
    if body.resolution == "corrected":
        if body.value is None:
            raise ReportRefused("body.value", "A correction needs the new value.")
        doc = await _correct(db, record, body, curator, resolution)
    else:
        doc = record.doc | {"resolution": resolution}
        await _move_report(db, record, body.resolution, doc)
    return view(record.model_copy(update={"status": body.resolution, "doc": doc}))


async def _move_report(
    db: Db | LoadTransaction, record: PrivateRecord, status: str, doc: dict[str, Any]
) -> None:
    await private.move(
        db,
        PrivateLabel.REPORT,
        record.id,
        allowed_from=[private.CLAIMED],
        status=status,
        doc=doc,
        subject=record.subject,
    )


async def _correct(
    db: Db,
    report_record: PrivateRecord,
    body: Resolution,
    curator: ApiKey,
    resolution: dict[str, Any],
) -> dict[str, Any]:
    """Correct the study by a load, and resolve the report; returns the report's document."""
    statement = str(report_record.doc["statement"])
    is_claim = report_record.doc["kind"] == Kind.EVIDENCE_CLAIM.value
    study = await curation.study_of_claim(db, statement) if is_claim else statement
    accepted = [SubmissionStatus.ACCEPTED.value]
    submission = await private.about(
        db, PrivateLabel.SUBMISSION, study or "", [*accepted, private.CLAIMED]
    )
    if submission is not None:
        submission = await private.unclaimed(db, PrivateLabel.SUBMISSION, submission)
    if submission is None or study is None:
        raise NotCorrectableHere(
            f"{statement} comes from a curated data file: correct it there and load it again, "
            "then resolve this report as kept, saying so."
        )
    if submission.status == private.CLAIMED:
        raise Conflict(
            f"{study} is being changed by another curator: resolve this report once that is done."
        )
    # Claimed for the whole correction: two corrections of one study at once would each load
    # the record as they read it, and the later would undo the earlier's change.
    async with private.claimed(db, PrivateLabel.SUBMISSION, submission):
        return await _correct_study(db, report_record, body, curator, submission, study, resolution)


async def _correct_study(
    db: Db,
    report_record: PrivateRecord,
    body: Resolution,
    curator: ApiKey,
    submission: PrivateRecord,
    study: str,
    resolution: dict[str, Any],
) -> dict[str, Any]:
    statement = str(report_record.doc["statement"])
    record = CaseStudyRecord.model_validate(submission.doc["accepted_record"])
    corrected, change = await _changed(db, record, report_record.doc, body.value, statement)
    provenance: dict[str, PropertyValue] = {
        "activity": CORRECTION,
        "report": report_record.id,
        "curator": curator.organisation,
        "reason": body.reason,
        **subject_props([study, statement], study),
        "changes": [change],
    }

    def resolved(load_id: str | None) -> dict[str, Any]:
        """The report's document, resolved by this correction's load."""
        done = {"value": body.value, "change": change, "load_id": load_id}
        return report_record.doc | {"resolution": resolution | done}

    async def record_correction(tx: LoadTransaction, load_id: str | None) -> None:
        # In the load's transaction: a correction cut short leaves the study as it was and
        # both records open to be decided again, never the study changed and its report open.
        sub_doc = submission.doc | {"accepted_record": corrected.model_dump(mode="json")}
        await private.move(
            tx,
            PrivateLabel.SUBMISSION,
            submission.id,
            allowed_from=[private.CLAIMED],
            status=SubmissionStatus.ACCEPTED,
            doc=sub_doc,
            subject=study,
        )
        await _move_report(tx, report_record, body.resolution, resolved(load_id))

    try:
        load_id = await load_record(
            db,
            corrected,
            dry_run=False,
            source_name=f"{study}.json",
            provenance=provenance,
            before_commit=record_correction,
        )
    except LoadFailed as e:
        raise ReportRefused("body.value", e.report.issues[0].message) from e
    return resolved(load_id)


async def _changed(
    db: Db, record: CaseStudyRecord, doc: dict[str, Any], value: object, statement: str
) -> tuple[CaseStudyRecord, str]:
    data = record.model_dump(mode="json", exclude_none=True)
    if doc["kind"] == Kind.EVIDENCE_CLAIM.value:
        aspect = str(doc["aspect"])
        ids = (await statements_of(db, record))[1:]
        index = ids.index(statement) if statement in ids else None
        if index is None:
            raise ReportRefused("body", f"{statement} is no longer among the case study's claims.")
        old = data["evidence"][index].get(aspect)
        data["evidence"][index][aspect] = value
        location, change = f"body.value ({aspect})", f"{statement} {aspect}: {old} → {value}"
    else:
        field = str(doc["field"])
        old = data.get(field)
        data[field] = value
        location, change = "body.value", f"{statement} {field}: {old} → {value}"
    try:
        return CaseStudyRecord.model_validate(data), change
    except ValidationError as e:
        raise ReportRefused(location, in_words(e.errors()[0])) from e
