"""Endpoint latency through the API versus the same Cypher through the driver, side by side.

For each endpoint the Cypher it runs is first recorded (the app in-process, with the driver's
`execute_query` wrapped); then, alternating sample by sample, the endpoint is timed over HTTP
against a real `connects serve` on loopback, and the recorded statements are replayed with
the driver directly. Throughput under concurrent load comes from `wrk` in its own process.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
from fastapi.testclient import TestClient
from neo4j import AsyncDriver, RoutingControl

from api.main import create_app
from api.settings import ApiSettings
from graph.db import Db, open_db

ENDPOINTS = {
    "evidence query": "/evidence?outcome=Inclusion&theme=Service%20design%20and%20transformation",
    "facets": "/evidence/facets?outcome=Inclusion&group_by=region&group_by=evidence_type",
    "gap map": "/evidence/gap-map?rows=outcome&cols=theme",
    "neighbourhood": "/graph/neighbourhood/synthetic-000042?depth=2",
    "paths": "/graph/paths?from=synthetic-000042&to=inclusion",
    "search": "/search?q=school%20meals%20in%20Aldbridge",
    "detail page": "/nodes/synthetic-000042",
}
THROUGHPUT = ("detail page", "search", "evidence query")  # fastest first: slow ones queue


@dataclass
class Statement:
    query: str
    params: dict[str, Any]


@dataclass
class Timing:
    endpoint: str
    statements: int
    http_ms: list[float] = field(default_factory=list)
    raw_ms: list[float] = field(default_factory=list)
    throughput: float | None = None
    """Requests per second under wrk (2 threads, 8 connections)."""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def median(values: list[float]) -> float:
    return statistics.median(values)


@contextmanager
def recording() -> Iterator[list[Statement]]:
    """Every statement the app runs through `AsyncDriver.execute_query` while inside."""
    recorded: list[Statement] = []
    original = AsyncDriver.execute_query

    async def execute_query(
        self: AsyncDriver, query: Any, parameters: Any = None, *args: Any, **kwargs: Any
    ) -> Any:
        recorded.append(Statement(str(getattr(query, "text", query)), dict(parameters or {})))
        return await original(self, query, parameters, *args, **kwargs)

    AsyncDriver.execute_query = execute_query  # type: ignore[assignment,method-assign]
    try:
        yield recorded
    finally:
        AsyncDriver.execute_query = original  # type: ignore[method-assign]


def record(settings: ApiSettings) -> dict[str, list[Statement]]:
    statements: dict[str, list[Statement]] = {}
    with TestClient(create_app(settings)) as client:
        for name, path in ENDPOINTS.items():
            with recording() as recorded:
                response = client.get(path)
            response.raise_for_status()
            statements[name] = recorded
    return statements


@contextmanager
def serving(settings: ApiSettings, port: int) -> Iterator[str]:
    """`connects serve` in its own process, as users run it; yields its base URL."""
    env = {
        **os.environ,
        "CONNECTS_DATA_DIR": str(settings.data_dir),
        "CONNECTS_BOLT_PORT": str(settings.bolt_port),
        "CONNECTS_HTTP_PORT": str(settings.http_port),
        "CONNECTS_RATE_LIMIT_PER_MINUTE": "0",
        "CONNECTS_QUERY_TIMEOUT": "600",
    }
    connects = str(Path(sys.executable).with_name("connects"))
    server = subprocess.Popen(  # noqa: S603 - our own CLI
        [connects, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
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


async def replay(db: Db, statements: list[Statement]) -> None:
    # The raw driver on purpose: the baseline is the same Cypher without the API around it.
    for s in statements:
        await db.driver.execute_query(
            s.query,
            s.params,
            database_=db.database,
            routing_=RoutingControl.READ,
        )


def measure(settings: ApiSettings, port: int, samples: int, wrk_seconds: int) -> list[Timing]:
    """Median and p99 latencies per endpoint, HTTP and raw, measured alternately."""
    statements = record(settings)
    timings = [Timing(name, len(statements[name])) for name in ENDPOINTS]

    async def raw_once(db: Db, name: str) -> float:
        started = time.perf_counter()
        await replay(db, statements[name])
        return (time.perf_counter() - started) * 1000

    with serving(settings, port) as base, httpx2.Client(base_url=base, timeout=600) as http:
        loop = asyncio.new_event_loop()
        opened = AsyncExitStack()
        db = loop.run_until_complete(opened.enter_async_context(open_db(settings)))
        try:
            for timing in timings:
                path = ENDPOINTS[timing.endpoint]
                for _ in range(2):  # warm both paths: caches, connections, query plans
                    http.get(path).raise_for_status()
                    loop.run_until_complete(raw_once(db, timing.endpoint))
                for _ in range(samples):
                    started = time.perf_counter()
                    http.get(path).raise_for_status()
                    timing.http_ms.append((time.perf_counter() - started) * 1000)
                    timing.raw_ms.append(loop.run_until_complete(raw_once(db, timing.endpoint)))
        finally:
            loop.run_until_complete(opened.aclose())
            loop.close()
        if wrk_seconds and shutil.which("wrk"):
            by_name = {timing.endpoint: timing for timing in timings}
            for name in THROUGHPUT:
                by_name[name].throughput = wrk(base + ENDPOINTS[name], wrk_seconds)
                http.get(ENDPOINTS[name])  # queued behind wrk's last requests: they finish first
    return timings


def wrk(url: str, seconds: int) -> float:
    done = subprocess.run(  # noqa: S603 - fixed arguments
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "30s", url],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    if found is None or re.search(r"Non-2xx", done.stdout):
        raise RuntimeError(f"wrk: {done.stdout}")
    return float(found.group(1))
