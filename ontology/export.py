"""Stream the whole graph as RDF, a batch of nodes at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pyoxigraph as ox
from neo4j import AsyncDriver

from graph import repository
from graph.dialect import Dialect
from graph.settings import GraphSettings
from ontology import jsonld
from ontology.dataset import dump_triples
from ontology.formats import RdfFormat
from ontology.mapping import PREFIXES, link_triple, load_triples, node_triples


async def export_graph(
    driver: AsyncDriver, dialect: Dialect, settings: GraphSettings, rdf_format: RdfFormat
) -> AsyncIterator[bytes]:
    """Yield the serialised graph in chunks, starting with when and from which load it was made.

    Turtle, N-Triples and JSON-LD are written batch by batch, so memory stays flat however
    large the graph is. RDF/XML cannot be written in independent pieces, so it is built whole.
    """
    base = settings.public_base_uri.rstrip("/")
    loads = await repository.loads(driver, dialect, settings.database, limit=10_000, offset=0)
    latest = loads[0] if loads else None
    made = list(dump_triples(base, rdf_format, latest, datetime.now(UTC)))
    writer = _Writer(rdf_format)
    yield writer.chunk(made)
    async for nodes, links in repository.export_batches(driver, dialect, settings.database):
        kinds = {node.id: node.kind for node in nodes}
        triples = [t for node in nodes for t in node_triples(base, node)]
        triples += [link_triple(base, kinds[link.from_id], link) for link in links]
        if chunk := writer.chunk(triples):
            yield chunk
    yield writer.chunk([t for load in loads for t in load_triples(base, load)])
    yield writer.end()


class _Writer:
    """Serialises batches so that their concatenation is one valid document."""

    def __init__(self, rdf_format: RdfFormat) -> None:
        self.format = rdf_format
        self.first = True
        self.held: list[ox.Triple] = []

    def chunk(self, triples: list[ox.Triple]) -> bytes:
        first, self.first = self.first, False
        if self.format.name == "jsonld":
            opening = jsonld.stream_start() if first else b""
            return opening + jsonld.stream_chunk(triples, first=first)
        if not self.format.chunked:
            self.held.extend(triples)
            return b""
        if not triples:
            return b""
        data = ox.serialize(triples, format=self.format.oxigraph, prefixes=PREFIXES) or b""
        if first or self.format.oxigraph != ox.RdfFormat.TURTLE:
            return data
        # Later Turtle chunks drop the @prefix header the first chunk already declared.
        lines = data.split(b"\n")
        start = next((i for i, line in enumerate(lines) if not line.startswith(b"@prefix")), 0)
        return b"\n".join(lines[start:])

    def end(self) -> bytes:
        if self.format.name == "jsonld":
            return jsonld.stream_end()
        if self.held:
            return ox.serialize(self.held, format=self.format.oxigraph, prefixes=PREFIXES) or b""
        return b""
