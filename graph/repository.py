"""Typed read functions over the graph. Each takes a `Db` first and returns pydantic models."""

from __future__ import annotations

import itertools
import json
import tempfile
from collections.abc import AsyncGenerator, Mapping
from typing import Any

from pydantic import BaseModel, Field

from graph.db import Db
from graph.errors import NotFound
from graph.model import Kind
from graph.queries import export as export_q
from graph.queries import loads as loads_q
from graph.queries import nodes as nodes_q
from graph.queries import paths as paths_q

# Properties kept for provenance and change detection, not shown as the node's own facts.
INTERNAL_PROPERTIES = frozenset({"checksum"})


class NodeSummary(BaseModel):
    """A node in brief: id, kind, name and description."""

    id: str
    kind: Kind
    name: str
    description: str | None = None
    notation: str | None = None


class Link(BaseModel):
    """A relationship of a node, seen from that node, and the node at its other end."""

    type: str = Field(description="Relationship type, e.g. IN_SCHEME.")
    direction: str = Field(description="'out' when this node is the start of the relationship.")
    node: NodeSummary


class NodeDetail(BaseModel):
    """A node with all its properties and (up to a cap) its links."""

    id: str
    kind: Kind
    properties: dict[str, Any]
    links: list[Link]
    links_total: int
    links_truncated: bool


class Page(BaseModel):
    """One page of nodes, with the total that matched."""

    items: list[NodeSummary]
    total: int
    limit: int
    offset: int


class KindCount(BaseModel):
    """A kind of node, its URI slug, and how many nodes the graph has of it."""

    kind: Kind
    slug: str
    count: int


class GraphNode(BaseModel):
    """A node as a graph-drawing library takes it."""

    id: str
    label: str
    kind: Kind


class GraphEdge(BaseModel):
    """A relationship as a graph-drawing library takes it."""

    id: str
    source: str
    target: str
    type: str


class Neighbourhood(BaseModel):
    """Nodes and edges in a shape graph-drawing libraries (e.g. Cytoscape.js) take directly."""

    center: str
    depth: int
    nodes: list[dict[str, GraphNode]]
    edges: list[dict[str, GraphEdge]]
    truncated: bool


class SearchHit(BaseModel):
    """A node that matched a text search, with its relevance score."""

    node: NodeSummary
    score: float


class ExportNode(BaseModel):
    id: str
    kind: Kind
    properties: dict[str, Any]


class ExportLink(BaseModel):
    from_id: str
    type: str
    to_id: str
    to_kind: Kind
    source: str | None


class LoadInfo(BaseModel):
    """A load's provenance record: when, which files with their checksums, and counts."""

    id: str
    properties: dict[str, Any]


def _summary(props: Mapping[str, Any], labels: list[str]) -> NodeSummary:
    return NodeSummary(
        id=props["id"],
        kind=Kind.from_label(labels),
        name=props.get("name") or props["id"],
        description=props.get("description"),
        notation=props.get("notation"),
    )


async def ping(db: Db) -> int:
    """Run a real query; returns the number of framework nodes."""
    rows = await db.read(nodes_q.ENTITY_COUNT)
    return int(rows[0]["count"])


async def kind_counts(db: Db) -> list[KindCount]:
    """How many nodes of each kind the graph holds (zero for kinds with none)."""
    rows = await db.read(nodes_q.KIND_COUNTS)
    counts = dict.fromkeys(Kind, 0)
    for row in rows:
        counts[Kind.from_label(row["labels"])] += int(row["count"])
    return [KindCount(kind=k, slug=k.slug, count=c) for k, c in counts.items()]


async def list_nodes(
    db: Db,
    *,
    kind: Kind,
    text: str | None,
    limit: int,
    offset: int,
) -> Page:
    """One page of nodes of a kind, by name, optionally filtered by a name fragment."""
    params = {"text": text.strip().lower() if text else None, "limit": limit, "offset": offset}
    rows = await db.read(nodes_q.LIST_NODES[kind], **params)
    total = await db.read(nodes_q.COUNT_NODES[kind], **params)
    items = [_summary(r["node"], r["labels"]) for r in rows]
    return Page(items=items, total=int(total[0]["total"]), limit=limit, offset=offset)


async def node_detail(db: Db, node_id: str, *, link_limit: int = 500) -> NodeDetail:
    """A node's properties and its links (both directions) with the linked nodes' names.

    Raises:
        NotFound: no node has this id.
    """
    params = {"id": node_id, "link_limit": link_limit}
    rows = await db.read(nodes_q.NODE_DETAIL, **params)
    if not rows:
        raise NotFound(node_id)
    row = rows[0]
    props = {k: v for k, v in row["props"].items() if k not in INTERNAL_PROPERTIES}
    links = [
        Link(
            type=link["type"],
            direction="out" if link["outgoing"] else "in",
            node=_summary({"id": link["id"], "name": link["name"]}, link["labels"]),
        )
        for link in row["links"]
    ]
    return NodeDetail(
        id=node_id,
        kind=Kind.from_label(row["labels"]),
        properties=props,
        links=links,
        links_total=int(row["total"]),
        links_truncated=int(row["total"]) > len(links),
    )


async def neighbourhood(
    db: Db,
    node_id: str,
    *,
    depth: int,
    max_nodes: int,
) -> Neighbourhood:
    """Nodes within `depth` hops of a node and the edges among them, at most `max_nodes` nodes.

    A breadth-first walk, one bounded query per hop, so a hub cannot make it explode.

    Raises:
        NotFound: no node has this id.
    """
    start = await db.read(nodes_q.NODE_SUMMARIES, ids=[node_id])
    if not start:
        raise NotFound(node_id)
    nodes = {node_id: _summary(start[0], start[0]["labels"])}
    frontier, truncated = [node_id], False
    for _ in range(depth):
        rows = await db.read(paths_q.NEIGHBOURS, ids=frontier, limit=max_nodes * 4)
        truncated = truncated or len(rows) >= max_nodes * 4
        frontier = []
        for row in rows:
            if row["id"] in nodes:
                continue
            if len(nodes) >= max_nodes:
                truncated = True
                break
            nodes[row["id"]] = _summary(row, row["labels"])
            frontier.append(row["id"])
        if not frontier:
            break
    # Every edge among the chosen nodes, including those between nodes of the last hop.
    rows = await db.read(paths_q.EDGES_AMONG, ids=list(nodes), limit=max_nodes * 20)
    edges = [GraphEdge(id=f"{r['source']}|{r['type']}|{r['target']}", **r) for r in rows]
    return Neighbourhood(
        center=node_id,
        depth=depth,
        nodes=[{"data": GraphNode(id=n.id, label=n.name, kind=n.kind)} for n in nodes.values()],
        edges=[{"data": e} for e in edges],
        truncated=truncated,
    )


async def search(db: Db, text: str, *, limit: int) -> list[SearchHit]:
    """Nodes whose name or description matches free text, best first."""
    search_for = db.dialect.search(text)
    if search_for is None:
        return []
    statement, params = search_for
    rows = await db.read(statement, **params, limit=limit)
    return [SearchHit(node=_summary(r["node"], r["labels"]), score=r["score"]) for r in rows]


async def export_batches(
    db: Db, *, batch_size: int = 1000
) -> AsyncGenerator[tuple[list[ExportNode], list[ExportLink]], None]:
    """The whole graph, a batch of nodes with their outgoing links at a time.

    Every id is first streamed to a temporary file, then nodes and links are fetched by id a
    batch at a time: memory stays bounded by the batch size, and each query is short (the
    embedded engine can neither page by id through its index nor give one long query more
    than its server-wide timeout).
    """
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        async for rows in db.stream(export_q.EXPORT_IDS):
            spool.writelines(json.dumps(r["id"]) + "\n" for r in rows)
        spool.seek(0)
        while ids := [json.loads(line) for line in itertools.islice(spool, batch_size)]:
            yield await _export_batch(db, ids)


async def export_nodes(
    db: Db, ids: list[str], *, batch_size: int = 1000
) -> tuple[list[ExportNode], list[ExportLink]]:
    """Some nodes, by id, with their outgoing links, as the export reads them."""
    nodes: list[ExportNode] = []
    links: list[ExportLink] = []
    for start in range(0, len(ids), batch_size):
        batch_nodes, batch_links = await _export_batch(db, ids[start : start + batch_size])
        nodes += batch_nodes
        links += batch_links
    return nodes, links


async def _export_batch(db: Db, ids: list[str]) -> tuple[list[ExportNode], list[ExportLink]]:
    rows = await db.read(export_q.EXPORT_NODES, ids=ids)
    nodes = [
        ExportNode(id=r["props"]["id"], kind=Kind.from_label(r["labels"]), properties=r["props"])
        for r in rows
    ]
    link_rows = await db.read(export_q.EXPORT_LINKS, ids=ids)
    links = [
        ExportLink(
            from_id=r["from_id"],
            type=r["type"],
            to_id=r["to_id"],
            to_kind=Kind.from_label(r["to_labels"]),
            source=r["source"],
        )
        for r in link_rows
    ]
    return nodes, links


async def loads(db: Db, *, limit: int, offset: int) -> list[LoadInfo]:
    """Recorded loads, newest first."""
    rows = await db.read(loads_q.LOADS, limit=limit, offset=offset)
    return [LoadInfo(id=r["props"]["id"], properties=r["props"]) for r in rows]


async def load_by_id(db: Db, load_id: str) -> LoadInfo:
    """One recorded load. Raises NotFound if there is none with this id."""
    rows = await db.read(loads_q.LOAD_BY_ID, id=load_id)
    if not rows:
        raise NotFound(load_id)
    return LoadInfo(id=load_id, properties=rows[0]["props"])


async def latest_load(db: Db) -> LoadInfo | None:
    rows = await db.read(loads_q.LATEST_LOAD)
    return LoadInfo(id=rows[0]["props"]["id"], properties=rows[0]["props"]) if rows else None
