"""Annotated dependencies: the graph handle, settings and services, injected into handlers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from neo4j import AsyncDriver

from api.settings import ApiSettings
from graph.db import Db, connect_db
from graph.dialect import Engine
from graph.driver import open_driver, open_reader_driver
from graph.errors import GraphBusy, GraphUnavailable
from graph.evidence_store import EvidenceStore, begin_request
from graph.liveness import Liveness, Watchdog
from graph.researcher import ReaderMissing
from ontology.sparql.service import SparqlService

log = logging.getLogger("connects.api")


@dataclass
class GraphState:
    """The process's one driver, and its `Db` once the graph has answered.

    The API starts even while the graph is down; the first request after it comes back
    connects (and re-detects the engine), so the process never needs restarting. Once a
    request finds the graph unavailable, the watchdog probes the engine: meanwhile requests
    fail at once with what it found, and an embedded engine of ours that stays wedged is
    restarted.
    """

    driver: AsyncDriver
    settings: ApiSettings
    db: Db | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    reader_driver: AsyncDriver | None = None
    watchdog: Watchdog = field(init=False)

    def __post_init__(self) -> None:
        self.watchdog = Watchdog(self.settings, self._reconnect)

    async def ready(self) -> Db:
        """The handle, connecting first if the graph has not answered yet.

        Raises:
            EngineDown: the last probe found the engine stopped or not answering.
            GraphUnavailable: the graph still cannot be reached.
        """
        self.watchdog.raise_if_down()
        if self.db is not None:
            return self.db
        async with self.lock:
            if self.db is None:
                try:
                    self.db = await connect_db(self.driver, self.settings)
                except GraphUnavailable:
                    self.watchdog.suspect()
                    raise
        return self.db

    async def liveness(self) -> Liveness:
        """Probe the engine now (a trivial query on a fresh connection, a short deadline)."""
        return await self.watchdog.check()

    def failed(self) -> None:
        """A request found the graph unavailable: reconnect next time, and watch the engine."""
        self.db = None  # the engine may come back as another one
        self.watchdog.suspect()

    async def reader(self) -> Db:
        """The handle researchers' Cypher runs on: one that can only read.

        Raises:
            GraphUnavailable: the graph is down.
            ReaderMissing: no read-only user is set up for this graph (production on a server).
        """
        db = await self.ready()
        if self.reader_driver is None:
            if self.settings.embedded or self.settings.reader_user is not None:
                self.reader_driver = open_reader_driver(self.settings)
            elif db.dialect.engine is Engine.NEO4J and self.settings.environment != "production":
                # Development only: guarded by the allow-list, EXPLAIN and read transactions,
                # but the admin user can read keys. Production needs the reader user.
                log.warning("/cypher runs as %s: set CONNECTS_READER_USER", self.settings.user)
                self.reader_driver = self.driver
            else:
                raise ReaderMissing(
                    "Researchers' Cypher is off: it needs a read-only user on this graph "
                    "(CONNECTS_READER_USER and CONNECTS_READER_PASSWORD)."
                )
        # One query per session: a frozen engine cannot hold the request past the deadline.
        return Db(self.reader_driver, db.dialect, db.database, bounded_sessions=True)

    async def close(self) -> None:
        await self.watchdog.close()
        await _close(self.driver, self.reader_driver)

    async def _reconnect(self) -> None:
        # The engine was restarted: connections to the old process are dead, start afresh.
        old = (self.driver, self.reader_driver)
        self.driver, self.reader_driver, self.db = open_driver(self.settings), None, None
        await _close(*old)


async def _close(driver: AsyncDriver, reader: AsyncDriver | None) -> None:
    for each in (driver,) if reader in (None, driver) else (driver, reader):
        # Connections to a frozen engine are dropped, not closed politely: never wait long.
        with contextlib.suppress(Exception):
            async with asyncio.timeout(5):
                await each.close()


def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


def get_graph_state(request: Request) -> GraphState:
    state: GraphState = request.app.state.graph
    return state


async def get_db(state: Annotated[GraphState, Depends(get_graph_state)]) -> AsyncIterator[Db]:
    try:
        yield await state.ready()
    except GraphBusy:
        raise  # a write conflict says nothing about the engine's health
    except GraphUnavailable:
        state.failed()
        raise


async def get_reader_db(
    state: Annotated[GraphState, Depends(get_graph_state)],
) -> AsyncIterator[Db]:
    try:
        yield await state.reader()
    except GraphBusy:
        raise
    except GraphUnavailable:
        state.failed()
        raise


def get_sparql(request: Request) -> SparqlService:
    service: SparqlService = request.app.state.sparql
    return service


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
GraphStateDep = Annotated[GraphState, Depends(get_graph_state)]
DbDep = Annotated[Db, Depends(get_db)]
"""The graph handle every route passes to the function below it."""
ReaderDbDep = Annotated[Db, Depends(get_reader_db)]
"""A read-only handle, for researchers' own Cypher."""
SparqlDep = Annotated[SparqlService, Depends(get_sparql)]


async def get_evidence_store(request: Request) -> EvidenceStore | None:
    # Async, so that it runs in the request's own task, where begin_request's mark lives.
    store: EvidenceStore | None = request.app.state.evidence_store
    begin_request()
    return store


EvidenceStoreDep = Annotated[EvidenceStore | None, Depends(get_evidence_store)]
"""The evidence index the evidence routes answer from; None: the Cypher statements answer."""
