"""The labels of private records: an allow-list of its own, apart from `graph.model.Kind`.

Nothing with these labels carries the `Entity` label, so the public reads (which all match
`Entity` or a `Kind`), the exports, RDF and SPARQL never see them; researchers' Cypher runs as a
reader that cannot see them either (`graph.engine_access.HIDDEN_TYPES`).
"""

from __future__ import annotations

from enum import StrEnum


class PrivateLabel(StrEnum):
    """Kinds of private record."""

    SUBMISSION = "Submission"
    """A member's case study as submitted, with its contact and the curators' decisions."""
    REPORT = "ErrorReport"
    """Someone's report of an error in one statement, and how a curator resolved it."""
