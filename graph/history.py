"""Reading history: a node's versions, the graph's state at a point, what changed between two.

A point in time (`as_of`, `since`, `until`) is a load id or an ISO 8601 date-time; it resolves
to the `started_at` of a load, which is what versions are ordered by (graph/versions.py).
History is kept copy-on-write: a node's latest state is the node itself, dated by the load that
stamped it, and its versions are the states before. Every read here is an index seek on
`Version.node`, a range on `Version.at` or a seek on a kind's `load`, bounded by a limit the
caller passes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from graph import repository, versions
from graph.db import Db
from graph.errors import NotFound
from graph.filters import InvalidFilter
from graph.model import Kind
from graph.queries import loads as loads_q
from graph.queries import versions as q
from graph.repository import INTERNAL_PROPERTIES, Link, LoadInfo, NodeDetail, NodeSummary


class InvalidPoint(InvalidFilter):
    """A point in the graph's history that is neither a load id nor a date-time, or that comes
    before the first load."""


class Point(BaseModel):
    """A resolved point in history: the latest load at or before it, and its time."""

    load: str = Field(
        description="The load the graph stood at.", examples=["load-20261202T061700-a1b2c3"]
    )
    at: str = Field(description="That load's start (ISO 8601, UTC).")


class Provenance(BaseModel):
    """Who and what a version came from: its load's record."""

    load: str
    started_at: str | None = None
    agent: str | None = None
    contributor: str | None = Field(default=None, description="The contributing organisation.")
    files: list[str] = Field(default_factory=list)
    properties: dict[str, Any] = Field(
        default_factory=dict, description="The load's whole record (decision, report, ...)."
    )


class Version(BaseModel):
    """What a node was after one load: its properties and outgoing links, and that load."""

    node: str
    kind: str
    change: str = Field(description="created, changed or removed.", examples=["changed"])
    at: str = Field(description="The load's start (ISO 8601, UTC).")
    properties: dict[str, Any]
    links: list[tuple[str, str]] = Field(description="Outgoing links: [type, target id].")
    provenance: Provenance


class History(BaseModel):
    """One page of a node's versions, newest first."""

    node: str
    items: list[Version]
    total: int
    limit: int
    offset: int


class Change(BaseModel):
    """A node a load added, changed or removed."""

    node: str
    kind: str
    name: str
    change: str
    at: str
    provenance: Provenance


class Changes(BaseModel):
    """What changed between two points, newest first, one page."""

    since: Point | None
    until: Point
    items: list[Change]
    total: int
    limit: int
    offset: int


def _provenance(load_id: str, props: dict[str, Any] | None) -> Provenance:
    props = props or {}
    files = props.get("files")
    return Provenance(
        load=load_id,
        started_at=props.get("started_at"),
        agent=props.get("agent"),
        contributor=props.get("contributor"),
        files=list(files) if isinstance(files, list) else [],
        properties=props,
    )


def _version(row: dict[str, Any], load: dict[str, Any] | None) -> Version:
    props = {k: v for k, v in json.loads(row["props"]).items() if k not in INTERNAL_PROPERTIES}
    return Version(
        node=row["node"],
        kind=row["kind"],
        change=row["change"],
        at=row["at"],
        properties=props,
        links=[(rel, to) for rel, to in json.loads(row["links"])],
        provenance=_provenance(row["load"], load),
    )


async def current_states(db: Db, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The present state of each of `ids` still in the graph, as a version row (one an older
    release kept as a version is left to be read as such)."""
    states = [s for s in await db.read(q.CURRENT_STATE, ids=ids) if not s["recorded"]]
    if not states:
        return {}
    rows = await db.read(q.LATEST_CHANGES, ids=[s["id"] for s in states])
    latest = {r["id"]: r["change"] for r in rows}
    return {s["id"]: versions.state_row(s, latest.get(s["id"])) for s in states}


async def node_history(db: Db, node_id: str, *, limit: int, offset: int) -> History:
    """A node's versions, newest first, one page: its present state, then those kept.

    Raises:
        NotFound: the node has no versions (it was never loaded).
    """
    present = (await current_states(db, [node_id])).get(node_id)
    [counted] = await db.read(q.HISTORY_COUNT, id=node_id)
    extra = 1 if present else 0
    if not counted["total"] + extra:
        raise NotFound(node_id)
    items = []
    if present and offset == 0:
        loads = await db.read(loads_q.LOAD_BY_ID, id=present["load"])
        items.append(_version(present, loads[0]["props"] if loads else None))
    if limit > len(items):
        rows = await db.read(
            q.HISTORY, id=node_id, limit=limit - len(items), offset=max(offset - extra, 0)
        )
        items += [_version(r["version"], r["load"]) for r in rows]
    return History(
        node=node_id, items=items, total=counted["total"] + extra, limit=limit, offset=offset
    )


async def resolve(db: Db, value: str, location: str) -> Point:
    """The point `value` names: a load's id, or the latest load at or before a date-time.

    Raises:
        InvalidPoint: neither a load id nor a date-time, or before the first load.
    """
    rows = await db.read(loads_q.LOAD_BY_ID, id=value)
    if rows:
        return Point(load=value, at=rows[0]["props"]["started_at"])
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as e:
        message = f"{value!r} is neither a load id nor an ISO 8601 date-time."
        raise InvalidPoint(location, message) from e
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    at = when.astimezone(UTC).isoformat(timespec="microseconds")
    found = await db.read(q.LOAD_AT_OR_BEFORE, at=at)
    if not found:
        first = await db.read(q.FIRST_LOAD)
        since = f" (the first was at {first[0]['props']['started_at']})" if first else ""
        raise InvalidPoint(location, f"{value!r} is before the first load{since}.")
    return Point(load=found[0]["props"]["id"], at=found[0]["props"]["started_at"])


async def current_point(db: Db) -> Point | None:
    """The graph's latest load as a point (what a permalink pins), if any load was made."""
    latest: LoadInfo | None = await repository.latest_load(db)
    if latest is None:
        return None
    return Point(load=latest.id, at=str(latest.properties["started_at"]))


async def states_at(db: Db, ids: list[str], point: Point) -> dict[str, Version]:
    """The version of each of `ids` in force at `point` (removed ones left out)."""
    found = {
        node_id: _version(row, None)
        for node_id, row in (await current_states(db, ids)).items()
        if row["at"] <= point.at
    }
    # The others were different then, or not there: their kept versions say.
    rows = await db.read(q.AS_OF, ids=[i for i in ids if i not in found], at=point.at)
    for row in rows:
        version = row["version"]
        if version is not None and version["change"] != "removed":
            found[version["node"]] = _version(version, None)
    return found


async def changes_between(
    db: Db,
    since: Point | None,
    until: Point,
    *,
    subjects: list[str] | None,
    limit: int,
    offset: int,
) -> Changes:
    """What changed after `since` (from the start when None) up to and including `until`:
    the versions kept in that range, and the present states made in it."""
    low = since.at if since else ""
    if subjects is None:
        [counted] = await db.read(q.CHANGES_COUNT, since=low, until=until.at)
        kept = await db.read(q.CHANGES, since=low, until=until.at, limit=limit + offset, offset=0)
        present = await _stamped_between(db, low, until.at)
        total = int(counted["total"]) + len(present)
    else:
        kept = await db.read(
            q.CHANGES_OF, ids=subjects, since=low, until=until.at, limit=limit + offset
        )
        present = await _present_between(db, subjects, low, until.at)
        total = len(kept) + len(present)
    rows = sorted([*kept, *present], key=lambda r: r["version"]["node"])
    rows.sort(key=lambda r: str(r["version"]["at"]), reverse=True)
    items = [
        Change(
            node=r["version"]["node"],
            kind=r["version"]["kind"],
            name=r["version"]["name"],
            change=r["version"]["change"],
            at=r["version"]["at"],
            provenance=_provenance(r["version"]["load"], r["load"]),
        )
        for r in rows[offset : offset + limit]
    ]
    return Changes(since=since, until=until, items=items, total=total, limit=limit, offset=offset)


async def _stamped_between(db: Db, since: str, until: str) -> list[dict[str, Any]]:
    """The present states the loads in (since, until] made, as rows of `CHANGES`."""
    loads = {
        r["props"]["id"]: r["props"]
        for r in await db.read(q.LOADS_BETWEEN, since=since, until=until)
    }
    if not loads:
        return []
    found: list[tuple[Kind, dict[str, Any]]] = []
    for kind, statement in q.STAMPED_BY.items():
        found += [(kind, r) for r in await db.read(statement, loads=sorted(loads))]
    rows = await db.read(q.LATEST_CHANGES, ids=[r["node"] for _, r in found])
    latest = {r["id"]: r["change"] for r in rows}
    return [
        {
            "version": {
                "node": r["node"],
                "kind": str(kind),
                "name": str(r["name"] or r["node"]),
                "change": versions.CREATED
                if latest.get(r["node"]) in (None, versions.REMOVED)
                else versions.CHANGED,
                "load": r["load"],
                "at": loads[r["load"]]["started_at"],
            },
            "load": loads[r["load"]],
        }
        for kind, r in found
    ]


async def _present_between(db: Db, ids: list[str], since: str, until: str) -> list[dict[str, Any]]:
    """The present states of `ids` made in (since, until], as rows of `CHANGES`."""
    present = [
        row for row in (await current_states(db, ids)).values() if since < row["at"] <= until
    ]
    loads = {
        load_id: await db.read(loads_q.LOAD_BY_ID, id=load_id)
        for load_id in {row["load"] for row in present}
    }
    return [
        {"version": row, "load": loads[row["load"]][0]["props"] if loads[row["load"]] else None}
        for row in present
    ]


async def subjects_of(db: Db, *, outcome: str | None, intervention: str | None) -> list[str]:
    """The case studies and claims about an outcome or an intervention, in the graph now."""
    if outcome is not None:
        rows = await db.read(q.SUBJECTS_OF_OUTCOME, id=outcome)
    elif intervention is not None:
        rows = await db.read(q.SUBJECTS_OF_INTERVENTION, id=intervention)
    else:
        return []
    return [*(rows[0]["ids"] if rows else []), *([outcome] if outcome else [intervention or ""])]


async def node_at(db: Db, node_id: str, point: Point, *, link_limit: int = 500) -> NodeDetail:
    """A node as it stood at `point`: its properties and outgoing links, with the names and
    kinds its targets had then. Incoming links are not kept by versions, so none are listed.

    Raises:
        NotFound: the node did not exist at `point`.
    """
    found = await states_at(db, [node_id], point)
    if node_id not in found:
        raise NotFound(node_id)
    version = found[node_id]
    targets = await states_at(db, sorted({to for _, to in version.links}), point)
    links = [
        Link(
            type=rel,
            direction="out",
            node=NodeSummary(
                id=to,
                kind=Kind(targets[to].kind),
                name=str(targets[to].properties.get("name", to)),
                description=targets[to].properties.get("description"),
                notation=targets[to].properties.get("notation"),
            ),
        )
        for rel, to in version.links
        if to in targets
    ]
    links.sort(key=lambda link: (link.type, link.node.name, link.node.id))
    return NodeDetail(
        id=node_id,
        kind=Kind(version.kind),
        properties=version.properties,
        links=links[:link_limit],
        links_total=len(links),
        links_truncated=len(links) > link_limit,
    )
