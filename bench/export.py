"""The full RDF dump against pyoxigraph and rdflib serialising the same triples.

Each measurement runs in a fresh process (`python -m bench.export MODE ...`, printing JSON) so
its peak resident memory (bench/peak.py) is its own:

- `ours FORMAT`: `connects export` streamed from the graph (`ontology.export.export_graph`);
- `read`: the same reads from the graph (`repository.export_batches`) making no RDF: the
  ceiling any serialiser fed from the graph through the driver can reach;
- `oxigraph FORMAT DUMP`: the same triples, parsed from our N-Triples dump beforehand (not
  timed), serialised by pyoxigraph from memory;
- `rdflib FORMAT DUMP LIMIT`: the first LIMIT of those triples in an rdflib `Graph`,
  serialised by `Graph.serialize` (all of them would take rdflib tens of minutes and
  gigabytes, so its throughput is measured on a sample).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import rdflib

from api.settings import ApiSettings
from bench import peak
from graph.db import open_db
from graph.repository import export_batches
from ontology.export import export_graph
from ontology.formats import by_name

OXIGRAPH = {"ntriples": ox.RdfFormat.N_TRIPLES, "turtle": ox.RdfFormat.TURTLE}
RDFLIB = {"ntriples": "nt", "turtle": "turtle"}


async def ours(settings: ApiSettings, rdf_format: str, out: Path | None) -> dict[str, float]:
    chosen = by_name(rdf_format)
    assert chosen is not None  # noqa: S101 - the suite passes known names
    size = 0
    async with open_db(settings) as db:
        started, cpu = time.perf_counter(), peak.process_cpu_seconds()
        with out.open("wb") if out else open("/dev/null", "wb") as sink:  # noqa: ASYNC230
            async for chunk in export_graph(db, chosen, base_uri=settings.public_base_uri):
                size += len(chunk)
                sink.write(chunk)
        seconds, cpu = time.perf_counter() - started, peak.process_cpu_seconds() - cpu
    return {"seconds": seconds, "bytes": size, "peak_rss_mb": peak.own_peak_mb(), "cpu_s": cpu}


async def read_only(settings: ApiSettings) -> dict[str, float]:
    nodes = links = 0
    async with open_db(settings) as db:
        started, cpu = time.perf_counter(), peak.process_cpu_seconds()
        async for batch_nodes, batch_links in export_batches(db):
            nodes += len(batch_nodes)
            links += len(batch_links)
        seconds, cpu = time.perf_counter() - started, peak.process_cpu_seconds() - cpu
    return {
        "seconds": seconds,
        "nodes": nodes,
        "links": links,
        "peak_rss_mb": peak.own_peak_mb(),
        "cpu_s": cpu,
    }


def oxigraph(rdf_format: str, dump: Path) -> dict[str, float]:
    triples = [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(path=str(dump), format=ox.RdfFormat.N_TRIPLES)
    ]
    started = time.perf_counter()
    data = ox.serialize(triples, format=OXIGRAPH[rdf_format]) or b""
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "bytes": len(data),
        "triples": len(triples),
        "peak_rss_mb": peak.own_peak_mb(),
    }


def with_rdflib(rdf_format: str, dump: Path, limit: int) -> dict[str, float]:
    graph = rdflib.Graph()
    with dump.open(encoding="utf-8") as f:
        graph.parse(data="".join(itertools.islice(f, limit)), format="nt")
    started = time.perf_counter()
    data = graph.serialize(format=RDFLIB[rdf_format], encoding="utf-8")
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "bytes": len(data),
        "triples": len(graph),
        "peak_rss_mb": peak.own_peak_mb(),
    }


def main() -> None:
    mode, rdf_format, *rest = sys.argv[1:]
    if mode == "ours":
        settings = ApiSettings.model_validate_json(rest[0])
        out = Path(rest[1]) if len(rest) > 1 else None
        result = asyncio.run(ours(settings, rdf_format, out))
    elif mode == "read":
        result = asyncio.run(read_only(ApiSettings.model_validate_json(rest[0])))
    elif mode == "oxigraph":
        result = oxigraph(rdf_format, Path(rest[0]))
    else:
        result = with_rdflib(rdf_format, Path(rest[0]), int(rest[1]))
    print(json.dumps(result))  # noqa: T201


if __name__ == "__main__":
    main()
