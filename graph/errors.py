"""The graph's own errors, and the one place that translates driver exceptions into them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from neo4j import exceptions as neo


class GraphError(Exception):
    """Base of every error the graph layer raises."""


class NotFound(GraphError):
    """No node has the requested id."""

    def __init__(self, node_id: str) -> None:
        super().__init__(f"No node has the id {node_id!r}.")
        self.node_id = node_id


class Conflict(GraphError):
    """A write would break a uniqueness rule of the graph."""


class GraphUnavailable(GraphError):
    """The graph cannot be reached (down, restarting, or refusing our credentials)."""


class GraphBusy(GraphUnavailable):
    """A transient conflict (two writers on one node) outlasted its retries: try again."""


class EngineDown(GraphUnavailable):
    """The engine is known not to answer (stopped, frozen or out of memory): say which, at once.

    Its text is for people and holds no internals, so the API passes it on.
    """


class CredentialsRefused(GraphUnavailable):
    """The graph answers but refuses our user and password: retrying will not help."""


class ServerTooOld(GraphUnavailable):
    """The server is a Neo4j older than the statements need."""


class QueryTimeout(GraphError):
    """The server stopped a query that ran longer than the configured timeout."""


class TooBroad(GraphError):
    """A read that would expand too much or run too long for its answer to be worth the wait
    (a search of common words, paths between two hubs); `location` names the parameter."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(message)
        self.location = location
        self.message = message


class QueryFailed(GraphError):
    """The server refused or failed a query (a bug on our side, or a value it cannot take)."""


class ModelUnavailable(GraphError):
    """The sentence-embedding model is missing or is not the file we pinned (graph/embedder.py)."""


class EngineError(GraphError):
    """The embedded engine could not be started, stopped or found."""


@contextmanager
def translate_driver_errors() -> Iterator[None]:
    """Re-raise neo4j driver exceptions as GraphError subclasses.

    Callers above ``graph/`` then handle one family of errors and never see driver types.
    """
    try:
        yield
    except neo.ConstraintError as e:
        raise Conflict(e.message or "A uniqueness constraint was violated.") from e
    except neo.AuthError as e:
        raise CredentialsRefused(
            "The graph database refused the credentials (CONNECTS_USER, CONNECTS_PASSWORD)."
        ) from e
    except (neo.ServiceUnavailable, neo.SessionExpired) as e:
        raise GraphUnavailable("The graph database cannot be reached.") from e
    except neo.Neo4jError as e:
        if e.is_retryable():
            # Retried already where that was safe (managed transactions); what is left is
            # transient, so the caller is told to try again rather than given a failure.
            raise GraphBusy("The graph is busy with a conflicting change; try again.") from e
        if isinstance(e, neo.ClientError):
            if _is_timeout(e):
                raise QueryTimeout("The query ran longer than the server allows.") from e
            raise QueryFailed("The graph refused the query.") from e
        raise QueryFailed("The graph failed to run the query.") from e
    except neo.DriverError as e:
        raise GraphUnavailable("The graph database connection failed.") from e
    except OSError as e:
        raise GraphUnavailable("The graph database cannot be reached.") from e


# By status code, never by message text: a query that merely mentions "timeout" is not one.
# Neo4j 5 uses both (the second when the driver's own timeout was the limit); ArcadeDB sends the
# first for its `arcadedb.command.timeout` (seen on 26.10.2).
_TIMEOUT_CODES = frozenset(
    {
        "Neo.ClientError.Transaction.TransactionTimedOut",
        "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    }
)


def _is_timeout(error: neo.Neo4jError) -> bool:
    return error.code in _TIMEOUT_CODES
