"""Graph-shaped reads for drawing libraries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import DbDep, SettingsDep
from api.errors import PROBLEM_RESPONSES
from api.routes.nodes import NodeId
from graph import repository
from graph.evidence import EvidencePath
from graph.path_search import paths
from graph.repository import Neighbourhood

router = APIRouter(prefix="/graph", tags=["graph"])


@router.get(
    "/neighbourhood/{node_id}",
    responses={404: PROBLEM_RESPONSES[404], 422: PROBLEM_RESPONSES[422]},
)
async def neighbourhood(
    db: DbDep,
    settings: SettingsDep,
    node_id: NodeId,
    depth: Annotated[int, Query(ge=1, le=3, description="Hops from the node.")] = 1,
    limit: Annotated[int | None, Query(ge=1, description="Most nodes to return.")] = None,
) -> Neighbourhood:
    """Nodes within `depth` hops and the edges among them, as Cytoscape.js; hubs counted."""
    cap = min(limit or settings.max_neighbourhood_nodes, settings.max_neighbourhood_nodes)
    return await repository.neighbourhood(db, node_id, depth=depth, max_nodes=cap)


@router.get("/paths", responses={404: PROBLEM_RESPONSES[404], 422: PROBLEM_RESPONSES[422]})
async def shortest_paths(
    db: DbDep,
    from_id: Annotated[
        str,
        Query(
            alias="from",
            min_length=1,
            max_length=200,
            description="Start node id.",
            examples=["greater-manchester-combined-authority"],
        ),
    ],
    to_id: Annotated[
        str,
        Query(
            alias="to",
            min_length=1,
            max_length=200,
            description="End node id.",
            examples=["inclusion"],
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=50, description="Most paths to return.")] = 10,
) -> list[EvidencePath]:
    """The shortest explanations connecting two nodes (up to 6 hops), with provenance.

    Refused (422, too-broad) when both ends have thousands of links, or after 10 s."""
    return await paths(db, from_id, to_id, limit=limit)
