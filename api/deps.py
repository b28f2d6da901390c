"""Annotated dependencies: the graph connection and settings, injected into handlers."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from neo4j import AsyncDriver

from api.settings import ApiSettings
from graph.dialect import Dialect
from graph.driver import connect
from graph.schema import ensure_schema


@dataclass
class GraphState:
    """The process's one driver, and the dialect once the graph has answered."""

    driver: AsyncDriver
    settings: ApiSettings
    dialect: Dialect | None = None
    lock: asyncio.Lock | None = None

    async def ready(self) -> Dialect:
        """The dialect, connecting first if the graph has not answered yet.

        Raises:
            GraphUnavailable: the graph still cannot be reached.
        """
        if self.dialect is not None:
            return self.dialect
        if self.lock is None:
            self.lock = asyncio.Lock()
        async with self.lock:
            if self.dialect is None:
                dialect = await connect(self.driver, self.settings)
                await ensure_schema(self.driver, dialect, self.settings.database)
                self.dialect = dialect
        return self.dialect

    def forget(self) -> None:
        """Reconnect (and re-detect the engine) on the next request."""
        self.dialect = None


@dataclass(frozen=True)
class Graph:
    """What a handler needs to call a repository function."""

    driver: AsyncDriver
    dialect: Dialect
    database: str


def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


async def get_graph(request: Request) -> Graph:
    state: GraphState = request.app.state.graph
    dialect = await state.ready()
    return Graph(state.driver, dialect, state.settings.database)


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
GraphDep = Annotated[Graph, Depends(get_graph)]
