"""Checking and writing a load so that memory stays flat at any size.

A load of up to STUDIES_IN_ONE_PASS case studies (the bundled data, a council's spreadsheet, a
partner's contribution) takes one pass and one transaction: each batch is checked and written at
once, and any problem, on the first row or the last, rolls the whole load back.

A larger load takes two streamed passes:
1. Check: every record is validated, built and checked against the input and the graph (ids
   defined once, link targets and kinds, ids already used by another kind). Only ids and the
   organisations and places the case studies imply are kept. Any problem: nothing is written.
2. Write: the files are read again and written batch by batch, committing every
   STUDIES_PER_TRANSACTION, because one transaction of a million rows needs gigabytes in the
   engine and in the driver. Should the graph fail part-way, the batches committed stay (they
   were all checked) and running the load again completes it: loads are idempotent.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

import anyio

from graph import repository, writes
from graph.db import Db
from graph.model import Kind, Rel
from graph.vocabulary import Vocabulary
from graph.writes import (
    BeforeCommit,
    KindConflict,
    KindCounts,
    LinkRow,
    LoadRecord,
    LoadWriter,
    WriteCounts,
)
from loaders.checks import FirstSeen, check, with_article
from loaders.items import EvidenceRows, Item, study_items
from loaders.parsing import FieldNamer, Progress, Where
from loaders.records import CaseStudyRecord
from loaders.report import Issue, LoadFailed, LoadReport

STUDIES_PER_CHUNK = 500
STUDIES_PER_TRANSACTION = 5_000
STUDIES_IN_ONE_PASS = 10_000
"""Up to this many case studies a load is checked and written in one pass and one transaction
(tens of MB in the driver and the engine), rolled back if any problem turns up."""
Study = tuple[CaseStudyRecord, Where, FieldNamer]
Studies = Callable[[LoadReport], Iterable[Study]]
"""Reads the case studies afresh each time it is called; row problems go to the report."""
T = TypeVar("T")
_ORGANISATION_LINKS = (Rel.LED_BY, Rel.WITH_PARTNER)


class LoadStream:
    """Checks, then writes, one load."""

    def __init__(
        self,
        db: Db,
        vocabulary: Vocabulary,
        report: LoadReport,
        *,
        contributor: str | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.db = db
        self.vocabulary, self.report = vocabulary, report
        self.contributor, self.progress = contributor, progress
        self.known: dict[str, Kind] = {t.id: t.kind for t in vocabulary.terms.values()}
        """The kind of every id the input defines, and of link targets found in the graph."""
        self.seen: dict[str, FirstSeen] = {}
        self.study_ids: set[str] = set()
        self.shared: dict[str, Item] = {}
        """Organisations and places the case studies imply, every mention merged."""
        self.graph_kinds: dict[str, Kind] | None = None
        """Every node in the graph, when it was read whole; else nodes are looked up."""
        self.described: set[str] = set()
        """Ids of every node the input describes (written, or found unchanged)."""
        self.named_organisations: set[str] = set()
        """Organisations case studies name: those already in the graph are not written again
        but count as unchanged, so a reload's counts match the first load's."""
        self.in_graph: set[str] = set()
        """Ids of the input already in the graph when it was checked: the only ones the write
        needs to look up (for their checksums)."""

    async def run(
        self,
        load: LoadRecord,
        fixed: list[Item],
        studies: Studies,
        total_studies: int,
        extra: EvidenceRows,
        *,
        dry_run: bool = False,
        before_commit: BeforeCommit | None = None,
    ) -> WriteCounts | None:
        """Check everything and write it. A dry run of a load small enough for one pass writes
        in a transaction it rolls back, so it counts what the real run would; a larger dry run
        only checks, and gives None. `before_commit` writes more in the load's one transaction
        (a dry run never calls it).

        Raises:
            LoadFailed: the input has problems (every one is in the report); nothing written.
            GraphError: the graph failed; see the module's note on what stays written.
            ValueError: `before_commit` with a load too large for one transaction.
        """
        if before_commit is not None and total_studies > STUDIES_IN_ONE_PASS:
            raise ValueError("Only a load written in one transaction can write more in it.")
        with _fewer_collections():
            if 4 * (len(fixed) + total_studies) >= await repository.ping(self.db):
                # The graph is no larger than the input: one read of all its ids instead of a
                # lookup per batch (fewer round trips, which count most against a remote server).
                self.graph_kinds = await writes.all_kinds(self.db)
            if total_studies <= STUDIES_IN_ONE_PASS:
                counts = await self._in_one_pass(
                    load, fixed, studies, total_studies, extra, dry_run, before_commit
                )
            else:
                await self._check(fixed, studies, total_studies, extra)
                if self.report.issues:
                    raise LoadFailed(self.report)
                if dry_run:
                    return None
                counts = await self._write(load, fixed, studies, total_studies, extra)
            if counts is not None:
                self._count_named(counts)
            return counts

    def _count_named(self, counts: WriteCounts) -> None:
        """Organisations the studies name that were in the graph already count as unchanged."""
        for org_id in self.named_organisations - self.described:
            kind = self.known.get(org_id, Kind.ORGANISATION)
            counts.by_kind.setdefault(str(kind), KindCounts()).unchanged += 1
            counts.nodes_unchanged += 1

    async def _check(
        self, fixed: list[Item], studies: Studies, total: int, extra: EvidenceRows
    ) -> None:
        await self._check_items(fixed)
        done = 0
        built = self._built(studies, extra)
        # Building ahead in a thread pays only while the check waits on the graph. With every
        # id in memory it waits on nothing, and the two threads only take turns at the GIL:
        # 3.5-3.6 s against 2.7-2.9 s in line, checking 10k case studies.
        ahead: _ReadAhead[_Chunk] | _InLine[_Chunk] = (
            _ReadAhead(built) if self.graph_kinds is None else _InLine(built)
        )
        try:
            while (chunk := await ahead.get()) is not None:
                self.study_ids.update(chunk.study_ids)
                self.report.issues += chunk.issues
                await self._check_items(chunk.items)
                done += len(chunk.study_ids)
                self._progress("check", done, total)
        finally:
            await ahead.close()
        self._progress("check", total, total)
        self._check_evidence_rows(extra)

    def _check_evidence_rows(self, extra: EvidenceRows) -> None:
        for study_id, rows in extra.items():
            if study_id not in self.study_ids:
                for _, where in rows:
                    self.report.issues.append(
                        where.issue("case_study", f"{study_id!r} is not a case study in this load.")
                    )

    def _built(self, studies: Studies, extra: EvidenceRows) -> Iterator[_Chunk]:
        """Case studies read, validated and built, a chunk at a time, with their problems."""
        found = LoadReport()
        for chunk in _chunks(studies(found), STUDIES_PER_CHUNK):
            items = study_items(chunk, extra, self.vocabulary, found)
            issues, found.issues = found.issues, []
            yield _Chunk([study.id for study, _, _ in chunk], items, issues)
        if found.issues:  # invalid rows after the last valid one
            yield _Chunk([], [], found.issues)

    async def _check_items(self, items: list[Item]) -> None:
        defined = {item.node.id for item in items}
        targets = {link.to_id for item in items for link in item.links} - self.known.keys()
        found = await self._kinds_in_graph(defined | targets)  # one round trip for both
        in_graph = {i: kind for i, kind in found.items() if i in defined}
        self.in_graph.update(in_graph)
        for item in items:
            self.known.setdefault(item.node.id, item.node.kind)
        self.known.update({i: kind for i, kind in found.items() if i not in self.known})
        check(items, self.known, self.seen, self.report)
        for item in items:
            self.described.add(item.node.id)
            if item.node.kind is Kind.CASE_STUDY:
                self.named_organisations.update(
                    link.to_id for link in item.links if link.rel in _ORGANISATION_LINKS
                )
        for item in items:
            stored = in_graph.get(item.node.id)
            if stored is not None and stored is not item.node.kind:
                self.report.issues.append(
                    item.where.issue(
                        f"{item.field_prefix}.kind" if item.framework else "id",
                        f"The id {item.node.id!r} already belongs to {with_article(stored)} "
                        "in the graph; "
                        f"it cannot also be {with_article(item.node.kind)}.",
                    )
                )
            if item.shared:
                self._merge_shared(item)

    def _merge_shared(self, item: Item) -> None:
        """Properties from the first mention, links from all of them."""
        first = self.shared.setdefault(item.node.id, item)
        if first is item:
            return
        first.node.props.update(
            {k: v for k, v in item.node.props.items() if k not in first.node.props}
        )
        had = {(link.rel, link.to_id) for link in first.links}
        first.links += [link for link in item.links if (link.rel, link.to_id) not in had]

    async def _kinds_in_graph(self, ids: set[str]) -> dict[str, Kind]:
        if not ids:
            return {}
        if self.graph_kinds is not None:
            return {i: self.graph_kinds[i] for i in ids if i in self.graph_kinds}
        return await writes.existing_kinds(self.db, sorted(ids))

    async def _write(
        self,
        load: LoadRecord,
        fixed: list[Item],
        studies: Studies,
        total: int,
        extra: EvidenceRows,
    ) -> WriteCounts:
        written: set[str] = set()
        async with self.db.transactions() as txs:
            ahead = _ReadAhead(self._built(studies, extra))  # once the graph has answered
            try:
                writer = LoadWriter(txs.current, load)
                await self._write_items(writer, fixed, written)
                done = since_commit = 0
                while (chunk := await ahead.get()) is not None:
                    if chunk.issues:  # a file changed after it was checked
                        raise LoadFailed(LoadReport(issues=chunk.issues))
                    await self._write_items(writer, chunk.items, written)
                    done += len(chunk.study_ids)
                    since_commit += len(chunk.study_ids)
                    if since_commit >= STUDIES_PER_TRANSACTION and done < total:
                        writer.tx = await txs.commit()
                        since_commit = 0
                    self._progress("write", done, total)
            finally:
                await ahead.close()
            counts = await writer.finish()
            await txs.commit(next_one=False)
        self._progress("write", total, total)
        return counts

    async def _in_one_pass(
        self,
        load: LoadRecord,
        fixed: list[Item],
        studies: Studies,
        total: int,
        extra: EvidenceRows,
        dry_run: bool,
        before_commit: BeforeCommit | None,
    ) -> WriteCounts | None:
        """Check each chunk and write it at once, all in one transaction. Shared nodes, whose
        later mentions may add to them, and the links to them wait for the end."""
        to_shared: list[LinkRow] = []
        chunks = itertools.chain([_Chunk([], fixed, [])], self._built(studies, extra))
        async with self.db.transactions() as txs:
            # A dry run is rolled back: no versions to build.
            writer = LoadWriter(txs.current, load, record_versions=not dry_run)
            done = 0
            ahead = _ReadAhead(chunks)  # once the graph has answered
            try:
                while (chunk := await ahead.get()) is not None:
                    self.study_ids.update(chunk.study_ids)
                    self.report.issues += chunk.issues
                    await self._check_items(chunk.items)
                    if not self.report.issues:
                        own = [item for item in chunk.items if not item.shared]
                        links = [link for item in own for link in item.links]
                        later = [link for link in links if link.to_id in self.shared]
                        now = [link for link in links if link.to_id not in self.shared]
                        await self._write_nodes(writer, own, now, later=later)
                        to_shared += later
                    done += len(chunk.study_ids)
                    self._progress("write", done, total)
            finally:
                await ahead.close()
            self._check_evidence_rows(extra)
            if self.report.issues:
                raise LoadFailed(self.report)
            shared = list(self.shared.values())
            to_shared += [link for item in shared for link in item.links]
            await self._write_nodes(writer, [], to_shared, shared=shared)
            counts = await writer.finish(record_load=not dry_run)
            if not dry_run:  # a dry run's writes are rolled back: its counts are the real run's
                if before_commit is not None:
                    await before_commit(txs.current, load.id if counts.changed else None)
                await txs.commit(next_one=False)
        return counts

    async def _write_nodes(
        self,
        writer: LoadWriter,
        own: list[Item],
        links: list[LinkRow],
        *,
        shared: list[Item] | None = None,
        later: list[LinkRow] | None = None,
    ) -> None:
        """Write nodes and links; only `own` nodes state all their links (stale ones go)."""
        items = own + (shared or [])
        if self.contributor is not None:
            for item in items:
                item.node.props["contributed_by"] = self.contributor
        clashes = await writer.write(
            [item.node for item in items],
            links,
            [item.node.id for item in own],
            stored_among=self.in_graph,
            later=later or [],
        )
        if clashes:  # another load got there between our check and our write
            raise KindConflict(clashes)

    async def _write_items(self, writer: LoadWriter, items: list[Item], written: set[str]) -> None:
        """Own nodes with their links; shared ones whole (every mention merged) the first time."""
        own = [item for item in items if not item.shared]
        first = {
            item.node.id: self.shared[item.node.id]
            for item in items
            if item.shared and item.node.id not in written
        }
        written.update(first)
        links = [link for item in [*own, *first.values()] for link in item.links]
        await self._write_nodes(writer, own, links, shared=list(first.values()))

    def _progress(self, stage: str, done: int, total: int) -> None:
        if self.progress:
            self.progress(stage, done, total)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run Python's cyclic garbage collector less often while a load runs.

    A load allocates millions of small containers (rows, properties, links). At the default
    thresholds the collector ran thousands of times, rescanning each batch as it was promoted:
    at 100k case studies, a sixth of the load's time (149 s, now 124 s). It cannot be paused
    outright: batches stay reachable through cycles in the driver's and asyncio's objects
    until a collection, and without one the loader grew to 990 MB (now 356 MB, from 271 MB).
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(10_000, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


@dataclass
class _Chunk:
    study_ids: list[str]
    items: list[Item]
    issues: list[Issue]


class _ReadAhead(Generic[T]):
    """Makes the next item in a worker thread while the caller works on this one: reading and
    building are CPU work, while writing mostly waits for the graph."""

    def __init__(self, items: Iterator[T]) -> None:
        self._items = items
        self._next = self._start()

    def _start(self) -> asyncio.Future[T | None]:
        return asyncio.ensure_future(anyio.to_thread.run_sync(next, self._items, None))

    async def get(self) -> T | None:
        item = await self._next
        if item is not None:
            self._next = self._start()
        return item

    async def close(self) -> None:
        """Wait for the worker (a thread cannot be interrupted); drop what it made."""
        await asyncio.wait([self._next])
        if not self._next.cancelled():
            self._next.exception()  # retrieved, so asyncio does not warn about it


class _InLine(Generic[T]):
    """`_ReadAhead`'s interface, making each item when it is asked for.

    The event loop gets a turn before each item: a contribution checked in line in the API's
    process holds it for one chunk at a time (about 0.15 s), not for the whole check."""

    def __init__(self, items: Iterator[T]) -> None:
        self._items = items

    async def get(self) -> T | None:
        await asyncio.sleep(0)
        return next(self._items, None)

    async def close(self) -> None:
        """Nothing runs between calls."""


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
