"""docs/benchmarks.md from the suite's measurements: tables, targets and what they mean."""

from __future__ import annotations

import csv
import json
import statistics
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.queries import Timing, percentile

Loads = dict[str, dict[str, list[dict[str, Any]]]]

COMPLEXITY = {
    "evidence query": "O(c) for the c claims that match, then a sort of the matching studies",
    "facets": "O(c) per dimension asked for; answer size O(values)",
    "gap map": "O(c): one pass over the studies (one at a time); answer O(cells)",
    "neighbourhood": "O(sum of the degrees of the nodes reached), answer capped at "
    "max_neighbourhood_nodes: at depth 2 from a study that includes its outcomes, whose "
    "degree grows with n",
    "paths": "O(d^h) breadth-first to the shortest path (h hops, degree d): set by the two "
    "nodes and what lies between them, not by n",
    "search": "Neo4j: O(log n + hits) with the full-text index; embedded: O(n) scan",
    "detail page": "O(log n + degree) by the unique id index",
}


@dataclass(frozen=True)
class Context:
    machine: str
    date: str
    minutes: float


def corpus_size(path: Path) -> tuple[int, float]:
    """Case studies (rows) and megabytes of a generated corpus."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = sum(1 for _ in csv.reader(f)) - 1
    return rows, path.stat().st_size / 1e6


def med(values: list[float]) -> float:
    return statistics.median(values)


def _f(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def render(
    context: Context,
    loads: Loads,
    latency: dict[str, list[Timing]],
    exports: list[dict[str, Any]],
    startup: dict[str, list[float]],
    corpora: dict[str, tuple[int, float]],
) -> str:
    targets: list[tuple[str, str, bool | None]] = []
    parts = [
        _header(context),
        _loads(loads, corpora, targets),
        _queries(latency, targets),
        _exports(exports, targets),
        _startup(startup),
        _targets(targets),
        NOTES.read_text(encoding="utf-8"),
    ]
    return "\n".join(parts)


def _header(context: Context) -> str:
    return f"""# Benchmarks

Measured by `make bench` (`python -m bench.suite`) on {context.machine}, {context.date};
the whole suite took {context.minutes:.1f} minutes. Engines are the embedded default with its
default settings (1 GB heap, 15 s query timeout). The machine is shared and noisy: every ratio
compares two things measured side by side in the same run, alternately where they repeat.
Figures are medians unless they say otherwise. Corpora come from `bench/generate.py` (seed
2022) in the loaders' own CSV format, loaded on top of the bundled data.
"""


def _loads(loads: Loads, corpora: dict[str, tuple[int, float]], targets: list[Any]) -> str:
    lines = [
        "## 1. Load: the loader against the raw driver",
        "",
        "`bench/loader_load.py` runs `load_paths` (validation, name matching, checks against "
        "the graph, idempotent upserts, provenance); `bench/raw_load.py` maps the same CSV "
        "straight to rows with the csv module and sends the loader's own statements "
        "(`UNWIND ... CREATE` per kind for nodes into the empty graph, `UNWIND ... MERGE` per "
        "type for links) in the same batches and transactions. Each run starts from a fresh "
        "engine with the bundled data; raw and loader alternate. Time is wall-clock of the "
        "load in its own process; peak memory is that process's ru_maxrss.",
        "",
        "| size | case studies | CSV MB | runs | nodes | links | raw nodes/s | raw links/s | "
        "loader nodes/s | loader links/s | loader / raw | loader peak MB | raw peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    worst_ratio, l_peak = None, None
    for size, modes in loads.items():
        raw, loader = modes["raw"], modes["loader"]
        raw_s, loader_s = med([r["seconds"] for r in raw]), med([r["seconds"] for r in loader])
        nodes, links = loader[-1]["nodes"], loader[-1]["links"]
        ratio = raw_s / loader_s
        peak = max(r["peak_rss_mb"] for r in loader)
        studies, megabytes = corpora[size]
        lines.append(
            f"| {size} | {studies:,} | {megabytes:.0f} | {len(loader)} "
            f"| {nodes:,} | {links:,} | {_f(raw[0]['nodes'] / raw_s, 0)} "
            f"| {_f(raw[0]['links'] / raw_s, 0)} | {_f(nodes / loader_s, 0)} "
            f"| {_f(links / loader_s, 0)} | **{ratio:.2f}** | {peak:.0f} "
            f"| {max(r['peak_rss_mb'] for r in raw):.0f} |"
        )
        worst_ratio = ratio if worst_ratio is None else min(worst_ratio, ratio)
        if size == "L":
            l_peak = peak
    if worst_ratio is not None:
        targets.append(
            (
                "Loader throughput >= 80% of the raw driver's (worst size)",
                f"{worst_ratio:.0%}",
                worst_ratio >= 0.8,
            )
        )
    if l_peak is not None:
        targets.append(("Loader peak memory < 500 MB at L", f"{l_peak:.0f} MB", l_peak < 500))
    return "\n".join(lines) + "\n"


def _queries(latency: dict[str, list[Timing]], targets: list[Any]) -> str:
    lines = [
        "## 2. Queries: through the API against the same Cypher through the driver",
        "",
        "`bench/queries.py` records the statements each endpoint runs, then times the "
        "endpoint over HTTP against `connects serve` on loopback and replays the recorded "
        "statements with the driver, sample by sample alternately. ms; p99 over few samples "
        "is close to the maximum.",
        "",
    ]
    for size, timings in latency.items():
        lines += [
            f"### {size}",
            "",
            "| endpoint | statements per request | HTTP p50 | raw p50 | HTTP / raw | HTTP p99 "
            "| raw p99 | within 1.5x or 2 ms |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for t in timings:
            http, raw = med(t.http_ms), med(t.raw_ms)
            ok = http <= max(1.5 * raw, raw + 2)
            lines.append(
                f"| {t.endpoint} | {t.statements} | {_f(http)} | {_f(raw)} | {http / raw:.2f} "
                f"| {_f(percentile(t.http_ms, 0.99))} | {_f(percentile(t.raw_ms, 0.99))} "
                f"| {'yes' if ok else 'no'} |"
            )
            if t.endpoint == "evidence query" and size == list(latency)[-1]:
                targets.append(
                    (
                        f"Evidence query over HTTP <= 1.5x raw (or +2 ms) at {size}",
                        f"{http / raw:.2f}x ({_f(http)} vs {_f(raw)} ms)",
                        ok,
                    )
                )
        lines.append("")
        with_wrk = [t for t in timings if t.throughput is not None]
        if with_wrk:
            lines += [
                f"Throughput at {size}, `wrk -t2 -c8` from a second process on loopback, one "
                "API worker:",
                "",
                "| endpoint | requests/s |",
                "|---|---:|",
                *[f"| {t.endpoint} | {_f(t.throughput or 0)} |" for t in with_wrk],
                "",
            ]
    bounded = {t.endpoint: t.statements for ts in latency.values() for t in ts}
    for name in ("gap map", "facets"):
        if name in bounded:
            targets.append(
                (
                    f"{name.capitalize()}: a fixed number of bounded queries, not one per cell",
                    f"{bounded[name]} statements per request, whatever the size",
                    True,
                )
            )
    if "M" in latency and "L" in latency:
        lines += [
            "### Complexity: L has 10x the case studies of M",
            "",
            "| endpoint | cost | M p50 | L p50 | L / M |",
            "|---|---|---:|---:|---:|",
        ]
        for m, large in zip(latency["M"], latency["L"], strict=True):
            ratio = med(large.raw_ms) / med(m.raw_ms)
            lines.append(
                f"| {m.endpoint} | {COMPLEXITY[m.endpoint]} | {_f(med(m.raw_ms))} "
                f"| {_f(med(large.raw_ms))} | {ratio:.1f} |"
            )
        lines.append("")
    return "\n".join(lines)


def _exports(exports: list[dict[str, Any]], targets: list[Any]) -> str:
    lines = [
        "## 3. Export: the full RDF dump",
        "",
        "`bench/export.py`, each measurement in a fresh process. `connects export` streams "
        "from the graph; pyoxigraph serialises the same triples from memory (parsed from our "
        "dump beforehand, not timed); rdflib's `Graph.serialize` is timed on the first "
        f"{300_000:,} of them (all of them would take it tens of minutes and gigabytes), so "
        "compare its triples/s, not its seconds.",
        "",
        "| size | tool | format | triples | seconds | triples/s | peak MB |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    rate: dict[tuple[str, str, str], float] = {}
    for row in exports:
        per_second = row["triples"] / row["seconds"]
        rate[(row["size"], row["tool"], row["format"])] = per_second
        lines.append(
            f"| {row['size']} | {row['tool']} | {row['format']} | {row['triples']:,} "
            f"| {_f(row['seconds'])} | {_f(per_second, 0)} | {row['peak_rss_mb']:.0f} |"
        )
    lines.append("")
    ours = [r for r in exports if r["tool"] == "connects export"]
    if ours:
        size = ours[-1]["size"]
        for rdf_format in ("ntriples", "turtle"):
            mine = rate.get((size, "connects export", rdf_format))
            oxi = rate.get((size, "pyoxigraph", rdf_format))
            rdf = rate.get((size, "rdflib", rdf_format))
            if mine and oxi:
                targets.append(
                    (
                        f"Export {rdf_format} >= 50% of pyoxigraph's triples/s",
                        f"{mine / oxi:.0%}",
                        mine / oxi >= 0.5,
                    )
                )
            if mine and rdf:
                targets.append(
                    (
                        f"Export {rdf_format} >= 10x rdflib's triples/s",
                        f"{mine / rdf:.1f}x",
                        mine / rdf >= 10,
                    )
                )
        peak = max(r["peak_rss_mb"] for r in ours if r["size"] == size)
        targets.append((f"Export peak memory < 200 MB at {size}", f"{peak:.0f} MB", peak < 200))
        sizes = sorted({r["size"] for r in ours})
        if len(sizes) > 1:
            peaks = {s: max(r["peak_rss_mb"] for r in ours if r["size"] == s) for s in sizes}
            lines.append(
                "Peak export memory by size: "
                + ", ".join(f"{s} {p:.0f} MB" for s, p in peaks.items())
                + " (10x the data, flat memory).\n"
            )
    return "\n".join(lines)


def _startup(startup: dict[str, list[float]]) -> str:
    return "\n".join(
        [
            "## 4. Start-up",
            "",
            "Seconds from `connects serve` to the first 200 from `/ready`, on the largest graph: "
            "warm with the engine already running, cold with serve starting the engine first.",
            "",
            "| start | runs | median s | max s |",
            "|---|---:|---:|---:|",
            *[
                f"| {kind} | {len(v)} | {med(v):.2f} | {max(v):.2f} |"
                for kind, v in startup.items()
            ],
            "",
        ]
    )


def _targets(targets: list[tuple[str, str, bool | None]]) -> str:
    lines = ["## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for name, measured, met in targets:
        lines.append(f"| {name} | {measured} | {'yes' if met else '**no**: see below'} |")
    return "\n".join(lines) + "\n"


NOTES = Path(__file__).with_name("notes.md")


def save(
    path: Path,
    context: Context,
    loads: Loads,
    latency: dict[str, list[Timing]],
    exports: list[dict[str, Any]],
    startup: dict[str, list[float]],
    corpora: dict[str, tuple[int, float]],
) -> None:
    """The measurements as JSON, so the Markdown can be rendered again without re-running."""
    data = {
        "context": asdict(context),
        "loads": loads,
        "exports": exports,
        "startup": startup,
        "corpora": corpora,
        "latency": {size: [asdict(t) for t in ts] for size, ts in latency.items()},
    }
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def main() -> None:
    """python -m bench.report docs/benchmarks.json docs/benchmarks.md"""
    main_with(Path(sys.argv[1]), Path(sys.argv[2]))


def main_with(source: Path, target: Path) -> None:
    """Render `target` (Markdown) from `source` (the JSON `save` wrote)."""
    data = json.loads(source.read_text(encoding="utf-8"))
    latency = {size: [Timing(**t) for t in ts] for size, ts in data["latency"].items()}
    corpora = {size: (int(v[0]), float(v[1])) for size, v in data["corpora"].items()}
    target.write_text(
        render(
            Context(**data["context"]),
            data["loads"],
            latency,
            data["exports"],
            data["startup"],
            corpora,
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
