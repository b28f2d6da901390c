"""Private records: stored in the graph's database under `PrivateLabel`s, never published.

A record is a small envelope (id, status, times) around a JSON document: the document's shape is
its owner's business (`loaders/submissions.py`, `loaders/corrections.py`), validated there with
pydantic both ways, so this module stays the same whatever they keep.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from graph.db import Db
from graph.errors import Conflict, NotFound
from graph.private_labels import PrivateLabel
from graph.queries import private as private_q
from graph.writes import LoadTransaction


class PrivateRecord(BaseModel):
    """One private record as stored."""

    id: str
    status: str
    subject: str | None = None
    """The public statement it is about, if any (an accepted submission's case study)."""
    created_at: str
    updated_at: str
    doc: dict[str, Any]
    version: int = 0
    """Counts the record's changes (absent, 0, on records stored before it was kept)."""
    claimed_from: str | None = None
    """While `CLAIMED`: the status it had when claimed."""


CLAIMED = "deciding"
"""The status of a record claimed by one decision (`claim`) until it is made or given up."""
CLAIM_SECONDS = 600
"""How long a claim holds. A decision writes one case study, in seconds; a claim older than this
was left by a process that stopped mid-decision (a crash, a restart), and the next decision
takes the record back as it was (`unclaimed`)."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _record(props: dict[str, Any]) -> PrivateRecord:
    return PrivateRecord.model_validate({**props, "doc": json.loads(props["doc"])})


async def create(
    db: Db,
    label: PrivateLabel,
    record_id: str,
    status: str,
    doc: dict[str, Any],
    subject: str | None = None,
) -> PrivateRecord:
    """Store a new record."""
    stamp = now()
    props: dict[str, Any] = {
        "id": record_id,
        "subject": subject,
        "status": status,
        "created_at": stamp,
        "updated_at": stamp,
        "doc": json.dumps(doc, ensure_ascii=False, sort_keys=True),
        "version": 0,
    }
    await db.write(private_q.CREATE_RECORD[label], props=props)
    return _record(props)


async def get(db: Db, label: PrivateLabel, record_id: str) -> PrivateRecord:
    """One record. Raises NotFound if there is none with this id."""
    rows = await db.read(private_q.RECORD_BY_ID[label], id=record_id)
    if not rows:
        raise NotFound(record_id)
    return _record(rows[0]["props"])


async def move(
    db: Db | LoadTransaction,
    label: PrivateLabel,
    record_id: str,
    *,
    allowed_from: list[str],
    status: str,
    doc: dict[str, Any],
    subject: str | None = None,
) -> None:
    """Give a record a new status, document and subject, only if its status is one of
    `allowed_from`. Given a load's transaction (`graph.writes.BeforeCommit`), the move is
    written in it: committed with that load, or not at all.

    Raises:
        Conflict: it has moved on meanwhile (someone else decided first).
    """
    statement = private_q.UPDATE_RECORD[label]
    params = {
        "id": record_id,
        "status": status,
        "now": now(),
        "doc": json.dumps(doc, ensure_ascii=False, sort_keys=True),
        "allowed": allowed_from,
        "subject": subject,
    }
    if isinstance(db, Db):
        rows = await db.write(statement, **params)
    else:
        rows = await (await db.run(statement, params)).data()
    if not rows:
        raise Conflict(f"{record_id} is no longer {' or '.join(allowed_from)}.")


async def claim(db: Db, label: PrivateLabel, record: PrivateRecord) -> None:
    """Claim `record`, as read, for one decision, by one conditional write that only one of two
    concurrent callers wins; the decision then writes, and ends with `move` or `release`.

    Raises:
        Conflict: the record has changed since it was read (someone else is deciding, or
            decided first); nothing was written.
    """
    rows = await db.write(
        private_q.CLAIM_RECORD[label],
        id=record.id,
        seen=record.status,
        seen_version=record.version,
        claimed=CLAIMED,
        now=now(),
    )
    if not rows:
        raise Conflict(f"{record.id} is being decided, or has changed, since it was read.")


async def unclaimed(db: Db, label: PrivateLabel, record: PrivateRecord) -> PrivateRecord:
    """`record`, or, if its claim is older than CLAIM_SECONDS, the record as it was before that
    claim (given back in the graph first), so it can be decided again rather than stay
    "deciding" for ever. A decision cut short wrote nothing else: an acceptance's or a
    correction's load commits in one transaction with the move that records it."""
    if record.status != CLAIMED:
        return record
    claimed_before = (datetime.now(UTC) - timedelta(seconds=CLAIM_SECONDS)).isoformat(
        timespec="seconds"
    )
    if record.updated_at >= claimed_before:
        return record
    await db.write(
        private_q.RELEASE_ABANDONED_RECORD[label],
        id=record.id,
        claimed=CLAIMED,
        seen_version=record.version,
        claimed_before=claimed_before,
    )
    return await get(db, label, record.id)


async def release(db: Db, label: PrivateLabel, record_id: str) -> None:
    """Give a claimed record back exactly as it was (its decision failed before writing)."""
    await db.write(private_q.RELEASE_RECORD[label], id=record_id, claimed=CLAIMED)


@asynccontextmanager
async def claimed(db: Db, label: PrivateLabel, record: PrivateRecord) -> AsyncIterator[None]:
    """`record`, as read, claimed for the block's decision (which ends it with `move` from
    `CLAIMED`); given back as it was if the block fails.

    Raises:
        Conflict: someone else claimed or changed it first; nothing was written.
    """
    await claim(db, label, record)
    try:
        yield
    except Exception:
        await release(db, label, record.id)
        raise


async def about(
    db: Db, label: PrivateLabel, subject: str, statuses: list[str]
) -> PrivateRecord | None:
    """The record with one of `statuses` about the public statement `subject`, if any."""
    rows = await db.read(private_q.RECORD_BY_SUBJECT[label], subject=subject, statuses=statuses)
    return _record(rows[0]["props"]) if rows else None


async def page(
    db: Db, label: PrivateLabel, statuses: list[str], *, limit: int, offset: int
) -> tuple[list[PrivateRecord], int]:
    """Records with one of `statuses`, oldest first, and how many there are in all."""
    rows = await db.read(
        private_q.RECORDS_PAGE[label], statuses=statuses, limit=limit, offset=offset
    )
    [total] = await db.read(private_q.RECORD_COUNT[label], statuses=statuses)
    return [_record(r["props"]) for r in rows], total["n"]


async def dump(db: Db) -> list[dict[str, Any]]:
    """Every private record of every label, as stored (for a backup)."""
    out: list[dict[str, Any]] = []
    for label in PrivateLabel:
        rows = await db.read(private_q.ALL_RECORDS[label])
        out += [{"label": str(label), "props": r["props"]} for r in rows]
    return out


async def restore(db: Db, rows: list[dict[str, Any]]) -> int:
    """Recreate records from `dump`'s rows; returns how many."""
    for row in rows:
        await db.write(private_q.CREATE_RECORD[PrivateLabel(row["label"])], props=row["props"])
    return len(rows)
