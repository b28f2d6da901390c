"""Curators' work (scope `curate`): the queue of submissions, decisions, reports of errors and
their resolutions; and, for everyone, the decisions that changed a statement."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, Field

from api.auth import CuratorKey
from api.deps import DbDep, EvidenceStoreDep, SettingsDep, SparqlDep
from api.errors import PROBLEM_RESPONSES
from graph import curation
from graph.curation import PublicDecision
from graph.db import Db
from graph.evidence_store import EvidenceStore
from loaders import corrections
from loaders import curation as decisions
from loaders.corrections import ReportView, Resolution
from loaders.curation import Decision, DecisionResult, QueueItem
from ontology.sparql.service import SparqlService

router = APIRouter(tags=["curation"])

_KEYED: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid API key."},
    403: {"description": "The key lacks the 'curate' scope."},
}


class Queue(BaseModel):
    """A page of submissions waiting for a decision, oldest first."""

    items: list[QueueItem]
    total: int
    limit: int
    offset: int
    truncated: bool = Field(description="Whether more follow this page.")


class OpenReport(BaseModel):
    """A report of an error, with its contact (curators only)."""

    report: ReportView
    contact: str | None = None


class Reports(BaseModel):
    """A page of open reports of errors, oldest first."""

    items: list[OpenReport]
    total: int
    limit: int
    offset: int
    truncated: bool


Limit = Annotated[int, Query(ge=1, description="Page size (capped by the server).")]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def _published(db: Db, sparql: SparqlService, store: EvidenceStore | None) -> None:
    # The graph's load state has moved on: the stores follow at once, not at their next check.
    sparql.changed(db)
    if store is not None:
        store.changed()


@router.get("/curation/queue", responses=_KEYED)
async def queue(
    db: DbDep, settings: SettingsDep, key: CuratorKey, limit: Limit = 50, offset: Offset = 0
) -> Queue:
    """Submissions waiting for a decision (contacts included: for curators only)."""
    limit = min(limit, settings.max_page_size)
    items, total = await decisions.queue(db, limit=limit, offset=offset)
    return Queue(
        items=items, total=total, limit=limit, offset=offset, truncated=offset + limit < total
    )


_DECISION_EXAMPLES: dict[str, Any] = {
    "accept": {
        "summary": "Accept, with the curator's grade of each claim",
        "value": {
            "decision": "accept",
            "reason": "The council's own evaluation, checked against its published report.",
            "grades": [
                {
                    "evidence_type": "internal-evaluation",
                    "level": "internal-evaluation",
                    "direction": "positive",
                }
            ],
        },
    },
    "request_changes": {
        "summary": "Ask for changes",
        "value": {"decision": "request_changes", "message": "Please link the report."},
    },
    "decline": {
        "summary": "Decline",
        "value": {"decision": "decline", "reason": "Not a local public body's initiative."},
    },
}


@router.post(
    "/submissions/{receipt}/decisions",
    responses={
        **_KEYED,
        404: PROBLEM_RESPONSES[404],
        409: {"description": "Already decided, or being decided by another curator."},
    },
)
async def decide(
    db: DbDep,
    sparql: SparqlDep,
    evidence_store: EvidenceStoreDep,
    key: CuratorKey,
    receipt: str,
    decision: Annotated[
        Decision, Body(discriminator="decision", openapi_examples=_DECISION_EXAMPLES)
    ],
) -> DecisionResult:
    """Accept (grading each claim: the published grade is yours), request changes, or decline.

    Accepting publishes the case study as a load whose provenance names you, the time, your
    reason, the submitter's claims and your grades, and the statements written.
    """
    result = await decisions.decide(db, receipt[:64], decision, key)
    if result.load_id is not None:
        _published(db, sparql, evidence_store)
    return result


@router.get("/curation/reports", responses=_KEYED)
async def open_reports(
    db: DbDep, settings: SettingsDep, key: CuratorKey, limit: Limit = 50, offset: Offset = 0
) -> Reports:
    """Open reports of errors, oldest first (contacts included: for curators only)."""
    limit = min(limit, settings.max_page_size)
    records, total = await corrections.open_reports(db, limit=limit, offset=offset)
    items = [OpenReport(report=corrections.view(r), contact=r.doc.get("contact")) for r in records]
    return Reports(
        items=items, total=total, limit=limit, offset=offset, truncated=offset + limit < total
    )


@router.post(
    "/reports/{report_id}/resolution",
    responses={
        **_KEYED,
        404: PROBLEM_RESPONSES[404],
        409: {
            "description": "Already resolved; being resolved, or its case study being corrected, "
            "by another curator (resolve it once that is done); or corrected in the data files, "
            "not here."
        },
        422: PROBLEM_RESPONSES[422],
    },
)
async def resolve(
    db: DbDep,
    sparql: SparqlDep,
    evidence_store: EvidenceStoreDep,
    key: CuratorKey,
    report_id: str,
    resolution: Resolution,
) -> ReportView:
    """Resolve a report: `corrected` (with the new value, written as a load with provenance)
    or `kept` (with a reason)."""
    result = await corrections.resolve(db, report_id[:64], resolution, key)
    if result.resolution and result.resolution.get("load_id"):
        _published(db, sparql, evidence_store)
    return result


@router.get("/nodes/{node_id}/decisions", tags=["nodes"])
async def decisions_about(db: DbDep, node_id: str) -> list[PublicDecision]:
    """The curators' decisions and corrections that wrote this statement, oldest first."""
    return await curation.decisions_about(db, node_id[:200])
