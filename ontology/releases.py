"""Releases: the graph as it stood after a load, written once as dated files whose bytes never
change, each with its SHA-256, so a dump can be cited and checked.

A release is named ``{YYYY-MM-DD}-{load id}`` (the load's start date) and holds the dump in
every release format, gzipped (``{name}.{suffix}.gz``, written with no name or time in the gzip
header), and ``release.json``: the load, and each file's size and checksum both as served and
gzipped. Files are never rewritten: a release that exists is returned as it is.

Writing streams each format from the graph through gzip into a temporary directory beside the
releases, then renames that directory into place in one step, so memory stays flat and a
reader sees a whole release or none. If a load comes while it is being written, the release
would mix two loads: it is thrown away (`GraphMoved`), and can be written again.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from anyio import to_thread
from pydantic import BaseModel

from graph import changes, repository
from graph.db import Db
from graph.errors import Conflict, NotFound
from graph.repository import LoadInfo
from ontology.export import export_graph
from ontology.formats import RdfFormat, dump_by_name

RELEASE_FORMATS: tuple[RdfFormat, ...] = tuple(
    f for f in map(dump_by_name, ("ntriples", "nquads", "turtle", "trig", "jsonld")) if f
)
"""What a release is written as: every dump format but RDF/XML (which says nothing the others
do not, at the most bytes)."""
MANIFEST = "release.json"


def directory_in(data_dir: Path) -> Path:
    """Where releases are kept: ``releases/`` in the data directory."""
    return data_dir / "releases"


_CHUNK = 1 << 16


class ReleaseFile(BaseModel):
    """One file of a release, as served and as stored (gzipped)."""

    name: str
    media_type: str
    bytes: int
    sha256: str
    gzip_bytes: int
    gzip_sha256: str


class Release(BaseModel):
    """A release: which load it shows, when that load started, and its files by suffix."""

    id: str
    load: str
    started_at: str
    files: dict[str, ReleaseFile]


class GraphMoved(Conflict):
    """A load came while a release was being written; nothing was kept."""


class ReleaseNotFound(NotFound):
    """No release has this name (never written, or pruned)."""

    def __init__(self, name: str) -> None:
        Exception.__init__(self, f"No release is named {name!r}; GET /releases lists them.")
        self.node_id = name


class NothingToRelease(NotFound):
    """The graph has no load to release."""

    def __init__(self) -> None:
        Exception.__init__(self, "No load has been recorded: there is nothing to release.")
        self.node_id = ""


def release_id(load: LoadInfo) -> str:
    """``{YYYY-MM-DD}-{load id}``: the load's start date, then the load."""
    return f"{str(load.properties.get('started_at', ''))[:10]}-{load.id}"


def releases(directory: Path) -> list[Release]:
    """Every release written in `directory`, newest first."""
    found = [r for r in map(_manifest, _release_dirs(directory)) if r is not None]
    return sorted(found, key=lambda r: (r.started_at, r.id), reverse=True)


def release(directory: Path, name: str) -> Release:
    """One release, by its name. Raises NotFound if there is none."""
    found = _manifest(directory / name) if _safe(name) else None
    if found is None:
        raise ReleaseNotFound(name)
    return found


def stored(directory: Path, found: Release, suffix: str) -> Path:
    """Where a release keeps one file, gzipped."""
    return directory / found.id / f"{found.files[suffix].name}.gz"


async def write_release(db: Db, directory: Path, *, base_uri: str) -> Release:
    """The latest load's release, written now unless it already exists.

    Raises:
        NothingToRelease: no load has been recorded.
        GraphMoved: a load came while writing; nothing was kept.
    """
    before = await changes.load_version(db)
    latest = await repository.latest_load(db)
    if latest is None:
        raise NothingToRelease()
    name = release_id(latest)
    if (existing := await to_thread.run_sync(_manifest, directory / name)) is not None:
        return existing
    work = await to_thread.run_sync(_begin, directory)
    try:
        files = {}
        for rdf_format in RELEASE_FORMATS:
            files[rdf_format.suffix] = await _write(db, work, name, rdf_format, base_uri)
        if await changes.load_version(db) != before:
            raise GraphMoved(f"a load came while release {name} was being written")
        started = str(latest.properties.get("started_at", ""))
        made = Release(id=name, load=latest.id, started_at=started, files=files)
        return await to_thread.run_sync(_finish, work, directory, made)
    finally:
        await to_thread.run_sync(shutil.rmtree, work, True)


def _begin(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".writing-", dir=directory))


def _finish(work: Path, directory: Path, made: Release) -> Release:
    (work / MANIFEST).write_text(made.model_dump_json(indent=1), encoding="utf-8")
    try:
        work.rename(directory / made.id)  # one step: a whole release or none
    except OSError:  # written meanwhile by another writer: theirs stands
        found = _manifest(directory / made.id)
        if found is None:
            raise
        return found
    return made


def prune(directory: Path, keep: int) -> list[str]:
    """Delete all but the newest `keep` releases; return the names deleted. Their URLs stop
    answering (404): citations of them break, so keep as many as you can store."""
    gone = [r.id for r in releases(directory)[keep:]]
    for name in gone:
        shutil.rmtree(directory / name)
    return gone


async def _write(db: Db, work: Path, name: str, rdf_format: RdfFormat, base: str) -> ReleaseFile:
    file_name = f"{name}.{rdf_format.suffix}"
    sink = await to_thread.run_sync(_Sink, work / f"{file_name}.gz")
    try:
        async for chunk in export_graph(db, rdf_format, base_uri=base):
            await to_thread.run_sync(sink.write, chunk)
    finally:
        await to_thread.run_sync(sink.close)
    packed, packed_size = await to_thread.run_sync(_digest, sink.path)
    return ReleaseFile(
        name=file_name,
        media_type=rdf_format.media_type,
        bytes=sink.size,
        sha256=sink.plain.hexdigest(),
        gzip_bytes=packed_size,
        gzip_sha256=packed,
    )


class _Sink:
    """A file being written through gzip, counting and hashing the bytes as served."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.plain = hashlib.sha256()
        self.size = 0
        self._raw = path.open("wb")
        # No file name and time 0 in the header: the gzip bytes depend on the dump alone.
        self._out = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0)

    def write(self, chunk: bytes) -> None:
        self.plain.update(chunk)
        self.size += len(chunk)
        self._out.write(chunk)

    def close(self) -> None:
        self._out.close()
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()


def _digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as f:
        while block := f.read(_CHUNK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def blocks(path: Path, *, unzip: bool) -> Iterator[bytes]:
    """A stored file in blocks: as stored (gzipped), or un-gzipped as served. It blocks: a
    server streams it from a worker thread (Starlette does, for a plain iterator)."""
    with gzip.open(path, "rb") if unzip else path.open("rb") as f:
        while block := f.read(_CHUNK):
            yield block


def _release_dirs(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return [p for p in directory.iterdir() if p.is_dir() and _safe(p.name)]


_RELEASE_NAME = re.compile(r"\d{4}-\d{2}-\d{2}-load-[0-9A-Za-z-]{1,80}")
"""A release name: its load's date and the load's id (never a path, never a half-written one,
never longer than a file name may be)."""


def _safe(name: str) -> bool:
    return _RELEASE_NAME.fullmatch(name) is not None


def _manifest(path: Path) -> Release | None:
    try:
        text = (path / MANIFEST).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
    return Release.model_validate(json.loads(text))
