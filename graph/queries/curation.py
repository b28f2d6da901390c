"""Public reads for curation: whose claim a claim is, and the decisions and corrections (loads
with an `activity`) that changed a statement."""

from __future__ import annotations

from typing import LiteralString

STUDY_OF_CLAIM: LiteralString = """
MATCH (s:CaseStudy)-[:HAS_CLAIM]->(c:EvidenceClaim {id: $id})
RETURN s.id AS id
"""


DECISIONS_ABOUT: LiteralString = """
MATCH (l:Load)
WHERE l.activity IS NOT NULL AND $id IN l.subjects
RETURN l {.*} AS props
ORDER BY l.started_at, l.id
LIMIT $limit
"""
