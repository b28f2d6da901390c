"""Partner contributions in RDF: validated against our shapes, attributed to the key's owner."""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Annotated

import anyio
from fastapi import APIRouter, Header, Query, Request, Response

from api.auth import AdminKey, ContributorKey
from api.deps import DbDep, EvidenceStoreDep, SettingsDep, SparqlDep
from api.errors import PROBLEM_RESPONSES, InvalidContribution, UnsupportedMediaType
from api.hardening import read_capped
from graph import keys
from graph.keys import ApiKey
from loaders.pipeline import load_paths
from loaders.rdf import validation_report
from loaders.report import Issue, LoadFailed, LoadReport
from ontology.formats import FORMATS

router = APIRouter(tags=["contributions"])
_SUFFIX = {f.media_type: f.suffix for f in FORMATS}
_CLIENT_GONE = 499
"""nginx's 'client closed request': logged when a contribution is abandoned part-way."""


@router.post(
    "/contributions",
    status_code=201,
    response_model=LoadReport,
    responses={
        200: {"description": "A dry run: what the contribution would write; nothing written."},
        401: {"description": "No valid API key."},
        403: {"description": "The key lacks the 'contribute' scope."},
        413: {"description": "The body is larger than the server accepts."},
        415: {"description": "Not Turtle, N-Triples, JSON-LD or RDF/XML."},
        422: PROBLEM_RESPONSES[422],
    },
)
async def contribute(
    request: Request,
    response: Response,
    db: DbDep,
    settings: SettingsDep,
    sparql: SparqlDep,
    evidence_store: EvidenceStoreDep,
    key: ContributorKey,
    content_type: Annotated[str, Header()] = "",
    dry_run: Annotated[
        bool, Query(description="Check against the shapes and rules, write nothing.")
    ] = False,
) -> LoadReport:
    """Load RDF describing case studies and evidence claims, attributed to your organisation.

    The whole body is checked against ontology/shapes.ttl first; if anything fails, nothing
    is written and every violation (focus node, path, value, message) is listed in `errors`;
    with `Accept: text/turtle`, the 422 is a SHACL sh:ValidationReport instead.
    A dry run answers 200 with the counts, removals included, that the real run would make.
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
        load = partial(
            load_paths,
            db,
            [path],
            base_uri=settings.public_base_uri,
            contributor=key.organisation,
            dry_run=dry_run,
            source_name=f"{name} from {key.organisation}",
            max_literal_chars=settings.max_literal_chars,
        )
        try:
            report = await _unless_client_leaves(request, load)
        except LoadFailed as e:
            errors = [_error(i) for i in e.report.issues]
            turtle = validation_report(errors)
            raise InvalidContribution(str(e), errors, turtle) from e
    if report is None:
        response.status_code = _CLIENT_GONE
        message = "The client went away before the contribution was loaded; nothing was written."
        return LoadReport(issues=[Issue(file=name, message=message)])
    if dry_run:
        response.status_code = 200
    if report.load_id is not None:
        sparql.changed(db)  # the SPARQL store follows at once, not at its next check
        if evidence_store is not None:
            evidence_store.changed()
    return report


def _error(issue: Issue) -> dict[str, object]:
    """One problem: where (`location`, and its parts `focus` and `path`), what, and the value."""
    error: dict[str, object] = {"location": issue.field or "body", "message": issue.message}
    if issue.field and issue.field.startswith("<"):
        focus, _, path = issue.field[1:].partition("> ")
        error["focus"] = focus.rstrip(">")
        if path:
            error["path"] = path
    if issue.value is not None:
        error["value"] = issue.value
    if issue.line is not None:
        error["line"] = issue.line
    return error


async def _unless_client_leaves(
    request: Request, work: Callable[[], Awaitable[LoadReport]]
) -> LoadReport | None:
    """The work's result, or None if the client disconnected first (the work is cancelled,
    so a transaction not yet committed is rolled back and nothing more is parsed or checked)."""
    done: list[LoadReport] = []
    failed: list[Exception] = []
    async with anyio.create_task_group() as group:

        async def watch() -> None:
            # The body has been read: the next message is the client leaving.
            while (await request.receive())["type"] != "http.disconnect":
                pass
            group.cancel_scope.cancel()

        group.start_soon(watch)
        try:
            done.append(await work())
        except Exception as e:  # raised as itself below, not wrapped in an ExceptionGroup
            failed.append(e)
        group.cancel_scope.cancel()
    if failed:
        raise failed[0]
    return done[0] if done else None


@router.get(
    "/admin/keys",
    responses={401: {"description": "No valid API key."}, 403: {"description": "Not admin."}},
)
async def list_keys(db: DbDep, key: AdminKey) -> list[ApiKey]:
    """Every API key (never its secret). Needs an admin key."""
    return await keys.all_keys(db)
