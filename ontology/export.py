"""Stream the whole graph as RDF, a batch of nodes at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pyoxigraph as ox
from neo4j import AsyncDriver

from graph import repository
from graph.dialect import Dialect
from graph.settings import GraphSettings
from ontology.formats import RdfFormat
from ontology.mapping import PREFIXES, link_triple, load_triples, node_triples


async def export_graph(
    driver: AsyncDriver, dialect: Dialect, settings: GraphSettings, rdf_format: RdfFormat
) -> AsyncIterator[bytes]:
    """Yield the serialised graph in chunks.

    Turtle and N-Triples are written batch by batch, so memory stays flat however large the
    graph is. JSON-LD and RDF/XML documents cannot be concatenated, so those are built whole.
    """
    base = settings.public_base_uri.rstrip("/")
    held: list[ox.Triple] = []
    first = True
    async for nodes, links in repository.export_batches(driver, dialect, settings.database):
        kinds = {node.id: node.kind for node in nodes}
        triples = [t for node in nodes for t in node_triples(base, node)]
        triples += [link_triple(base, kinds[link.from_id], link) for link in links]
        if rdf_format.chunked:
            yield _serialise(triples, rdf_format, with_prefixes=first)
            first = False
        else:
            held.extend(triples)
    loads = await repository.loads(driver, dialect, settings.database, limit=10_000, offset=0)
    load_part = [t for load in loads for t in load_triples(base, load)]
    if rdf_format.chunked:
        yield _serialise(load_part, rdf_format, with_prefixes=first)
    else:
        yield _serialise(held + load_part, rdf_format, with_prefixes=True)


def _serialise(triples: list[ox.Triple], rdf_format: RdfFormat, *, with_prefixes: bool) -> bytes:
    if not triples and not with_prefixes:
        return b""
    data = ox.serialize(triples, format=rdf_format.oxigraph, prefixes=PREFIXES) or b""
    if with_prefixes or rdf_format.oxigraph != ox.RdfFormat.TURTLE:
        return data
    # Later Turtle chunks drop the @prefix header the first chunk already declared.
    lines = data.split(b"\n")
    start = next((i for i, line in enumerate(lines) if not line.startswith(b"@prefix")), 0)
    return b"\n".join(lines[start:])
