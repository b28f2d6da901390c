"""Private records (submissions, reports of errors): labels of their own, outside `Kind`, so no
public read, export, RDF or SPARQL ever sees them. Tables keyed by the `PrivateLabel` allow-list.
"""

from __future__ import annotations

from typing import LiteralString

from graph.private_labels import PrivateLabel
from graph.queries import allow_listed

CREATE_RECORD: dict[PrivateLabel, LiteralString] = {
    label: allow_listed(f"CREATE (r:`{label}`) SET r = $props RETURN r.id AS id")
    for label in PrivateLabel
}


RECORD_BY_ID: dict[PrivateLabel, LiteralString] = {
    label: allow_listed(f"MATCH (r:`{label}` {{id: $id}}) RETURN r {{.*}} AS props")
    for label in PrivateLabel
}


UPDATE_RECORD: dict[PrivateLabel, LiteralString] = {
    label: allow_listed(
        f"""
MATCH (r:`{label}` {{id: $id}})
WHERE r.status IN $allowed
SET r.status = $status, r.updated_at = $now, r.doc = $doc, r.subject = $subject,
    r.version = coalesce(r.version, 0) + 1
REMOVE r.claimed_from, r.claimed_updated_at
RETURN r.id AS id
"""
    )
    for label in PrivateLabel
}
"""Moves a record on only from the statuses given, so two curators cannot both decide."""


CLAIM_RECORD: dict[PrivateLabel, LiteralString] = {
    label: allow_listed(
        f"""
MATCH (r:`{label}` {{id: $id}})
WHERE r.status = $seen AND coalesce(r.version, 0) = $seen_version
SET r.status = $claimed, r.claimed_from = $seen, r.claimed_updated_at = r.updated_at,
    r.updated_at = $now, r.version = $seen_version + 1
RETURN r.id AS id
"""
    )
    for label in PrivateLabel
}
"""Claims a record for one decision by a compare-and-set on the status and version seen: of two
deciders that saw the same record, one statement matches and the other's finds nothing (the
engine serialises writes to one node), so the loser knows before it writes anything else. The
version, not the status alone, so a record that went away and came back to the same status (a
submission revised after a request for changes) is not decided on what was seen before."""


RELEASE_RECORD: dict[PrivateLabel, LiteralString] = {
    label: allow_listed(
        f"""
MATCH (r:`{label}` {{id: $id}})
WHERE r.status = $claimed
SET r.status = r.claimed_from, r.updated_at = r.claimed_updated_at, r.version = r.version - 1
REMOVE r.claimed_from, r.claimed_updated_at
RETURN r.id AS id
"""
    )
    for label in PrivateLabel
}
"""Gives a claimed record back exactly as it was (status, time, version) when its decision
failed: a refused decision leaves nothing written, and whoever read it before the claim may
still decide on what they read, which it is again."""


RELEASE_ABANDONED_RECORD: dict[PrivateLabel, LiteralString] = {
    label: allow_listed(
        f"""
MATCH (r:`{label}` {{id: $id}})
WHERE r.status = $claimed AND r.version = $seen_version AND r.updated_at < $claimed_before
SET r.status = r.claimed_from, r.updated_at = r.claimed_updated_at, r.version = r.version + 1
REMOVE r.claimed_from, r.claimed_updated_at
RETURN r.id AS id
"""
    )
    for label in PrivateLabel
}
"""Gives back a record whose claim was abandoned (claimed before `$claimed_before`: its decision's
process stopped): as it was before the claim, but a version on, and only as seen (claimed, at
that version, that long ago), so a claim made since, live, is never released."""


RECORD_BY_SUBJECT: dict[PrivateLabel, LiteralString] = {
    label: allow_listed(
        f"""
MATCH (r:`{label}` {{subject: $subject}})
WHERE r.status IN $statuses
RETURN r {{.*}} AS props
ORDER BY r.created_at, r.id
LIMIT 1
"""
    )
    for label in PrivateLabel
}
"""The record about a public statement (an accepted submission's case study)."""


RECORDS_PAGE: dict[PrivateLabel, LiteralString] = {
    label: allow_listed(
        f"""
MATCH (r:`{label}`)
WHERE r.status IN $statuses
RETURN r {{.*}} AS props
ORDER BY r.created_at, r.id
SKIP $offset
LIMIT $limit
"""
    )
    for label in PrivateLabel
}


RECORD_COUNT: dict[PrivateLabel, LiteralString] = {
    label: allow_listed(f"MATCH (r:`{label}`) WHERE r.status IN $statuses RETURN count(r) AS n")
    for label in PrivateLabel
}


ALL_RECORDS: dict[PrivateLabel, LiteralString] = {
    label: allow_listed(f"MATCH (r:`{label}`) RETURN r {{.*}} AS props ORDER BY r.id")
    for label in PrivateLabel
}
