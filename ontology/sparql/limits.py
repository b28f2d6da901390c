"""What one SPARQL query may use, and how many are evaluated at once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SparqlLimits:
    """The endpoint's limits (docs/sparql.md, "Limits"); the API builds them from its settings."""

    seconds: float = 10.0
    """Time a query may run, from when it is given a slot."""
    result_cap: int = 10_000
    """Most solutions or triples a query returns."""
    memory_bytes: int = 512 * 2**20
    """Memory a query may use beyond the server's size when it started."""
    max_query_bytes: int = 32_768
    """Longest query text (UTF-8)."""
    concurrency: int = 2
    """Queries evaluated at once; others wait for a slot up to `seconds`."""
    refresh_interval: float = 0.0
    """Seconds between checks for a load made by another process; 0: before every query."""
