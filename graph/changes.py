"""What the graph says about its changes: its loads, what given loads stamped, and its totals.

Every write stamps what it changes with its load (a node's `load`, a relationship's `load`), so
the nodes a set of loads touched can be found. Removals leave no stamp; the totals let a reader
tell whether any happened outside the touched nodes.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from pydantic import BaseModel

from graph import repository
from graph.db import Db
from graph.queries import loads as loads_q
from graph.queries import nodes as nodes_q
from graph.repository import LoadInfo


class LoadState(BaseModel):
    """Which loads the graph has seen: it changes whenever a load is recorded (or loads go)."""

    loads: int
    latest: LoadInfo | None

    @property
    def version(self) -> tuple[int, str | None]:
        # The count as well as the id, should the latest ever be ambiguous (loads made in the
        # same microsecond, or a restored history).
        return self.loads, self.latest.id if self.latest else None


async def load_state(db: Db) -> LoadState:
    """How many loads are recorded, and the latest: two small reads, cheap to poll.

    Every evidence request polls it, so the two reads go at once rather than one after the
    other.
    """
    counted, latest = await asyncio.gather(db.read(loads_q.LOAD_COUNT), repository.latest_load(db))
    [row] = counted
    return LoadState(loads=row["loads"], latest=latest)


async def load_version(db: Db) -> tuple[int, str | None]:
    """`load_state(db).version` from one read: what a freshness check needs, every request."""
    [row] = await db.read(loads_q.LOAD_VERSION)
    return int(row["loads"]), row["latest"]


class LoadStamp(BaseModel):
    """The load version, and when its latest load started: what caching validators need."""

    loads: int
    latest: str | None
    at: datetime | None


async def load_stamp(db: Db) -> LoadStamp:
    """`load_version(db)` and the latest load's start, from the same one read."""
    [row] = await db.read(loads_q.LOAD_VERSION)
    at = datetime.fromisoformat(row["at"]) if row["at"] else None
    if at is not None and at.tzinfo is None:  # recorded without a zone: ours are UTC
        at = at.replace(tzinfo=UTC)
    return LoadStamp(loads=int(row["loads"]), latest=row["latest"], at=at)


def new_loads(reflected: frozenset[str], loads: list[LoadInfo]) -> frozenset[str] | None:
    """The loads among `loads` that a copy reflecting the loads `reflected` has not seen; None
    when one of those has gone (a cleared or restored graph): nothing to patch from.

    A copy of the graph (the SPARQL snapshot, the evidence index) is patched from these only:
    every write stamps what it changes with its load.
    """
    current = frozenset(load.id for load in loads)
    if not reflected <= current:
        return None
    return current - reflected


class Changes(BaseModel):
    touched: set[str]
    """Nodes written by the loads, or with an outgoing link the loads wrote."""
    nodes: int
    """Entity nodes in the graph now."""
    links: int
    """Relationships between entity nodes now."""


async def since(db: Db, loads: list[str]) -> Changes:
    """The nodes `loads` touched, and the graph's node and link totals.

    Raises:
        GraphUnavailable, QueryTimeout, GraphError: the graph failed to answer.
    """
    params = {"loads": loads}
    written = await db.read(loads_q.CHANGED_NODES, **params)
    sources = await db.read(loads_q.CHANGED_LINK_SOURCES, **params)
    touched = {r["id"] for r in [*written, *sources]}
    [nodes] = await db.read(nodes_q.ENTITY_COUNT)
    [links] = await db.read(loads_q.LINK_COUNT)
    return Changes(touched=touched, nodes=nodes["count"], links=links["count"])
