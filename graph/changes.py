"""What the graph says about its changes: the nodes and links stamped by given loads, and totals.

Every write stamps what it changes with its load (a node's `load`, a relationship's `load`), so
the nodes a set of loads touched can be found. Removals leave no stamp; the totals let a reader
tell whether any happened outside the touched nodes.
"""

from __future__ import annotations

from typing import Any, LiteralString

from neo4j import AsyncDriver, RoutingControl
from pydantic import BaseModel

from graph import queries
from graph.dialect import Dialect
from graph.errors import translate_driver_errors


class Changes(BaseModel):
    touched: set[str]
    """Nodes written by the loads, or with an outgoing link the loads wrote."""
    nodes: int
    """Entity nodes in the graph now."""
    links: int
    """Relationships between entity nodes now."""


async def since(driver: AsyncDriver, dialect: Dialect, database: str, loads: list[str]) -> Changes:
    """The nodes `loads` touched, and the graph's node and link totals.

    Raises:
        GraphUnavailable, QueryTimeout, GraphError: the graph failed to answer.
    """
    params = {"loads": loads}
    written = await _read(driver, dialect, database, queries.CHANGED_NODES, params)
    sources = await _read(driver, dialect, database, queries.CHANGED_LINK_SOURCES, params)
    touched = {r["id"] for r in [*written, *sources]}
    [nodes] = await _read(driver, dialect, database, queries.ENTITY_COUNT, {})
    [links] = await _read(driver, dialect, database, queries.LINK_COUNT, {})
    return Changes(touched=touched, nodes=nodes["count"], links=links["count"])


async def _read(
    driver: AsyncDriver,
    dialect: Dialect,
    database: str,
    statement: LiteralString,
    params: dict[str, Any],
) -> list[dict[str, Any]]:
    with translate_driver_errors():
        records, _, _ = await driver.execute_query(
            dialect.query(statement), params, database_=database, routing_=RoutingControl.READ
        )
    return [r.data() for r in records]
