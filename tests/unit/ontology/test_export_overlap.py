"""The export overlaps its own work with the graph's: the next batch is read while this one is
turned into RDF, in a worker thread, and a dump stopped early stops reading."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, Callable
from typing import Any

import pytest

from graph import repository
from ontology import export
from ontology.formats import by_name


async def _batches(started: list[int], closed: list[bool], count: int) -> AsyncGenerator[int, None]:
    try:
        for number in range(count):
            started.append(number)
            await asyncio.sleep(0.01)  # the graph answering
            yield number
    finally:
        closed.append(True)


def test_the_next_batch_is_being_read_while_the_caller_works_on_this_one() -> None:
    started: list[int] = []
    closed: list[bool] = []

    async def consume() -> list[tuple[int, list[int]]]:
        seen = []
        async for number in export.read_ahead(_batches(started, closed, 4)):
            await asyncio.sleep(0)  # the caller hands its work to a thread, freeing the loop
            seen.append((number, list(started)))
        return seen

    seen = asyncio.run(consume())
    assert [number for number, _ in seen] == [0, 1, 2, 3]  # same items, same order
    assert all(number + 1 in reads for number, reads in seen[:-1])  # one ahead, no more
    assert all(number + 2 not in reads for number, reads in seen)
    assert closed == [True]


def test_stopping_early_stops_the_read_ahead_and_closes_the_reader() -> None:
    started: list[int] = []
    closed: list[bool] = []

    async def first_only() -> int:
        batches = export.read_ahead(_batches(started, closed, 100))
        first = await anext(batches)
        await asyncio.sleep(0)
        await batches.aclose()
        return first

    assert asyncio.run(first_only()) == 0
    assert closed == [True]
    assert started == [0, 1]


@pytest.mark.parametrize(
    ("name", "maker"),
    [("ntriples", "_batch_lines"), ("turtle", "_batch_turtle"), ("jsonld", "_batch_chunk")],
)
def test_each_batch_becomes_rdf_in_a_worker_thread(
    monkeypatch: pytest.MonkeyPatch, name: str, maker: str
) -> None:
    threads: list[threading.Thread] = []
    made: Callable[..., bytes] = getattr(export, maker)

    def recording(*args: Any) -> bytes:
        threads.append(threading.current_thread())
        return made(*args)

    async def no_loads(*_: Any, **__: Any) -> list[Any]:
        return []

    async def one_batch(*_: Any, **__: Any) -> AsyncGenerator[tuple[list[Any], list[Any]], None]:
        yield [], []

    monkeypatch.setattr(export, maker, recording)
    monkeypatch.setattr(repository, "loads", no_loads)
    monkeypatch.setattr(repository, "export_batches", one_batch)
    chosen = by_name(name)
    assert chosen is not None

    async def run() -> None:
        async for _ in export.export_graph(None, chosen, base_uri="http://x"):  # type: ignore[arg-type]
            pass

    asyncio.run(run())
    assert threads
    assert all(t is not threading.main_thread() for t in threads)
