"""Partner contributions in RDF: validated against our shapes, attributed to the key's owner."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request

from api.auth import AdminKey, ContributorKey
from api.deps import DbDep, SettingsDep, SparqlDep
from api.errors import PROBLEM_RESPONSES, InvalidContribution, UnsupportedMediaType
from api.hardening import read_capped
from graph import keys
from graph.keys import ApiKey
from loaders.pipeline import load_paths
from loaders.report import LoadFailed, LoadReport
from ontology.formats import FORMATS

router = APIRouter(tags=["contributions"])
_SUFFIX = {f.media_type: f.suffix for f in FORMATS}


@router.post(
    "/contributions",
    status_code=201,
    response_model=LoadReport,
    responses={
        401: {"description": "No valid API key."},
        403: {"description": "The key lacks the 'contribute' scope."},
        413: {"description": "The body is larger than the server accepts."},
        415: {"description": "Not Turtle, N-Triples, JSON-LD or RDF/XML."},
        422: PROBLEM_RESPONSES[422],
    },
)
async def contribute(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    sparql: SparqlDep,
    key: ContributorKey,
    content_type: Annotated[str, Header()] = "",
    dry_run: Annotated[
        bool, Query(description="Check against the shapes and rules, write nothing.")
    ] = False,
) -> LoadReport:
    """Load RDF describing case studies and evidence claims, attributed to your organisation.

    The whole body is checked against ontology/shapes.ttl first; if anything fails, nothing
    is written and every violation (focus node, path, message) is listed in `errors`.
    """
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in _SUFFIX:
        raise UnsupportedMediaType(list(_SUFFIX))
    body = await read_capped(request, settings.max_upload_bytes)
    if not body.strip():
        raise InvalidContribution("The body is empty.")
    name = f"contribution.{_SUFFIX[media_type]}"
    with tempfile.TemporaryDirectory(prefix="contribution-") as folder:
        path = Path(folder) / name
        path.write_bytes(body)
        try:
            report = await load_paths(
                db,
                [path],
                base_uri=settings.public_base_uri,
                contributor=key.organisation,
                dry_run=dry_run,
                source_name=f"{name} from {key.organisation}",
            )
        except LoadFailed as e:
            errors = [
                {"location": i.field or "body", "message": i.message} for i in e.report.issues
            ]
            raise InvalidContribution(str(e), errors) from e
    if report.load_id is not None:
        sparql.changed(db)  # the SPARQL store follows at once, not at its next check
    return report


@router.get(
    "/admin/keys",
    responses={401: {"description": "No valid API key."}, 403: {"description": "Not admin."}},
)
async def list_keys(db: DbDep, key: AdminKey) -> list[ApiKey]:
    """Every API key (never its secret). Needs an admin key."""
    return await keys.all_keys(db)
