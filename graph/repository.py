"""Typed read functions over the graph. Each takes a `Db` first and returns pydantic models."""

from __future__ import annotations

import asyncio
import itertools
import json
import tempfile
from collections.abc import AsyncGenerator, Mapping
from typing import Any, Literal

from pydantic import BaseModel, Field

from graph.db import Db
from graph.dialect import lucene_query, search_words
from graph.errors import NotFound, TooBroad
from graph.model import Kind
from graph.queries import export as export_q
from graph.queries import loads as loads_q
from graph.queries import nodes as nodes_q
from graph.queries import paths as paths_q
from graph.queries import search as search_q

# Properties kept for provenance, change detection and search (the sentence embedding and the
# hash of its text, graph/semantic.py), not shown as the node's own facts.
SEARCH_PROPERTIES = frozenset({"embedding", "embedding_sha256"})
INTERNAL_PROPERTIES = frozenset({"checksum"}) | SEARCH_PROPERTIES


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


class Hub(BaseModel):
    """A node of the neighbourhood whose own links were too many to follow: counted instead."""

    id: str
    links: int = Field(description="How many relationships the node has, in both directions.")


class Neighbourhood(BaseModel):
    """Nodes and edges in a shape graph-drawing libraries (e.g. Cytoscape.js) take directly."""

    center: str
    depth: int
    nodes: list[dict[str, GraphNode]]
    edges: list[dict[str, GraphEdge]]
    truncated: bool
    hubs: list[Hub] = Field(
        default_factory=list,
        description="Nodes reached whose links were not followed, because one hop from them "
        "alone would pass the answer's budget (4 rows per node of the cap); `truncated` is "
        "then true. The explorer shows them as '+N links'.",
    )


Matched = Literal["keyword", "semantic"]


def _keyword_only() -> list[Matched]:
    return ["keyword"]


class SearchHit(BaseModel):
    """A node that matched a text search, with its relevance score and why it matched."""

    node: NodeSummary
    score: float = Field(
        description="How well it matched, to rank by, on the scale of the mode asked for: "
        "keyword, the full-text index's BM25 score; semantic, the cosine similarity; hybrid, "
        "the reciprocal-rank-fusion score of the two rankings (the sum of 1/(60 + rank))."
    )
    matched: list[Matched] = Field(
        default_factory=_keyword_only,
        description="Why it matched: its name or description has every word of the text "
        "(keyword), its meaning is close to the text's (semantic), or both.",
    )
    keyword_terms: list[str] = Field(
        default_factory=list,
        description="The words of the text found (as words or the start of words) in its name "
        "or description; empty when it matched by meaning alone.",
    )
    similarity: float | None = Field(
        default=None,
        description="Cosine similarity (-1 to 1) of its sentence embedding and the text's, "
        "when it matched by meaning: closeness of wording and topic, not strength of evidence.",
    )


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
    load: str | None = None
    """The load that made or last changed the link (its named graph in the dataset dumps)."""


class LoadInfo(BaseModel):
    """A load's provenance record: when, which files with their checksums, and counts."""

    id: str
    properties: dict[str, Any]


def node_summary(props: Mapping[str, Any], labels: list[str]) -> NodeSummary:
    return NodeSummary(
        id=props["id"],
        kind=Kind.from_label(labels),
        name=props.get("name") or props["id"],
        description=props.get("description"),
        notation=props.get("notation"),
    )


async def ping(db: Db) -> int:
    """Run a real query; returns the number of nodes."""
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
    page = {"limit": limit, "offset": offset}
    needle = text.strip().lower() if text else None
    if needle is None:
        rows = await db.read(nodes_q.LIST_NODES[kind], **page)
        total = await db.read(nodes_q.COUNT_NODES[kind])
    else:
        rows = await db.read(nodes_q.LIST_NODES_MATCHING[kind], text=needle, **page)
        total = await db.read(nodes_q.COUNT_NODES_MATCHING[kind], text=needle)
    items = [node_summary(r["node"], r["labels"]) for r in rows]
    return Page(items=items, total=int(total[0]["total"]), limit=limit, offset=offset)


async def node_detail(db: Db, node_id: str, *, link_limit: int = 500) -> NodeDetail:
    """A node's properties and its links (both directions) with the linked nodes' names.

    Links are sorted by type, then the linked node's name and id. A node with more than
    `link_limit` links (an outcome with 25,000 claims) lists none: `links_total` says how many
    it has and `links_truncated` is true.

    Raises:
        NotFound: no node has this id.
    """
    # One round trip for the common case: a node with no more links than the page (a request
    # costs the embedded engine a few ms over Bolt whatever it asks). Only a node that fills
    # the scan has its links counted, by the one shape the engine counts without reading them.
    rows = await db.read(nodes_q.NODE_DETAIL_BOUNDED, id=node_id, scan=link_limit + 1)
    if not rows:
        raise NotFound(node_id)
    row = rows[0]
    total = len(row["links"])
    if total > link_limit:
        degree = await db.read(paths_q.DEGREE, id=node_id)
        total = int(degree[0]["degree"]) if degree else total
        row = {**row, "links": []}
    props = {k: v for k, v in row["props"].items() if k not in INTERNAL_PROPERTIES}
    links = [
        Link(
            type=link["type"],
            direction="out" if link["outgoing"] else "in",
            node=node_summary({"id": link["id"], "name": link["name"]}, link["labels"]),
        )
        for link in row["links"]
    ]
    return NodeDetail(
        id=node_id,
        kind=Kind.from_label(row["labels"]),
        properties=props,
        links=links,
        links_total=total,
        links_truncated=total > len(links),
    )


async def neighbourhood(
    db: Db,
    node_id: str,
    *,
    depth: int,
    max_nodes: int,
) -> Neighbourhood:
    """Nodes within `depth` hops of a node and the edges among them, at most `max_nodes` nodes.

    A breadth-first walk, one bounded query per hop (and one counting the hop's links). Each
    hop reads at most `4 * max_nodes`
    links, in order of (node, relationship type, neighbour id). A node with at least that many
    links of its own (a hub: an outcome with 25,000 claims) is not followed but counted, and
    listed in `hubs`: its links would fill the hop alone, and reading them to sort them is what
    made a neighbourhood at 100,000 case studies take seconds. Where no hub is met, the answer is
    the plain walk's; where one is, the walk is the plain walk with the hubs' own links left out
    (a hub still appears as a node, and its links to nodes reached otherwise are still edges).

    Raises:
        NotFound: no node has this id.
    """
    start = await db.read(nodes_q.NODE_SUMMARIES, ids=[node_id])
    if not start:
        raise NotFound(node_id)
    nodes = {node_id: node_summary(start[0], start[0]["labels"])}
    budget = max_nodes * 4
    frontier, truncated, hubs = [node_id], False, list[Hub]()
    for _ in range(depth):
        found = await _hubs(db, [nodes[n] for n in frontier], budget)
        hubs += found
        truncated = truncated or bool(found)
        follow = sorted(set(frontier) - {h.id for h in found})
        rows = await db.read(paths_q.NEIGHBOURS, ids=follow, limit=budget) if follow else []
        truncated = truncated or len(rows) >= budget
        frontier = []
        for row in rows:
            if row["id"] in nodes:
                continue
            if len(nodes) >= max_nodes:
                truncated = True
                break
            nodes[row["id"]] = node_summary(row, row["labels"])
            frontier.append(row["id"])
        if not frontier:
            break
    # Every edge among the chosen nodes, including those between nodes of the last hop.
    rows = await db.read(paths_q.EDGES_AMONG_LIST, ids=list(nodes), limit=max_nodes * 20)
    among = rows[0]["edges"] if rows else []
    edges = [GraphEdge(id=f"{r['source']}|{r['type']}|{r['target']}", **r) for r in among]
    return Neighbourhood(
        center=node_id,
        depth=depth,
        nodes=[{"data": GraphNode(id=n.id, label=n.name, kind=n.kind)} for n in nodes.values()],
        edges=[{"data": e} for e in edges],
        truncated=truncated,
        hubs=hubs,
    )


# A case study's links and a claim's are those of its own record (a few dozen at most), never
# a crowd that grows with the corpus: they are not counted.
_OWN_LINKS_ONLY = frozenset({Kind.CASE_STUDY, Kind.EVIDENCE_CLAIM})


async def _hubs(db: Db, frontier: list[NodeSummary], budget: int) -> list[Hub]:
    """The nodes of a hop with at least `budget` links, counted in one statement (a subquery
    per node: the shape the embedded engine counts without reading the links)."""
    counted = [n.id for n in frontier if n.kind not in _OWN_LINKS_ONLY]
    if not counted:
        return []
    rows = await db.read(paths_q.DEGREES, ids=counted)
    degrees = {r["id"]: int(r["degree"]) for r in rows}
    return [Hub(id=n, links=degrees[n]) for n in counted if degrees.get(n, 0) >= budget]


SEARCH_SECONDS = 10.0
"""How long a search may take. The embedded engine's full-text procedure scores every hit
before it cuts: a place few studies name answers in about 10 ms at 100,000 case studies, a
common word (`council`: 129,118 hits) in 0.2-0.4 s, and more where equal scores make it ask
again (`_best_hits`) or the machine is loaded. Not less: on a machine loaded twenty times over,
a search of the bundled data took more than 5 s."""


class SearchTooBroad(TooBroad):
    """A search whose words match too many nodes to rank in time."""


async def search(
    db: Db,
    text: str,
    *,
    limit: int,
    kinds: frozenset[Kind] = frozenset(),
    seconds: float = SEARCH_SECONDS,
) -> list[SearchHit]:
    """Nodes whose name or description has every word of free text, best first.

    Ranked by the full-text index's BM25 score, then name, then id. `kinds`, when given, keeps
    hits of those kinds only. Text with no word to search for (`OR`, `!!!`) finds nothing.

    Raises:
        SearchTooBroad: the search took longer than `seconds` (its words are too common); it
            is abandoned rather than answered late or cut to an arbitrary part of its hits.
    """
    lucene = lucene_query(text)
    if not lucene or limit < 1:
        return []
    try:
        async with asyncio.timeout(seconds):
            if kinds:
                labels = sorted(kind.value for kind in kinds)
                rows = await db.read(
                    search_q.SEARCH_KINDS, lucene=lucene, kinds=labels, limit=limit
                )
            else:
                rows = await _best_hits(db, lucene, limit)
    except TimeoutError as e:
        raise SearchTooBroad(
            "query.q",
            f"These words match too many nodes to rank within {seconds:g} s: "
            "add a rarer word, or choose a kind.",
        ) from e
    return [
        SearchHit(
            node=node_summary(r["node"], r["labels"]),
            score=r["score"],
            keyword_terms=matched_terms(text, r["node"]),
        )
        for r in rows
    ]


async def _best_hits(db: Db, lucene: str, limit: int) -> list[dict[str, Any]]:
    """The first `limit` hits of the ranking of every hit, without reading every hit.

    The index is asked for a few more than the page, best scored first. If the last it gave
    scores below the page's last, no hit it left out can reach the page or tie with it, and
    the page is exact. Otherwise equal scores run past the cut (template-written descriptions
    tie by the dozen), and it is asked for eight times as many, until they do not or it has
    given every hit."""
    top = 2 * limit + 1
    while True:
        rows = await db.read(search_q.SEARCH, lucene=lucene, top=top)
        if len(rows) < top or rows[limit - 1]["score"] > rows[-1]["score"]:
            return rows[:limit]
        top *= 8


def matched_terms(text: str, node: Mapping[str, Any]) -> list[str]:
    """The words of `text` that the node's name or description has as the full-text index
    reads them: a word of three characters or more as the start of a word, a shorter one whole
    (graph.dialect.lucene_query)."""
    words = set(search_words(node.get("name") or "") + search_words(node.get("description") or ""))
    found = []
    for term in dict.fromkeys(search_words(text)):
        if term in words or (len(term) >= 3 and any(w.startswith(term) for w in words)):
            found.append(term)
    return found


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
        ExportNode(
            id=r["props"]["id"],
            kind=Kind.from_label(r["labels"]),
            # Derived from the text and computed again on load: not part of what is exported.
            properties={k: v for k, v in r["props"].items() if k not in SEARCH_PROPERTIES},
        )
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
            load=r["load"],
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
