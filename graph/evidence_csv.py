"""The evidence-and-gap map as tidy CSV, for spreadsheets: what the API and the CLI offer."""

from __future__ import annotations

import csv
import io

from graph.evidence import STRENGTH_NAMES, GapMap


def gap_map_csv(result: GapMap) -> str:
    """The gap map as tidy CSV: one line per cell."""
    rows = {b.key: b.name for b in result.row_values}
    cols = {b.key: b.name for b in result.col_values}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            result.rows,
            f"{result.rows}_name",
            result.cols,
            f"{result.cols}_name",
            "case_studies",
            *(f"strength_{s}" for s in STRENGTH_NAMES),
            "strongest_case_study",
            "strongest_strength",
        ]
    )
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
            ]
        )
    return out.getvalue()
