"""Evidence as tidy CSV, for spreadsheets: the gap map and the evidence list, as the API and the
CLI offer them."""

from __future__ import annotations

import csv
import io

from graph.evidence import DIRECTION_WORDS, EvidencePage, GapMap
from graph.rating_rule import STRENGTH_NAMES

EVIDENCE_COLUMNS = (
    "id",
    "title",
    "organisation",
    "strength",
    "strength_name",
    "directions",
    "outcomes",
    "interventions",
    "regions",
    "year",
    "source_urls",
)
"""One row per case study; several values in a cell are separated by '; '."""


def gap_map_header(rows: str, cols: str) -> list[str]:
    """The gap map CSV's header for a map by `rows` and `cols` (its CSVW metadata reads it)."""
    return [
        rows,
        f"{rows}_name",
        cols,
        f"{cols}_name",
        "case_studies",
        *(f"strength_{s}" for s in STRENGTH_NAMES),
        "strongest_case_study",
        "strongest_strength",
        "best_strength",
        *(f"direction_{d}" for d in DIRECTION_WORDS),
    ]


def gap_map_csv(result: GapMap) -> str:
    """The gap map as tidy CSV: one line per cell."""
    rows = {b.key: b.name for b in result.row_values}
    cols = {b.key: b.name for b in result.col_values}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(gap_map_header(result.rows, result.cols))
    for cell in result.cells:
        strongest = cell.strongest
        writer.writerow(
            [
                "" if cell.row is None else cell.row,
                rows[cell.row],
                "" if cell.col is None else cell.col,
                cols[cell.col],
                cell.case_studies,
                *cell.strength_distribution.values(),
                strongest.id if strongest else "",
                strongest.strength if strongest else "",
                "" if cell.best_strength is None else cell.best_strength,
                *(cell.directions.get(d, 0) for d in DIRECTION_WORDS),
            ]
        )
    return out.getvalue()


def evidence_csv(page: EvidencePage) -> str:
    """A page of the evidence list as CSV: one row per case study, its claims' directions in
    words ('Inclusion: direction not stated')."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EVIDENCE_COLUMNS)
    for row in page.items:
        years = sorted({y for y in (row.year_start, row.year_end) if y is not None})
        writer.writerow(
            [
                row.id,
                row.title,
                "; ".join(ref.name for ref in row.lead),
                row.strength,
                STRENGTH_NAMES[row.strength],
                "; ".join(
                    f"{c.outcome_name}: {DIRECTION_WORDS.get(c.direction, c.direction)}"
                    for c in row.claims
                ),
                "; ".join(c.outcome_name for c in row.claims),
                "; ".join(ref.name for ref in row.interventions),
                "; ".join(ref.name for ref in row.regions),
                "-".join(str(y) for y in years),
                "; ".join(row.source_urls),
            ]
        )
    return out.getvalue()
