"""Is the engine answering? A probe that tells the truth, and a watchdog that acts on it.

A process that runs is not an engine that answers: a frozen or out-of-memory engine keeps its
pid and its port (the kernel still accepts connections) while every query hangs. So the probe
runs a trivial query on a fresh connection under a short deadline, and the watchdog restarts
the embedded engine this project owns (the one named by the pid file in its data directory)
once the probe has failed for long enough. An engine someone stopped is left stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from neo4j import AsyncGraphDatabase
from neo4j import exceptions as neo

from graph import engine
from graph.driver import connection
from graph.errors import (
    CredentialsRefused,
    EngineDown,
    EngineError,
    GraphError,
    GraphUnavailable,
)
from graph.queries import schema as schema_q
from graph.settings import GraphSettings

log = logging.getLogger("connects.graph")

PROBE_INTERVAL = 1.0
"""Seconds between probes while the engine is not answering."""
RESTART_AFTER = 15.0
"""Seconds of failed probes after which the watchdog restarts the engine it owns: long enough
that a busy moment (a long load, garbage collection) is not taken for a wedge."""


class State(StrEnum):
    ANSWERING = "answering"
    STOPPED = "stopped"
    NOT_ANSWERING = "running but not answering"
    OUT_OF_MEMORY = "out of memory"
    CREDENTIALS_REFUSED = "refusing our credentials"


@dataclass(frozen=True)
class Liveness:
    """What a probe found, and how to say it."""

    state: State
    pid: int | None
    message: str

    @property
    def answering(self) -> bool:
        return self.state is State.ANSWERING

    def error(self) -> GraphUnavailable:
        """What a request is told while the engine is in this state."""
        if self.state is State.CREDENTIALS_REFUSED:
            return CredentialsRefused(self.message)
        return EngineDown(self.message)


async def probe(settings: GraphSettings, deadline: float | None = None) -> Liveness:
    """Run a trivial query on a fresh connection and say what the engine is doing.

    Args:
        settings: which graph.
        deadline: seconds the whole probe may take (default: the connect timeout).
    """
    deadline = deadline or settings.connect_timeout
    pid = None
    if settings.embedded:
        status = engine.status(settings)
        if not status.running:
            return Liveness(State.STOPPED, None, "The graph engine is stopped.")
        pid = status.pid
    answer = await _ask(settings, deadline)
    if answer is State.ANSWERING:
        return Liveness(State.ANSWERING, pid, "The graph engine is answering.")
    if answer is State.CREDENTIALS_REFUSED:
        return Liveness(
            answer,
            pid,
            "The graph database refused the service's credentials; an operator must correct "
            "CONNECTS_USER or CONNECTS_PASSWORD (retrying will not help).",
        )
    if settings.embedded and engine.out_of_memory(settings):
        return Liveness(
            State.OUT_OF_MEMORY,
            pid,
            "The graph engine is running but out of memory (its log reports "
            "OutOfMemoryError) and does not answer.",
        )
    what = "graph engine is running but" if settings.embedded else "graph database"
    return Liveness(
        State.NOT_ANSWERING,
        pid,
        f"The {what} did not answer a trivial query within {deadline:g} s.",
    )


async def _ask(settings: GraphSettings, deadline: float) -> State:
    """ANSWERING, CREDENTIALS_REFUSED, or NOT_ANSWERING for any other failure."""
    try:
        uri, auth = connection(settings)
    except GraphError:
        return State.NOT_ANSWERING
    driver = AsyncGraphDatabase.driver(
        uri, auth=auth, connection_timeout=deadline, max_transaction_retry_time=0
    )
    try:
        async with asyncio.timeout(deadline):
            await driver.execute_query(schema_q.ENGINE_READY, database_=settings.database)
        return State.ANSWERING
    except neo.AuthError:
        return State.CREDENTIALS_REFUSED
    except Exception:  # noqa: BLE001 - any failure to answer is the answer
        return State.NOT_ANSWERING
    finally:
        # A connection to a frozen engine is dropped, not closed politely: don't wait for it.
        with contextlib.suppress(Exception):
            async with asyncio.timeout(deadline):
                await driver.close()


Restarted = Callable[[], Awaitable[None]]


class Watchdog:
    """Watches the engine once something has failed; fails requests fast while it is down.

    While the last probe failed, `raise_if_down` answers at once instead of letting each
    request wait for its deadline. When the embedded engine it owns has not answered for
    `RESTART_AFTER` seconds, it is restarted and `restarted` is awaited (to reconnect).
    """

    def __init__(self, settings: GraphSettings, restarted: Restarted) -> None:
        self.settings = settings
        self._restarted = restarted
        self.down: Liveness | None = None
        self._failing_since: float | None = None
        self._task: asyncio.Task[None] | None = None
        self._restarting = False

    def raise_if_down(self) -> None:
        """Raises EngineDown (or CredentialsRefused), saying why, while the last probe failed."""
        if self.down is not None:
            if self._restarting:
                raise EngineDown(self.down.message + " It is being restarted.")
            raise self.down.error()

    def suspect(self) -> None:
        """Something failed: probe until the engine answers (one watcher at a time)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._watch())

    async def check(self) -> Liveness:
        """Probe once, remember the result, and restart the engine if it has been wedged long."""
        found = await probe(self.settings)
        if found.answering:
            self.down, self._failing_since = None, None
            return found
        self.down = found
        now = time.monotonic()
        if self._failing_since is None:
            self._failing_since = now
        wedged = found.state in (State.NOT_ANSWERING, State.OUT_OF_MEMORY)
        long = now - self._failing_since >= RESTART_AFTER
        if wedged and long and self.settings.embedded and not self._restarting:
            await self._restart(found)
        return found

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _watch(self) -> None:
        while True:
            if (await self.check()).answering:
                return
            await asyncio.sleep(PROBE_INTERVAL)

    async def _restart(self, found: Liveness) -> None:
        log.error("%s Restarting it (pid %s).", found.message, found.pid)
        self._restarting = True
        try:
            await asyncio.to_thread(engine.restart, self.settings)
        except EngineError as e:
            log.error("the graph engine did not restart: %s", e)
            return
        finally:
            self._restarting = False
            self._failing_since = None
        self.down = None
        await self._restarted()
        log.warning("the graph engine was restarted and answers again")
