"""Members' case-study submissions: no key, bounded, kept private until a curator decides."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.responses import HTMLResponse

from api.deps import DbDep, SettingsDep
from api.errors import PROBLEM_RESPONSES
from api.intake import CSV_TYPE, JSON_TYPE, count_against_address, read_body, refusals
from api.pages import render
from api.settings import ApiSettings
from graph import private
from graph.private_labels import PrivateLabel
from loaders import submissions
from loaders.records import CaseStudyRecord
from loaders.submissions import EDIT_TOKEN_HEADER, Receipt, SubmissionIn, SubmissionView

router = APIRouter(tags=["submissions"])

_BODY = {
    "required": True,
    "content": {
        JSON_TYPE: {"schema": SubmissionIn.model_json_schema(ref_template="#/$defs/{model}")},
        CSV_TYPE: {
            "schema": {"type": "string"},
            "example": "title,organisation,summary,outcomes,evidence_type,source_url,"
            "contact_name,contact_email\nHubs,Anytown Council,Help in libraries,"
            "digital inclusion,internal-evaluation,https://example.org/hubs,A. Officer,"
            "officer@anytown.gov.uk\n",
        },
    },
}


async def _submission_in(
    request: Request, settings: ApiSettings
) -> tuple[SubmissionIn, CaseStudyRecord]:
    """The body, JSON or one case-study CSV row, parsed and checked as a submission."""
    media_type, data = await read_body(request, settings, (JSON_TYPE, CSV_TYPE))
    if media_type == CSV_TYPE:
        data = submissions.from_csv(data)
    return submissions.parse(data)


@router.post(
    "/submissions",
    status_code=201,
    dependencies=[Depends(count_against_address)],
    openapi_extra={"requestBody": _BODY},
    responses=refusals("JSON or CSV", "submissions"),
)
async def submit(request: Request, response: Response, db: DbDep, settings: SettingsDep) -> Receipt:
    """Submit a case study (no key needed): JSON, or one case-study CSV row with a header.

    It is checked exactly as a curator's case-study file is (names of outcomes, interventions
    and places resolved, with "did you mean"); every problem is located by field and nothing is
    stored. Nothing is public until a curator accepts it. Keep the receipt: its status page
    shows the decision and the curators' messages (never your contact details).
    """
    submission, record = await _submission_in(request, settings)
    await submissions.check_names(db, record)
    stored, token = await submissions.store(db, submission, record)
    url = f"/submissions/{stored.id}"
    response.headers["Location"] = url
    return Receipt(
        receipt=stored.id,
        status=submissions.SubmissionStatus(stored.status),
        status_url=url,
        edit_token=token,
    )


@router.put(
    "/submissions/{receipt}",
    dependencies=[Depends(count_against_address)],
    openapi_extra={"requestBody": _BODY},
    responses={
        **refusals("JSON or CSV", "submissions"),
        403: {"description": f"No {EDIT_TOKEN_HEADER}, or not this submission's."},
        404: PROBLEM_RESPONSES[404],
        409: {"description": "The curators have not asked for changes to it."},
    },
)
async def revise(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    receipt: str,
    edit_token: Annotated[
        str | None,
        Header(
            alias=EDIT_TOKEN_HEADER,
            max_length=200,
            description="The edit token given with the receipt.",
        ),
    ] = None,
) -> SubmissionView:
    """Revise a submission the curators sent back for changes (with its edit token).

    The revision replaces the whole submission and is checked exactly as a new one is; it goes
    back to the curators' queue, which keeps the replaced version and their messages.
    """
    stored = await private.get(db, PrivateLabel.SUBMISSION, receipt[:64])
    submissions.check_revisable(stored, edit_token)
    submission, record = await _submission_in(request, settings)
    await submissions.check_names(db, submissions.revision_of(stored, record))
    return submissions.view(await submissions.revise(db, stored, submission, record))


@router.get(
    "/submissions/{receipt}",
    response_model=SubmissionView,
    responses={
        200: {"content": {"text/html": {}}, "description": "The status (HTML on request)."},
        404: PROBLEM_RESPONSES[404],
    },
)
async def status(
    db: DbDep, receipt: str, accept: Annotated[str | None, Header()] = None
) -> SubmissionView | HTMLResponse:
    """A submission's status and the curators' messages (JSON, or HTML for a browser)."""
    seen = submissions.view(await private.get(db, PrivateLabel.SUBMISSION, receipt[:64]))
    if accept and "text/html" in accept.split(",")[0]:
        page = render("submission.html", f"/submissions/{receipt}", submission=seen)
        return HTMLResponse(page, headers={"Vary": "Accept"})
    return seen
