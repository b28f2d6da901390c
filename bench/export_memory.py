"""Benchmark: the RDF dump streams with flat memory as the graph grows.

Builds synthetic graphs of about 100k and 1M triples on a private embedded engine, then exports
each in every streamed format from a fresh process and records that process's peak resident
memory (ru_maxrss), so the figures are the export's alone. Writes docs/benchmarks.md.

    .venv/bin/python -m bench.export_memory            # or: make bench-export
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import resource
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from api.settings import ApiSettings
from graph import engine, writes
from graph.driver import connect, open_driver
from graph.model import Kind, Rel
from graph.schema import ensure_schema
from ontology.export import export_graph
from ontology.formats import by_name

TRIPLES_PER_NODE = 12  # type, id, label, description, 2 alt labels, notation, source, file,
# load, and two links: what node_triples and link_triple write for these synthetic nodes
SIZES = {"100k": 100_000, "1M": 1_000_000}
FORMATS = ("ntriples", "turtle", "jsonld", "rdfxml")
BATCH = 5_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def populate(settings: ApiSettings, nodes: int) -> None:
    driver = open_driver(settings)
    try:
        dialect = await connect(driver, settings)
        await ensure_schema(driver, dialect, settings.database)
        for start in range(0, nodes, BATCH):
            ids = range(start, min(start + BATCH, nodes))
            rows = [
                writes.NodeRow(
                    f"org-{i}",
                    Kind.ORGANISATION,
                    {
                        "id": f"org-{i}",
                        "name": f"Synthetic organisation {i}",
                        "description": "A synthetic organisation for the export benchmark. " * 3,
                        "source": "bench",
                        "source_file": "bench.py",
                        "notation": str(i),
                        "alt_names": [f"Org {i}", f"O{i}"],
                    },
                )  # fmt: skip
                for i in ids
            ]
            links = [
                writes.LinkRow(f"org-{i}", Rel.PARTNER_OF, f"org-{(i * 7 + k) % nodes}", "bench")
                for i in ids
                for k in (1, 2)
                if (i * 7 + k) % nodes < start + len(ids)  # targets already written
            ]
            await writes.upsert(driver, settings.database, rows, links,
                                writes.LoadRecord(f"load-bench-{start}"))  # fmt: skip
    finally:
        await driver.close()


async def export_once(settings: ApiSettings, rdf_format: str) -> dict[str, float]:
    """Export to nowhere, counting bytes; runs in its own process (see main)."""
    driver = open_driver(settings)
    started = time.perf_counter()
    size = 0
    try:
        dialect = await connect(driver, settings)
        chosen = by_name(rdf_format)
        if chosen is not None:  # "baseline": the same process, connected, exporting nothing
            async for chunk in export_graph(driver, dialect, settings, chosen):
                size += len(chunk)
    finally:
        await driver.close()
    return {
        "seconds": time.perf_counter() - started,
        "bytes": size,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure(settings: ApiSettings, rdf_format: str) -> dict[str, float]:
    done = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "bench.export_memory", "--export", rdf_format,
         "--settings", settings.model_dump_json()],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--export", help=argparse.SUPPRESS)
    parser.add_argument("--settings", help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    args = parser.parse_args()
    if args.export:
        settings = ApiSettings.model_validate_json(args.settings)
        print(json.dumps(asyncio.run(export_once(settings, args.export))))  # noqa: T201
        return
    rows = []
    for label, triples in SIZES.items():
        with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
            settings = ApiSettings(data_dir=Path(folder), bolt_port=free_port(),
                                   http_port=free_port(), engine_heap="4g",
                                   query_timeout=600)  # fmt: skip
            engine.start(settings)
            try:
                started = time.perf_counter()
                asyncio.run(populate(settings, triples // TRIPLES_PER_NODE))
                build = time.perf_counter() - started
                for rdf_format in ("baseline", *FORMATS):
                    result = measure(settings, rdf_format)
                    rows.append((label, rdf_format, result, build))
                    print(label, rdf_format, result, flush=True)  # noqa: T201
            finally:
                engine.stop(settings)
    write_report(args.output, rows)


def write_report(path: Path, rows: list[tuple[str, str, dict[str, float], float]]) -> None:
    lines = [
        "# Benchmarks", "",
        f"Machine: {platform.machine()}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; date {datetime.now(UTC):%Y-%m-%d}.", "",
        "## Export streams with flat memory", "",
        "`python -m bench.export_memory`: synthetic graphs of about 100k and 1M triples on the",
        "embedded engine; each export runs in a fresh process and the table gives that",
        "process's peak resident memory (ru_maxrss). The baseline row is the same process",
        "with the same imports, connected to the graph, exporting nothing.", "",
        "| graph | format | output MB | seconds | peak RSS MB |",
        "|---|---|---:|---:|---:|",
    ]  # fmt: skip
    for label, rdf_format, result, _ in rows:
        lines.append(
            f"| {label} triples | {rdf_format} | {result['bytes'] / 1e6:.0f} | "
            f"{result['seconds']:.1f} | {result['peak_rss_mb']:.0f} |"
        )
    peaks = {(label, fmt): r["peak_rss_mb"] for label, fmt, r, _ in rows}
    ratios = [f"{fmt} {peaks[('1M', fmt)] / peaks[('100k', fmt)]:.2f}" for fmt in FORMATS
              if ("1M", fmt) in peaks and ("100k", fmt) in peaks]  # fmt: skip
    lines += ["", f"Peak memory at 1M / at 100k triples: {', '.join(ratios)} "
              "(10x the data; 1.0 is perfectly flat).", ""]  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
