"""A read is one round trip to the engine: RUN and PULL, no transaction to begin or commit."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from neo4j import exceptions as neo

from api.settings import ApiSettings
from graph.db import Db, open_db
from graph.errors import GraphBusy


class _Bolt(logging.Handler):
    """The Bolt messages the driver sends (its debug log: `[#id]  C: RUN ...`)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.sent: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "  C: " in message:
            self.sent.append(message.split("  C: ", 1)[1].split(" ", 1)[0])


async def _sent(settings: ApiSettings, statement: str, write: bool) -> tuple[list[str], Any]:
    bolt, log = _Bolt(), logging.getLogger("neo4j")
    async with open_db(settings) as db:
        await db.read("RETURN 1 AS warm")  # the connection is open before counting
        level = log.level
        log.setLevel(logging.DEBUG)
        log.addHandler(bolt)
        try:
            rows = await (db.write if write else db.read)(statement, n=2)
        finally:
            log.removeHandler(bolt)
            log.setLevel(level)
    return bolt.sent, rows


def test_a_read_is_run_and_pull_without_a_transaction(settings: ApiSettings) -> None:
    sent, rows = asyncio.run(_sent(settings, "UNWIND range(1, $n) AS i RETURN i", write=False))
    assert rows == [{"i": 1}, {"i": 2}]
    assert sent == ["RUN", "PULL"]


def test_a_write_is_still_a_managed_transaction(settings: ApiSettings) -> None:
    sent, rows = asyncio.run(_sent(settings, "UNWIND range(1, $n) AS i RETURN i", write=True))
    assert rows == [{"i": 1}, {"i": 2}]
    assert sent == ["BEGIN", "RUN", "PULL", "COMMIT"]


class _Session:
    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures

    async def __aenter__(self) -> _Session:
        return self

    async def __aexit__(self, *_: object) -> None:
        return None

    async def run(self, *_: object) -> Any:
        if self.failures:
            raise self.failures.pop(0)
        raise AssertionError("no more answers")


def _transient() -> Exception:
    # The driver's own constructor for a server error: a TransientError, retryable.
    return neo.Neo4jError._hydrate_neo4j(
        code="Neo.TransientError.Transaction.DeadlockDetected", message="two writers"
    )


@pytest.mark.parametrize("transient", [1, 3])
def test_a_transient_error_is_tried_again_and_then_reported(
    settings: ApiSettings, transient: int
) -> None:
    async def read_with(failures: list[Exception]) -> list[dict[str, Any]]:
        async with open_db(settings) as db:
            real = db.driver.session

            def session(**kwargs: Any) -> Any:
                if failures:
                    return _Session(failures)
                return real(**kwargs)

            flaky = Db(db.driver, db.dialect, db.database)
            object.__setattr__(flaky.driver, "session", session)
            try:
                return await flaky.read("RETURN 1 AS x")
            finally:
                object.__delattr__(flaky.driver, "session")

    failures = [_transient() for _ in range(transient)]
    if transient < 3:
        assert asyncio.run(read_with(failures)) == [{"x": 1}]
    else:
        with pytest.raises(GraphBusy):
            asyncio.run(read_with(failures))
    assert failures == []
