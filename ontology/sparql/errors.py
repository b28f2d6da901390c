"""Every error the SPARQL endpoint answers with, each carrying its HTTP meaning as data: the
status, the problem type (``/problems/<slug>``) and any headers. Messages are written for the
client and never hold internals.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar


class SparqlError(Exception):
    """A query we will not or cannot answer; the message is safe to show the client."""

    status: int = 400
    slug: str = "invalid-query"
    headers: ClassVar[Mapping[str, str]] = {}


class QuerySyntaxError(SparqlError):
    """The text is not a SPARQL 1.1 query."""


class UpdateRefused(SparqlError):
    """A SPARQL Update was sent: the endpoint is read-only."""

    slug = "read-only"

    def __init__(self) -> None:
        super().__init__("This endpoint is read-only: SPARQL Update is refused.")


class ServiceRefused(SparqlError):
    """The query calls another endpoint (SERVICE), which this server never does."""

    slug = "service-refused"

    def __init__(self) -> None:
        super().__init__("Federated queries (SERVICE) are not allowed on this endpoint.")


class ResultCapExceeded(SparqlError):
    """More results than the server returns for one query."""

    status = 422
    slug = "result-cap"

    def __init__(self, cap: int) -> None:
        super().__init__(
            f"The query has more than {cap} results, the most this endpoint returns; "
            "add LIMIT (and OFFSET to page) or narrow the query."
        )


class QueryTooLarge(SparqlError):
    """The query needed more memory than one query may use."""

    status = 422
    slug = "memory-limit"

    def __init__(self, memory_bytes: int) -> None:
        super().__init__(
            f"The query needed more than the {memory_bytes // 2**20} MB one query may use; "
            "narrow it (fewer joins, less grouping) and try again."
        )


class QueryFailed(SparqlError):
    """The engine could not evaluate the query (not a syntax error).

    The engine's own reason is never given: it can be the operating system's ("Too many open
    files (os error 24)"), which says something about the server and nothing useful to a client.
    """

    slug = "query-failed"

    def __init__(self) -> None:
        super().__init__("The query could not be evaluated.")


class QueryTimedOut(SparqlError):
    """The query ran past the time limit."""

    status = 504
    slug = "query-timeout"

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"The query ran longer than {seconds:g} s, the most this endpoint allows; "
            "narrow it and try again."
        )


_EVALUATION = (
    QuerySyntaxError,
    UpdateRefused,
    ServiceRefused,
    ResultCapExceeded,
    QueryTooLarge,
    QueryFailed,
    QueryTimedOut,
)
EVALUATION_ERRORS: Mapping[str, type[SparqlError]] = {cls.__name__: cls for cls in _EVALUATION}
"""The errors a query's child may report, by name (ontology/sparql/child.py)."""


class SparqlBusy(SparqlError):
    """Every query slot stayed taken until the time limit."""

    status = 503
    slug = "busy"
    headers: ClassVar[Mapping[str, str]] = {"Retry-After": "2"}

    def __init__(self) -> None:
        super().__init__("Every SPARQL worker is busy; try again shortly.")


class UnknownGraph(SparqlError):
    """The request names a graph (FROM, FROM NAMED, default-graph-uri or named-graph-uri) that
    the dataset does not hold: it would read as an empty graph, and the answer as a real one."""

    slug = "unknown-graph"

    def __init__(self, location: str, iri: str) -> None:
        message = (
            f"No graph is named <{iri}>. The named graphs are the loads' IRIs "
            "(GET /loads, or SELECT DISTINCT ?g { GRAPH ?g { } }); name no graph to read them all."
        )
        super().__init__(message)
        self.errors = [{"location": location, "message": message}]


class UnreadDataset(SparqlError):
    """The query names graphs (FROM, FROM NAMED) in a form whose graphs cannot be checked: an
    unknown graph would read as an empty one, and the answer as a real one."""

    slug = "unknown-graph"

    def __init__(self, location: str) -> None:
        message = (
            "This query names graphs (FROM or FROM NAMED) but uses syntax beyond SPARQL 1.1 (or "
            "is not valid SPARQL), so its graphs cannot be checked. Name no graph to read them "
            "all, or write the query in SPARQL 1.1."
        )
        super().__init__(message)
        self.errors = [{"location": location, "message": message}]


class ProtocolError(SparqlError):
    """A request the SPARQL 1.1 Protocol does not allow (or this endpoint does not support)."""

    def __init__(self, detail: str, *, status: int = 400, slug: str = "invalid-request") -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
