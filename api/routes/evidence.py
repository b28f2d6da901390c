"""'What works' for researchers: ranked evidence, facets and the evidence-and-gap map."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.deps import GraphDep, SettingsDep
from api.errors import PROBLEM_RESPONSES
from api.filters import InvalidFilter, RawFilter, resolve
from graph import evidence
from graph.evidence import EvidenceFilter, EvidencePage, Facet, GapMap
from graph.evidence_queries import Dimension

router = APIRouter(prefix="/evidence", tags=["evidence"], responses={422: PROBLEM_RESPONSES[422]})


async def evidence_filter(
    graph: GraphDep,
    outcome: Annotated[
        list[str],
        Query(description="Outcome name or id; repeat for several.", examples=["Inclusion"]),
    ] = [],  # noqa: B006 - FastAPI copies query defaults
    theme: Annotated[list[str], Query(description="Policy theme name or id.")] = [],  # noqa: B006
    organisation: Annotated[
        list[str], Query(description="Lead or partner organisation, name or id.")
    ] = [],  # noqa: B006
    region: Annotated[list[str], Query(description="Region name or id.")] = [],  # noqa: B006
    place: Annotated[list[str], Query(description="Place name or id.")] = [],  # noqa: B006
    evidence_type: Annotated[
        list[str], Query(description="e.g. news_report, independent_evaluation.")
    ] = [],  # noqa: B006
    direction: Annotated[
        list[Literal["positive", "mixed", "negative", "no_effect", "not_stated"]],
        Query(
            description="The effect the source reports; not_stated: the source did not say "
            "(never counted as positive)."
        ),
    ] = [],  # noqa: B006
    min_strength: Annotated[
        int, Query(ge=1, le=5, description="Minimum strength on the common 1-5 scale.")
    ] = 1,
    year_from: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    year_to: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Text in the title or summary.")
    ] = None,
) -> EvidenceFilter:
    raw = RawFilter(
        outcome=outcome, theme=theme, organisation=organisation, region=region, place=place,
        evidence_type=evidence_type, direction=list(direction), min_strength=min_strength,
        year_from=year_from, year_to=year_to, q=q,
    )  # fmt: skip
    return await resolve(graph.driver, graph.dialect, graph.database, raw)


FilterDep = Annotated[EvidenceFilter, Depends(evidence_filter)]


@router.get("")
async def what_works(
    graph: GraphDep,
    settings: SettingsDep,
    evidence_filter: FilterDep,
    limit: Annotated[int, Query(ge=1)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> EvidencePage:
    """Case studies with evidence for the outcomes, strongest evidence first, then most recent.

    Each row says why it matched. Weak evidence is shown as weak (strength 1-5), never hidden.
    """
    return await evidence.what_works(
        graph.driver,
        graph.dialect,
        graph.database,
        evidence_filter,
        limit=min(limit, settings.max_page_size),
        offset=offset,
    )


@router.get("/facets")
async def facets(
    graph: GraphDep,
    evidence_filter: FilterDep,
    group_by: Annotated[
        list[Dimension], Query(description="Dimensions to count by; repeat for several.")
    ] = [Dimension.OUTCOME],  # noqa: B006
    zeros: Annotated[bool, Query(description="List values with no matches as 0.")] = False,
) -> list[Facet]:
    """Case-study counts for the current filter, grouped by each dimension asked for."""
    return await evidence.facets(
        graph.driver, graph.dialect, graph.database, evidence_filter, group_by, zeros=zeros
    )


GapDimension = Literal["outcome", "theme", "region", "evidence_type", "strength"]


@router.get(
    "/gap-map",
    responses={200: {"content": {"text/csv": {}}, "description": "JSON, or CSV on request."}},
)
async def gap_map(
    graph: GraphDep,
    evidence_filter: FilterDep,
    rows: Annotated[GapDimension, Query()] = "outcome",
    cols: Annotated[GapDimension, Query()] = "theme",
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Response:
    """An evidence-and-gap map: every rows x columns cell, empty ones included, with the number
    of case studies, their strength distribution and the strongest evidence."""
    if rows == cols:
        raise _same_dimension()
    result = await evidence.gap_map(
        graph.driver, graph.dialect, graph.database, evidence_filter,
        Dimension(rows), Dimension(cols),
    )  # fmt: skip
    if format == "csv":
        return Response(
            gap_map_csv(result),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="gap-map-{rows}-{cols}.csv"'},
        )
    return Response(result.model_dump_json(), media_type="application/json")


def _same_dimension() -> Exception:
    return InvalidFilter("query.cols", "rows and cols must be different dimensions.")


def gap_map_csv(result: GapMap) -> str:
    """The gap map as tidy CSV: one line per cell."""
    rows = {b.key: b.name for b in result.row_values}
    cols = {b.key: b.name for b in result.col_values}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [result.rows, f"{result.rows}_name", result.cols, f"{result.cols}_name", "case_studies",
         *(f"strength_{s}" for s in evidence.STRENGTH_NAMES), "strongest_case_study",
         "strongest_strength"]
    )  # fmt: skip
    for cell in result.cells:
        strongest = cell.strongest
        writer.writerow(
            ["" if cell.row is None else cell.row, rows[cell.row],
             "" if cell.col is None else cell.col, cols[cell.col], cell.case_studies,
             *cell.strength_distribution.values(), strongest.id if strongest else "",
             strongest.strength if strongest else ""]
        )  # fmt: skip
    return out.getvalue()
