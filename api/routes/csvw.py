"""CSVW metadata for the CSV outputs: what each column is, for statistical tools."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.deps import SettingsDep
from api.errors import PROBLEM_RESPONSES
from api.routes.evidence import GapDimension
from api.validators import fixed
from graph.filters import InvalidFilter
from ontology import csvw

router = APIRouter(prefix="/evidence", tags=["evidence"])

MEDIA_TYPE = csvw.MEDIA_TYPE
_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {MEDIA_TYPE: {"schema": {"type": "object"}}}},
    422: PROBLEM_RESPONSES[422],
}


_TABLE = (
    "The CSV's path and query, as its `Link` header gives them: a CSVW processor uses metadata "
    "only if it names the very table it read."
)


class EvidenceTable(BaseModel):
    """Which evidence CSV the metadata describes."""

    table: str | None = Field(
        default=None, max_length=2000, pattern=r"^/evidence\?[^\s#]*$", description=_TABLE
    )


class GapMapAxes(BaseModel):
    """The map's two dimensions, as the gap map takes them, and which of its CSVs."""

    rows: GapDimension = "intervention"
    cols: GapDimension = "outcome"
    table: str | None = Field(
        default=None,
        max_length=2000,
        pattern=r"^/evidence/gap-map\?[^\s#]*$",
        description=_TABLE,
    )


@router.get("/csv-metadata.json", response_class=Response, responses=_CONTENT)
async def evidence_metadata(
    request: Request, settings: SettingsDep, which: Annotated[EvidenceTable, Query()]
) -> Response:
    """CSVW metadata of the evidence list's CSV."""
    base = settings.public_base_uri.rstrip("/")
    return _json(request, csvw.evidence_metadata(base, which.table))


@router.get("/gap-map/csv-metadata.json", response_class=Response, responses=_CONTENT)
async def gap_map_metadata(
    request: Request, settings: SettingsDep, axes: Annotated[GapMapAxes, Query()]
) -> Response:
    """CSVW metadata of the gap map's CSV by these rows and columns."""
    if axes.rows == axes.cols:  # as the gap map refuses it
        raise InvalidFilter("query.cols", "rows and cols must be different dimensions.")
    base = settings.public_base_uri.rstrip("/")
    return _json(request, csvw.gap_map_metadata(base, axes.rows, axes.cols, axes.table))


def _json(request: Request, body: dict[str, Any]) -> Response:
    return fixed(request, json.dumps(body, indent=1).encode(), MEDIA_TYPE, vary=None)
