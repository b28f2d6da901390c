"""Prompts for the questions people ask most: what works, and where evidence is missing."""

from __future__ import annotations

from typing import Annotated

from mcp.server import MCPServer
from pydantic import Field

HONESTLY = (
    "Cite each case study you rely on by its URI and its source. Say the strength of evidence "
    "in words and, for each approach, its rating and the clause of the rating rule that gave "
    "it. Never present weak evidence as strong: say when evidence is self-reported or a news "
    "report, and whether the rating holds without it. Where a source did not state a "
    "direction, say 'not stated'."
)


def register(server: MCPServer) -> None:
    """Add the prompts to `server`."""

    @server.prompt(description="What works for an outcome: approaches, ratings and their reasons.")
    def what_works_for(
        outcome: Annotated[str, Field(description="An outcome's name or id, e.g. Inclusion.")],
    ) -> str:
        return (
            f"What works for {outcome}? Call the what_works tool with outcome=[{outcome!r}] "
            "and answer from what it returns: the approaches in its order, each with its rating "
            "and why, how many case studies and how strong, and what did not work. " + HONESTLY
        )

    @server.prompt(description="Where evidence is missing on a policy theme or an outcome.")
    def evidence_gaps(
        topic: Annotated[str, Field(description="A policy theme or an outcome, by name or id.")],
    ) -> str:
        return (
            f"Where is evidence missing on {topic}? Find out whether it is a policy theme or an "
            "outcome (the search tool), then call the gap_map tool with it as the theme or "
            "outcome filter (rows intervention, cols outcome). Report the empty cells as gaps "
            "(no evidence, which is not evidence of no effect), cells whose strongest evidence "
            "is 1 or 2 as thin, and planned evaluations as gaps being filled, not as evidence. "
            + HONESTLY
        )
