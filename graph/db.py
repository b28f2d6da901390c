"""The one handle to the graph: the driver, its engine's dialect and the database, together.

Every function in ``graph/``, ``loaders/`` and ``ontology/`` that reaches the graph takes a
``Db`` first. Its helpers always apply the server-side query timeout and translate driver
errors, so no caller can forget either.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, LiteralString

from neo4j import (
    READ_ACCESS,
    WRITE_ACCESS,
    AsyncDriver,
    AsyncSession,
    AsyncTransaction,
    Record,
    RoutingControl,
)

from graph.dialect import Dialect
from graph.driver import connect, open_driver
from graph.errors import GraphBusy, GraphUnavailable, translate_driver_errors
from graph.schema import ensure_schema
from graph.settings import GraphSettings

DEADLINE_MARGIN = 2.0
"""Seconds past the server-side query timeout that we wait before giving up on the engine."""

READ_ATTEMPTS = 3
"""Tries of a read that the engine answered with a transient error (a conflicting write)."""

SCHEMA_DEADLINE = 1800.0
"""Seconds we wait for one schema statement. Creating an index over a graph that already holds
100,000 case studies takes about a minute on the embedded engine; giving up after the query
timeout left it building, and an engine stopped meanwhile lost part of its schema."""


@dataclass(frozen=True)
class Db:
    """A connected graph: what every graph function needs, as one value."""

    driver: AsyncDriver
    dialect: Dialect
    database: str | None
    """None: the server's home database for our user."""
    bounded_sessions: bool = False
    """Whether `session` is bounded by the client-side deadline too (a handle for one-query
    work, such as researchers' Cypher); loads and exports span many statements and are not."""

    @property
    def deadline(self) -> float:
        """Seconds we wait for one query: the server-side timeout, plus time for its answer."""
        return self.dialect.query_timeout + DEADLINE_MARGIN

    @asynccontextmanager
    async def _bounded(self, deadline: float | None = None) -> AsyncIterator[None]:
        seconds = self.deadline if deadline is None else deadline
        try:
            async with asyncio.timeout(seconds) as scope:
                yield
        except TimeoutError as e:
            # A frozen engine accepts connections and never answers: only our clock ends that.
            if scope.expired():
                raise GraphUnavailable(
                    f"The graph database did not answer within {seconds:g} s."
                ) from e
            raise

    async def read(self, statement: LiteralString, /, **params: Any) -> list[dict[str, Any]]:
        """Rows of one read statement, bounded by the server-side timeout.

        Sent as an auto-commit transaction: one round trip (RUN and PULL together), where a
        managed one (`execute_query`) takes two (BEGIN, RUN and PULL, then COMMIT) and about
        half as much again of the driver's time, for a read that has nothing to commit. What
        the engine calls transient is tried again, as the managed transaction did, within the
        same deadline.
        """
        async with self._bounded():
            for attempt in range(READ_ATTEMPTS):
                try:
                    with translate_driver_errors():
                        return await self._read_once(statement, params)
                except GraphBusy:
                    if attempt == READ_ATTEMPTS - 1:
                        raise
                    await asyncio.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    async def _read_once(
        self, statement: LiteralString, params: dict[str, Any]
    ) -> list[dict[str, Any]]:
        async with self.driver.session(
            database=self.database,
            default_access_mode=READ_ACCESS,
            # The causal chain `write` (execute_query) keeps: a read after a load sees it.
            bookmark_manager=self.driver.execute_query_bookmark_manager,
        ) as session:
            result = await session.run(self.dialect.query(statement), params)
            return [_row(r) async for r in result]

    async def write(self, statement: LiteralString, /, **params: Any) -> list[dict[str, Any]]:
        """Rows of one write statement, run in its own transaction with the timeout."""
        return await self._execute(statement, params, RoutingControl.WRITE)

    async def define(self, statement: LiteralString, /) -> None:
        """Run one schema statement (a constraint or index), waiting up to `SCHEMA_DEADLINE`."""
        await self._execute(statement, {}, RoutingControl.WRITE, deadline=SCHEMA_DEADLINE)

    async def stream(
        self, statement: LiteralString, /, *, fetch_size: int = 10_000, **params: Any
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """The rows of one long read, `fetch_size` at a time, so memory stays bounded."""
        async with self._session(read=True, fetch_size=fetch_size) as session:
            async with self._bounded():
                result = await session.run(self.dialect.query(statement), params)
            while True:
                async with self._bounded():
                    records = await result.fetch(fetch_size)
                if not records:
                    return
                yield [_row(r) for r in records]

    @asynccontextmanager
    async def session(
        self, *, read: bool = False, fetch_size: int | None = None
    ) -> AsyncIterator[AsyncSession]:
        """A session on this database, for work that spans several statements.

        Bounded by the client-side deadline as a whole when the handle says so."""
        async with self._session(read=read, fetch_size=fetch_size) as session:
            if not self.bounded_sessions:
                yield session
                return
            async with self._bounded():
                yield session

    @asynccontextmanager
    async def _session(
        self, *, read: bool = False, fetch_size: int | None = None
    ) -> AsyncIterator[AsyncSession]:
        config: dict[str, Any] = {
            "default_access_mode": READ_ACCESS if read else WRITE_ACCESS,
            # One causal chain with `read`/`write` (execute_query uses this manager): on a
            # cluster, a read after a load (the SPARQL refresh, say) waits until its server has
            # the load, instead of reading a lagging follower.
            "bookmark_manager": self.driver.execute_query_bookmark_manager,
        }
        if fetch_size is not None:
            config["fetch_size"] = fetch_size
        with translate_driver_errors():
            async with self.driver.session(database=self.database, **config) as session:
                yield session

    @asynccontextmanager
    async def transactions(self) -> AsyncIterator[Transactions]:
        """Explicit write transactions: what is not committed when the block ends is rolled back."""
        async with self._session() as session:
            txs = Transactions(session, await session.begin_transaction())
            try:
                yield txs
            finally:
                if not txs.current.closed():
                    await txs.current.rollback()

    async def _execute(
        self,
        statement: LiteralString,
        params: dict[str, Any],
        routing: RoutingControl,
        *,
        deadline: float | None = None,
    ) -> list[dict[str, Any]]:
        # The driver retries what the engine marks transient (two writers on one node), within
        # its max_transaction_retry_time; the deadline bounds the whole, retries included.
        async with self._bounded(deadline):
            with translate_driver_errors():
                records, _, _ = await self.driver.execute_query(
                    self.dialect.query(statement), params, database_=self.database, routing_=routing
                )
        return [_row(r) for r in records]


class Transactions:
    """Write transactions one after another on one session: commit one, go on in the next."""

    def __init__(self, session: AsyncSession, tx: AsyncTransaction) -> None:
        self._session = session
        self.current = tx

    async def commit(self, *, next_one: bool = True) -> AsyncTransaction:
        """Commit the current transaction and (unless told not to) begin the next one."""
        await self.current.commit()
        if next_one:
            self.current = await self._session.begin_transaction()
        return self.current


def _row(record: Record) -> dict[str, Any]:
    # Our statements return maps and lists only: a shallow dict is enough, and Record.data()
    # (which converts nested graph types) costs more than the query on large reads.
    return dict(zip(record.keys(), record.values(), strict=True))


async def connect_db(driver: AsyncDriver, settings: GraphSettings) -> Db:
    """Check the graph answers, learn its engine and make sure the schema exists.

    Raises:
        GraphUnavailable: the graph cannot be reached or refuses the credentials.
    """
    try:
        # A frozen engine accepts the connection and never answers the handshake.
        async with asyncio.timeout(settings.connect_timeout * 2):
            dialect = await connect(driver, settings)
    except TimeoutError as e:
        raise GraphUnavailable(
            f"The graph database did not answer within {settings.connect_timeout * 2:g} s."
        ) from e
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
