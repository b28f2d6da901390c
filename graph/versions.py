"""Versions: the history of every public node, kept copy-on-write by the loads that change it.

Design. A node's present state is the node itself: its properties, its outgoing links and its
`load` stamp, the load that last changed it (the stamp's `started_at` dates it). A load that
changes a node it did not create (a file load, a partner contribution, a curator's decision or a
correction: all are loads) first keeps the node's state as it stood before, as one :Version
(kind, properties, outgoing links in the engine's order, the load that made that state and its
`started_at` as `at`, and `change`: created or changed), then changes the node and stamps it.
A node it removes leaves that :Version and a `removed` one of its own load. History and `as_of`
(graph/history.py) read the node and its versions together.

- Costs a load of new nodes nothing: it keeps no versions and reads nothing back. At M the
  versions kept before (one per created node, 36,432) cost the loader a third of its time
  (bench/notes.md). Only nodes about to change are read, a batch of ids to a statement: those
  whose properties differ (known from their checksums), the sources of links about to be made
  or removed and the claims about to be orphaned (each found by a read that runs anyway).
- Once per load: a node the load changes again is not kept again (its state before the load is
  what history needs); a node the load created is never kept (it had no state before).
- Idempotent: a load that changes nothing keeps no version and records no :Load.
- History recorded before copy-on-write kept a node's present state as a version too: a version
  of the node's own stamp is that state, so it is neither kept again nor read twice.
- Reads are index seeks: `Version.node` (a node's history, the state at a point), `Version.at`
  (what changed between two points), `Version.load`.
- Private: `Version` is not a `graph.model.Kind` and has no `Entity` label, so no public read,
  export, RDF or SPARQL sees it.

A restore (`record_load=False`) keeps nothing: versions travel with the backup, nodes keep
their stamps.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncGenerator, Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from neo4j import AsyncManagedTransaction, AsyncTransaction

from graph.db import Db
from graph.model import Kind
from graph.queries import versions as q

BATCH = 1000
CREATED, CHANGED, REMOVED = "created", "changed", "removed"
DERIVED = frozenset({"checksum", "embedding", "embedding_sha256"})
"""Properties computed from the others (the change checksum; the sentence embedding, written
after the load, graph/semantic.py): never part of a version."""
_NOT_STATE = frozenset({"load"}) | DERIVED
"""Properties that move without the node changing: the stamp of the last load that wrote it."""
_LOAD_ID = re.compile(r"load-(\d{8}T\d{6})-[0-9a-f]+")

Tx = AsyncTransaction | AsyncManagedTransaction


def digest(props: dict[str, Any], links: Sequence[Sequence[str]]) -> str:
    """A node's state as a stable digest: its properties (but the stamps) and its links."""
    state = {
        "props": {k: v for k, v in props.items() if k not in _NOT_STATE},
        "links": sorted(f"{rel}>{to}" for rel, to in links),
    }
    canonical = json.dumps(state, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


async def keep(tx: Tx, ids: Collection[str]) -> int:
    """Keep the present state of `ids` as versions, before the load changes them; returns how
    many were kept (a state an older release already kept as a version is not kept again)."""
    count = 0
    for batch in _batches(sorted(ids)):
        states = [r.data() async for r in await tx.run(q.CURRENT_STATE, ids=batch)]
        states = [s for s in states if not s["recorded"]]
        if not states:
            continue
        result = await tx.run(q.LATEST_CHANGES, ids=[s["id"] for s in states])
        latest = {r["id"]: r["change"] async for r in result}
        rows = [state_row(s, latest.get(s["id"])) for s in states]
        await (await tx.run(q.CREATE_VERSIONS, rows=rows)).consume()
        count += len(rows)
    return count


async def removed(tx: Tx, load_id: str, at: str, ids: Collection[str]) -> None:
    """Mark `ids` removed by the load (their last state was kept before they went)."""
    rows = [
        {
            "node": node_id,
            "kind": "",
            "name": node_id,
            "change": REMOVED,
            "props": "{}",
            "links": "[]",
            "digest": REMOVED,
            "load": load_id,
            "at": at,
        }
        for node_id in sorted(set(ids))
    ]
    for batch in _batches(rows):
        await (await tx.run(q.CREATE_VERSIONS, rows=batch)).consume()


def state_row(state: Mapping[str, Any], latest: str | None) -> dict[str, Any]:
    """A node's present state (a `CURRENT_STATE` row) as a version: the load that stamped it
    made it, `created` unless an earlier state of the node is kept (`latest`: its change)."""
    load_id = str(state["props"].get("load", ""))
    change = CREATED if latest in (None, REMOVED) else CHANGED
    # In the engine's order, not sorted: a past graph rebuilt from versions (graph/as_of.py)
    # must list a node's links in the order the engine listed them then.
    links = [[rel, to] for rel, to in state["links"]]
    kind = Kind.from_label(state["labels"])
    at = stamp_time(load_id, state["at"])
    return version_row(state["id"], kind, state["props"], links, change, load_id, at)


def stamp_time(load_id: str, started_at: str | None) -> str:
    """When the state a load stamped was made: its load's `started_at`; for a load that left no
    record (a large load that failed part-way), the second its id was made in; else the start
    of time."""
    if started_at:
        return started_at
    found = _LOAD_ID.fullmatch(load_id)
    if found is None:
        return ""
    made = datetime.strptime(found[1], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    return made.isoformat(timespec="microseconds")


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
    kept = {k: v for k, v in props.items() if k not in DERIVED}
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
