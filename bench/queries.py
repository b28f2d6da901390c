"""Issue 16's targets over HTTP against the floor, sample by sample, in the same run.

Each target (`bench/targets.py`) is timed over HTTP against a real `connects serve` on loopback
and, alternately, the same question is put to the floor (SQLite in this process), so a noisy
machine slows both. The statements each endpoint sends are counted once, in-process. Facets and
the gap map are also timed on their first call after a load: a one-row load through the CLI
changes the load state, then the first call is timed, then the same call repeated. Throughput
comes from `wrk` in its own process, with one API worker and then two, each worker's index
built before the clock starts, over distinct requests and over repeated ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
from fastapi.testclient import TestClient
from neo4j import AsyncDriver, AsyncSession

from api.main import create_app
from api.settings import ApiSettings
from bench import generate
from bench.floor import Floor, from_graph
from bench.targets import Ask, Target, facets_ask, gap_map_ask
from graph.db import open_db

CONNECTS = str(Path(sys.executable).with_name("connects"))
Log = Callable[[str], None]
REPEATS = 3
"""Repeated calls timed after each first call following a load."""


@dataclass
class Statement:
    query: str
    params: dict[str, Any]


@dataclass
class Timing:
    endpoint: str
    group: str
    target_ms: float | None
    statements: int = 0
    distinct: int = 0
    """How many different requests the samples rotated over."""
    http_ms: list[float] = field(default_factory=list)
    floor_ms: list[float] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    """Where the API's answer and the floor's differed (empty: they agreed)."""
    checked: int = 0
    repeated_ms: list[float] = field(default_factory=list)
    """Samples of a request already made (its answer may be kept): apart from `http_ms`."""


@dataclass
class Measured:
    timings: list[Timing]
    throughput: dict[str, float] = field(default_factory=dict)
    """Requests per second under wrk over the rotating evidence requests, by worker count."""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def median(values: list[float]) -> float:
    return statistics.median(values)


@contextmanager
def recording() -> Iterator[list[Statement]]:
    """Every statement the app sends while inside: reads run in auto-commit sessions
    (`AsyncSession.run`), writes through `AsyncDriver.execute_query`."""
    recorded: list[Statement] = []
    original_query, original_run = AsyncDriver.execute_query, AsyncSession.run

    def record(query: Any, parameters: Any) -> None:
        recorded.append(Statement(str(getattr(query, "text", query)), dict(parameters or {})))

    async def execute_query(
        self: AsyncDriver, query: Any, parameters: Any = None, *args: Any, **kwargs: Any
    ) -> Any:
        record(query, parameters)
        return await original_query(self, query, parameters, *args, **kwargs)

    async def run(
        self: AsyncSession, query: Any, parameters: Any = None, *args: Any, **kwargs: Any
    ) -> Any:
        record(query, parameters)
        return await original_run(self, query, parameters, *args, **kwargs)

    AsyncDriver.execute_query = execute_query  # type: ignore[assignment,method-assign]
    AsyncSession.run = run  # type: ignore[method-assign]
    try:
        yield recorded
    finally:
        AsyncDriver.execute_query = original_query  # type: ignore[method-assign]
        AsyncSession.run = original_run  # type: ignore[method-assign]


def count_statements(settings: ApiSettings, paths: dict[str, str]) -> dict[str, int]:
    """Statements each request sends, counted in-process (the app with its lifespan)."""
    counts = {}
    # As patient as the served API (serve_env): counting must not time out where timing does not.
    patient = settings.model_copy(update={"query_timeout": 600})
    with TestClient(create_app(patient)) as client:
        for name, path in paths.items():
            with recording() as recorded:
                client.get(path).raise_for_status()
            counts[name] = len(recorded)
    return counts


def serve_env(settings: ApiSettings) -> dict[str, str]:
    return {
        **os.environ,
        "CONNECTS_DATA_DIR": str(settings.data_dir),
        "CONNECTS_BOLT_PORT": str(settings.bolt_port),
        "CONNECTS_HTTP_PORT": str(settings.http_port),
        "CONNECTS_RATE_LIMIT_PER_MINUTE": "0",
        "CONNECTS_QUERY_TIMEOUT": "600",
    }


@contextmanager
def serving(
    settings: ApiSettings, port: int, workers: int = 1, log_to: Path | None = None
) -> Iterator[str]:
    """`connects serve` in its own process, as users run it; yields its base URL. Its log
    (JSON lines on stdout) goes to `log_to` if given."""
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(log_to.open("wb")) if log_to else subprocess.DEVNULL
        server = subprocess.Popen(  # noqa: S603 - our own CLI
            [CONNECTS, "serve", "--port", str(port), "--workers", str(workers)],
            env=serve_env(settings),
            stdout=out,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, server)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)


def wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 120) -> float:
    """Seconds until `/ready` first answers 200."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if server.poll() is not None:
            raise RuntimeError(f"connects serve exited with {server.returncode}")
        try:
            if httpx2.get(f"{base}/ready", timeout=2).status_code == 200:
                return time.perf_counter() - started
        except httpx2.TransportError:
            pass
        time.sleep(0.02)
    raise TimeoutError("the API did not become ready")


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    answer = call()
    return (time.perf_counter() - started) * 1000, answer


def _get(http: httpx2.Client, path: str) -> Any:
    response = http.get(path)
    # A read refused by its bound (paths between hubs or past 10 s) answers in bounded time:
    # that answer is what the sample times, not a failure of the run.
    if response.status_code != 422 or not _too_broad(response):
        response.raise_for_status()
    return response.json()


def _too_broad(response: httpx2.Response) -> bool:
    return str(response.json().get("type", "")).endswith("/too-broad")


def _sample(
    http: httpx2.Client,
    floor: Floor,
    ask: Ask,
    timing: Timing,
    check: bool,
    repeat: bool = False,
) -> None:
    """One HTTP request and the same question to the floor, one after the other."""
    http_ms, api = _timed(lambda: _get(http, ask.path))
    (timing.repeated_ms if repeat else timing.http_ms).append(http_ms)
    question = ask.floor
    if question is None:
        return
    floor_ms, answer = _timed(lambda: question(floor))
    timing.floor_ms.append(floor_ms)
    if check and ask.check is not None:
        timing.checked += 1
        difference = ask.check(api, answer)
        if difference:
            timing.differences.append(f"{ask.path}: {difference}")


def measure_targets(
    http: httpx2.Client, floor: Floor, targets: list[Target], samples: int, log: Log
) -> list[Timing]:
    """Each target: a warm-up request, then `samples` requests rotating over its values. A
    request already made (the API keeps evidence pages, facets and gap maps per load) is timed
    apart, in `repeated_ms`: the target's figure is of requests made for the first time."""
    timings = []
    for target in targets:
        timing = Timing(target.name, target.group, target.target_ms)
        asks = target.asks
        _get(http, asks[-1].path)  # the last value warms the path; samples start from the first
        asked = {asks[-1].path}
        rotation = asks[:-1] if len(asks) > samples else asks
        timing.distinct = min(samples, len(rotation))
        for i in range(samples):
            ask = rotation[i % len(rotation)]
            _sample(http, floor, ask, timing, check=i < len(rotation), repeat=ask.path in asked)
            asked.add(ask.path)
        timings.append(timing)
        floor_ms = f"{median(timing.floor_ms):.2f} ms" if timing.floor_ms else "none"
        log(
            f"  {target.name}: HTTP {median(timing.http_ms):.1f} ms, floor {floor_ms}, "
            f"{len(timing.differences)} differences"
        )
    return timings


def one_row_load(settings: ApiSettings, work: Path, number: int) -> None:
    """A load of one new case study through the CLI: a new load id, a new load state."""
    row = next(generate.rows(1, seed=10_000 + number))
    row["id"] = f"bench-after-load-{number:04d}"
    with tempfile.TemporaryDirectory(dir=work) as folder:
        path = Path(folder) / "case-studies.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(row))
            writer.writeheader()
            writer.writerow(row)
        subprocess.run(  # noqa: S603 - our own CLI
            # No embedding stage: on a graph loaded without embeddings (the suite's own L
            # loads) the first `connects load` would embed every node due, 26 minutes at L,
            # and the engine would then build its vector index beside the later measurements.
            [CONNECTS, "load", "--no-embed", str(path)],
            env=serve_env(settings),
            capture_output=True,
            check=True,
        )


def measure_after_loads(
    http: httpx2.Client, floor: Floor, settings: ApiSettings, work: Path, runs: int, log: Log
) -> list[Timing]:
    """Facets and the gap map: the first call after a load, then the same call repeated."""
    timings = []
    asks = {"facets": facets_ask(), "gap map": gap_map_ask()}
    # Compared with the floor before any one-row load, which the floor does not have.
    checked = {name: Timing(name, "", None) for name in asks}
    for name, ask in asks.items():
        _sample(http, floor, ask, checked[name], check=True)
    loads = 0
    for name, ask in asks.items():
        first = Timing(f"{name}: first call after a load", f"{name}, first after a load", 300)
        again = Timing(f"{name}: repeated", f"{name}, repeated for the same load", 20)
        first.checked, first.differences = checked[name].checked, checked[name].differences
        for _ in range(runs):
            one_row_load(settings, work, loads)
            loads += 1
            _sample(http, floor, ask, first, check=False)
            for _ in range(REPEATS):
                _sample(http, floor, ask, again, check=False)
        first.distinct, again.distinct = runs, runs
        timings += [first, again]
        log(
            f"  {name}: first {median(first.http_ms):.1f} ms, repeated "
            f"{median(again.http_ms):.1f} ms, floor {median(first.floor_ms):.2f} ms"
        )
    return timings


def measure(
    settings: ApiSettings,
    ports: Callable[[], int],
    floor: Floor,
    targets: list[Target],
    *,
    samples: int,
    after_load_runs: int,
    wrk_seconds: int,
    work: Path,
    log: Log,
) -> Measured:
    """Every target, the first call after loads, and throughput with one and two workers."""
    statements = count_statements(settings, {t.name: t.asks[0].path for t in targets})
    bounded = count_statements(settings, {"facets": facets_ask().path, "gap": gap_map_ask().path})
    with serving(settings, ports()) as base, httpx2.Client(base_url=base, timeout=600) as http:
        timings = measure_targets(http, floor, targets, samples, log)
        for timing in timings:
            timing.statements = statements[timing.endpoint]
        after = measure_after_loads(http, floor, settings, work, after_load_runs, log)
        for timing in after:
            timing.statements = bounded["facets" if timing.endpoint.startswith("f") else "gap"]
        measured = Measured([*timings, *after])
        paths = [a.path for t in targets if t.group.startswith("`/evidence`") for a in t.asks]
    if wrk_seconds and shutil.which("wrk"):
        for workers in (1, 2):
            measured.throughput.update(
                throughput(settings, ports(), workers, paths, wrk_seconds, work, log)
            )
    return measured


def throughput(
    settings: ApiSettings,
    port: int,
    workers: int,
    paths: list[str],
    seconds: int,
    work: Path,
    log: Log,
) -> dict[str, float]:
    """Requests per second with `workers` API workers, each warmed first: distinct requests
    (no answer repeats, so none comes from the answer cache) and repeated ones (the target
    requests in turn, which the cache answers after their first time)."""
    name = "1 worker" if workers == 1 else f"{workers} workers"
    server_log = work / f"serve-{workers}.log"
    found: dict[str, float] = {}
    with serving(settings, port, workers=workers, log_to=server_log) as base:
        warmed = warm(base, paths, workers, server_log)
        log(f"  {name}: every worker's index built, {warmed:.1f} s of warm-up")
        found[name] = wrk(base, paths, seconds, work, distinct=True)
        log(f"  wrk, {name}, distinct requests: {found[name]:.1f} requests/s")
        found[f"{name}, repeated requests"] = wrk(base, paths, seconds, work, distinct=False)
        log(f"  wrk, {name}, repeated requests: {found[f'{name}, repeated requests']:.1f}")
    return found


BUILT = "evidence index for"
"""What a worker logs (graph/evidence_store.py) when its index is built."""


def warm(
    base: str, paths: list[str], workers: int, server_log: Path, timeout: float = 900
) -> float:
    """Seconds of requests, each on a new connection (the workers share the listening socket),
    until every worker has logged its index built: timing starts with none building."""
    started = time.perf_counter()
    n = 0
    while server_log.read_text(encoding="utf-8").count(BUILT) < workers:
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"not every worker built its index in {timeout:g} s")
        with httpx2.Client(base_url=base, timeout=600) as http:
            http.get(paths[n % len(paths)]).raise_for_status()
        n += 1
    return time.perf_counter() - started


WRK_SCRIPT = """
paths = {%s}
n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
"""

WRK_DISTINCT_SCRIPT = """
paths = {%s}
threads = 0
setup = function(thread)
  thread:set("id", threads)
  threads = threads + 1
end
n = 0
request = function()
  -- Each filter in turn; each round (per thread) the next of ten pages: 10 x #paths distinct
  -- requests in a cycle, more than the answer cache keeps, so none is answered from it.
  local round = math.floor(n / #paths) * %d + id
  local path = paths[(n %% #paths) + 1] .. "&offset=" .. (20 * (round %% 10))
  n = n + 1
  return wrk.format("GET", path)
end
"""
THREADS = 2


def wrk(base: str, paths: list[str], seconds: int, work: Path, *, distinct: bool) -> float:
    """Requests per second, `wrk -t2 -c8`, each request the next of `paths` in turn; with
    `distinct`, each at the next page too, so that no request repeats within the cycle."""
    script = work / "rotate.lua"
    listed = ", ".join(f'"{p}"' for p in paths)
    lua = WRK_DISTINCT_SCRIPT % (listed, THREADS) if distinct else WRK_SCRIPT % listed
    script.write_text(lua, encoding="utf-8")
    command = [f"-t{THREADS}", "-c8", f"-d{seconds}s", "--timeout", "30s", "-s", str(script)]
    done = subprocess.run(  # noqa: S603 - fixed arguments
        ["wrk", *command, base],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    if found is None or re.search(r"Non-2xx", done.stdout):
        raise RuntimeError(f"wrk: {done.stdout}")
    return float(found.group(1))


def build_floor(settings: ApiSettings, corpus: Path | None) -> Floor:
    """The floor for the graph `settings` points at (see `bench.floor.from_graph`)."""

    async def build() -> Floor:
        async with open_db(settings) as db:
            return await from_graph(db, corpus)

    return asyncio.run(build())
