"""The graph as it stood at a past load, for `as_of` on the evidence answers.

Design (measured at M in docs/history.md). The evidence answers (`/evidence`, its facets and
gap map, `/what-works`, the interventions) read the graph through many statements and the
evidence index; answering them from the versions directly would mean a second implementation of
each, which could drift from the first. Instead the graph at a point is rebuilt, from the
states in force then (the nodes and their versions, graph/versions.py), into a scratch database
of the same engine, and the very same code answers over it, with an evidence index of its own:
the answers are those the endpoint gave right after that load, by construction.

Bounded: at most `keep` points are kept (least recently used dropped, database and all), one
rebuild at a time; the present is never served from here. A rebuild is about as long as loading
the graph once (seconds at M), so a point is built on first use and then answered at the
present's speed. Only the embedded engine can hold extra databases; on Neo4j `as_of` on these
answers is a 422 saying so (node pages and history read versions directly on both).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import OrderedDict
from dataclasses import replace
from typing import Any

import anyio

from graph import engine, engine_databases, schema, versions, writes
from graph.db import Db
from graph.dialect import Engine
from graph.engine_schema import ensure_engine_indexes
from graph.evidence_store import EvidenceStore
from graph.filters import InvalidFilter
from graph.history import Point
from graph.model import Kind, Rel
from graph.queries import versions as q
from graph.settings import GraphSettings


def database_name(load_id: str) -> str:
    """The scratch database for a load: a name the engine accepts, ours by its prefix."""
    return engine_databases.PREFIX + re.sub(r"[^A-Za-z0-9]", "_", load_id)[:100]


class Snapshots:
    """One per process: the points in history built so far, each a `Db` and its own index."""

    def __init__(self, settings: GraphSettings, *, keep: int, max_claims: int) -> None:
        self.settings = settings
        self.keep = keep
        self.max_claims = max_claims
        self.builds = 0
        """How many points were built (the tests count them)."""
        self._kept: OrderedDict[str, tuple[Db, EvidenceStore]] = OrderedDict()
        self._lock = asyncio.Lock()

    async def at(self, db: Db, point: Point) -> tuple[Db, EvidenceStore]:
        """A handle to the graph as it stood at `point`, and its evidence store.

        Raises:
            InvalidFilter: the engine cannot hold a past graph (Neo4j), for `as_of`.
            GraphError: the graph failed.
        """
        if db.dialect.engine is not Engine.ARCADEDB:
            message = "as_of on evidence answers needs the embedded engine."
            raise InvalidFilter("query.as_of", message)
        async with self._lock:  # one build at a time; those waiting share it
            if point.load in self._kept:
                self._kept.move_to_end(point.load)
                return self._kept[point.load]
            name = database_name(point.load)
            await anyio.to_thread.run_sync(engine_databases.create, self.settings, name)
            past = replace(db, database=name)
            try:
                await self._fill(db, past, point)
            except BaseException:
                await anyio.to_thread.run_sync(engine_databases.drop, self.settings, name)
                raise
            self.builds += 1
            self._kept[point.load] = (past, EvidenceStore(max_claims=self.max_claims))
            while len(self._kept) > self.keep:
                _, (old, _) = self._kept.popitem(last=False)
                await anyio.to_thread.run_sync(
                    engine_databases.drop, self.settings, str(old.database)
                )
            return self._kept[point.load]

    async def _fill(self, db: Db, past: Db, point: Point) -> None:
        await schema.ensure_schema(past)
        scratch = self.settings.model_copy(update={"database": past.database})
        server = f"http://{engine.LOOPBACK}:{self.settings.http_port}"
        admin = (engine.ROOT_USER, engine.root_password(self.settings))
        await anyio.to_thread.run_sync(ensure_engine_indexes, server, scratch, admin)
        nodes: list[writes.NodeRow] = []
        links: list[writes.LinkRow] = []
        for node_id, kind, props, out in await _states_at(db, point):
            # Derived properties (the checksum, the sentence embedding) are not history: left
            # out, the past graph's answers are the same and its copy far smaller.
            stored = {k: v for k, v in props.items() if k not in versions.DERIVED}
            nodes.append(writes.NodeRow(node_id, kind, stored))
            # The engine lists a node's links newest first: written in reverse, they list again
            # as they did then (answers list partners, places... in that order).
            links += [writes.LinkRow(node_id, Rel(rel), to, "") for rel, to in reversed(out)]
        # Answers that list nodes unordered (a study's regions) list them in the order they
        # were made; nodes since removed go last.
        [order] = await db.read(q.ENTITY_ORDER)
        made = {node_id: position for position, node_id in enumerate(order["ids"])}
        nodes.sort(key=lambda node: (made.get(node.id, len(made)), node.id))
        await writes.upsert(past, nodes, links, writes.LoadRecord(point.load), record_load=False)
        loads = await db.read(q.LOADS_UNTIL, at=point.at)
        await writes.restore_loads(past, [(r["props"]["id"], r["props"]) for r in loads])

    async def close(self) -> None:
        """Drop every scratch database this process made."""
        async with self._lock:
            for past, _ in self._kept.values():
                await anyio.to_thread.run_sync(
                    engine_databases.drop, self.settings, str(past.database)
                )
            self._kept.clear()


State = tuple[str, Kind, dict[str, Any], list[list[str]]]


async def _states_at(db: Db, point: Point) -> list[State]:
    """Every node as it stood at `point`: as it is now if its present state was made by then,
    else as its version in force then (graph/versions.py keeps history copy-on-write)."""
    [present] = await db.read(q.ALL_CURRENT)
    found: dict[str, State] = {}
    for node_id, labels, props, out, started_at, recorded in present["rows"]:
        if not recorded and versions.stamp_time(str(props.get("load", "")), started_at) <= point.at:
            found[node_id] = (node_id, Kind.from_label(labels), props, out)
    [kept] = await db.read(q.STATE_AT, at=point.at)
    for node_id, kind, props, out in kept["rows"]:
        if node_id not in found:
            found[node_id] = (node_id, Kind(kind), json.loads(props), json.loads(out))
    return list(found.values())
