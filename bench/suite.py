"""`make bench`: issue 16's targets, loads, exports and start-up; writes docs/benchmarks.md.

Everything runs on this machine against private embedded engines (default settings: 1 GB
heap, 15 s query timeout), side by side: each ratio compares two things measured in the same
run, alternately where they repeat, so a noisy machine slows both. Each size is loaded by the
raw driver and by the loader in turn (at S and M loader, raw, loader, raw, loader; at L the
loader twice, the raw driver once between); the last loader run at M and L stays up for the
queries, the floor (bench/floor.py) and the export.

    .venv/bin/python -m bench.suite                 # the full suite, 20-37 minutes
    .venv/bin/python -m bench.suite --sizes S,M     # quicker, without L
    .venv/bin/python -m bench.suite --ports 17761-17779   # engines and servers on these ports
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api.settings import ApiSettings
from bench import generate, peak, queries, report, targets
from graph import engine

ROOT = Path(__file__).resolve().parent.parent
CONNECTS = str(Path(sys.executable).with_name("connects"))
RDFLIB_SAMPLE = 300_000


def free_port() -> int:
    """A free port: from the `--ports` range if one was given, else any the system offers."""
    return PORTS.next()


@dataclass
class Ports:
    """Free ports, from a fixed range (a shared machine's allotment) or the system's."""

    first: int = 0
    last: int = 0
    _at: int = 0

    def next(self) -> int:
        if not self.first:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port: int = s.getsockname()[1]
                return port
        for _ in range(self.last - self.first + 1):
            port = self.first + self._at % (self.last - self.first + 1)
            self._at += 1
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
        raise RuntimeError(f"no free port in {self.first}-{self.last}")


PORTS = Ports()


def env_for(settings: ApiSettings) -> dict[str, str]:
    return {
        **os.environ,
        "CONNECTS_DATA_DIR": str(settings.data_dir),
        "CONNECTS_BOLT_PORT": str(settings.bolt_port),
        "CONNECTS_HTTP_PORT": str(settings.http_port),
    }


def run_json(args: list[str], settings: ApiSettings | None = None) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 - our own modules, fixed arguments
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env_for(settings) if settings else None,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@dataclass
class Engines:
    """Private engines in one working directory; each with the bundled data loaded."""

    work: Path
    running: list[ApiSettings] = field(default_factory=list)

    def fresh(self, *, embed: bool = False) -> ApiSettings:
        """An engine with the bundled data loaded (about 5 s; 15 s with `embed`, which loads
        the embedding model and embeds 198 nodes: only search by meaning needs it). Each loads
        the data itself rather than copying one that has: the load also warms the engine (its
        JIT), as a graph in use is, and a copied one started cold took 2-4 s longer over the
        same S load."""
        settings = self._start(Path(tempfile.mkdtemp(prefix="engine-", dir=self.work)))
        subprocess.run(  # noqa: S603
            [CONNECTS, "load", "--embed" if embed else "--no-embed", str(ROOT / "data")],
            cwd=ROOT,
            env=env_for(settings),
            capture_output=True,
            check=True,
        )
        return settings

    def _start(self, folder: Path) -> ApiSettings:
        settings = ApiSettings(
            data_dir=folder, bolt_port=free_port(), http_port=free_port(), rate_limit_per_minute=0
        )
        engine.start(settings)
        self.running.append(settings)
        return settings

    def existing(self, folder: Path) -> ApiSettings:
        """An engine on a data directory that is already loaded."""
        return self._start(folder)

    def stop(self, settings: ApiSettings) -> None:
        engine.stop(settings)
        self.running.remove(settings)

    def stop_all(self) -> None:
        for settings in list(self.running):
            self.stop(settings)


@contextmanager
def engines(work: Path) -> Iterator[Engines]:
    pool = Engines(work)
    try:
        yield pool
    finally:
        pool.stop_all()


def load_sequence(raw_runs: int) -> list[str]:
    """Who loads, in turn: the loader first, last and between every two raw-driver runs
    (ABA), so a steady drift of the machine's speed cancels out of the medians' ratio, and the
    kept loader run is the last one (no engine idles beside a timed load)."""
    return ["loader", *["raw", "loader"] * raw_runs]


def bench_loads(
    pool: Engines, corpora: dict[str, Path], raw_runs: dict[str, int]
) -> tuple[dict[str, dict[str, list[dict[str, Any]]]], dict[str, ApiSettings]]:
    """Raw driver and loader in turn (`load_sequence`), each into a fresh engine; the last
    loader run at M and L stays up for the query and export benchmarks.

    The disk is synced before each run: an engine that has just written a gigabyte leaves
    dirty pages that slowed whichever load came next (the loader's first run at M was 25-30%
    slower than its second in two quiet runs of this suite)."""
    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    kept: dict[str, ApiSettings] = {}
    for size, corpus in corpora.items():
        if not raw_runs[size]:
            continue
        results[size] = {"raw": [], "loader": []}
        sequence = load_sequence(raw_runs[size])
        for turn, mode in enumerate(sequence):
            os.sync()
            settings = pool.fresh()
            module = "bench.raw_load" if mode == "raw" else "bench.loader_load"
            result = run_json([module, str(corpus)], settings)
            result["engine_peak_mb"] = engine_peak_mb(settings)
            results[size][mode].append(result)
            log(f"load {size} {mode} run {len(results[size][mode])}: {result}")
            # S is timed only when it is all there is (a quick run on a busy machine).
            last = turn == len(sequence) - 1
            if last and (size != "S" or list(corpora) == ["S"]):
                kept[size] = settings
            else:
                pool.stop(settings)
    return results, kept


def bench_exports(
    settings: ApiSettings, size: str, work: Path, *, compare: bool
) -> list[dict[str, Any]]:
    """Our streamed dump in N-Triples and Turtle, the graph reads alone before and after them
    (each format's ratio is to the reads' median: a steady drift of the machine's speed
    cancels, and one slow pass of a single one moved a ratio by 0.1 between runs); with
    `compare`, pyoxigraph and rdflib serialising the same triples."""
    rows = []
    dump = work / f"dump-{size}.nt"
    for tool, rdf_format, args in export_passes(settings.model_dump_json(), dump):
        with engine_cpu(settings) as used:
            result = run_json(["bench.export", *args])
        result["engine_cpu_s"] = used()
        rows.append({"size": size, "tool": tool, "format": rdf_format, **result})
        log(f"export {size} {tool} {rdf_format}: {result}")
    triples = sum(1 for _ in dump.open("rb"))
    for row in rows:
        row["triples"] = triples
    if compare:
        for rdf_format in ("ntriples", "turtle"):
            result = run_json(["bench.export", "oxigraph", rdf_format, str(dump)])
            rows.append({"size": size, "tool": "pyoxigraph", "format": rdf_format, **result})
            log(f"export {size} pyoxigraph {rdf_format}: {result}")
            result = run_json(["bench.export", "rdflib", rdf_format, str(dump), str(RDFLIB_SAMPLE)])
            rows.append({"size": size, "tool": "rdflib", "format": rdf_format, **result})
            log(f"export {size} rdflib {rdf_format}: {result}")
    dump.unlink()
    return rows


def export_passes(graph: str, dump: Path) -> list[tuple[str, str, list[str]]]:
    """`bench.export`'s runs at one size, in turn: the reads alone first and last, each of our
    formats between (the N-Triples one keeps its dump, for the triples count and the others)."""
    reads = ("graph reads only", "-", ["read", "-", graph])
    return [
        reads,
        ("connects export", "ntriples", ["ours", "ntriples", graph, str(dump)]),
        ("connects export", "turtle", ["ours", "turtle", graph]),
        reads,
    ]


def bench_startup(settings: ApiSettings, runs: int) -> dict[str, list[float]]:
    """Seconds from `connects serve` to the first 200 from /ready: with the engine already
    running (warm), and with it stopped, so serve starts it first (cold). The engine is left
    running."""
    out: dict[str, list[float]] = {"warm": [], "cold": []}
    for _ in range(runs):
        for kind in ("cold", "warm"):
            if kind == "cold":
                engine.stop(settings)
            port = free_port()
            started = time.perf_counter()
            server = subprocess.Popen(  # noqa: S603
                [CONNECTS, "serve", "--port", str(port)],
                cwd=ROOT,
                env=env_for(settings),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                queries.wait_ready(f"http://127.0.0.1:{port}", server)
                out[kind].append(time.perf_counter() - started)
            finally:
                server.terminate()
                server.wait(timeout=30)
            log(f"start-up {kind}: {out[kind][-1]:.2f} s")
    if not engine.status(settings).running:
        # A cold `connects serve` stops the engine it started: later parts still ask it.
        engine.start(settings)
    return out


def engine_peak_mb(settings: ApiSettings) -> float:
    """The engine's own peak memory since it started (a process apart from the bench's)."""
    pid = engine.status(settings).pid
    return peak.process_peak_mb(pid) if pid else 0.0


@contextmanager
def engine_cpu(settings: ApiSettings) -> Iterator[Callable[[], float]]:
    """The engine's CPU seconds over the block (call the yielded function after it): on a
    shared machine a fairer figure than wall-clock time."""
    pid = engine.status(settings).pid or 0
    before = peak.process_cpu_seconds(pid) if pid else 0.0
    after: list[float] = []
    yield lambda: after[0] - before if after and pid else 0.0
    after.append(peak.process_cpu_seconds(pid) if pid else 0.0)


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)  # noqa: T201


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M,L", help="corpus sizes (default S,M,L)")
    parser.add_argument(
        "--runs",
        type=int,
        default=2,
        help="raw-driver load runs at S and M; the loader runs once more, before, between and "
        "after them (default 2: a single raw run at M moved the ratio by 0.05-0.15)",
    )
    parser.add_argument(
        "--runs-l", type=int, default=1, help="raw-driver load runs at L (default 1: loader twice)"
    )
    parser.add_argument("--samples", type=int, default=11, help="latency samples per target at M")
    parser.add_argument("--samples-l", type=int, default=10, help="latency samples at L")
    parser.add_argument(
        "--after-loads", type=int, default=3, help="one-row loads per bounded query"
    )
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--ports", default="", help="a port range for engines and servers, a-b")
    parser.add_argument(
        "--l-graph",
        type=Path,
        help="a data directory already holding the bundled data and the L corpus (seed 2022): "
        "L's queries and export run on it, in place (it gets the one-row loads: pass a copy)",
    )
    parser.add_argument(
        "--skip",
        default="",
        help="parts to leave out, comma-separated: exports, startup, search",
    )
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    # A stopped suite stops its engines (the `finally` of `engines`), not only Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.ports:
        PORTS.first, PORTS.last = (int(p) for p in args.ports.split("-"))
    sizes = [s.strip() for s in args.sizes.split(",")]
    args.output.parent.mkdir(parents=True, exist_ok=True)  # before the work, not after it
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="connects-bench-") as folder:
        work = Path(folder)
        corpora = {s: generate.write(work / f"corpus-{s}", generate.SIZES[s]) for s in sizes}
        log(f"corpora written: {', '.join(sizes)}")
        with engines(work) as pool:
            raw_runs = {s: args.runs_l if s == "L" else args.runs for s in sizes}
            loads, kept = bench_loads(pool, corpora, raw_runs)
            if args.l_graph and "L" in sizes:
                kept["L"] = pool.existing(args.l_graph)
                log(f"L queries on {args.l_graph}")
            latency: dict[str, queries.Measured] = {}
            for size in ("S", "M", "L"):
                if size in kept:
                    samples = args.samples_l if size == "L" else args.samples
                    wrk_seconds = args.wrk_seconds if size == largest(kept) else 0
                    latency[size] = bench_queries(
                        pool,
                        kept[size],
                        corpora[size],
                        work,
                        samples,
                        args.after_loads,
                        wrk_seconds,
                    )
                    log(f"queries {size}: done")
                    partial = report.Results(_context(started), loads, latency, [], {}, {})
                    report.save(args.output.with_suffix(".json"), partial)  # a checkpoint
            exports = []
            exported = [s for s in ("M", "L") if s in kept and "exports" not in args.skip]
            for size in exported:
                # pyoxigraph and rdflib beside ours at the first size only: a reference rate
                # (triples/s), which at L took two minutes of parsing the dump for each.
                exports += bench_exports(kept[size], size, work, compare=size == exported[0])
            startup: dict[str, list[float]] = {}
            if "startup" not in args.skip:
                biggest = kept[largest(kept)] if kept else pool.fresh()  # on the largest
                startup = bench_startup(biggest, runs=3)
            search: dict[str, Any] = {}
            if "search" not in args.skip:
                search = run_json(["bench.search_recall"], pool.fresh(embed=True))
                log("search recall: done")
                if "L" in kept and args.l_graph:
                    # The bench's own L loads embed nothing (their texts would take longer than
                    # the whole suite); a given L graph is asked if `connects embed` filled it.
                    search["at_l"] = run_json(["bench.search_recall", "--graph-only"], kept["L"])
                    log("search at L: done")
        sizes_seen = {s: report.corpus_size(path) for s, path in corpora.items()}
    elapsed = time.perf_counter() - started
    results = report.Results(
        _context(started), loads, latency, exports, startup, sizes_seen, search
    )
    report.save(args.output.with_suffix(".json"), results)
    args.output.write_text(report.render(results), encoding="utf-8")
    log(f"wrote {args.output} after {elapsed / 60:.1f} minutes")


def _context(started: float) -> report.Context:
    return report.Context(
        machine=f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}",
        date=f"{datetime.now(UTC):%Y-%m-%d}",
        minutes=(time.perf_counter() - started) / 60,
    )


def bench_queries(
    pool: Engines,
    settings: ApiSettings,
    corpus: Path,
    work: Path,
    samples: int,
    after_loads: int,
    wrk_seconds: int,
) -> queries.Measured:
    """Issue 16's targets against the floor built from the same rows, in the same run.

    The floor's bundled rows come from an engine holding only the bundled data: reading them
    out of the L graph means scanning every node there."""
    bundled = pool.fresh()
    try:
        floor = queries.build_floor(bundled, corpus)
    finally:
        pool.stop(bundled)
    log("  floor built")
    values = targets.Corpus.read(corpus)
    chosen = [
        *targets.evidence_targets(floor, values),
        *targets.other_targets(floor, values, settings.max_neighbourhood_nodes),
    ]
    return queries.measure(
        settings,
        free_port,
        floor,
        chosen,
        samples=samples,
        after_load_runs=after_loads,
        wrk_seconds=wrk_seconds,
        work=work,
        log=log,
    )


def largest(kept: dict[str, ApiSettings]) -> str:
    return max(kept, key=list(generate.SIZES).index)


if __name__ == "__main__":
    main()
