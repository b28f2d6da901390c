"""Backups: the whole graph as N-Triples with a SHA-256 checksum, and an exact restore.

What is not public (API keys, members' submissions, reports of errors, the versions that make
up every node's history, and whatever else registers a `BackupPart`) goes beside it, one JSON
line a row, in ``FILE.private.jsonl``, with its checksum on the second line of ``FILE.sha256``.
That file holds key digests and contacts: keep it as safe as the database itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import pyoxigraph as ox

from graph import keys, private, repository, versions, writes
from graph.db import Db
from graph.writes import WriteCounts
from ontology.export import export_graph
from ontology.formats import by_name
from ontology.reading import Read, rows_from_triples


class BackupError(Exception):
    """A backup cannot be written or restored (bad checksum, graph not empty, ...)."""


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def private_path(path: Path) -> Path:
    return path.with_name(path.name + ".private.jsonl")


Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class BackupPart:
    """Data outside the public graph that a backup carries: rows of JSON, dumped and restored
    by the module that owns them. Add one to `PARTS` to have it backed up."""

    name: str
    dump: Callable[[Db], AsyncGenerator[dict[str, Any]]]
    """Streamed, so a part as large as the graph's history keeps memory flat."""
    restore: Callable[[Db, Rows], Awaitable[object]]


def _listed(
    read: Callable[[Db], Awaitable[Rows]],
) -> Callable[[Db], AsyncGenerator[dict[str, Any]]]:
    async def rows(db: Db) -> AsyncGenerator[dict[str, Any]]:
        for row in await read(db):
            yield row

    return rows


PARTS: list[BackupPart] = [
    BackupPart("keys", _listed(keys.stored), keys.restore),
    BackupPart("private", _listed(private.dump), private.restore),
    BackupPart("versions", versions.dump, versions.restore),
]


async def _holds_any(db: Db, part: BackupPart) -> bool:
    async with aclosing(part.dump(db)) as rows:  # ends the stream's session at once
        async for _ in rows:
            return True
    return False


async def backup(db: Db, path: Path, *, base_uri: str) -> str:
    """Stream the graph to `path` (N-Triples) and write its SHA-256 beside it (sha256sum format).

    Returns:
        The checksum.
    """
    ntriples = by_name("ntriples")
    if ntriples is None:  # pragma: no cover - the table always has it
        raise BackupError("N-Triples is missing from the formats table.")
    digest = hashlib.sha256()
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as out:
        async for chunk in export_graph(db, ntriples, base_uri=base_uri):
            digest.update(chunk)
            out.write(chunk)
    private_digest = await _backup_parts(db, private_path(path))
    partial.replace(path)  # a backup is complete or absent, never half written
    checksum_path(path).write_text(
        f"{digest.hexdigest()}  {path.name}\n{private_digest}  {private_path(path).name}\n",
        encoding="utf-8",
    )
    return digest.hexdigest()


async def _backup_parts(db: Db, path: Path) -> str:
    digest = hashlib.sha256()
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as out:
        for part in PARTS:
            async for row in part.dump(db):
                line = json.dumps({"part": part.name, "row": row}, sort_keys=True) + "\n"
                digest.update(line.encode())
                out.write(line.encode())
    partial.replace(path)
    return digest.hexdigest()


async def restore(db: Db, path: Path, *, base_uri: str) -> WriteCounts:
    """Rebuild an empty graph from a backup, exactly: nodes, links, loads and provenance.

    Raises:
        BackupError: the checksum file is missing or does not match, or the graph is not empty.
    """
    if await repository.ping(db) > 0 or any([await _holds_any(db, part) for part in PARTS]):
        raise BackupError("The graph is not empty: restore only into an empty graph.")
    base = base_uri.rstrip("/")
    read = await anyio.to_thread.run_sync(_read_backup, path, base)
    parts = await anyio.to_thread.run_sync(_read_parts, path)
    counts = await writes.upsert(
        db,
        read.nodes,
        read.links,
        writes.LoadRecord("restore"),
        record_load=False,
    )
    await writes.restore_loads(db, read.loads)
    for part in PARTS:
        await part.restore(db, parts.get(part.name, []))
    return counts


def _read_parts(path: Path) -> dict[str, Rows]:
    """The private rows by part, checked against their checksum; none for an older backup."""
    source = private_path(path)
    expected = _expected_checksum(path, source.name)
    if expected is None:
        return {}
    data = source.read_bytes() if source.exists() else b""
    if hashlib.sha256(data).hexdigest() != expected:
        raise BackupError(f"{source} does not match its checksum: it is damaged or incomplete.")
    parts: dict[str, Rows] = {}
    known = {part.name for part in PARTS}
    for line in data.decode("utf-8").splitlines():
        entry = json.loads(line)
        if entry["part"] not in known:
            raise BackupError(f"{source}: unknown part {entry['part']!r}.")
        parts.setdefault(entry["part"], []).append(entry["row"])
    return parts


def _read_backup(path: Path, base: str) -> Read:
    """Check the checksum, then parse (blocking: run in a worker thread)."""
    expected = _expected_checksum(path, path.name)
    if hashlib.sha256(path.read_bytes()).hexdigest() != expected:
        raise BackupError(f"{path} does not match its checksum: it is damaged or incomplete.")
    quads = ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    read = rows_from_triples(triples, base, path.name, provenance=True)
    if read.problems:
        first = read.problems[0]
        raise BackupError(f"{path}: {first.subject}: {first.message}")
    return read


def _expected_checksum(path: Path, name: str) -> str | None:
    """The checksum `FILE.sha256` gives for `name` (None if it names no such file); the first
    line is the graph's, whatever file name it gives."""
    sidecar = checksum_path(path)
    try:
        lines = [line.split() for line in sidecar.read_text(encoding="utf-8").splitlines()]
        if name == path.name:
            return lines[0][0]
    except (OSError, IndexError) as e:
        raise BackupError(f"{sidecar} is missing or empty: a backup needs its checksum.") from e
    return next((line[0] for line in lines[1:] if line[1:] == [name]), None)
