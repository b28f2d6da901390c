"""The process's evidence index, kept in step with the graph's loads, and its answer cache.

Every request compares the graph's load version (`graph.changes.load_version`: one small read)
with the one the index was built for, and brings it up to date when a load came since (loads
from other processes included; a load made in this process says so at once, `changed`): patched
from what the new loads stamped where that is exact (graph/evidence_patch.py), else rebuilt from
the whole graph. One refresh at a time: requests arriving meanwhile wait for it and share it.
A graph with more claims than `max_claims` is not indexed: the Cypher statements answer
instead, as they do with no index.

Facets, gap maps and evidence pages are kept per (load, request) in a small LRU, so asking
again is a dictionary lookup; so is each filter's first matches in rank order (`Matches`), so
that another page of a filter is a slice rather than a walk of its ranking (most of a page's
CPU at 100,000 case studies). Every load drops them with the index.

Within one API request (`begin_request`, called by the route's dependency) the version is
checked once: resolving the filter's names and reading the page then use one index, and the
request pays one round trip for it rather than one per step.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections import OrderedDict
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from graph import changes, repository
from graph.db import Db
from graph.evidence_index import EvidenceIndex, Matches, TooManyClaims, build
from graph.evidence_patch import patch

if TYPE_CHECKING:
    from graph.evidence import EvidenceFilter

log = logging.getLogger("connects.graph")

_BUILD_ATTEMPTS = 3
MAX_LOADS = 10_000
"""As many load records as are read to tell which loads are new (as the SPARQL snapshot)."""

_REQUEST: ContextVar[dict[str, Any] | None] = ContextVar("evidence_request", default=None)
"""The load version the current request saw and the index it was answered from, once it asked
(its own task's copy)."""


def begin_request() -> None:
    """Check the load version once in the rest of this task (one API request) rather than at
    every step of it. Outside a request every call checks."""
    _REQUEST.set({})


def _settle() -> None:
    """Take what lives now, a new index above all, out of the collector's generations.

    An index at 100,000 case studies is a few hundred thousand long-lived containers; left in
    the oldest generation, every full collection walks them again, about 1.3 ms of CPU per
    `/evidence` request at L (bench/notes.md). Frozen, the collector skips them; garbage is
    collected first so that none is frozen with them, and the next build unfreezes.
    """
    gc.collect()
    gc.freeze()


class EvidenceStore:
    """One per process: the current index (or why there is none) and the answer cache."""

    def __init__(
        self,
        *,
        max_claims: int,
        cached_answers: int = 256,
        max_patched: int = 2_000,
        kept_matches: int = 2_000,
    ) -> None:
        self.max_claims = max_claims
        self.cached_answers = cached_answers
        self.kept_matches = kept_matches
        """How many of a filter's matches are kept (100 pages of 20; 8 kB): deeper pages walk."""
        self.walks = 0
        """How many times a filter's ranking was walked for its matches (the tests count them)."""
        self.max_patched = max_patched
        """More case studies changed than this: build afresh rather than patch."""
        self.builds = 0
        """How many indexes were built from the whole graph (the tests count them)."""
        self.patches = 0
        """How many times the index was patched from new loads instead."""
        self._index: EvidenceIndex | None = None
        self._too_large: Any = None
        """The load version found to hold more claims than `max_claims`."""
        self._stale = False
        self._lock = asyncio.Lock()
        self._answers: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._matches: OrderedDict[tuple[Any, ...], Matches] = OrderedDict()

    async def version(self, db: Db) -> tuple[int, str | None]:
        """The graph's load version: (how many loads, the latest's id), read once a request.

        Raises:
            GraphUnavailable, QueryTimeout, GraphError: the graph failed to answer.
        """
        memo = _REQUEST.get()
        if memo is not None and "version" in memo:
            seen: tuple[int, str | None] = memo["version"]
            return seen
        version = await changes.load_version(db)
        if memo is not None:
            memo["version"] = version
        return version

    async def index(self, db: Db) -> EvidenceIndex | None:
        """The index for the graph's latest load, built first if needed; None: too large.

        Raises:
            GraphUnavailable, QueryTimeout, GraphError: the graph failed to answer.
        """
        memo = _REQUEST.get()
        if memo is not None and "index" in memo:
            kept: EvidenceIndex | None = memo["index"]
            return kept
        version = await self.version(db)
        if self._fresh(version):
            index = self._index
        else:
            async with self._lock:  # single flight: those waiting share the one refresh
                if self._fresh(version):
                    index = self._index
                else:
                    self._stale = False  # a load during the refresh sets it again
                    try:
                        index = await self._refresh(db, version)
                    except BaseException:
                        self._stale = True  # half done or not at all: look again next time
                        raise
        if memo is not None:
            memo["index"] = index
        return index

    def _fresh(self, version: Any) -> bool:
        """Whether what is kept (an index, or the finding that none fits) is for `version`."""
        if self._stale:
            return False
        if self._index is not None:
            return bool(self._index.version == version)
        return self._too_large is not None and self._too_large == version

    async def _refresh(self, db: Db, version: Any) -> EvidenceIndex | None:
        # The index stays while it is patched: requests hold the lock meanwhile, and one that
        # fails leaves it as patched so far, with the loads it reflects, to patch again.
        previous = self._index
        self._answers.clear()
        self._matches.clear()
        started = time.perf_counter()
        builds = self.builds
        for _ in range(_BUILD_ATTEMPTS):
            loads = await repository.loads(db, limit=MAX_LOADS, offset=0)
            index = await self._patched(db, previous, loads)
            if index is None:
                self.builds += 1
                gc.unfreeze()  # what the last build froze may be garbage now: collectable again
                try:
                    index = await build(db, version, max_claims=self.max_claims)
                    index.loads = frozenset(load.id for load in loads)
                except TooManyClaims:
                    index = None
            else:
                self.patches += 1
            if index is not None:
                index.version = version
            previous = self._index = index
            # Loads commit whole: the same load state before and after means one load's graph.
            after = await changes.load_version(db)
            if after == version:
                break
            version = after
        else:
            self._stale = True  # loads keep coming: answer from this one, build again next time
        self._too_large = None
        if self.builds > builds:
            _settle()
        if index is None:
            self._too_large = version
            log.warning("evidence index: more than %d claims, not built", self.max_claims)
            return None
        log.info(
            "evidence index for %s (%d patches): %d case studies, %d claims in %.3f s",
            version,
            self.patches,
            index.studies_count,
            index.claims,
            time.perf_counter() - started,
        )
        return index

    async def _patched(
        self, db: Db, index: EvidenceIndex | None, loads: list[repository.LoadInfo]
    ) -> EvidenceIndex | None:
        """`index` patched to `loads`, or None where that would not be exact."""
        if index is None:
            return None
        if not await patch(db, index, loads, max_studies=self.max_patched):
            return None
        return index if index.claims <= self.max_claims else None

    def changed(self) -> None:
        """A load was made in this process: look at the graph again on the next request, and
        drop the answers at once."""
        memo = _REQUEST.get()
        if memo is not None:
            memo.clear()  # the rest of this request asks again
        self._stale = True
        self._answers.clear()
        self._matches.clear()

    def answer(self, key: tuple[Any, ...]) -> Any:
        """A cached answer (keyed by the load version and the request), or None."""
        found = self._answers.get(key)
        if found is not None:
            self._answers.move_to_end(key)
        return found

    def keep(self, key: tuple[Any, ...], value: Any) -> None:
        """Cache an answer, forgetting the least recently used beyond `cached_answers`."""
        self._answers[key] = value
        self._answers.move_to_end(key)
        while len(self._answers) > self.cached_answers:
            self._answers.popitem(last=False)

    def matches(self, index: EvidenceIndex, f: EvidenceFilter, request: str) -> Matches:
        """The filter's first matches and total, kept per load by `request` (the filter as
        JSON) in an LRU as long as the answers'."""
        key = (index.version, request)
        found = self._matches.get(key)
        if found is None:
            self.walks += 1
            found = self._matches[key] = index.matches(f, keep=self.kept_matches)
        self._matches.move_to_end(key)
        while len(self._matches) > self.cached_answers:
            self._matches.popitem(last=False)
        return found
