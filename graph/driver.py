"""Open the one driver a process uses. Nothing here runs at import time."""

from __future__ import annotations

from neo4j import AsyncDriver, AsyncGraphDatabase

from graph import engine
from graph.dialect import Dialect, detect
from graph.errors import GraphUnavailable, translate_driver_errors
from graph.settings import GraphSettings


def connection(settings: GraphSettings) -> tuple[str, tuple[str, str]]:
    """The Bolt URI and credentials for the configured graph."""
    if settings.uri is None:
        return engine.bolt_uri(settings), (engine.ROOT_USER, engine.root_password(settings))
    if settings.password is None:
        raise GraphUnavailable("CONNECTS_PASSWORD must be set when CONNECTS_URI is set.")
    return settings.uri, (settings.user, settings.password.get_secret_value())


def open_driver(settings: GraphSettings) -> AsyncDriver:
    """Create the driver. It connects lazily; call `connect` to check and learn the dialect."""
    uri, auth = connection(settings)
    return AsyncGraphDatabase.driver(
        uri,
        auth=auth,
        connection_timeout=settings.connect_timeout,
        connection_acquisition_timeout=settings.connect_timeout * 2,
        # Bounded retries of what the engine marks transient (a write conflict, a lost
        # connection): a request fails over to a 503 in seconds, not the default 30 s.
        max_transaction_retry_time=settings.connect_timeout,
        # Idle connections are dropped so a restarted engine is reconnected to promptly.
        liveness_check_timeout=30.0,
    )


def open_reader_driver(settings: GraphSettings) -> AsyncDriver:
    """A driver for the read-only user researchers' own Cypher runs as: the embedded engine's
    own, or on a server `reader_user` (which must be set)."""
    if settings.uri is None:
        uri, auth = (
            engine.bolt_uri(settings),
            (engine.READER_USER, engine.reader_password(settings)),
        )
    elif settings.reader_user is None or settings.reader_password is None:
        raise GraphUnavailable("CONNECTS_READER_USER and CONNECTS_READER_PASSWORD must be set.")
    else:
        uri, auth = (
            settings.uri,
            (settings.reader_user, settings.reader_password.get_secret_value()),
        )
    return AsyncGraphDatabase.driver(
        uri,
        auth=auth,
        connection_timeout=settings.connect_timeout,
        connection_acquisition_timeout=settings.connect_timeout * 2,
        max_transaction_retry_time=settings.connect_timeout,
        liveness_check_timeout=30.0,
    )


async def connect(driver: AsyncDriver, settings: GraphSettings) -> Dialect:
    """Check that the graph answers, and return the dialect for its engine.

    Raises:
        GraphUnavailable: the graph cannot be reached or refuses the credentials.
    """
    with translate_driver_errors():
        await driver.verify_connectivity()
        return await detect(driver, settings.query_timeout)
