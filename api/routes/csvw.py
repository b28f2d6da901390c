"""CSVW metadata for the CSV outputs: what each column is, for statistical tools."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from api.deps import SettingsDep
from api.routes.evidence import GapDimension
from api.validators import fixed
from ontology import csvw

router = APIRouter(prefix="/evidence", tags=["evidence"])

MEDIA_TYPE = csvw.MEDIA_TYPE
_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {MEDIA_TYPE: {"schema": {"type": "object"}}}}
}


class GapMapAxes(BaseModel):
    """The map's two dimensions, as the gap map takes them."""

    rows: GapDimension = "intervention"
    cols: GapDimension = "outcome"


@router.get("/csv-metadata.json", response_class=Response, responses=_CONTENT)
async def evidence_metadata(request: Request, settings: SettingsDep) -> Response:
    """CSVW metadata of the evidence list's CSV."""
    return _json(request, csvw.evidence_metadata(settings.public_base_uri.rstrip("/")))


@router.get("/gap-map/csv-metadata.json", response_class=Response, responses=_CONTENT)
async def gap_map_metadata(
    request: Request, settings: SettingsDep, axes: Annotated[GapMapAxes, Query()]
) -> Response:
    """CSVW metadata of the gap map's CSV by these rows and columns."""
    base = settings.public_base_uri.rstrip("/")
    return _json(request, csvw.gap_map_metadata(base, axes.rows, axes.cols))


def _json(request: Request, body: dict[str, Any]) -> Response:
    return fixed(request, json.dumps(body, indent=1).encode(), MEDIA_TYPE, vary=None)
