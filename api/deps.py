"""Annotated dependencies: the graph connection and settings, injected into handlers."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from neo4j import AsyncDriver

from api.settings import ApiSettings
from graph.db import Db
from graph.dialect import Dialect, Engine
from graph.driver import connect, open_reader_driver
from graph.errors import GraphUnavailable
from graph.schema import ensure_schema
from ontology.sparql.service import SparqlService


@dataclass
class GraphState:
    """The process's one driver, and the dialect once the graph has answered."""

    driver: AsyncDriver
    settings: ApiSettings
    dialect: Dialect | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    reader_driver: AsyncDriver | None = None

    async def ready(self) -> Dialect:
        """The dialect, connecting first if the graph has not answered yet.

        Raises:
            GraphUnavailable: the graph still cannot be reached.
        """
        if self.dialect is not None:
            return self.dialect
        async with self.lock:
            if self.dialect is None:
                dialect = await connect(self.driver, self.settings)
                await ensure_schema(Db(self.driver, dialect, self.settings.database))
                self.dialect = dialect
        return self.dialect

    async def reader(self) -> AsyncDriver:
        """The driver researchers' Cypher runs on: one that can only read.

        Raises:
            GraphUnavailable: the graph is down, or no read-only access is set up for it.
        """
        dialect = await self.ready()
        if self.reader_driver is None:
            if self.settings.embedded:
                self.reader_driver = open_reader_driver(self.settings)
            elif dialect.engine is Engine.NEO4J:
                self.reader_driver = self.driver  # guarded by EXPLAIN and read transactions
            else:
                raise GraphUnavailable("Read-only Cypher is not set up for this graph.")
        return self.reader_driver

    async def close(self) -> None:
        if self.reader_driver is not None and self.reader_driver is not self.driver:
            await self.reader_driver.close()
        await self.driver.close()

    def forget(self) -> None:
        """Reconnect (and re-detect the engine) on the next request."""
        self.dialect = None


def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


async def get_graph(request: Request) -> Db:
    state: GraphState = request.app.state.graph
    dialect = await state.ready()
    return Db(state.driver, dialect, state.settings.database)


def get_sparql(request: Request) -> SparqlService:
    service: SparqlService = request.app.state.sparql
    return service


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
GraphDep = Annotated[Db, Depends(get_graph)]
SparqlDep = Annotated[SparqlService, Depends(get_sparql)]
