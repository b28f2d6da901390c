"""Beyond one machine: the driver takes routing URIs for a Neo4j cluster or Aura."""

from __future__ import annotations

import asyncio

import pytest
from neo4j import AsyncBoltDriver, AsyncNeo4jDriver

from graph.driver import open_driver
from graph.errors import GraphUnavailable
from graph.settings import GraphSettings


@pytest.mark.parametrize(
    ("uri", "routing"),
    [
        ("neo4j://core1.example.org:7687", True),
        ("neo4j+s://abcd1234.databases.neo4j.io", True),
        ("bolt://neo4j.example.org:7687", False),
    ],
)
def test_routing_uris_give_a_routing_driver(uri: str, routing: bool) -> None:
    settings = GraphSettings(uri=uri, password="secret")  # noqa: S106 - not a real secret
    driver = open_driver(settings)  # connects lazily: nothing is contacted here
    try:
        assert isinstance(driver, AsyncNeo4jDriver if routing else AsyncBoltDriver)
    finally:
        asyncio.run(driver.close())


def test_an_external_uri_needs_a_password() -> None:
    with pytest.raises(GraphUnavailable, match="CONNECTS_PASSWORD"):
        open_driver(GraphSettings(uri="neo4j://core1.example.org:7687"))


def test_an_external_server_uses_its_home_database_unless_told() -> None:
    external = "neo4j+s://abcd1234.databases.neo4j.io"
    assert GraphSettings(uri=external, password="secret").database is None  # noqa: S106
    told = GraphSettings(uri=external, password="secret", database="graph")  # noqa: S106
    assert told.database == "graph"
    assert GraphSettings().database == "connects"  # the embedded engine makes this one
