"""What the public may know of curation: the decisions and corrections that changed a statement.

A decision or correction is a load whose record carries an `activity` (see
`loaders/curation.py`, `loaders/corrections.py`) and the ids of the statements it wrote
(`subjects`); everything else about it (the submission, its contact, curators' notes) is private.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from graph.db import Db
from graph.queries import curation as curation_q
from graph.repository import LoadInfo

MAX_DECISIONS = 100
"""A statement with more decisions than this shows the first ones; it never happens in practice."""


class PublicDecision(BaseModel):
    """A curator's decision or correction, as published with the statements it changed."""

    load_id: str
    activity: str = Field(examples=["curation-decision", "correction"])
    at: str
    curator: str | None = Field(default=None, description="The curator's organisation.")
    reason: str | None = None
    changes: list[str] = Field(default_factory=list, description="What changed, in words.")
    submitter_claims: list[str] = Field(default_factory=list)
    curator_grades: list[str] = Field(default_factory=list)
    evaluation_status: str | None = None
    expected_report_date: str | None = None
    subjects: list[str] = Field(default_factory=list)


def decision(load: LoadInfo) -> PublicDecision:
    """A decision's public record, from its load's."""
    props: dict[str, Any] = load.properties
    return PublicDecision(
        load_id=props["id"],
        activity=props["activity"],
        at=props.get("started_at", ""),
        curator=props.get("curator"),
        reason=props.get("reason"),
        changes=props.get("changes") or [],
        submitter_claims=props.get("submitter_claims") or [],
        curator_grades=props.get("curator_grades") or [],
        evaluation_status=props.get("evaluation_status"),
        expected_report_date=props.get("expected_report_date"),
        subjects=props.get("subjects") or [],
    )


async def loads_about(db: Db, node_id: str) -> list[LoadInfo]:
    """The loads of the decisions and corrections that wrote `node_id`, oldest first."""
    rows = await db.read(curation_q.DECISIONS_ABOUT, id=node_id, limit=MAX_DECISIONS)
    return [LoadInfo(id=r["props"]["id"], properties=r["props"]) for r in rows]


async def decisions_about(db: Db, node_id: str) -> list[PublicDecision]:
    """The decisions and corrections that wrote `node_id`, oldest first."""
    return [decision(load) for load in await loads_about(db, node_id)]


async def study_of_claim(db: Db, claim_id: str) -> str | None:
    """The case study that makes a claim, if the claim is in the graph."""
    rows = await db.read(curation_q.STUDY_OF_CLAIM, id=claim_id)
    return str(rows[0]["id"]) if rows else None
