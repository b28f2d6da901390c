"""Researchers' Cypher on a Neo4j server: never as the admin user in production."""

from __future__ import annotations

import asyncio

import pytest
from neo4j import AsyncGraphDatabase
from pydantic import SecretStr, ValidationError

from api.deps import GraphState
from api.errors import problem_of
from api.settings import ApiSettings
from graph.db import Db
from graph.dialect import Dialect, Engine
from graph.researcher import ReaderMissing

SERVER = "bolt://127.0.0.1:1"  # never reached: the decision comes before any connection


def server_settings(**changes: object) -> ApiSettings:
    values = {
        "uri": SERVER,
        "password": SecretStr("a-real-password"),
        "public_base_uri": "https://graph.example.org",  # production refuses a local one
        **changes,
    }
    return ApiSettings.model_validate(values)


async def reader_of(settings: ApiSettings) -> tuple[GraphState, Db]:
    driver = AsyncGraphDatabase.driver(SERVER, auth=("neo4j", "a-real-password"))
    state = GraphState(driver, settings, db=Db(driver, Dialect(Engine.NEO4J, 15.0), "neo4j"))
    try:
        return state, await state.reader()
    finally:
        await state.close()


def test_production_without_a_reader_user_refuses_cypher_with_a_clear_503() -> None:
    with pytest.raises(ReaderMissing) as refused:
        asyncio.run(reader_of(server_settings(environment="production")))
    problem, headers = problem_of(refused.value, "/cypher")
    assert problem.status == 503
    assert "CONNECTS_READER_USER" in (problem.detail or "")


def test_a_configured_reader_user_gets_a_driver_of_its_own() -> None:
    settings = server_settings(
        environment="production", reader_user="researcher", reader_password=SecretStr("pw")
    )
    state, reader = asyncio.run(reader_of(settings))
    assert reader.driver is not state.driver


def test_the_reader_user_cannot_be_the_admin_user() -> None:
    with pytest.raises(ValidationError, match="CONNECTS_READER_USER"):
        server_settings(reader_user="neo4j", reader_password=SecretStr("pw"))


def test_a_reader_user_needs_its_password() -> None:
    with pytest.raises(ValidationError, match="CONNECTS_READER_PASSWORD"):
        server_settings(reader_user="researcher")
