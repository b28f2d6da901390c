"""The process's SPARQL store: kept in step with the graph's loads, queried within limits.

Loads happen here (contributions) and in other processes (`connects load`), so before a query
the latest load is compared with the one the snapshot reflects (at most once per
`SparqlLimits.refresh_interval`); a contribution marks the snapshot stale at once. A new snapshot is
built off to the side and swapped in whole: a query holds the snapshot it started with, so it
never sees a half-refreshed dataset.

A snapshot is patched from the previous one where that is exact, and rebuilt otherwise: see
ontology/sparql/snapshot.py (times measured in docs/sparql.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from functools import partial

from graph import changes
from graph.changes import LoadState
from graph.db import Db
from ontology.sparql.child import Answer, run_in_child
from ontology.sparql.errors import SparqlBusy
from ontology.sparql.evaluate import NO_DATASET
from ontology.sparql.graphs import Dataset
from ontology.sparql.limits import SparqlLimits
from ontology.sparql.media import Formats
from ontology.sparql.snapshot import Snapshot, build_snapshot

log = logging.getLogger("connects.api")

_BUILD_ATTEMPTS = 3


class SparqlService:
    """One per app: the current snapshot, how it is refreshed, and the query slots (each query
    runs in a child process, watched from a thread of its own).

    `base_uri` starts the dataset's IRIs (and the endpoint's address in its VoID description).
    """

    def __init__(self, limits: SparqlLimits, base_uri: str) -> None:
        self.limits = limits
        self.base = base_uri.rstrip("/")
        self.current: Snapshot | None = None
        self.stale = False
        self._checked = float("-inf")
        self._lock = asyncio.Lock()
        self._slots = asyncio.Semaphore(limits.concurrency)
        self._executor = ThreadPoolExecutor(limits.concurrency, thread_name_prefix="sparql")
        self._background: set[asyncio.Task[None]] = set()

    async def snapshot(self, db: Db) -> Snapshot:
        """The snapshot for the graph's latest load, rebuilding it first if a load came since.

        Raises:
            GraphUnavailable, GraphError: the graph could not be asked or read.
        """
        # A refresh under way (the lock is held) is waited for: it may be for a load this
        # client already knows about, such as the contribution it has just made.
        current = self.current
        if current is not None and not self._due() and not self._lock.locked():
            return current
        async with self._lock:  # one refresh at a time; those waiting share its result
            if self.current is None or self._due():
                return await self._refresh(db)
            return self.current

    async def _refresh(self, db: Db) -> Snapshot:
        state = await changes.load_state(db)
        self._checked = time.monotonic()
        current = self.current
        if current is not None and state.version == current.state.version:
            self.stale = False  # marked by a load that turned out to change nothing new
            return current
        self.stale = False  # a load during the build sets it again
        try:
            self.current = await self._build(db, state)
        except BaseException:
            self.stale = True  # the next query tries again
            raise
        return self.current

    def changed(self, db: Db) -> None:
        """A load was made in this process: refresh now, without waiting for a query."""
        self.stale = True
        task = asyncio.create_task(self._refresh_quietly(db))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def run(
        self,
        snapshot: Snapshot,
        text: str,
        formats: Formats,
        dataset: Dataset = NO_DATASET,
        *,
        result_cap: int | None = None,
    ) -> Answer:
        """Evaluate a query in a child process, within the time, result and memory limits
        (`result_cap`, when given, lowers the result limit for this query).

        Raises:
            SparqlBusy: no slot came free within the time limit.
            SparqlError: the query was refused, failed, ran too long or asked too much.
            NotAcceptable: the client accepts no format for this query's form.
        """
        limits = self.limits
        if result_cap is not None and result_cap < limits.result_cap:
            limits = replace(limits, result_cap=result_cap)
        slots = self._slots
        try:
            await asyncio.wait_for(slots.acquire(), self.limits.seconds)
        except TimeoutError:
            raise SparqlBusy() from None
        try:
            work = self._executor.submit(
                partial(run_in_child, snapshot.store, text, formats, limits, dataset)
            )
        except BaseException:
            slots.release()
            raise
        # The slot is given back when the child has ended (at the deadline at the latest), not
        # when a client that went away stops waiting.
        work.add_done_callback(partial(_release, asyncio.get_running_loop(), slots))
        return await asyncio.wrap_future(work)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _due(self) -> bool:
        elapsed = time.monotonic() - self._checked
        return self.stale or elapsed >= self.limits.refresh_interval

    async def _build(self, db: Db, state: LoadState) -> Snapshot:
        # Loads commit in one transaction, so if the loads are the same before and after the
        # build, the snapshot holds exactly that state. If a load came meanwhile, build again.
        previous = self.current  # a patch starts from a snapshot known to be consistent
        for _ in range(_BUILD_ATTEMPTS):
            snapshot = await build_snapshot(db, self.base, state, previous)
            after = await changes.load_state(db)
            if after.version == state.version:
                break
            state = after
        else:
            self.stale = True  # loads keep coming: serve this one, rebuild on the next query
        log.info(
            "SPARQL store %s for %s: %d triples in %.3f s",
            "patched" if snapshot.patched else "rebuilt",
            snapshot.load_id,
            snapshot.triples,
            snapshot.seconds,
        )
        return snapshot

    async def _refresh_quietly(self, db: Db) -> None:
        try:
            await self.snapshot(db)
        except Exception:
            # The next query tries again (the snapshot is still marked stale) and reports it.
            log.exception("SPARQL store refresh failed")


def _release(loop: asyncio.AbstractEventLoop, slots: asyncio.Semaphore, _: Future[Answer]) -> None:
    # Once the app has shut down nobody waits for the slot any more.
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(slots.release)
