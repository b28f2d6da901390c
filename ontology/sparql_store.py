"""The SPARQL dataset: the published RDF in an in-memory pyoxigraph store, one snapshot per load.

A snapshot is filled through the same mapping as the dumps (`ontology.export.batch_triples`),
plus the VoID description and the record of every load, and is never changed once built: a
newer load gets a new snapshot, built off to the side and swapped in whole by its holder.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyoxigraph as ox
from anyio import to_thread
from neo4j import AsyncDriver

from graph import repository
from graph.dialect import Dialect
from graph.repository import ExportLink, ExportNode, LoadState
from ontology.dataset import void_triples
from ontology.export import batch_triples, loads_triples

MAX_LOADS = 10_000
"""As many load records as the dumps carry."""


@dataclass(frozen=True)
class Snapshot:
    """A store that reflects one state of the graph's loads, with how long it took to build."""

    store: ox.Store
    state: LoadState
    triples: int
    seconds: float

    @property
    def load_id(self) -> str | None:
        return self.state.latest.id if self.state.latest else None


async def build_snapshot(
    driver: AsyncDriver, dialect: Dialect, database: str, base: str, state: LoadState
) -> Snapshot:
    """Read the whole graph, a batch at a time, into a new store.

    Mapping and inserting run in a worker thread, batch by batch, so the event loop keeps
    serving while a large graph is read. `state` is what the caller saw before starting: the
    snapshot is labelled with it.
    """
    started = time.perf_counter()
    store = ox.Store()
    loads = await repository.loads(driver, dialect, database, limit=MAX_LOADS, offset=0)
    head = [*void_triples(base, state.latest), *loads_triples(base, loads)]
    await to_thread.run_sync(_add, store, head)
    async for nodes, links in repository.export_batches(driver, dialect, database):
        await to_thread.run_sync(_add_batch, store, base, nodes, links)
    triples = len(store)
    return Snapshot(store, state, triples, time.perf_counter() - started)


def _add_batch(
    store: ox.Store, base: str, nodes: list[ExportNode], links: list[ExportLink]
) -> None:
    _add(store, batch_triples(base, nodes, links))


def _add(store: ox.Store, triples: list[ox.Triple]) -> None:
    # Everything goes in the default graph, as in the dumps.
    store.extend([ox.Quad(t.subject, t.predicate, t.object) for t in triples])
