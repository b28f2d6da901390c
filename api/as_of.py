"""`as_of` and permalinks on the evidence answers: which graph answers, and the URL that pins it.

Without `as_of` the present answers, as before; the permalink's load is the load version the
evidence index checks anyway (one small read a request, shared). With it, the point resolves to
a load: the latest load is the present; an earlier one is the graph rebuilt as it stood then
(graph/as_of.py).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from urllib.parse import urlencode

from fastapi import Request
from pydantic import BaseModel, Field
from starlette.datastructures import MutableHeaders

from api.settings import ApiSettings
from graph import changes, history
from graph.as_of import Snapshots
from graph.db import Db
from graph.evidence_store import EvidenceStore
from graph.filters import InvalidFilter


class AsOfParam(BaseModel):
    """The point in history an answer is for."""

    as_of: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="Answer as the graph stood then: a load id or an ISO 8601 date-time "
        "(a 422 if neither, or before the first load). The answer's Link header "
        '(rel="permalink") pins the present the same way.',
        examples=["2026-12-01T09:00:00Z"],
    )


async def graph_at(
    request: Request,
    headers: MutableMapping[str, str] | MutableHeaders,
    db: Db,
    store: EvidenceStore | None,
    as_of: str | None,
) -> tuple[Db, EvidenceStore | None]:
    """The handle and index to answer with; the permalink is set in `headers`.

    Raises:
        InvalidFilter: `as_of` names no point, or the engine cannot rebuild one (query.as_of).
    """
    if as_of is None:
        _, latest = await (store.version(db) if store is not None else changes.load_version(db))
        if latest is not None:
            headers["Link"] = f'<{permalink(request, latest)}>; rel="permalink"'
        return db, store
    current = await history.current_point(db)
    point = await history.resolve(db, as_of, "query.as_of")
    headers["Link"] = f'<{permalink(request, point.load)}>; rel="permalink"'
    if current is None or point.load == current.load:
        return db, store
    snapshots: Snapshots | None = request.app.state.snapshots
    if snapshots is None:
        raise InvalidFilter("query.as_of", "as_of on evidence answers is turned off here.")
    return await snapshots.at(db, point)


def permalink(request: Request, load_id: str) -> str:
    """This request's URL with `as_of` pinned to `load_id`, under the public base URI."""
    settings: ApiSettings = request.app.state.settings
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "as_of"]
    params.append(("as_of", load_id))
    return f"{settings.public_base_uri.rstrip('/')}{request.url.path}?{urlencode(params)}"


KEPT_POINTS = 2
"""Past points kept rebuilt at once, each a scratch database as large as the graph was then."""


def snapshots_for(settings: ApiSettings, max_claims: int) -> Snapshots:
    """The process's past points."""
    return Snapshots(settings, keep=KEPT_POINTS, max_claims=max_claims or 2_000_000)
