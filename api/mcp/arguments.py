"""The tools' parameters, each with its bounds and a description an assistant reads.

The evidence filters are the API's (`graph.filters.RawFilter`): names or ids, matched
tolerantly, an unknown one refused with the valid choices.
"""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.types import ToolAnnotations
from pydantic import Field

from graph.filters import Direction

Names = list[Annotated[str, Field(min_length=1, max_length=200)]]

Outcomes = Annotated[
    Names | None,
    Field(
        max_length=20,
        description="Outcome names or ids, any of them, e.g. ['Inclusion']; none: all outcomes.",
    ),
]
Themes = Annotated[Names | None, Field(max_length=20, description="Policy theme names or ids.")]
Regions = Annotated[Names | None, Field(max_length=20, description="Region names or ids.")]
Organisations = Annotated[
    Names | None, Field(max_length=20, description="Lead or partner organisations, names or ids.")
]
EvidenceTypes = Annotated[
    Names | None,
    Field(max_length=20, description="Evidence types, e.g. news-report, independent-evaluation."),
]
Directions = Annotated[
    list[Direction] | None,
    Field(
        max_length=5,
        description="Only claims reporting these effects; not_stated: the source did not say "
        "(never counted as positive).",
    ),
]
MinStrength = Annotated[
    int,
    Field(
        ge=1,
        le=5,
        description="Least strength on the common 1-5 scale: 1 Reported, 2 Documented, "
        "3 Externally examined, 4 Independently evaluated, 5 Peer reviewed.",
    ),
]
Year = Annotated[int | None, Field(ge=1900, le=2100, description="A year, inclusive.")]
Text = Annotated[
    str | None, Field(max_length=200, description="Words in a case study's title or summary.")
]
Offset = Annotated[int, Field(ge=0, le=10_000, description="How many to skip (paging).")]
NodeId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
        description="A node's id (a slug), as the other tools give it, e.g. inclusion.",
    ),
]
GapDimension = Literal[
    "intervention", "outcome", "theme", "region", "evidence_type", "strength", "direction"
]
Rows = Annotated[GapDimension, Field(description="What the map's rows are.")]
Cols = Annotated[GapDimension, Field(description="What the map's columns are (not the rows).")]

Limit = Annotated[int, Field(ge=1, le=50, description="How many to return (page size).")]

READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, destructive_hint=False)
"""Every tool: it reads, and calling it again gives the same answer until the next load."""
