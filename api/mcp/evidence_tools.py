"""The evidence tools: what works, the evidence behind it, and where evidence is missing.

Each calls the graph function its API route calls (api/routes/approaches.py, evidence.py), with
the same filters and limits, and answers with the route's model plus the URIs to cite.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mcp.server import MCPServer

from api.mcp import answers
from api.mcp.arguments import (
    READ_ONLY,
    Cols,
    Directions,
    EvidenceTypes,
    Limit,
    MinStrength,
    Offset,
    Organisations,
    Outcomes,
    Regions,
    Rows,
    Text,
    Themes,
    Year,
)
from api.mcp.reads import Reads
from api.mcp.refusals import in_plain_words
from graph import approaches, evidence
from graph.filters import InvalidFilter, RawFilter, resolve
from graph.queries.evidence import Dimension

HONESTY = (
    " Answer honestly from it: cite the case studies you use by their URI (`uris`) and their "
    "sources; say the strength of evidence in words (Reported, Documented, Externally "
    "examined, Independently evaluated, Peer reviewed); never present weak evidence as strong; "
    "a direction the source did not state is 'not stated', never positive."
)
WHAT_WORKS = (
    "What works for outcomes: approaches (interventions) ranked by their evidence, strongest "
    "first, as GET /what-works answers. Each has an evidence card: its rating and `rule`, the "
    "clause of the rating rule that gave it (say which), the studies at each strength and "
    "direction, what did not work (`did_not_work`: always mention it) and `robustness`, whether "
    "the rating holds without self-reported and news evidence; then the case studies behind it "
    "with their sources. Reported results are as the case study states them, unverified." + HONESTY
)
EVIDENCE = (
    "Case studies with evidence for outcomes, strongest first then most recent, as GET "
    "/evidence answers: each claim's strength (1-5, named), direction and source, and why the "
    "case study matched. Weak evidence is listed as weak, never hidden." + HONESTY
)
GAP_MAP = (
    "Where evidence is and is missing: an evidence-and-gap map, every rows x cols cell with the "
    "number of case studies, their strengths and directions and the strongest one, as GET "
    "/evidence/gap-map answers. An empty cell is a gap (no evidence), not evidence of no "
    "effect; planned evaluations are gaps being filled, not evidence. Filter by a theme or an "
    "outcome where you can: the whole map is large." + HONESTY
)


def register(server: MCPServer, reads: Callable[[], Reads]) -> None:
    """Add the evidence tools to `server`; `reads` gives the graph's handles at call time."""

    @server.tool(description=WHAT_WORKS, annotations=READ_ONLY)
    async def what_works(
        outcome: Outcomes = None,
        theme: Themes = None,
        region: Regions = None,
        organisation: Organisations = None,
        evidence_type: EvidenceTypes = None,
        direction: Directions = None,
        min_strength: MinStrength = 1,
        year_from: Year = None,
        year_to: Year = None,
        q: Text = None,
        limit: Limit = 10,
        offset: Offset = 0,
    ) -> answers.WhatWorksAnswer:
        raw, at = _filter(locals()), reads()
        with in_plain_words("what_works"):
            async with at.db() as db:
                found = await approaches.what_works(
                    db,
                    await resolve(db, raw, at.store),
                    limit=min(limit, at.settings.max_page_size),
                    offset=offset,
                    store=at.store,
                )
        return answers.what_works(at.settings.public_base_uri, found)

    @server.tool(name="evidence", description=EVIDENCE, annotations=READ_ONLY)
    async def evidence_rows(
        outcome: Outcomes = None,
        theme: Themes = None,
        region: Regions = None,
        organisation: Organisations = None,
        evidence_type: EvidenceTypes = None,
        direction: Directions = None,
        min_strength: MinStrength = 1,
        year_from: Year = None,
        year_to: Year = None,
        q: Text = None,
        limit: Limit = 10,
        offset: Offset = 0,
    ) -> answers.EvidenceAnswer:
        raw, at = _filter(locals()), reads()
        with in_plain_words("evidence"):
            async with at.db() as db:
                page = await evidence.what_works(
                    db,
                    await resolve(db, raw, at.store),
                    limit=min(limit, at.settings.max_page_size),
                    offset=offset,
                    store=at.store,
                )
        return answers.evidence(at.settings.public_base_uri, page)

    @server.tool(description=GAP_MAP, annotations=READ_ONLY)
    async def gap_map(
        rows: Rows = "intervention",
        cols: Cols = "outcome",
        outcome: Outcomes = None,
        theme: Themes = None,
        region: Regions = None,
        organisation: Organisations = None,
        evidence_type: EvidenceTypes = None,
        direction: Directions = None,
        min_strength: MinStrength = 1,
        year_from: Year = None,
        year_to: Year = None,
        q: Text = None,
    ) -> answers.GapMapAnswer:
        raw, at = _filter(locals()), reads()
        with in_plain_words("gap_map"):
            if rows == cols:
                raise InvalidFilter("cols", "rows and cols must be different dimensions.")
            async with at.db() as db:
                found = await evidence.gap_map(
                    db,
                    await resolve(db, raw, at.store),
                    Dimension(rows),
                    Dimension(cols),
                    store=at.store,
                )
        return answers.gap_map(at.settings.public_base_uri, found)


def _filter(arguments: dict[str, Any]) -> RawFilter:
    """The API's evidence filter from a tool's arguments: those that are its fields, by name."""
    given = {k: v for k, v in arguments.items() if k in RawFilter.model_fields and v is not None}
    return RawFilter.model_validate(given)
