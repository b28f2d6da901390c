"""Stream the whole graph as RDF, a batch of nodes at a time."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import TypeVar

import anyio
import pyoxigraph as ox

from graph import repository
from graph.db import Db
from graph.repository import ExportLink, ExportNode, LoadInfo
from ontology import jsonld, ntriples, turtle
from ontology.dataset import dump_triples
from ontology.formats import DATASET_FORMATS, RdfFormat
from ontology.mapping import (
    PREFIXES,
    link_triple,
    load_triples,
    node_triples,
    top_concept_triples,
    top_links,
)
from ontology.quads import batch_quads, in_default_graph

T = TypeVar("T")


async def export_graph(db: Db, rdf_format: RdfFormat, *, base_uri: str) -> AsyncIterator[bytes]:
    """Yield the serialised graph in chunks, starting with which load it shows and when.

    Dataset formats (N-Quads, TriG) put each triple in the named graph of its load
    (`ontology.quads`); the dump's record and the loads' provenance are the default graph.

    Every format is written batch by batch, so memory stays flat however large the graph is.
    Each batch is turned into RDF in a worker thread while the graph reads the next one: the
    engine's work and ours overlap, so the dump runs at about the speed of the reads alone
    (and the event loop stays free to serve other requests).
    """
    base = base_uri.rstrip("/")
    loads = await repository.loads(db, limit=10_000, offset=0)
    latest = loads[0] if loads else None
    writer = _Writer(rdf_format)
    yield writer.chunk(list(dump_triples(base, rdf_format, latest)))
    # N-Triples and Turtle are written as text, skipping the terms: the same bytes for a
    # fraction of the CPU (bench/notes.md). The other formats go through pyoxigraph.
    batch_chunk = _batch_maker(rdf_format)
    async for nodes, links in read_ahead(repository.export_batches(db)):
        if chunk := await anyio.to_thread.run_sync(batch_chunk, writer, base, nodes, links):
            yield chunk
    yield writer.chunk(loads_triples(base, loads))
    yield writer.end()


def _batch_chunk(
    writer: _Writer, base: str, nodes: list[ExportNode], links: list[ExportLink]
) -> bytes:
    return writer.chunk(batch_triples(base, nodes, links))


def _batch_quads(
    writer: _Writer, base: str, nodes: list[ExportNode], links: list[ExportLink]
) -> bytes:
    return writer.chunk(batch_quads(base, nodes, links))


def _batch_lines(
    writer: _Writer, base: str, nodes: list[ExportNode], links: list[ExportLink]
) -> bytes:
    del writer  # N-Triples lines need no document around them
    return ntriples.batch_lines(base, nodes, links)


def _batch_turtle(
    writer: _Writer, base: str, nodes: list[ExportNode], links: list[ExportLink]
) -> bytes:
    del writer  # a batch is never the first chunk, so it declares no prefixes
    return turtle.batch_text(base, nodes, links)


def _batch_maker(
    rdf_format: RdfFormat,
) -> Callable[[_Writer, str, list[ExportNode], list[ExportLink]], bytes]:
    if rdf_format.oxigraph == ox.RdfFormat.N_TRIPLES:
        return _batch_lines
    if rdf_format.oxigraph == ox.RdfFormat.TURTLE:
        return _batch_turtle
    if rdf_format in DATASET_FORMATS:
        return _batch_quads
    return _batch_chunk


async def read_ahead(items: AsyncGenerator[T, None]) -> AsyncGenerator[T, None]:
    """The same items in the same order, each next one already being read while the caller
    works on this one. At most one is read ahead, so memory stays bounded by two batches."""
    pending: asyncio.Future[T | None] = asyncio.ensure_future(_next(items))
    try:
        while (item := await pending) is not None:
            pending = asyncio.ensure_future(_next(items))
            yield item
    finally:
        if not pending.done():  # the caller stopped early: stop reading, free the connection
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pending
        await items.aclose()


async def _next(items: AsyncGenerator[T, None]) -> T | None:
    return await anext(items, None)


def batch_triples(base: str, nodes: list[ExportNode], links: list[ExportLink]) -> list[ox.Triple]:
    """One export batch as triples: each node's own triples, then its outgoing links.

    The graph dumps are filled through here, the dataset dumps and the SPARQL store through
    `quads.batch_quads`, which places these triples in graphs: they always agree.
    """
    kinds = {node.id: node.kind for node in nodes}
    triples = [t for node in nodes for t in node_triples(base, node)]
    triples += [link_triple(base, kinds[link.from_id], link) for link in links]
    triples += [
        t for link in top_links(links) for t in top_concept_triples(base, kinds[link.from_id], link)
    ]
    return triples


def loads_triples(base: str, loads: list[LoadInfo]) -> list[ox.Triple]:
    """Every recorded load as a prov:Activity."""
    return [t for load in loads for t in load_triples(base, load)]


class _Writer:
    """Serialises batches so that their concatenation is one valid document.

    Turtle, TriG, N-Triples and N-Quads batches concatenate as they are (later Turtle and TriG
    batches drop the @prefix lines; a TriG graph's block may open again, which adds to the
    graph); JSON-LD and RDF/XML open their document once, write each batch's nodes inside it,
    and close it at the end.
    """

    _XML_HEADER_LINES = 2  # <?xml ...?> and <rdf:RDF ...>, which declares all our prefixes
    _XML_CLOSE = b"</rdf:RDF>"

    def __init__(self, rdf_format: RdfFormat) -> None:
        self.format = rdf_format
        self.first = True

    def chunk(self, triples: list[ox.Triple] | list[ox.Quad]) -> bytes:
        first, self.first = self.first, False
        if self.format.name == "jsonld":
            opening = jsonld.stream_start() if first else b""
            return opening + jsonld.stream_chunk(triples, first=first)  # type: ignore[arg-type]
        if not triples and not (first and self.format.oxigraph == ox.RdfFormat.RDF_XML):
            return b""
        if self.format in DATASET_FORMATS:
            triples = [t if isinstance(t, ox.Quad) else in_default_graph([t])[0] for t in triples]
        data = ox.serialize(triples, format=self.format.oxigraph, prefixes=PREFIXES) or b""
        lines = data.split(b"\n")
        if self.format.oxigraph == ox.RdfFormat.RDF_XML:
            body = [line for line in lines if line.strip() != self._XML_CLOSE]
            return b"\n".join(body if first else body[self._XML_HEADER_LINES :])
        if first or self.format.oxigraph not in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
            return data
        start = next((i for i, line in enumerate(lines) if not line.startswith(b"@prefix")), 0)
        return b"\n".join(lines[start:])

    def end(self) -> bytes:
        if self.format.name == "jsonld":
            return jsonld.stream_end()
        if self.format.oxigraph == ox.RdfFormat.RDF_XML:
            return b"\n" + self._XML_CLOSE + b"\n"
        return b""
