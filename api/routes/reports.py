"""Reports of errors in one statement: anyone may send one (no key; bounded, rate-limited)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from pydantic import ValidationError

from api.deps import DbDep, SettingsDep
from api.errors import PROBLEM_RESPONSES
from api.intake import JSON_TYPE, count_against_address, read_body, refusals
from graph import private
from graph.private_labels import PrivateLabel
from loaders import corrections
from loaders.corrections import ReportIn, ReportView
from loaders.messages import in_words
from loaders.submissions import InvalidSubmission

router = APIRouter(tags=["corrections"])


@router.post(
    "/reports",
    status_code=201,
    dependencies=[Depends(count_against_address)],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {JSON_TYPE: {"schema": ReportIn.model_json_schema()}},
        }
    },
    responses=refusals("JSON", "reports"),
)
async def report(
    request: Request, response: Response, db: DbDep, settings: SettingsDep
) -> ReportView:
    """Report a problem with one statement: a node's field, or a claim's level, direction or
    evidence type. Keep its id: `GET /reports/{id}` shows how the curators resolved it."""
    _, data = await read_body(request, settings, (JSON_TYPE,))
    try:
        body = ReportIn.model_validate(data)
    except ValidationError as e:
        errors = [
            {"location": ".".join(["body", *map(str, err["loc"])]), "message": in_words(err)}
            for err in e.errors()
        ]
        raise InvalidSubmission(errors) from e
    seen = await corrections.report(db, body)
    response.headers["Location"] = f"/reports/{seen.id}"
    return seen


@router.get("/reports/{report_id}", responses={404: PROBLEM_RESPONSES[404]})
async def report_status(db: DbDep, report_id: str) -> ReportView:
    """A report and how it was resolved (never its contact)."""
    return corrections.view(await private.get(db, PrivateLabel.REPORT, report_id[:64]))
