"""Versions: the history of every public node, recorded by the loads that change it.

Design. A load that changes the graph (a file load, a partner contribution, a curator's
decision or a correction: all are loads) records, in its own transaction and just before its
:Load record, one :Version per node it changed: the node's kind and properties and its
outgoing links (type and target id) as they stand after the load, the load's id and its
`started_at` (`at`), and `change` (created, changed or removed). A version's provenance is its
load's: read from the :Load by id when history is shown, never copied.

- Costs the loader little: a node the load created is versioned from what the writer sent
  (its properties, and its links in the order they were made: the engine lists them newest
  first), without reading it back, as soon as the writer knows no more links of it will come
  (graph/writes.py `LoadWriter`), in `UNWIND ... CREATE` batches of 1,000. Reading 36k new
  nodes back with their links had cost the loader a sixth of its time at M (37 of 230 s in
  one profiled load on a busy machine). Nodes it updated (their checksum differed) get a
  version without any look-up of their history; only nodes
  whose links alone may have changed (sources of links the load created or re-stamped, nodes
  that lost stale links) are compared with their latest version's digest, by index seek. Those
  are read back in batches of 1,000 ids (one statement each) and written with one
  `UNWIND ... CREATE` per batch: at worst two statements per 1,000 nodes the load changed.
  Should a two-pass load (loaders/writing.py) fail part-way, the batches it committed keep
  their versions, under a load id that has no :Load record.
- Idempotent: a load that changes nothing records no :Load and no version; a node whose
  properties and links are as its latest version says gets none (the digest leaves out the
  `load` stamp and link sources, which move without the node changing).
- Reads are index seeks: `Version.node` (a node's history, the state at a point), `Version.at`
  (what changed between two points), `Version.load`.
- Private: `Version` is not a `graph.model.Kind` and has no `Entity` label, so no public read,
  export, RDF or SPARQL sees it.

A restore (`record_load=False`) records nothing: versions travel with the backup.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncGenerator, Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from neo4j import AsyncManagedTransaction, AsyncTransaction

from graph.db import Db
from graph.model import Kind
from graph.queries import versions as q

BATCH = 1000
CREATED, CHANGED, REMOVED = "created", "changed", "removed"
_DERIVED = frozenset({"checksum", "embedding", "embedding_sha256"})
"""Properties computed from the others (the change checksum; the sentence embedding, written
after the load, graph/semantic.py): never part of a version."""
_NOT_STATE = frozenset({"load"}) | _DERIVED
"""Properties that move without the node changing: the stamp of the last load that wrote it."""


def digest(props: dict[str, Any], links: Sequence[Sequence[str]]) -> str:
    """A node's state as a stable digest: its properties (but the stamps) and its links."""
    state = {
        "props": {k: v for k, v in props.items() if k not in _NOT_STATE},
        "links": sorted(f"{rel}>{to}" for rel, to in links),
    }
    canonical = json.dumps(state, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


async def record(
    tx: AsyncTransaction | AsyncManagedTransaction,
    load_id: str,
    at: str | None,
    *,
    created: Collection[str],
    updated: Collection[str],
    maybe: Collection[str],
    removed: Collection[str],
) -> int:
    """Record a version of every node the load changed; returns how many were recorded.

    Args:
        created: ids the load created: always a version, nothing looked up.
        updated: ids whose properties the load changed: always a version.
        maybe: ids whose outgoing links may have changed: a version if their state differs
            from their latest version.
        removed: ids the load deleted.
    """
    when = at or now()
    count = 0
    fresh, changed = set(created), set(updated) - set(created)
    unsure = sorted(set(maybe) - fresh - changed)
    for change, ids in (
        *((CREATED, b) for b in _batches(sorted(fresh))),
        *((CHANGED, b) for b in _batches(sorted(changed))),
        *((None, b) for b in _batches(unsure)),
    ):
        count += await _record_batch(tx, load_id, when, ids, change)
    gone = [
        {
            "node": node_id,
            "kind": "",
            "name": node_id,
            "change": REMOVED,
            "props": "{}",
            "links": "[]",
            "digest": REMOVED,
            "load": load_id,
            "at": when,
        }
        for node_id in sorted(set(removed))
    ]
    for rows in _batches(gone):
        await (await tx.run(q.CREATE_VERSIONS, rows=rows)).consume()
    return count + len(gone)


async def _record_batch(
    tx: AsyncTransaction | AsyncManagedTransaction,
    load_id: str,
    at: str,
    ids: list[str],
    change: str | None,
) -> int:
    """Versions of `ids` as they are now; `change` None: only those whose state moved."""
    result = await tx.run(q.CURRENT_STATE, ids=ids)
    states = [r.data() async for r in result]
    latest: dict[str, str | None] = {}
    if change is None:
        result = await tx.run(q.LATEST_DIGESTS, ids=[s["id"] for s in states])
        latest = {r["id"]: r["digest"] async for r in result}
    rows = []
    for state in states:
        # In the engine's order, not sorted: a past graph rebuilt from versions (graph/as_of.py)
        # must list a node's links in the order the engine listed them then.
        links = [[rel, to] for rel, to in state["links"]]
        kind = Kind.from_label(state["labels"])
        row = version_row(state["id"], kind, state["props"], links, CREATED, load_id, at)
        before = latest.get(state["id"])
        if change is None and before == row["digest"]:
            continue
        row["change"] = change or (CREATED if before in (None, REMOVED) else CHANGED)
        rows.append(row)
    if rows:
        await (await tx.run(q.CREATE_VERSIONS, rows=rows)).consume()
    return len(rows)


def version_row(
    node_id: str,
    kind: Kind,
    props: Mapping[str, Any],
    links: list[list[str]],
    change: str,
    load_id: str,
    at: str,
) -> dict[str, Any]:
    """A :Version's properties: `props` as stored (the derived ones left out), `links` as the
    engine lists them."""
    kept = {k: v for k, v in props.items() if k not in _DERIVED}
    return {
        "node": node_id,
        "kind": str(kind),
        "name": str(kept.get("name", node_id)),
        "change": change,
        "props": json.dumps(kept, sort_keys=True, ensure_ascii=False),
        "links": json.dumps(links, ensure_ascii=False),
        "digest": digest(kept, links),
        "load": load_id,
        "at": at,
    }


async def create(
    tx: AsyncTransaction | AsyncManagedTransaction, rows: list[dict[str, Any]]
) -> None:
    """Write version rows, `BATCH` to a statement."""
    for batch in _batches(rows):
        await (await tx.run(q.CREATE_VERSIONS, rows=batch)).consume()


async def forget(
    tx: AsyncTransaction | AsyncManagedTransaction, load_id: str, ids: list[str]
) -> None:
    """Drop the versions `load_id` has written of `ids` (to record them again)."""
    for batch in _batches(ids):
        await (await tx.run(q.DELETE_LOAD_VERSIONS, ids=batch, load=load_id)).consume()


def now() -> str:
    """A version's `at` for a load that has no `started_at`."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _batches(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


async def dump(db: Db) -> AsyncGenerator[dict[str, Any]]:
    """Every version, for a backup (streamed: memory stays bounded)."""
    async for rows in db.stream(q.ALL_VERSIONS):
        for row in rows:
            yield dict(row["version"])


async def restore(db: Db, rows: list[dict[str, Any]]) -> None:
    """Recreate versions from a backup, as they were."""
    for batch in _batches(rows):
        await db.write(q.CREATE_VERSIONS, rows=batch)
