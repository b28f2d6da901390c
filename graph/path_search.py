"""Shortest paths between two nodes, bounded in what they expand and in time.

`allShortestPaths` up to six hops is cheap between ordinary nodes and unbounded between hubs:
between two outcomes (20,000 links each, joined through every case study that claims both) the
embedded engine took 32 s at 100,000 case studies. Two bounds, both answered with a located 422
(never a partial list that could pass for the whole answer, nor a 500 or a long wait):

- **size:** when both ends have at least `hub_links` links, the search is refused before it
  starts; with one hub end it runs (a study and its outcome: the hub is met, not walked from);
- **time:** a search still running after `seconds` is abandoned and refused. The engine may go
  on to its own query timeout; the client does not wait for it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from graph.db import Db
from graph.errors import NotFound, TooBroad
from graph.evidence import EvidencePath, PathNode, PathRelationship
from graph.model import Kind
from graph.queries import nodes as nodes_q
from graph.queries import paths as paths_q

HUB_LINKS = 2_000
"""Links at which both ends of a path search make it too broad: the busiest organisations and
places at 100,000 case studies have a few hundred; outcomes and themes have tens of thousands."""

SECONDS = 10.0
"""How long a path search may run: shortest paths at 100,000 case studies took 0.1-4 s from a
case study to an outcome on a quiet machine (28 s under a load average of 30), and 32 s between
two outcomes. Not less: a bound that a loaded machine passes on small graphs refuses answers."""


class PathsTooBroad(TooBroad):
    """A path search that would expand too much, or ran too long: `location` names the end."""


async def shortest_paths(
    db: Db,
    from_id: str,
    to_id: str,
    *,
    limit: int,
    hub_links: int = HUB_LINKS,
    seconds: float = SECONDS,
) -> list[dict[str, Any]]:
    """Rows of `PATHS` between two existing, different nodes, within the bounds above.

    Raises:
        PathsTooBroad: both ends are hubs, or the search took longer than `seconds`.
    """
    rows = await db.read(paths_q.DEGREES, ids=[from_id, to_id])
    degrees = {r["id"]: int(r["degree"]) for r in rows}
    if min(degrees.get(from_id, 0), degrees.get(to_id, 0)) >= hub_links:
        raise PathsTooBroad(
            "query.to",
            f"Both ends have too many links to search the paths between them "
            f"({degrees[from_id]:,} and {degrees[to_id]:,}; the most for both is "
            f"{hub_links - 1:,}): choose a node with fewer links at either end.",
        )
    try:
        async with asyncio.timeout(seconds):
            return await db.read(paths_q.PATHS, **{"from": from_id, "to": to_id, "limit": limit})
    except TimeoutError as e:
        raise PathsTooBroad(
            "query.to",
            f"Searching the paths between these nodes took longer than {seconds:g} s, "
            "so it was stopped: choose a node with fewer links at either end.",
        ) from e


async def paths(db: Db, from_id: str, to_id: str, *, limit: int) -> list[EvidencePath]:
    """The shortest chains of relationships between two nodes, each with its provenance.

    Raises:
        NotFound: either node does not exist.
        PathsTooBroad: both ends are hubs, or the search ran too long.
    """
    ends = await db.read(nodes_q.NODE_SUMMARIES, ids=[from_id, to_id])
    found = {r["id"] for r in ends}
    for node_id in (from_id, to_id):
        if node_id not in found:
            raise NotFound(node_id)
    if from_id == to_id:
        # Neo4j refuses a shortest path whose start and end are one node; the answer is known.
        rows = [{"nodes": ends[:1], "relationships": []}]
    else:
        rows = await shortest_paths(db, from_id, to_id, limit=limit)
    return [
        EvidencePath(
            length=len(r["relationships"]),
            nodes=[
                PathNode(
                    id=n["id"],
                    name=n.get("name") or n["id"],
                    kind=Kind.from_label(n["labels"]),
                    source=n.get("source"),
                )
                for n in r["nodes"]
            ],
            relationships=[
                PathRelationship(
                    type=x["type"],
                    from_id=x["from"],
                    to_id=x["to"],
                    source=x["source"],
                    load=x["load"],
                )
                for x in r["relationships"]
            ],
        )
        for r in rows
    ]
