"""Schema statements wait for the engine longer than queries do: an index built over a large
graph takes minutes, and giving up half way left the embedded engine building it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import graph.db as db_module
from graph.db import Db
from graph.dialect import Dialect, Engine
from graph.errors import GraphUnavailable
from graph.schema import ensure_schema


class _SlowDriver:
    """Answers every statement after `seconds`, as an engine building an index does."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.statements: list[str] = []
        self.execute_query_bookmark_manager = None

    async def execute_query(self, query: Any, params: Any, **_: Any) -> tuple[list[Any], Any, Any]:
        await asyncio.sleep(self.seconds)
        self.statements.append(str(query.text))
        return [], None, None


@pytest.fixture
def slow_db(monkeypatch: pytest.MonkeyPatch) -> tuple[Db, _SlowDriver]:
    monkeypatch.setattr(db_module, "DEADLINE_MARGIN", 0.0)
    driver = _SlowDriver(0.1)
    return Db(driver, Dialect(Engine.ARCADEDB, query_timeout=0.05), None), driver  # type: ignore[arg-type]


def test_a_query_slower_than_its_deadline_is_given_up(slow_db: tuple[Db, _SlowDriver]) -> None:
    db, _ = slow_db
    with pytest.raises(GraphUnavailable, match="did not answer within 0.05 s"):
        asyncio.run(db.write("RETURN 1"))


def test_schema_statements_wait_past_the_query_deadline(slow_db: tuple[Db, _SlowDriver]) -> None:
    db, driver = slow_db
    asyncio.run(ensure_schema(db))
    assert driver.statements, "ensure_schema sent no statement"
    assert all(s.lstrip().upper().startswith("CREATE") for s in driver.statements)
