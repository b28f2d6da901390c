"""The SPARQL dataset: the published RDF in an in-memory pyoxigraph store, one snapshot per load.

A snapshot is filled through the same mapping as the dumps (`ontology.quads.batch_quads`: each
triple in the named graph of its load), plus the VoID description and the record of every load
in the default graph, and is never changed once built: a
newer load gets a new snapshot, built off to the side and swapped in whole by its holder.

A new snapshot is a patch of the previous one when that is provably the same as a rebuild:
every write stamps the nodes and links it changes with its load, so the nodes the new loads
touched are re-read and re-mapped in a copy of the previous store. Removals leave no stamp: if
the graph's node and link totals show any outside the touched nodes (a claim no case study
makes any more, a link dropped from an unchanged record), or a load the snapshot reflects has
gone, the snapshot is rebuilt from the whole graph instead.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

import pyoxigraph as ox
from anyio import to_thread
from rdflib.namespace import SKOS

from graph import changes, repository
from graph.changes import LoadState
from graph.db import Db
from graph.model import Kind
from graph.repository import ExportLink, ExportNode, LoadInfo
from ontology.dataset import dataset_iri, void_triples
from ontology.export import loads_triples
from ontology.mapping import node_iri
from ontology.quads import batch_quads, in_default_graph

_HAS_TOP_CONCEPT = ox.NamedNode(str(SKOS.hasTopConcept))
MAX_LOADS = 10_000
"""As many load records as the dumps carry."""


@dataclass(frozen=True)
class Snapshot:
    """A store that reflects one state of the graph's loads, and what a patch needs to know."""

    store: ox.Store
    state: LoadState
    load_ids: frozenset[str]
    kinds: dict[str, Kind]
    """Every node's kind, so its subject IRI can be found again."""
    out_links: dict[str, int]
    """Outgoing links per node (nodes without any are absent)."""
    seconds: float
    patched: bool

    @property
    def load_id(self) -> str | None:
        return self.state.latest.id if self.state.latest else None

    @property
    def triples(self) -> int:
        return len(self.store)


@dataclass(frozen=True)
class _Source:
    db: Db
    base: str


async def build_snapshot(
    db: Db,
    base: str,
    state: LoadState,
    previous: Snapshot | None = None,
) -> Snapshot:
    """A snapshot for `state` (what the caller saw before starting), patched from `previous`
    when that is exact, else read from the whole graph.

    Mapping and inserting run in worker threads, so the event loop keeps serving meanwhile.
    """
    source = _Source(db, base)
    started = time.perf_counter()
    loads = await repository.loads(db, limit=MAX_LOADS, offset=0)
    if previous is not None:
        patched = await _patch(source, state, loads, previous, started)
        if patched is not None:
            return patched
    return await _rebuild(source, state, loads, started)


async def _rebuild(
    source: _Source, state: LoadState, loads: list[LoadInfo], started: float
) -> Snapshot:
    store = ox.Store()
    head = [*void_triples(source.base, state.latest), *loads_triples(source.base, loads)]
    await to_thread.run_sync(_add, store, head)
    kinds: dict[str, Kind] = {}
    out_links: Counter[str] = Counter()
    batches = repository.export_batches(source.db)
    async for nodes, links in batches:
        kinds.update((node.id, node.kind) for node in nodes)
        out_links.update(link.from_id for link in links)
        await to_thread.run_sync(_add_batch, store, source.base, nodes, links)
    load_ids = frozenset(load.id for load in loads)
    elapsed = time.perf_counter() - started
    return Snapshot(store, state, load_ids, kinds, dict(out_links), elapsed, patched=False)


async def _patch(
    source: _Source,
    state: LoadState,
    loads: list[LoadInfo],
    previous: Snapshot,
    started: float,
) -> Snapshot | None:
    load_ids = frozenset(load.id for load in loads)
    new_loads = changes.new_loads(previous.load_ids, loads)
    if not new_loads:
        return None  # loads were removed (a cleared or restored graph): nothing to patch from
    found = await changes.since(source.db, sorted(new_loads))
    nodes, links = await repository.export_nodes(source.db, sorted(found.touched))
    kinds = {**previous.kinds, **{node.id: node.kind for node in nodes}}
    out_links = {i: n for i, n in previous.out_links.items() if i not in found.touched}
    out_links.update(Counter(link.from_id for link in links))
    # Untouched nodes cannot gain nodes or links (every write is stamped), only lose them: the
    # totals match exactly when nothing was removed outside the touched nodes.
    if len(kinds) != found.nodes or sum(out_links.values()) != found.links:
        return None
    if len(nodes) != len(found.touched):
        return None  # a touched node has gone since: the totals will say so next time
    added = [load for load in loads if load.id in new_loads]
    store = await to_thread.run_sync(
        _patched_store, previous, source.base, state, added, nodes, links
    )
    elapsed = time.perf_counter() - started
    return Snapshot(store, state, load_ids, kinds, out_links, elapsed, patched=True)


def _patched_store(
    previous: Snapshot,
    base: str,
    state: LoadState,
    added: list[LoadInfo],
    nodes: list[ExportNode],
    links: list[ExportLink],
) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(previous.store)  # a copy: queries on the previous snapshot go on
    subjects = [dataset_iri(base)] + [
        node_iri(base, previous.kinds[node.id], node.id)
        for node in nodes
        if node.id in previous.kinds
    ]
    for subject in subjects:
        for quad in list(store.quads_for_pattern(subject, None, None, None)):
            store.remove(quad)
        # The one triple the mapping writes about a node with another subject: its scheme's
        # skos:hasTopConcept, which a concept given a broader one since must lose.
        for quad in list(store.quads_for_pattern(None, _HAS_TOP_CONCEPT, subject, None)):
            store.remove(quad)
    _add(store, [*void_triples(base, state.latest), *loads_triples(base, added)])
    _add_batch(store, base, nodes, links)
    return store


def _add_batch(
    store: ox.Store, base: str, nodes: list[ExportNode], links: list[ExportLink]
) -> None:
    # Each triple in its load's graph, as in the N-Quads dump (ontology/sparql/graphs.py).
    store.extend(batch_quads(base, nodes, links))


def _add(store: ox.Store, triples: list[ox.Triple]) -> None:
    # The dataset's and the loads' descriptions: the default graph, as in the N-Quads dump.
    store.extend(in_default_graph(triples))
