"""docs/benchmarks.md from the suite's measurements: tables, targets and what they mean."""

from __future__ import annotations

import csv
import json
import statistics
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.queries import Measured, Timing, percentile

Loads = dict[str, dict[str, list[dict[str, Any]]]]

COMPLEXITY = {
    "evidence": "evidence index (per worker, per load): O(1) lookup of a ready-made rank order "
    "for one outcome, type or direction; O(n) walk of the global order for a study-level "
    "filter until a page is found; then O(page) rows read by id",
    "evidence: q": "evidence index: the case studies holding a word that contains the "
    "text's rarest run of letters and digits, by a search of the distinct words (O(vocabulary), "
    "in C); then only their own text searched, unless the text is one such run; the whole text "
    "(O(characters)) where that would cost more; then as for any study-level filter",
    "what works": "evidence index: O(s) for the s studies in scope, then their card details by "
    "id; answer O(approaches)",
    "search": "O(hits of the rarest word) in the full-text index: the engine scores every hit, "
    "then reads only the best (the procedure's own limit, 2 x the page + 1; more where equal "
    "scores run past it); both engines",
    "neighbourhood": "O(answer): hubs (4 x the cap in links or more) are counted from their "
    "edge lists, not followed; answer capped at max_neighbourhood_nodes",
    "node detail": "O(log n) by the id index, plus O(degree) up to 500 links; a node with more "
    "is counted, not listed",
    "paths": "O(d^h) breadth-first to the shortest path (h hops, degree d): set by the two "
    "nodes and what lies between them, not by n",
    "facets": "evidence index: O(c) for the c matching claims, then O(1) for a repeat (cached "
    "per load); the first call after a load also pays for the index build, O(n + claims)",
    "gap map": "as facets: O(c) once per load and request, O(1) repeated",
}
"""What each query costs as the graph grows, by a target's name or its first word(s)."""

INDEXES = {
    "evidence": (
        "the in-process evidence index; the page's rows by the unique index on `Entity.id`",
        "the same: the index is built by label scans, the page read by `entity_id`",
    ),
    "what works": (
        "the evidence index; card details by `Entity.id`; interventions by `Intervention_id`",
        "the same, with the `Intervention_id` range index",
    ),
    "search": (
        "full-text index `entity_text` on `Entity` (name, description), the engine's own DDL",
        "full-text index `entity_text` (name, description)",
    ),
    "neighbourhood": (
        "unique index `Entity[id]` for each hop's frontier; hub degrees from edge lists",
        "uniqueness constraint `entity_id` (its range index)",
    ),
    "node detail": ("unique index `Entity[id]`", "uniqueness constraint `entity_id`"),
    "paths": ("unique index `Entity[id]` for the two ends", "uniqueness constraint `entity_id`"),
    "facets": ("the evidence index (no graph read once built)", "the same"),
    "gap map": ("the evidence index (no graph read once built)", "the same"),
}
"""(embedded engine, Neo4j): the index each statement uses today, by target name prefix."""


def family(endpoint: str) -> str:
    """The INDEXES key of a target's name ("evidence: outcome" -> "evidence"), and the
    COMPLEXITY key where that has no row of its own."""
    return endpoint.split(":")[0]


@dataclass(frozen=True)
class Context:
    machine: str
    date: str
    minutes: float


@dataclass(frozen=True)
class Results:
    """Everything the suite measured; `render` turns it into docs/benchmarks.md."""

    context: Context
    loads: Loads
    latency: dict[str, Measured]
    exports: list[dict[str, Any]]
    startup: dict[str, list[float]]
    corpora: dict[str, tuple[int, float]]
    search: dict[str, Any] = field(default_factory=dict)
    """bench/search_recall.py's measurements over the bundled data; empty if not measured."""


FLOOR_AIM = 5
THROUGHPUT_TARGET = 100
LOADER_TARGET = 0.8
EXPORT_TARGET = 0.9
FLAT_MEMORY = 1.25
"""Export peak memory at L at most this times M's counts as flat."""


def corpus_size(path: Path) -> tuple[int, float]:
    """Case studies (rows) and megabytes of a generated corpus."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = sum(1 for _ in csv.reader(f)) - 1
    return rows, path.stat().st_size / 1e6


def med(values: list[float]) -> float:
    return statistics.median(values)


def _engine_peak(runs: list[dict[str, Any]]) -> str:
    peaks = [r["engine_peak_mb"] for r in runs if r.get("engine_peak_mb")]
    return f"{max(peaks):.0f}" if peaks else "-"


def _cpu(row: dict[str, Any], key: str) -> str:
    return _f(row[key]) if key in row else "-"


def _f(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


Target = tuple[str, str, str, bool | None]
"""(target, measured, aim, met) for the targets table's other rows."""


def render(results: Results) -> str:
    targets: list[Target] = []
    loads = _loads(results.loads, results.corpora, targets)
    exports = _exports(results.exports, targets)
    throughput = _throughput(results.latency, targets)
    _unmeasured(targets)
    parts = [
        _header(results.context),
        _targets(results.latency, targets),
        _agreement(results.latency),
        _queries(results.latency),
        throughput,
        _complexity(results.latency),
        loads,
        exports,
        _startup(results.startup),
        _search(results.search),
        NOTES.read_text(encoding="utf-8"),
    ]
    return "\n".join(parts)


EVERY_TARGET = {
    "Loader throughput": f">= {LOADER_TARGET:.0%}, L measured at least twice",
    "Export ntriples": f">= {EXPORT_TARGET:.0%} of the graph-reads-only ceiling",
    "Export memory": "flat from M to L",
    "Throughput at": f">= {THROUGHPUT_TARGET} requests/s, one worker; then two",
}
"""Issue 16's targets outside the latency table, by the start of their row's name."""


def _unmeasured(targets: list[Target]) -> None:
    """A row for each target this run did not measure, saying so, rather than no row."""
    for start, aim in EVERY_TARGET.items():
        if not any(name.startswith(start) for name, *_ in targets):
            targets.append((f"{start} ...", "not measured in this run", aim, None))


def _header(context: Context) -> str:
    return f"""# Benchmarks

Measured by `make bench` (`python -m bench.suite`) on {context.machine}, {context.date};
the whole suite took {context.minutes:.1f} minutes. Engines are the embedded default with its
default settings (1 GB heap, 15 s query timeout). The machine is shared and noisy: every ratio
compares two things measured side by side in the same run, alternately where they repeat.
Figures are medians unless they say otherwise. Corpora come from `bench/generate.py` (seed
2022) in the loaders' own CSV format, loaded on top of the bundled data.
"""


def _row(t: Timing) -> str:
    http, floor = med(t.http_ms), med(t.floor_ms) if t.floor_ms else None
    ratio = (
        (f"{http / floor:,.0f}x" if http >= 10 * floor else f"{http / floor:.2f}x")
        if floor
        else "-"
    )
    within = "-" if not floor else ("yes" if http <= FLOOR_AIM * floor else "no")
    target = f"<= {t.target_ms:g}" if t.target_ms is not None else "-"
    met = "-" if t.target_ms is None else ("yes" if http <= t.target_ms else "**no**")
    floor_text = _f(floor, 2) if floor else "-"
    return (
        f"| {t.endpoint} | {t.distinct} | {t.statements} | {_f(http)} "
        f"| {_f(percentile(t.http_ms, 0.95))} | {floor_text} | {ratio} | {within} "
        f"| {target} | {met} |"
    )


TABLE_HEAD = [
    "| target | distinct requests | statements | median ms | p95 ms | floor ms | / floor "
    "| within 5x | target ms | met |",
    "|---|---:|---:|---:|---:|---:|---:|---|---:|---|",
]


def _targets(latency: dict[str, Measured], others: list[Target]) -> str:
    lines = ["## Targets (issue 16)", ""]
    if latency:
        size = list(latency)[-1]
        measured = latency[size]
        lines += [
            f"At {size}, over HTTP against `connects serve` (one worker) on loopback, "
            f"{len(measured.timings[0].http_ms)} samples per row unless it says otherwise; the "
            "floor is the same question put to SQLite in the bench's own process "
            "(`bench/floor.py`), timed alternately with the HTTP samples. p95 over ten or so "
            "samples is close to the maximum.",
            "",
            *TABLE_HEAD,
            *[_row(t) for t in measured.timings],
            "",
            *_repeats(measured),
        ]
    if others:
        lines += ["| target | measured | aim | met |", "|---|---|---|---|"]
        for name, value, aim, met in others:
            mark = "-" if met is None else ("yes" if met else "**no**")
            lines.append(f"| {name} | {value} | {aim} | {mark} |")
        lines.append("")
    return "\n".join(lines)


def _repeats(measured: Measured) -> list[str]:
    """Requests made a second time, timed apart: the API may keep their answers for the load."""
    repeated = [t for t in measured.timings if t.repeated_ms]
    if not repeated:
        return []
    return [
        "Samples repeating a request already made (the API keeps evidence pages, facets and "
        "gap maps for the load) are left out of the rows above; their medians:",
        "",
        "| target | repeated samples | median ms |",
        "|---|---:|---:|",
        *[f"| {t.endpoint} | {len(t.repeated_ms)} | {_f(med(t.repeated_ms))} |" for t in repeated],
        "",
    ]


def _agreement(latency: dict[str, Measured]) -> str:
    lines = [
        "## The floor answers the same questions",
        "",
        "Each distinct request's answer was compared with the floor's: `/evidence` by its total "
        "and first-page ids in order; `/what-works` by its approaches (ids and total); search "
        "by the ids it found; a neighbourhood by its nodes and edge count (when the API did "
        "not truncate it); node detail by its link total; facets and the gap map by every "
        "count, once, before the one-row loads.",
        "",
        "| size | target | requests compared | differences |",
        "|---|---|---:|---|",
    ]
    for size, measured in latency.items():
        for t in measured.timings:
            if t.checked:
                found = "; ".join(t.differences[:2]) or "none"
                more = f" (+{len(t.differences) - 2} more)" if len(t.differences) > 2 else ""
                lines.append(f"| {size} | {t.endpoint} | {t.checked} | {found}{more} |")
    return "\n".join(lines) + "\n"


def _queries(latency: dict[str, Measured]) -> str:
    lines = ["## Every size measured", ""]
    for size, measured in latency.items():
        lines += [f"### {size}", "", *TABLE_HEAD, *[_row(t) for t in measured.timings], ""]
    return "\n".join(lines)


def _throughput(latency: dict[str, Measured], targets: list[Target]) -> str:
    sized = [(size, m.throughput) for size, m in latency.items() if m.throughput]
    if not sized:
        return ""
    size, throughput = sized[-1]
    how = (
        f"At {size}: `wrk -t2 -c8` for the duration, from its own process on loopback, each "
        "request the next of the `/evidence` single-filter requests above in turn (a Lua "
        "script), against `connects serve` and then `connects serve --workers 2`. One engine "
        "serves both, and the machine has two cores that wrk, the workers and the engine share."
    )
    if any("repeated" in name for name in throughput):
        how += (
            " Every worker has built its index before the clock starts (the bench sends "
            "requests until each worker has logged its build). Distinct requests: each filter in "
            "turn, each round at the next of ten pages, so no request repeats within more than "
            "the answers the API keeps; repeated requests: the same requests at their first page, "
            "which the API answers from what it kept after their first time."
        )
    lines = [
        "## Throughput: one API worker and two",
        "",
        how,
        "",
        "| API workers | requests/s |",
        "|---|---:|",
        *[f"| {workers} | {_f(rate)} |" for workers, rate in throughput.items()],
        "",
    ]
    one = throughput.get("1 worker")
    if one is not None:
        targets.append(
            (
                f"Throughput at {size}, `/evidence`, one worker",
                f"{_f(one)} requests/s",
                f">= {THROUGHPUT_TARGET}",
                one >= THROUGHPUT_TARGET,
            )
        )
    two = throughput.get("2 workers")
    if one and two is not None:
        targets.append(
            (
                f"Throughput at {size}, two workers",
                f"{_f(two)} requests/s ({two / one:.2f}x)",
                "scales out",
                None,
            )
        )
    return "\n".join(lines)


def _complexity(latency: dict[str, Measured]) -> str:
    if "M" not in latency or "L" not in latency:
        return (
            "## Complexity: L has 10x the case studies of M\n\nNot measured in this run: it "
            "needs M and L. The index (Neo4j) and index (embedded) columns come with them.\n"
        )
    lines = [
        "## Complexity: L has 10x the case studies of M",
        "",
        "HTTP medians. The index columns say what the statements use today (on `main` when "
        "this table was written); the embedded engine's Cypher does not use an index declared "
        "on a parent label, nor index order for `ORDER BY ... LIMIT`.",
        "",
        "| target | cost | index (embedded) | index (Neo4j) | M ms | L ms | L / M |",
        "|---|---|---|---|---:|---:|---:|",
    ]
    at_m = {t.endpoint: t for t in latency["M"].timings}
    for large in latency["L"].timings:
        m = at_m.get(large.endpoint)
        if m is None:
            continue
        key = family(large.endpoint)
        embedded, neo4j = INDEXES.get(key, ("-", "-"))
        m_ms, l_ms = med(m.http_ms), med(large.http_ms)
        lines.append(
            f"| {large.endpoint} | {COMPLEXITY.get(large.endpoint, COMPLEXITY.get(key, '-'))} "
            f"| {embedded} | {neo4j} "
            f"| {_f(m_ms)} | {_f(l_ms)} | {l_ms / m_ms:.1f} |"
        )
    return "\n".join(lines) + "\n"


def _loads(loads: Loads, corpora: dict[str, tuple[int, float]], targets: list[Target]) -> str:
    if not loads:
        return ""
    lines = [
        "## Load: the loader against the raw driver",
        "",
        "`bench/loader_load.py` runs `load_paths` (validation, name matching, checks against "
        "the graph, idempotent upserts, provenance); `bench/raw_load.py` maps the same CSV "
        "straight to rows with the csv module and sends the loader's own statements "
        "(`UNWIND ... CREATE` per kind for nodes into the empty graph, `UNWIND ... MERGE` per "
        "type for links) in the same batches, committing every 5,000 case studies (the loader "
        "writes a load of up to 10,000 as one transaction, so it can roll back whole; larger "
        "loads commit every 5,000 as well). Each run starts from a fresh engine with the "
        "bundled data; the two take turns, the loader first, last and between every two raw "
        "runs (loader, raw, loader and so on: a steady drift of the machine's speed cancels "
        "out of the ratio of medians), the disk synced before each run. Time is wall-clock of the "
        "load in its own process; peak memory is that process's own high-water mark (`VmHWM`, "
        "bench/peak.py), and the engine's, a process of its own, is shown apart (its peak "
        "since it started, the bundled data's load included). Every run is listed under the "
        "table.",
        "",
        "| size | case studies | CSV MB | runs | nodes | links | raw nodes/s | raw links/s | "
        "loader nodes/s | loader links/s | loader / raw | loader peak MB | raw peak MB | "
        "engine peak MB (loader, raw) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    worst_ratio, l_peak, each = None, None, []
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
            f"| {max(r['peak_rss_mb'] for r in raw):.0f} "
            f"| {_engine_peak(loader)}, {_engine_peak(raw)} |"
        )
        each.append(
            f"{size}: raw {', '.join(_f(r['seconds']) for r in raw)} s; loader "
            f"{', '.join(_f(r['seconds']) for r in loader)} s"
        )
        worst_ratio = ratio if worst_ratio is None else min(worst_ratio, ratio)
        if size == "L":
            l_peak = peak
    lines += ["", "Runs, each side in the order it ran: " + "; ".join(each) + "."]
    lines += _check_passes(loads)
    if worst_ratio is not None:
        targets.append(
            (
                "Loader throughput against the raw driver (worst size, medians)",
                f"{worst_ratio:.0%}",
                f">= {LOADER_TARGET:.0%}",
                worst_ratio >= LOADER_TARGET,
            )
        )
    if l_peak is not None:
        targets.append(("Loader peak memory at L", f"{l_peak:.0f} MB", "< 500 MB", l_peak < 500))
    return "\n".join(lines) + "\n"


def _check_passes(loads: Loads) -> list[str]:
    """Where the loader's time goes at sizes it checks whole before writing: the check pass
    is what the raw driver does not do at all."""
    lines = []
    for size, modes in loads.items():
        loader = modes["loader"]
        if not all("check_s" in r for r in loader):
            continue
        checks = [r["check_s"] for r in loader]
        writing = med([r["seconds"] - r["check_s"] for r in loader])
        raw_s = med([r["seconds"] for r in modes["raw"]])
        lines += [
            "",
            f"At {size} the loader checks every row (read, validated, built and checked "
            "against the input and the graph) before it writes any, so that a problem anywhere "
            f"leaves the graph unchanged: that pass took {_f(med(checks))} s (median; "
            f"{', '.join(_f(c) for c in checks)}), the engine idle meanwhile. Its writing took "
            f"{_f(writing)} s: raw / writing = {raw_s / writing:.2f}.",
        ]
    return lines


def _exports(exports: list[dict[str, Any]], targets: list[Target]) -> str:
    if not exports:
        return ""
    lines = [
        "## Export: the full RDF dump",
        "",
        "`bench/export.py`, each measurement in a fresh process. `connects export` streams "
        "from the graph; pyoxigraph serialises the same triples from memory (parsed from our "
        "dump beforehand, not timed); rdflib's `Graph.serialize` is timed on the first "
        f"{300_000:,} of them (all of them would take it tens of minutes and gigabytes), so "
        "compare its triples/s, not its seconds. The graph reads alone run before and after "
        "our two formats; each format's ratio to them is to their median. CPU seconds (the "
        "exporting process's, and the engine's over the same run) are the fairer figure on a "
        "shared machine: wall-clock time waits for whoever else is running.",
        "",
        "| size | tool | format | triples | seconds | triples/s | peak MB | CPU s | engine CPU s |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    rates: dict[tuple[str, str, str], list[float]] = {}
    for row in exports:
        per_second = row["triples"] / row["seconds"]
        rates.setdefault((row["size"], row["tool"], row["format"]), []).append(per_second)
        lines.append(
            f"| {row['size']} | {row['tool']} | {row['format']} | {row['triples']:,} "
            f"| {_f(row['seconds'])} | {_f(per_second, 0)} | {row['peak_rss_mb']:.0f} "
            f"| {_cpu(row, 'cpu_s')} | {_cpu(row, 'engine_cpu_s')} |"
        )
    lines.append("")
    # A pass measured more than once (the reads, before and after the formats) counts by its
    # median, as every other repeated figure here.
    rate = {key: med(found) for key, found in rates.items()}
    ours = [r for r in exports if r["tool"] == "connects export"]
    if ours:
        size = ours[-1]["size"]
        for rdf_format in ("ntriples", "turtle"):
            mine = rate.get((size, "connects export", rdf_format))
            ceiling = rate.get((size, "graph reads only", "-"))
            if mine and ceiling:
                targets.append(
                    (
                        f"Export {rdf_format} at {size} against the graph-reads-only ceiling",
                        f"{mine / ceiling:.0%}",
                        f">= {EXPORT_TARGET:.0%}",
                        mine / ceiling >= EXPORT_TARGET,
                    )
                )
        peak = max(r["peak_rss_mb"] for r in ours if r["size"] == size)
        sizes = sorted({r["size"] for r in ours}, key="SML".index)
        if len(sizes) > 1:
            peaks = {s: max(r["peak_rss_mb"] for r in ours if r["size"] == s) for s in sizes}
            lines.append(
                "Peak export memory by size: "
                + ", ".join(f"{s} {p:.0f} MB" for s, p in peaks.items())
                + ".\n"
            )
            low, high = peaks[sizes[0]], peaks[sizes[-1]]
            targets.append(
                (
                    f"Export memory flat from {sizes[0]} to {sizes[-1]} (peak)",
                    f"{low:.0f} MB to {high:.0f} MB",
                    f"<= {FLAT_MEMORY}x",
                    high <= FLAT_MEMORY * low,
                )
            )
        else:
            targets.append((f"Export peak memory at {size}", f"{peak:.0f} MB", "flat", None))
    return "\n".join(lines)


def _startup(startup: dict[str, list[float]]) -> str:
    if not startup:
        return ""
    return "\n".join(
        [
            "## Start-up",
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


NOTES = Path(__file__).with_name("notes.md")
RECALL_GAIN_AIM = 0.20
SEARCH_LATENCY_AIM_MS = 50


def _search(search: dict[str, Any]) -> str:
    """Recall@10 by search mode over the labelled questions, and search latency."""
    if not search:
        return ""
    recall = search["recall_at_10"]
    gain = recall["hybrid"]["all"] - recall["keyword"]["all"]
    lines = [
        "## Search: recall@10 and latency (issue 19)",
        "",
        f"{search['questions']} labelled questions (bench/search_questions.yaml, "
        f"{search['paraphrased']} in words the case studies do not use), case studies only, "
        f"over {search.get('graph', 'the bundled data')}.",
        "",
        "| mode | recall@10 | recall@10, paraphrased | median latency (ms) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for mode, value in recall.items():
        lines.append(
            f"| {mode} | {value['all']:.0%} | {value['paraphrased']:.0%} "
            f"| {search['latency_ms'][mode]:.1f} |"
        )
    met = "met" if gain >= RECALL_GAIN_AIM else "missed"
    lines += [
        "",
        f"Hybrid over keyword-only: {gain * 100:+.0f} points (aim +{RECALL_GAIN_AIM:.0%}: {met}). "
        f"Latency aim at L: under {SEARCH_LATENCY_AIM_MS} ms.",
        "",
    ]
    if at_l := search.get("at_l"):
        hybrid_ms = at_l["latency_ms"]["hybrid"]
        met_l = "met" if hybrid_ms < SEARCH_LATENCY_AIM_MS else "missed"
        lines += [
            "At L (the same questions among the 100,000 generated case studies as well, every "
            "node embedded by `connects embed`), in-process medians, the model loaded:",
            "",
            "| mode | recall@10 at L | recall@10 at L, paraphrased | median latency at L (ms) |",
            "| --- | ---: | ---: | ---: |",
        ]
        for mode, value in at_l["recall_at_10"].items():
            lines.append(
                f"| {mode} | {value['all']:.0%} | {value['paraphrased']:.0%} "
                f"| {at_l['latency_ms'][mode]:.1f} |"
            )
        lines += [
            "",
            f"Hybrid at L: {hybrid_ms:.1f} ms (aim under {SEARCH_LATENCY_AIM_MS} ms: {met_l}).",
            "",
        ]
    else:
        lines += ["Not measured at L in this run (no embedded L graph was given).", ""]
    if embedding := search.get("embedding"):
        lines += [
            f"The load's embedding stage: {embedding['ms_per_text']:.1f} ms per case-study text "
            f"({embedding['texts']} texts, nothing cached), on top of the loader's own time; "
            "the loader throughput above leaves it out, as the raw driver computes none.",
            "",
        ]
    return "\n".join(lines)


def save(path: Path, results: Results) -> None:
    """The measurements as JSON, so the Markdown can be rendered again without re-running."""
    data = {
        "context": asdict(results.context),
        "loads": results.loads,
        "exports": results.exports,
        "startup": results.startup,
        "corpora": results.corpora,
        "latency": {size: asdict(m) for size, m in results.latency.items()},
        "search": results.search,
    }
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def load(source: Path) -> Results:
    """The results `save` wrote."""
    data = json.loads(source.read_text(encoding="utf-8"))
    latency = {
        size: Measured([Timing(**t) for t in m["timings"]], m["throughput"])
        for size, m in data["latency"].items()
    }
    corpora = {size: (int(v[0]), float(v[1])) for size, v in data["corpora"].items()}
    return Results(
        Context(**data["context"]),
        data["loads"],
        latency,
        data["exports"],
        data["startup"],
        corpora,
        data.get("search", {}),
    )


def main() -> None:
    """python -m bench.report docs/benchmarks.json docs/benchmarks.md"""
    main_with(Path(sys.argv[1]), Path(sys.argv[2]))


def main_with(source: Path, target: Path) -> None:
    """Render `target` (Markdown) from `source` (the JSON `save` wrote)."""
    target.write_text(render(load(source)), encoding="utf-8")


if __name__ == "__main__":
    main()
