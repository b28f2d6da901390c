"""Idempotent batched writes: nodes keyed on their unique id, links merged between them.

One load is one transaction, so a failure part-way leaves the graph exactly as it was.
Large loads go through `Db.transactions` and `LoadWriter`, committing every few thousand
records.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Awaitable, Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, LiteralString, TypeVar

from neo4j import AsyncManagedTransaction, AsyncResult, AsyncTransaction

from graph import versions
from graph.db import Db
from graph.errors import Conflict
from graph.model import Kind, Rel
from graph.queries import versions as versions_q
from graph.queries import writes as writes_q

Scalar = str | int | float | bool
PropertyValue = Scalar | list[str]
BATCH_SIZE = 1000

T = TypeVar("T")
LoadTransaction = AsyncTransaction
BeforeCommit = Callable[[LoadTransaction, str | None], Awaitable[None]]
"""More to write in a load's own transaction just before it commits (a curator's decision
recording the load), given the load's id (None: the load changed nothing): committed with the
load, or not at all."""


@dataclass(frozen=True)
class NodeRow:
    """A node to write: its id, its kind and the properties it should have afterwards."""

    id: str
    kind: Kind
    props: dict[str, PropertyValue]


@dataclass(frozen=True)
class LinkRow:
    """A relationship to write between two nodes that exist once the load's nodes are written."""

    from_id: str
    rel: Rel
    to_id: str
    source: str


@dataclass
class KindCounts:
    """Nodes of one kind a write described: created + updated + unchanged of them."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class WriteCounts:
    """What a write changed, for the load report."""

    by_kind: dict[str, KindCounts] = field(default_factory=dict)
    """The node counts below, kind by kind (only kinds the write described)."""
    nodes_created: int = 0
    nodes_updated: int = 0
    nodes_unchanged: int = 0
    links_created: int = 0
    links_updated: int = 0
    links_unchanged: int = 0
    links_removed: int = 0
    nodes_removed: int = 0

    @property
    def changed(self) -> bool:
        """Whether the write changed the graph at all (not only found it as it was)."""
        return any(
            (
                self.nodes_created,
                self.nodes_updated,
                self.nodes_removed,
                self.links_created,
                self.links_updated,
                self.links_removed,
            )
        )


@dataclass(frozen=True)
class StoredNode:
    """What a write needs of a node already in the graph."""

    kind: Kind
    checksum: str | None
    element: str
    """The engine's own id for the node (`elementId`): links are merged between these."""


@dataclass(frozen=True)
class KindClash:
    id: str
    existing: Kind
    requested: Kind


class KindConflict(Conflict):
    """Ids that already belong to a node of another kind."""

    def __init__(self, clashes: list[KindClash]) -> None:
        listed = ", ".join(f"{c.id!r} is a {c.existing}" for c in clashes[:5])
        super().__init__(f"Ids already used by nodes of another kind: {listed}")
        self.clashes = clashes


@dataclass(frozen=True)
class LoadRecord:
    """Provenance of one load: stored as a :Load node in the same transaction."""

    id: str
    props: dict[str, PropertyValue] = field(default_factory=dict)


REMOVALS_STAMPED = "removals_stamped"
"""On a load's record: the nodes it removed links from carry its stamp (older loads' did not)."""


def checksum(props: dict[str, PropertyValue]) -> str:
    """A stable digest of a node's properties, so unchanged nodes are recognised and skipped."""
    canonical = json.dumps(props, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


async def restore_loads(db: Db, loads: Sequence[tuple[str, dict[str, PropertyValue]]]) -> None:
    """Recreate :Load records from a backup."""
    for _, props in loads:
        await db.write(writes_q.CREATE_LOAD, props=props)


async def existing_kinds(db: Db, ids: Sequence[str]) -> dict[str, Kind]:
    """The kind of each of `ids` that is already in the graph."""
    found: dict[str, Kind] = {}
    for batch in _batches(list(ids)):
        rows = await db.read(writes_q.EXISTING_NODES, ids=batch)
        found.update({r["id"]: Kind.from_label(r["labels"]) for r in rows})
    return found


async def all_kinds(db: Db) -> dict[str, Kind]:
    """The kind of every node in the graph, streamed in one query."""
    found: dict[str, Kind] = {}
    async for rows in db.stream(writes_q.ALL_KINDS):
        found.update({r["id"]: Kind.from_label(r["labels"]) for r in rows})
    return found


async def owners(db: Db, ids: Sequence[str]) -> dict[str, str | None]:
    """For each of `ids` already in the graph: the organisation that contributed it, if any."""
    found: dict[str, str | None] = {}
    for batch in _batches(list(ids)):
        rows = await db.read(writes_q.NODE_OWNERS, ids=batch)
        found.update({r["id"]: r["owner"] for r in rows})
    return found


async def claims_of(db: Db, ids: Sequence[str]) -> dict[str, list[str]]:
    """For each of `ids` that has claims in the graph: the ids of its claims."""
    found: dict[str, list[str]] = {}
    for batch in _batches(list(ids)):
        rows = await db.read(writes_q.STUDY_CLAIMS, ids=batch)
        found.update({r["id"]: r["claims"] for r in rows})
    return found


async def upsert(
    db: Db,
    nodes: Sequence[NodeRow],
    links: Sequence[LinkRow],
    load: LoadRecord,
    *,
    authoritative: Sequence[str] = (),
    record_load: bool = True,
) -> WriteCounts:
    """Write nodes and links in one transaction and record the load.

    A node whose properties are unchanged is not written. Links are merged, so writing the
    same links twice creates nothing the second time. For the `authoritative` ids, the input
    states every outgoing link, so links they have in the graph but not in `links` are removed.
    Without `record_load` (restoring a backup), no :Load is made and nodes keep the `load`
    their rows carry.

    Raises:
        KindConflict: an id already belongs to a node of another kind (nothing is written).
        GraphError: the graph failed; the transaction is rolled back.
    """

    async def work(tx: AsyncManagedTransaction) -> WriteCounts:
        writer = LoadWriter(tx, load, record_versions=record_load)
        clashes = await writer.write(nodes, links, authoritative)
        if clashes:
            raise KindConflict(clashes)
        return await writer.finish(record_load=record_load)

    async with db.session() as session:
        return await session.execute_write(work)


class LoadWriter:
    """Writes one load, batch by batch, inside a transaction it does not own.

    History is kept copy-on-write (graph/versions.py): before the load first changes a node it
    did not create, the node's state is kept as a version. Without `record_versions` (a
    restore, a dry run rolled back) nothing is kept."""

    def __init__(
        self,
        tx: AsyncTransaction | AsyncManagedTransaction,
        load: LoadRecord,
        *,
        record_versions: bool = True,
    ) -> None:
        self.tx = tx
        """The transaction written to: a long load moves on to a new one from time to time."""
        self.load = load
        self.counts = WriteCounts()
        self._created: set[str] = set()
        """Nodes the load made: they had no state before it, so none is kept."""
        self._kept: set[str] = set()
        """Nodes whose state before the load is kept: not kept again when changed again."""
        self._removed: set[str] = set()
        self._unlinked_claims: set[str] = set()
        """Claims the load removed a HAS_CLAIM link to: they may be orphans."""
        self._elements: dict[str, str] = {}
        """The element id of each node the load made or looked up, by id: links are merged
        between element ids (MERGE_LINKS). Kept for the whole load, as later batches link to
        organisations and places that earlier ones made; see `_let_go` for what is not."""
        self._record_versions = record_versions
        started = load.props.get("started_at")
        self._at = started if isinstance(started, str) else versions.now()

    async def write(
        self,
        nodes: Sequence[NodeRow],
        links: Sequence[LinkRow],
        authoritative: Sequence[str] = (),
        *,
        stored_among: Collection[str] | None = None,
        later: Sequence[LinkRow] = (),
    ) -> list[KindClash]:
        """Write nodes (unless they clash with a stored node's kind), then links between them.

        For `authoritative` ids that were already in the graph, links not in `links` are
        removed (a node created now has no other links, so nothing is looked up for it).
        `stored_among`, when the caller knows it, holds every id that may already be in the
        graph: the others are not looked up (should one appear meanwhile, its creation fails
        on the unique constraint and the transaction is rolled back). `later` are links of
        these nodes that the caller will write afterwards: they are not stale.
        """
        candidates = [n for n in nodes if stored_among is None or n.id in stored_among]
        stored = await self._stored(candidates)
        clashes = [
            KindClash(n.id, stored[n.id].kind, n.kind)
            for n in nodes
            if n.id in stored and stored[n.id].kind is not n.kind
        ]
        if clashes:
            return clashes
        self._elements.update((node_id, node.element) for node_id, node in stored.items())
        await self._write_nodes(nodes, stored)
        await self._write_links(links)
        await self._remove_stale_links([i for i in authoritative if i in stored], [*links, *later])
        self._let_go(authoritative, later)
        return []

    def _let_go(self, authoritative: Sequence[str], later: Sequence[LinkRow]) -> None:
        """Forget the element ids of nodes that state their own links (case studies, claims):
        their links are written with them, so only the nodes later batches link to
        (organisations, places, the vocabulary) and the ends of `later` links are kept. At
        100,000 case studies the rest was most of the dict (a later link to one of them looks
        it up again)."""
        still_linking = {link.from_id for link in later}
        for node_id in authoritative:
            if node_id not in still_linking:
                self._elements.pop(node_id, None)

    async def finish(self, *, record_load: bool = True) -> WriteCounts:
        """Remove claims no case study makes any more, and record the load if it changed the
        graph: a load that found everything as it was leaves no record, so the SPARQL snapshot,
        which follows the latest load, is not rebuilt for nothing."""
        # A claim belongs to its case study: once no study makes it, it goes too.
        orphans = sorted(self._unlinked_claims)
        if self._record_versions:
            orphans = await self._about_to_change(versions_q.ORPHANED_CLAIMS, "ids", orphans)
        for batch in _batches(orphans):
            result = await self.tx.run(writes_q.REMOVE_ORPHAN_CLAIMS, ids=batch)
            record = await result.single()
            self.counts.nodes_removed += record["removed"] if record else 0
            self._removed.update(record["ids"] if record else [])
        if record_load and self.counts.changed:
            if self._record_versions:
                await versions.removed(self.tx, self.load.id, self._at, self._removed)
            props = {
                "started_at": self._at,  # what dates the states it stamps
                **self.load.props,
                "id": self.load.id,
                **_counts_as_props(self.counts),
                REMOVALS_STAMPED: True,
            }
            await (await self.tx.run(writes_q.CREATE_LOAD, props=props)).consume()
        return self.counts

    async def _keep(self, ids: Iterable[str]) -> None:
        """Keep the state of these nodes before the load first changes them."""
        todo = set(ids) - self._created - self._kept
        if self._record_versions and todo:
            self._kept |= todo
            await versions.keep(self.tx, todo)

    async def _about_to_change(self, check: LiteralString, key: str, rows: list[Any]) -> list[str]:
        """The ids `check` finds among `rows` (sent as `key`): those the load is about to change,
        their state kept first."""
        found: list[str] = []
        for batch in _batches(rows):
            result = await self.tx.run(check, {key: batch})
            found += [r["id"] async for r in result]
        await self._keep(found)
        return found

    async def _stored(self, nodes: Sequence[NodeRow]) -> dict[str, StoredNode]:
        stored: dict[str, StoredNode] = {}
        for id_batch in _batches([n.id for n in nodes]):
            result = await self.tx.run(writes_q.EXISTING_NODES, ids=id_batch)
            async for r in result:
                stored[r["id"]] = StoredNode(
                    Kind.from_label(r["labels"]), r["checksum"], r["element"]
                )
        return stored

    async def _write_nodes(
        self,
        nodes: Sequence[NodeRow],
        stored: dict[str, StoredNode],
    ) -> None:
        created: dict[Kind, list[dict[str, Any]]] = defaultdict(list)
        updated: list[dict[str, Any]] = []
        for node in nodes:
            digest = checksum({k: v for k, v in node.props.items() if k != "load"})
            props: dict[str, PropertyValue] = {
                "load": self.load.id,
                **node.props,
                "checksum": digest,
            }
            row = {"id": node.id, "props": props}
            of_kind = self.counts.by_kind.setdefault(str(node.kind), KindCounts())
            if node.id not in stored:
                created[node.kind].append(row)
                of_kind.created += 1
                self._created.add(node.id)
            elif stored[node.id].checksum != digest:
                updated.append(row)
                of_kind.updated += 1
            else:
                self.counts.nodes_unchanged += 1
                of_kind.unchanged += 1
        for kind, rows in created.items():
            for batch in _batches(rows):
                result = await self.tx.run(writes_q.CREATE_NODES[kind], rows=batch)
                self._elements.update(await _pairs(result))
            self.counts.nodes_created += len(rows)
        await self._keep(str(row["id"]) for row in updated)
        for batch in _batches(updated):
            await (await self.tx.run(writes_q.UPDATE_NODES, rows=batch)).consume()
        self.counts.nodes_updated += len(updated)

    async def _write_links(self, links: Sequence[LinkRow]) -> None:
        """Merge `links` between nodes found by element id, an end the load has not seen
        looked up once. A link with an end not in the graph is not written (counted
        unchanged)."""
        elements = self._elements
        await self._look_up_elements(
            {end for link in links for end in (link.from_id, link.to_id) if end not in elements}
        )
        by_rel: dict[Rel, list[dict[str, str]]] = defaultdict(list)
        for link in links:
            if link.from_id in elements and link.to_id in elements:
                by_rel[link.rel].append(
                    {
                        "from_element": elements[link.from_id],
                        "to_element": elements[link.to_id],
                        "source": link.source,
                    }
                )
            else:
                self.counts.links_unchanged += 1
        gaining = await self._gaining(links)
        for rel, rows in by_rel.items():
            for batch in _batches(rows):
                result = await self.tx.run(writes_q.MERGE_LINKS[rel], rows=batch, load=self.load.id)
                record = await result.single()
                summary = await result.consume()
                created = summary.counters.relationships_created
                touched = max(record["updated"] if record else 0, 0)
                self.counts.links_created += created
                self.counts.links_updated += touched
                self.counts.links_unchanged += len(batch) - created - touched
        for ids in _batches(gaining):
            await (await self.tx.run(versions_q.STAMP, ids=ids, load=self.load.id)).consume()

    async def _look_up_elements(self, ids: Collection[str]) -> None:
        """Add the element ids of those of `ids` in the graph to the load's."""
        for batch in _batches(sorted(ids)):
            result = await self.tx.run(writes_q.ELEMENT_IDS, ids=batch)
            self._elements.update(await _pairs(result))

    async def _gaining(self, links: Sequence[LinkRow]) -> list[str]:
        """Nodes the load did not make that these links will change, their state kept first.
        A load of new nodes links from them only: nothing is looked up."""
        if not self._record_versions:
            return []
        rows = [
            {"from_id": link.from_id, "to_id": link.to_id, "rel": link.rel.value}
            for link in links
            if link.from_id not in self._created and link.from_id not in self._kept
        ]
        return await self._about_to_change(versions_q.GAINING_LINKS, "rows", rows)

    async def _remove_stale_links(
        self, authoritative: Sequence[str], links: Sequence[LinkRow]
    ) -> None:
        if not authoritative:
            return
        keep: dict[str, list[str]] = {node_id: [] for node_id in authoritative}
        for link in links:
            if link.from_id in keep:
                keep[link.from_id].append(f"{link.rel}>{link.to_id}")
        rows: list[dict[str, Any]] = [{"id": i, "keep": kept} for i, kept in keep.items()]
        if self._record_versions:  # only those losing links are sent on
            losing = set(await self._about_to_change(versions_q.LOSING_LINKS, "rows", rows))
            rows = [row for row in rows if row["id"] in losing]
        for batch in _batches(rows):
            result = await self.tx.run(writes_q.REMOVE_STALE_LINKS, rows=batch, load=self.load.id)
            record = await result.single()
            removed = record["removed"] if record else 0
            self.counts.links_removed += removed
            self._unlinked_claims.update(record["claims"] if record else [])


def _counts_as_props(counts: WriteCounts) -> dict[str, int]:
    # The totals only: a property holds no map.
    return {name: value for name, value in vars(counts).items() if isinstance(value, int)}


async def _pairs(result: AsyncResult) -> list[tuple[str, str]]:
    """The (id, element id) pairs of a statement returning them as `elements` (one record)."""
    record = await result.single(strict=True)
    return [(node_id, element) for node_id, element in record["elements"]]


def _batches(items: list[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
