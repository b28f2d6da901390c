"""Backups: the whole graph as N-Triples with a SHA-256 checksum, and an exact restore."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import anyio
import pyoxigraph as ox

from graph import repository, versions, writes
from graph.db import Db
from graph.writes import WriteCounts
from ontology.export import export_graph
from ontology.formats import by_name
from ontology.reading import Read, rows_from_triples


class BackupError(Exception):
    """A backup cannot be written or restored (bad checksum, graph not empty, ...)."""


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def versions_path(path: Path) -> Path:
    """The history beside the public graph: versions as JSON lines (not public, so not RDF)."""
    return path.with_name(path.name + ".versions.jsonl")


async def _backup_versions(db: Db, path: Path) -> str:
    digest = hashlib.sha256()
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as out:
        async for row in versions.dump(db):
            line = (json.dumps(row, sort_keys=True, ensure_ascii=False) + "\n").encode()
            digest.update(line)
            out.write(line)
    partial.replace(path)
    return digest.hexdigest()


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
    partial.replace(path)  # a backup is complete or absent, never half written
    history = versions_path(path)
    history_digest = await _backup_versions(db, history)
    checksum_path(path).write_text(
        f"{digest.hexdigest()}  {path.name}\n{history_digest}  {history.name}\n", encoding="utf-8"
    )
    return digest.hexdigest()


async def restore(db: Db, path: Path, *, base_uri: str) -> WriteCounts:
    """Rebuild an empty graph from a backup, exactly: nodes, links, loads and provenance.

    Raises:
        BackupError: the checksum file is missing or does not match, or the graph is not empty.
    """
    if await repository.ping(db) > 0:
        raise BackupError("The graph is not empty: restore only into an empty graph.")
    base = base_uri.rstrip("/")
    read = await anyio.to_thread.run_sync(_read_backup, path, base)
    counts = await writes.upsert(
        db,
        read.nodes,
        read.links,
        writes.LoadRecord("restore"),
        record_load=False,
    )
    await writes.restore_loads(db, read.loads)
    await versions.restore(db, await anyio.to_thread.run_sync(_read_versions, path))
    return counts


def _read_versions(path: Path) -> list[dict[str, object]]:
    """The versions beside a backup, checked against their line in the checksum file; none
    for a backup made before versions were kept (blocking: run in a worker thread)."""
    history = versions_path(path)
    lines = checksum_path(path).read_text(encoding="utf-8").splitlines()
    expected = [line.split()[0] for line in lines[1:] if line.split()[1:] == [history.name]]
    if not expected:
        return []
    body = history.read_bytes() if history.exists() else b""
    if hashlib.sha256(body).hexdigest() != expected[0]:
        raise BackupError(f"{history} does not match its checksum: it is damaged or incomplete.")
    return [json.loads(line) for line in body.decode("utf-8").splitlines() if line]


def _read_backup(path: Path, base: str) -> Read:
    """Check the checksum, then parse (blocking: run in a worker thread)."""
    expected = _expected_checksum(path)
    if hashlib.sha256(path.read_bytes()).hexdigest() != expected:
        raise BackupError(f"{path} does not match its checksum: it is damaged or incomplete.")
    quads = ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    read = rows_from_triples(triples, base, path.name, provenance=True)
    if read.problems:
        first = read.problems[0]
        raise BackupError(f"{path}: {first.subject}: {first.message}")
    return read


def _expected_checksum(path: Path) -> str:
    sidecar = checksum_path(path)
    try:
        return sidecar.read_text(encoding="utf-8").split()[0]
    except (OSError, IndexError) as e:
        raise BackupError(f"{sidecar} is missing or empty: a backup needs its checksum.") from e
