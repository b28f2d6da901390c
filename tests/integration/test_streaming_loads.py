"""Loads larger than memory would hold: read twice, written in several transactions."""

from __future__ import annotations

import asyncio
import csv
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver

from api.settings import ApiSettings
from bench import generate
from graph.db import open_db
from loaders import readers, writing
from loaders.case_studies import CASE_STUDY_COLUMNS
from loaders.items import Item
from loaders.pipeline import load_paths
from loaders.report import LoadFailed
from tests.helpers import DATA, clear, count, fingerprint, load

STUDIES = 300


@pytest.fixture
def bundled(sync_driver: Driver, settings: ApiSettings) -> Driver:
    clear(sync_driver, settings)
    load(settings, DATA)
    return sync_driver


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches and transactions small enough that a few hundred studies need several, and
    two passes, as for a file too large for one."""
    monkeypatch.setattr(writing, "STUDIES_PER_CHUNK", 40)
    monkeypatch.setattr(writing, "STUDIES_PER_TRANSACTION", 100)
    monkeypatch.setattr(writing, "STUDIES_IN_ONE_PASS", 0)


@pytest.mark.usefixtures("small_batches")
def test_a_load_of_several_transactions_is_complete_and_idempotent(
    bundled: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    corpus = generate.write(tmp_path, STUDIES)
    before = count(bundled, settings, "CaseStudy")
    report = load(settings, corpus)
    assert count(bundled, settings, "CaseStudy") == before + STUDIES
    claims = sum(len(r.split(";")) for r in _column(corpus, "outcomes"))
    assert report.counts.nodes_created >= STUDIES + claims
    assert report.counts.links_created >= 4 * claims
    nodes = count(bundled, settings, "Entity")
    again = load(settings, corpus)
    assert again.counts.nodes_created == again.counts.nodes_updated == 0
    assert again.counts.nodes_unchanged >= STUDIES + claims
    assert again.counts.links_created == again.counts.links_removed == 0
    assert again.counts.links_unchanged == report.counts.links_created
    assert count(bundled, settings, "Entity") == nodes


@pytest.mark.usefixtures("small_batches")
def test_a_bad_last_row_writes_nothing_even_across_transactions(
    bundled: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    corpus = generate.write(tmp_path, STUDIES)
    with corpus.open("a", encoding="utf-8") as f:
        cells = dict.fromkeys(CASE_STUDY_COLUMNS, "") | {
            "id": "bad-last",
            "title": "T",
            "organisation": "C",
            "place": "P",
            "region": "Atlantis",
            "summary": "S.",
            "outcomes": "Data",
            "evidence_type": "news_report",
            "source_url": "https://e.org",
        }
        f.write(",".join(cells.values()) + "\n")
    before = fingerprint(bundled, settings)
    with pytest.raises(LoadFailed) as failure:
        load(settings, corpus)
    [issue] = failure.value.report.issues
    assert (issue.row, issue.field) == (STUDIES + 1, "region")
    assert "Atlantis" in issue.message
    assert fingerprint(bundled, settings) == before


@pytest.mark.usefixtures("small_batches")
def test_more_to_write_in_the_loads_transaction_is_refused_for_a_load_of_several(
    bundled: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    corpus = generate.write(tmp_path, 20)
    before = fingerprint(bundled, settings)
    called: list[str | None] = []

    async def record(tx: object, load_id: str | None) -> None:
        called.append(load_id)

    async def run() -> None:
        async with open_db(settings) as db:
            await load_paths(db, [corpus], embed=False, before_commit=record)

    with pytest.raises(ValueError, match="one transaction"):
        asyncio.run(run())
    assert called == []
    assert fingerprint(bundled, settings) == before


@pytest.mark.usefixtures("small_batches")
@pytest.mark.parametrize(("input_size", "passes_reading_ahead"), [("a quarter", 1), ("small", 2)])
def test_the_check_pass_builds_ahead_only_while_it_asks_the_graph(
    bundled: Driver,
    settings: ApiSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    input_size: str,
    passes_reading_ahead: int,
) -> None:
    """An input at least a quarter of the graph's size reads every id in the graph first, so
    its check waits on nothing and builds in line; a smaller one asks the graph each batch,
    and builds the next batch meanwhile. The write pass always reads ahead."""
    started: list[object] = []

    class Recorded(writing._ReadAhead[object]):
        def __init__(self, items: Iterator[object]) -> None:
            started.append(self)
            super().__init__(items)

    monkeypatch.setattr(writing, "_ReadAhead", Recorded)
    nodes = count(bundled, settings, "Entity")
    studies = nodes // 4 + 1 if input_size == "a quarter" else 20
    before = count(bundled, settings, "CaseStudy")
    load(settings, generate.write(tmp_path, studies))
    assert len(started) == passes_reading_ahead
    assert count(bundled, settings, "CaseStudy") == before + studies


def test_case_study_files_are_streamed_past_the_size_limit_others_are_not(
    bundled: Driver, settings: ApiSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = generate.write(tmp_path / "big", 50)
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", corpus.stat().st_size // 2)
    load(settings, corpus)
    assert count(bundled, settings, "CaseStudy") >= 50
    evidence = tmp_path / "evidence.csv"
    evidence.write_text(
        "case_study,outcome,evidence_type\n"
        + "synthetic-000001,Data,news_report\n" * (corpus.stat().st_size // 30),
        encoding="utf-8",
    )
    with pytest.raises(LoadFailed, match="problem") as failure:
        load(settings, evidence)
    assert "larger than" in failure.value.report.issues[0].message


def _column(path: Path, name: str) -> list[str]:
    with path.open(newline="", encoding="utf-8") as f:
        return [row[name] for row in csv.DictReader(f)]


@pytest.mark.usefixtures("small_batches")
def test_a_check_in_line_lets_other_requests_run_between_its_chunks(
    bundled: Driver, settings: ApiSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loads run in the API's event loop (contributions): a check that builds in line gives
    the loop a turn between chunks rather than holding it for the whole pass."""
    corpus = generate.write(tmp_path, count(bundled, settings, "Entity") // 4 + 1)
    ticks = 0
    seen_by_chunk: list[int] = []
    check_items = writing.LoadStream._check_items

    async def recorded(self: writing.LoadStream, items: list[Item]) -> None:
        seen_by_chunk.append(ticks)
        await check_items(self, items)

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    async def check_beside_a_ticker() -> None:
        ticker = asyncio.create_task(tick())
        try:
            async with open_db(settings) as db:
                await load_paths(db, [corpus], dry_run=True, embed=False)
        finally:
            ticker.cancel()

    monkeypatch.setattr(writing.LoadStream, "_check_items", recorded)
    asyncio.run(check_beside_a_ticker())
    chunks = seen_by_chunk[1:]  # the first is the input's framework items (none)
    assert len(chunks) > 3
    assert all(a < b for a, b in itertools.pairwise(chunks)), seen_by_chunk
