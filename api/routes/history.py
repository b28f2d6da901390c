"""History: a node's versions, what changed between two points, and the Atom feed of changes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api import atom
from api.deps import DbDep, SettingsDep
from api.errors import PROBLEM_RESPONSES
from api.routes.nodes import NodeId
from graph import history, writes
from graph.filters import InvalidFilter
from graph.history import Changes, History
from graph.model import Kind

router = APIRouter(tags=["history"], responses={422: PROBLEM_RESPONSES[422]})

FEED_ENTRIES = 50

PointParam = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=100,
        description="A load id or an ISO 8601 date-time (UTC unless it says otherwise).",
        examples=["2026-12-01T09:00:00Z"],
    ),
]
Limit = Annotated[int, Query(ge=1, description="Page size (capped by the server).")]
Offset = Annotated[int, Query(ge=0, le=100_000)]


@router.get("/nodes/{node_id}/history", responses={404: PROBLEM_RESPONSES[404]})
async def node_history(
    db: DbDep, settings: SettingsDep, node_id: NodeId, limit: Limit = 50, offset: Offset = 0
) -> History:
    """A node's versions, newest first: its properties and links after each load that changed
    it, with that load's provenance (when, who, from which files, decision or report)."""
    return await history.node_history(
        db, node_id, limit=min(limit, settings.max_page_size), offset=offset
    )


@router.get("/changes")
async def changes(
    db: DbDep,
    settings: SettingsDep,
    since: PointParam = None,
    until: PointParam = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Changes:
    """Nodes added, changed or removed after `since` (from the first load when absent) up to
    `until` (the latest load when absent), newest first, with their loads."""
    low = await history.resolve(db, since, "query.since") if since else None
    high = await _until(db, until)
    return await history.changes_between(
        db, low, high, subjects=None, limit=min(limit, settings.max_page_size), offset=offset
    )


@router.get(
    "/changes.atom",
    response_class=Response,
    responses={200: {"content": {atom.MEDIA_TYPE: {"schema": {"type": "string"}}}}},
)
async def changes_feed(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    outcome: Annotated[
        str | None, Query(max_length=200, description="Only changes about this outcome's id.")
    ] = None,
    intervention: Annotated[
        str | None, Query(max_length=200, description="Only changes about this intervention.")
    ] = None,
) -> Response:
    """The latest changes as an Atom 1.0 feed: all of them, or the case studies and claims
    about one outcome or intervention."""
    if outcome is not None and intervention is not None:
        raise InvalidFilter("query.intervention", "Give an outcome or an intervention, not both.")
    high = await _until(db, None)
    subjects = None
    title = "Connects Graph: changes"
    for location, value, kind in (
        ("query.outcome", outcome, Kind.OUTCOME),
        ("query.intervention", intervention, Kind.INTERVENTION),
    ):
        if value is None:
            continue
        known = await writes.existing_kinds(db, [value])
        if known.get(value) is not kind:
            raise InvalidFilter(location, f"No {kind.value.lower()} has the id {value!r}.")
        subjects = await history.subjects_of(db, outcome=outcome, intervention=intervention)
        title += f" about {value}"
    found = await history.changes_between(
        db, None, high, subjects=subjects, limit=FEED_ENTRIES, offset=0
    )
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    base = settings.public_base_uri.rstrip("/")
    body = atom.feed(found, base=base, self_path=path, title=title)
    return Response(body, media_type=atom.MEDIA_TYPE)


async def _until(db: DbDep, until: str | None) -> history.Point:
    if until is not None:
        return await history.resolve(db, until, "query.until")
    point = await history.current_point(db)
    # No load yet: nothing has changed, up to now.
    return point or history.Point(load="", at=datetime.now(UTC).isoformat())
