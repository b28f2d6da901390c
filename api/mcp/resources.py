"""What an assistant may read before it asks: the graph's shape, the evidence scale and the
rating rule, from the code and data the API and its docs use."""

from __future__ import annotations

from collections.abc import Callable

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError

from api.mcp.reads import Reads
from api.mcp.refusals import refusal
from graph import approaches
from graph.evidence import DIRECTION_WORDS
from graph.model import ENDPOINTS, Kind
from graph.rating_rule import STRENGTH_NAMES
from graph.synthesis import WEAK_TYPES

JSON = "application/json"
SHAPE = "connects://graph/shape"
SCALE = "connects://evidence/scale"
RATING_RULE = "connects://evidence/rating-rule"


def shape() -> dict[str, object]:
    """The kinds of node and which kinds each relationship may join (`graph.model`)."""
    return {
        "kinds": [kind.value for kind in Kind],
        "relationships": [
            {"type": rel.value, "from": sorted(sources), "to": sorted(targets)}
            for rel, (sources, targets) in ENDPOINTS.items()
        ],
    }


def scale() -> dict[str, object]:
    """The common 1-5 strength scale, the directions in words, and what counts as weak."""
    return {
        "strengths": [{"strength": s, "name": name} for s, name in STRENGTH_NAMES.items()],
        "directions": DIRECTION_WORDS,
        "weak_evidence": {
            "strength": 1,
            "evidence_types": sorted(WEAK_TYPES),
            "why": "Self-reported accounts and news reports: the robustness check on every card "
            "recomputes the rating without them.",
        },
        "scales": "Every scale (Connects, Nesta's Standards of Evidence, ...) maps each of its "
        "levels to one of these strengths: get_node('connects-evidence-scale') lists its levels.",
    }


def register(server: MCPServer, reads: Callable[[], Reads]) -> None:
    """Add the resources to `server`; `reads` gives the graph's handles at read time."""
    server.resource(
        SHAPE,
        name="graph-shape",
        description="The kinds of node in the graph and the relationships between them.",
        mime_type=JSON,
    )(shape)
    server.resource(
        SCALE,
        name="evidence-scale",
        description="The common 1-5 evidence strength scale, the directions a source may "
        "report, and what counts as weak evidence.",
        mime_type=JSON,
    )(scale)

    @server.resource(
        RATING_RULE,
        name="rating-rule",
        description="The rule every approach's rating comes from, in order, each rating's "
        "conditions in words and as data (GET /ratings).",
        mime_type=JSON,
    )
    async def rating_rule() -> approaches.RatingRule:
        at = reads()
        try:
            async with at.db() as db:
                return await approaches.rule_as_data(db)
        except Exception as e:
            raise ResourceError(str(refusal("rating-rule", e, {}))) from e
