"""The one handle to the graph: the driver, its engine's dialect and the database, together.

Every function in ``graph/``, ``loaders/`` and ``ontology/`` that reaches the graph takes a
``Db`` first. Its helpers always apply the server-side query timeout and translate driver
errors, so no caller can forget either.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, LiteralString

from neo4j import AsyncDriver, AsyncSession, RoutingControl

from graph.dialect import Dialect
from graph.driver import connect, open_driver
from graph.errors import translate_driver_errors
from graph.schema import ensure_schema
from graph.settings import GraphSettings


@dataclass(frozen=True)
class Db:
    """A connected graph: what every graph function needs, as one value."""

    driver: AsyncDriver
    dialect: Dialect
    database: str

    async def read(self, statement: LiteralString, **params: Any) -> list[dict[str, Any]]:
        """Rows of one read statement, bounded by the server-side timeout."""
        with translate_driver_errors():
            records, _, _ = await self.driver.execute_query(
                self.dialect.query(statement),
                params,
                database_=self.database,
                routing_=RoutingControl.READ,
            )
        # Our statements return maps and lists only: a shallow dict is enough, and Record.data()
        # (which converts nested graph types) costs more than the query on large reads.
        return [dict(zip(r.keys(), r.values(), strict=True)) for r in records]

    async def write(self, statement: LiteralString, **params: Any) -> list[dict[str, Any]]:
        """Rows of one write statement, run in its own transaction with the timeout."""
        with translate_driver_errors():
            records, _, _ = await self.driver.execute_query(
                self.dialect.query(statement),
                params,
                database_=self.database,
                routing_=RoutingControl.WRITE,
            )
        return [dict(zip(r.keys(), r.values(), strict=True)) for r in records]

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session on this database, for work that spans several statements."""
        with translate_driver_errors():
            async with self.driver.session(database=self.database) as session:
                yield session


async def connect_db(driver: AsyncDriver, settings: GraphSettings) -> Db:
    """Check the graph answers, learn its engine and make sure the schema exists.

    Raises:
        GraphUnavailable: the graph cannot be reached or refuses the credentials.
    """
    dialect = await connect(driver, settings)
    db = Db(driver, dialect, settings.database)
    await ensure_schema(db)
    return db


@asynccontextmanager
async def open_db(settings: GraphSettings) -> AsyncIterator[Db]:
    """Open the driver, connect, ensure the schema, and close the driver when done.

    Raises:
        GraphUnavailable: the graph cannot be reached or refuses the credentials.
    """
    driver = open_driver(settings)
    try:
        yield await connect_db(driver, settings)
    finally:
        await driver.close()
