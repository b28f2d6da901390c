"""Create the constraints and indexes the graph relies on. Safe to run any number of times."""

from __future__ import annotations

from neo4j import AsyncDriver

from graph import queries
from graph.dialect import Dialect
from graph.errors import translate_driver_errors


async def ensure_schema(driver: AsyncDriver, dialect: Dialect, database: str) -> None:
    """Create the uniqueness constraints and indexes, skipping those that exist."""
    with translate_driver_errors():
        for statement in (*queries.SCHEMA, *dialect.schema_statements):
            await driver.execute_query(dialect.query(statement), database_=database)
