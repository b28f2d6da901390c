"""Annotated dependencies: the graph handle, settings and services, injected into handlers."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from neo4j import AsyncDriver

from api.settings import ApiSettings
from graph.db import Db, connect_db
from graph.dialect import Engine
from graph.driver import open_reader_driver
from graph.researcher import ReaderMissing
from ontology.sparql.service import SparqlService

log = logging.getLogger("connects.api")


@dataclass
class GraphState:
    """The process's one driver, and its `Db` once the graph has answered.

    The API starts even while the graph is down; the first request after it comes back
    connects (and re-detects the engine), so the process never needs restarting.
    """

    driver: AsyncDriver
    settings: ApiSettings
    db: Db | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    reader_driver: AsyncDriver | None = None

    async def ready(self) -> Db:
        """The handle, connecting first if the graph has not answered yet.

        Raises:
            GraphUnavailable: the graph still cannot be reached.
        """
        if self.db is not None:
            return self.db
        async with self.lock:
            if self.db is None:
                self.db = await connect_db(self.driver, self.settings)
        return self.db

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
        return Db(self.reader_driver, db.dialect, db.database)

    async def close(self) -> None:
        if self.reader_driver is not None and self.reader_driver is not self.driver:
            await self.reader_driver.close()
        await self.driver.close()

    def forget(self) -> None:
        """Reconnect (and re-detect the engine) on the next request."""
        self.db = None


def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


def get_graph_state(request: Request) -> GraphState:
    state: GraphState = request.app.state.graph
    return state


async def get_db(state: Annotated[GraphState, Depends(get_graph_state)]) -> Db:
    return await state.ready()


async def get_reader_db(state: Annotated[GraphState, Depends(get_graph_state)]) -> Db:
    return await state.reader()


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
