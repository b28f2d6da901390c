"""Members' case-study submissions: read (JSON, or one case-study CSV row), validated exactly as
a curator's file is (the same `CaseStudyRecord`, names resolved by a dry run of the same load),
then kept privately until a curator decides (`loaders/curation.py`)."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import secrets
import tempfile
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from graph import private
from graph.db import Db
from graph.private import PrivateRecord
from graph.private_labels import PrivateLabel
from graph.vocabulary import slugify
from graph.writes import BeforeCommit
from loaders import case_studies
from loaders.messages import in_words
from loaders.pipeline import load_paths
from loaders.readers import Row
from loaders.records import CaseStudyRecord, Name
from loaders.report import Issue, LoadFailed

Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=300)]
HONEYPOT = "website"
"""A field people never see (the form hides it) and bots fill in."""
_CSV_EXTRA = ("contact_name", "contact_email", "evaluation_status", "expected_report_date")


class InvalidSubmission(Exception):
    """A submission that breaks the rules; nothing was stored (422), each problem located."""

    status: ClassVar[int] = 422
    slug: ClassVar[str] = "invalid-submission"

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        count = len(errors)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the submission; nothing was stored."
        )
        self.errors = errors


class HoneypotFilled(Exception):
    """The hidden field was filled in: refused (400) and nothing stored.

    A plain refusal rather than a pretended success: a person whose browser filled the field in
    is told so at once, instead of waiting for a receipt that leads nowhere.
    """

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "honeypot"

    def __init__(self) -> None:
        super().__init__(f"The field '{HONEYPOT}' must be left empty; nothing was stored.")
        self.errors = [{"location": f"body.{HONEYPOT}", "message": "Must be left empty."}]


EDIT_TOKEN_HEADER = "X-Edit-Token"  # noqa: S105 (a header's name, not a secret)
"""Where a submitter sends the edit token (a header, so it stays out of URLs and logs)."""


class EditTokenRefused(Exception):
    """A revision without the submission's edit token, or with another (403); nothing stored."""

    status: ClassVar[int] = 403
    slug: ClassVar[str] = "edit-token-refused"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.errors = [{"location": f"header.{EDIT_TOKEN_HEADER}", "message": message}]


class NotRevisable(Exception):
    """A revision of a submission the curators did not ask to change (409); nothing stored."""

    status: ClassVar[int] = 409
    slug: ClassVar[str] = "not-revisable"

    def __init__(self, status: str) -> None:
        message = (
            "Only a submission whose curators asked for changes can be revised; "
            f"this one is {status.replace('_', ' ')}."
        )
        super().__init__(message)
        self.errors = [{"location": "path.receipt", "message": message}]


class EvaluationStatus(StrEnum):
    """Where the evaluation stands (an Evaluation Registry's statuses)."""

    COMPLETED = "completed"
    PLANNED = "planned"
    ONGOING = "ongoing"


class SubmissionStatus(StrEnum):
    """Where a submission stands in the curators' review."""

    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"


OPEN = [SubmissionStatus.SUBMITTED.value, SubmissionStatus.CHANGES_REQUESTED.value]
"""Statuses a curator may still decide from."""


class Contact(BaseModel):
    """How curators reach the submitter: kept private, never shown on any page."""

    model_config = ConfigDict(extra="forbid")
    name: Name
    email: Email


class SubmissionIn(BaseModel):
    """A case study as a member submits it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "case_study": {
                        "title": "Digital inclusion hubs in Anytown",
                        "summary": "Drop-in help with devices and data in six libraries.",
                        "organisation": "Anytown Council",
                        "year": 2023,
                        "interventions": ["digital inclusion hubs"],
                        "reported_results": ["1,200 residents helped in the first year"],
                        "source_urls": ["https://example.org/anytown-hubs"],
                        "evidence": [
                            {"outcome": "digital inclusion", "evidence_type": "internal-evaluation"}
                        ],
                    },
                    "contact": {"name": "A. Officer", "email": "officer@anytown.gov.uk"},
                    "evaluation_status": "completed",
                }
            ]
        },
    )
    case_study: dict[str, Any] = Field(
        description="What they did, where, when, with whom, for which outcomes and "
        "interventions, what they found and their sources: a case-study record (the fields of "
        "a curator's case-study file) without its id, which the curators assign."
    )
    contact: Contact
    evaluation_status: EvaluationStatus = EvaluationStatus.COMPLETED
    expected_report_date: date | None = Field(
        default=None, description="For a planned or ongoing evaluation: when its report is due."
    )
    website: str = Field(default="", description="Leave empty (a trap for bots).")


class Revision(BaseModel):
    """A version the submitter replaced, kept for the curators (never public)."""

    replaced_at: str
    case_study: dict[str, Any]
    evaluation_status: EvaluationStatus
    expected_report_date: str | None = None


class Message(BaseModel):
    """What the curators tell the submitter."""

    at: str
    text: str


class SubmissionView(BaseModel):
    """What a submitter sees of their submission: never the contact or curators' notes."""

    receipt: str
    status: SubmissionStatus
    submitted_at: str
    updated_at: str
    title: str
    evaluation_status: EvaluationStatus
    expected_report_date: date | None = None
    case_study: str | None = Field(
        default=None, description="Once accepted: the id of the published case study."
    )
    messages: list[Message] = Field(default_factory=list)
    revised_at: list[str] = Field(
        default_factory=list, description="When the submitter sent revised versions."
    )


class Receipt(BaseModel):
    """The answer to a submission: keep the receipt to follow it."""

    receipt: str
    status: SubmissionStatus
    status_url: str
    edit_token: str | None = Field(
        default=None,
        description="Given once, in the answer to the submission: keep it secret. Send it as "
        f"the {EDIT_TOKEN_HEADER} header to revise the submission when the curators ask for "
        "changes. The receipt alone only shows the status.",
    )


def from_csv(text: str) -> dict[str, Any]:
    """A submission from one case-study CSV row (with a header), as `SubmissionIn` data."""
    rows = list(csv.DictReader(io.StringIO(text)))
    if len(rows) != 1:
        problem = {"location": "body", "message": "Send a header row and exactly one data row."}
        raise InvalidSubmission([problem])
    cells = {(k or "").strip(): (v or "").strip() for k, v in rows[0].items()}
    allowed = {*case_studies.CASE_STUDY_COLUMNS, *_CSV_EXTRA, HONEYPOT}
    unknown = sorted(c for c in cells if c not in allowed)
    if unknown:
        raise InvalidSubmission(
            [{"location": f"body.{c}", "message": "Unknown column."} for c in unknown]
        )
    data: dict[str, Any] = {
        "case_study": case_studies.row_to_record_data(Row(1, 2, cells)),
        "contact": {"name": cells.get("contact_name", ""), "email": cells.get("contact_email", "")},
        "website": cells.get(HONEYPOT, ""),
    }
    if not data["case_study"]["evidence"]:
        del data["case_study"]["evidence"]
    for key in ("evaluation_status", "expected_report_date"):
        if cells.get(key):
            data[key] = cells[key]
    return data


def parse(data: object) -> tuple[SubmissionIn, CaseStudyRecord]:
    """The submission and its case study, checked; the id is assigned here.

    Raises:
        HoneypotFilled, InvalidSubmission: refused; each problem is located by field.
    """
    if isinstance(data, dict) and data.get(HONEYPOT):
        raise HoneypotFilled
    try:
        submission = SubmissionIn.model_validate(data)
    except ValidationError as e:
        # The case study's own problems too, so a person filling in a form sees all of them
        # at once rather than one round each.
        study = data.get("case_study") if isinstance(data, dict) else None
        raise InvalidSubmission(_located(e, "body") + _study_problems(study)) from e
    errors = []
    status = submission.evaluation_status
    if status is EvaluationStatus.COMPLETED and submission.expected_report_date is not None:
        errors.append(_at("body.expected_report_date", "Only for a planned or ongoing one."))
    if status is not EvaluationStatus.COMPLETED and submission.expected_report_date is None:
        errors.append(_at("body.expected_report_date", f"Required for a {status} evaluation."))
    if "id" in submission.case_study:
        errors.append(_at("body.case_study.id", "Leave it out: the curators assign the id."))
    for key in ("evaluation_status", "expected_report_date", "planned_outcomes"):
        if key in submission.case_study:
            where = f"body.case_study.{key}"
            errors.append(_at(where, "Leave it out: say how the evaluation stands beside it."))
    title = submission.case_study.get("title")
    stem = slugify(title)[:60].strip("-") if isinstance(title, str) else ""
    record_id = f"{stem or 'case-study'}-{secrets.token_hex(3)}"
    try:
        record = CaseStudyRecord.model_validate({**submission.case_study, "id": record_id})
    except ValidationError as e:
        errors += _located(e, "body.case_study")
        raise InvalidSubmission(errors) from e
    if errors:
        raise InvalidSubmission(errors)
    return submission, record


async def check_names(db: Db, record: CaseStudyRecord) -> None:
    """Names resolved, and every rule of a load kept, by a dry run of the real load.

    Raises:
        InvalidSubmission: a name is unknown ("did you mean") or a rule is broken.
    """
    try:
        await load_record(db, record, dry_run=True, source_name="submission")
    except LoadFailed as e:
        raise InvalidSubmission([_issue(i) for i in e.report.issues]) from e


async def load_record(
    db: Db,
    record: CaseStudyRecord,
    *,
    dry_run: bool,
    source_name: str,
    provenance: dict[str, Any] | None = None,
    before_commit: BeforeCommit | None = None,
) -> str | None:
    """Load one case study through the loaders' pipeline; returns the load id if it wrote.
    `before_commit` records the decision behind the load in the load's own transaction."""
    document = {"case_studies": [record.model_dump(mode="json", exclude_none=True)]}
    with tempfile.TemporaryDirectory(prefix="submission-") as folder:
        path = Path(folder) / f"{record.id}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        report = await load_paths(
            db,
            [path],
            dry_run=dry_run,
            source_name=source_name,
            provenance=provenance,
            before_commit=before_commit,
        )
    return report.load_id


def _submitted(submission: SubmissionIn, record: CaseStudyRecord) -> dict[str, Any]:
    due = submission.expected_report_date
    return {
        "case_study": record.model_dump(mode="json", exclude_none=True),
        "contact": submission.contact.model_dump(),
        "evaluation_status": submission.evaluation_status.value,
        "expected_report_date": due.isoformat() if due else None,
    }


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def store(
    db: Db, submission: SubmissionIn, record: CaseStudyRecord
) -> tuple[PrivateRecord, str]:
    """Keep a checked submission privately, under a new receipt; returns it and its edit token.

    The receipt is a capability to read the status only: it is in the status page's URL, so in
    browser histories, shared links and access logs. Revising needs the edit token, given once
    and kept only as its digest.
    """
    receipt = f"s{secrets.token_hex(10)}"
    token = secrets.token_urlsafe(24)
    doc: dict[str, Any] = {
        **_submitted(submission, record),
        "edit_token_sha256": _digest(token),
        "messages": [],
        "decisions": [],
        "revisions": [],
    }
    stored = await private.create(
        db, PrivateLabel.SUBMISSION, receipt, SubmissionStatus.SUBMITTED, doc
    )
    return stored, token


def check_revisable(record: PrivateRecord, token: str | None) -> None:
    """Refuse a revision without the right edit token, or of a submission not sent back.

    Raises:
        EditTokenRefused: no token, or not this submission's. NotRevisable: not sent back.
    """
    digest = record.doc.get("edit_token_sha256")
    if not token:
        raise EditTokenRefused(f"Send the edit token from your receipt as {EDIT_TOKEN_HEADER}.")
    if not isinstance(digest, str) or not hmac.compare_digest(digest, _digest(token)):
        raise EditTokenRefused("This is not the submission's edit token.")
    if record.status != SubmissionStatus.CHANGES_REQUESTED:
        raise NotRevisable("being decided" if record.status == private.CLAIMED else record.status)


def revision_of(record: PrivateRecord, revised: CaseStudyRecord) -> CaseStudyRecord:
    """The revised case study under the id the submission's study was given (`parse` gives a
    new one), so what curators said about it still refers to it."""
    return revised.model_copy(update={"id": record.doc["case_study"]["id"]})


async def revise(
    db: Db, record: PrivateRecord, submission: SubmissionIn, revised: CaseStudyRecord
) -> PrivateRecord:
    """Replace a submission sent back for changes with its revision, which goes back to the
    queue; the replaced version, the curators' messages and decisions are kept.

    Raises:
        Conflict: it was decided (or revised) meanwhile; nothing was stored.
    """
    doc = dict(record.doc)
    replaced = Revision(
        replaced_at=private.now(),
        case_study=doc["case_study"],
        evaluation_status=doc["evaluation_status"],
        expected_report_date=doc.get("expected_report_date"),
    )
    doc |= _submitted(submission, revision_of(record, revised))
    doc["revisions"] = [*doc.get("revisions", []), replaced.model_dump(mode="json")]
    await private.move(
        db,
        PrivateLabel.SUBMISSION,
        record.id,
        allowed_from=[SubmissionStatus.CHANGES_REQUESTED],
        status=SubmissionStatus.SUBMITTED,
        doc=doc,
    )
    return await private.get(db, PrivateLabel.SUBMISSION, record.id)


def view(record: PrivateRecord) -> SubmissionView:
    """What the submitter may see."""
    doc: dict[str, Any] = record.doc
    # A claim lasts one decision (or one correction): until it is made, the submission is as
    # it was.
    status = SubmissionStatus(record.claimed_from or record.status)
    return SubmissionView(
        receipt=record.id,
        status=status,
        submitted_at=record.created_at,
        updated_at=record.updated_at,
        title=doc["case_study"]["title"],
        evaluation_status=EvaluationStatus(doc["evaluation_status"]),
        expected_report_date=doc.get("expected_report_date"),
        case_study=doc["case_study"]["id"] if status == SubmissionStatus.ACCEPTED else None,
        messages=[Message.model_validate(m) for m in doc.get("messages", [])],
        revised_at=[r["replaced_at"] for r in doc.get("revisions", [])],
    )


def _study_problems(study: object) -> list[dict[str, Any]]:
    """Located problems of a case study's record, its id aside (the curators assign it)."""
    if not isinstance(study, dict):
        return []
    try:
        CaseStudyRecord.model_validate({**study, "id": "case-study"})
    except ValidationError as e:
        return _located(e, "body.case_study")
    return []


def _at(location: str, message: str) -> dict[str, Any]:
    return {"location": location, "message": message}


def _located(error: ValidationError, prefix: str) -> list[dict[str, Any]]:
    return [
        _at(".".join([prefix, *(str(p) for p in e["loc"])]), in_words(e)) for e in error.errors()
    ]


def _issue(issue: Issue) -> dict[str, Any]:
    field = (issue.field or "").split(".", 2)
    # A load names a field of its file ("case_studies.0.interventions"); here it is the body's.
    location = "body.case_study" + ("." + field[2] if len(field) == 3 else "")
    located = _at(location, issue.message)
    if issue.value is not None:
        located["value"] = issue.value
    return located
