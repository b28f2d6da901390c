"""Releases: dated dumps whose bytes never change, with their checksums (ontology/releases.py).

Each file is served with a strong ETag (its SHA-256), ``Cache-Control: immutable`` and the
load's time as Last-Modified. Stored gzipped: a client that takes gzip gets the stored bytes
(``Content-Encoding: gzip``, validated as such), any other the same file un-gzipped; the
``.gz`` name serves the stored file itself.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse

from api.deps import SettingsDep
from api.errors import PROBLEM_RESPONSES
from api.validators import IMMUTABLE_CACHE, Validators, fixed, not_modified, takes_gzip
from ontology import releases
from ontology.releases import Release, ReleaseNotFound

router = APIRouter(tags=["rdf"])

_GZIP = "application/gzip"


@router.get("/releases")
async def list_releases(
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[Release]:
    """Releases, newest first: the graph as it stood after a load, as files whose bytes never
    change, each with its size and SHA-256 (as served and gzipped)."""
    found = await to_thread.run_sync(releases.releases, _directory(settings))
    return found[offset : offset + min(limit, settings.max_page_size)]


@router.get(
    "/releases/{file}",
    response_class=Response,
    responses={
        200: {"description": "A release's file, or its checksums (`{release}.sha256`)."},
        304: {"description": "Not modified."},
        404: PROBLEM_RESPONSES[404],
    },
)
async def release_file(request: Request, settings: SettingsDep, file: str) -> Response:
    """A release's file (`{release}.nt`, `.nq`, `.ttl`, `.trig`, `.jsonld`, each also `.gz`),
    or `{release}.sha256`: every file's checksum, as `sha256sum -c` reads them."""
    directory = _directory(settings)
    if file.endswith(".sha256"):
        found = await to_thread.run_sync(releases.release, directory, file.removesuffix(".sha256"))
        return fixed(request, _checksums(found), "text/plain; charset=utf-8", vary=None)
    packed = file.endswith(".gz")
    name, _, suffix = file.removesuffix(".gz").rpartition(".")
    found = await to_thread.run_sync(releases.release, directory, name)
    if suffix not in found.files:
        raise ReleaseNotFound(file)
    return _serve(request, found, suffix, releases.stored(directory, found, suffix), packed)


def _serve(request: Request, found: Release, suffix: str, stored: Path, packed: bool) -> Response:
    """The stored file itself (`.gz`), gzip-encoded for a client that takes it, else plain."""
    item = found.files[suffix]
    zipped = packed or takes_gzip(request)
    digest, size = (item.gzip_sha256, item.gzip_bytes) if zipped else (item.sha256, item.bytes)
    vary = None if packed else "Accept-Encoding"
    validators = Validators(f'"{digest}"', _when(found), IMMUTABLE_CACHE, vary)
    if (unchanged := not_modified(request, validators)) is not None:
        return unchanged
    name = item.name + (".gz" if packed else "")
    headers = {
        **validators.headers(),
        "Content-Length": str(size),
        "Content-Disposition": f'attachment; filename="{name}"',
    }
    if zipped and not packed:
        headers["Content-Encoding"] = "gzip"
    return StreamingResponse(
        releases.blocks(stored, unzip=not zipped),
        media_type=_GZIP if packed else item.media_type,
        headers=headers,
    )


def _directory(settings: SettingsDep) -> Path:
    return releases.directory_in(settings.data_dir)


def _when(found: Release) -> datetime | None:
    try:
        at = datetime.fromisoformat(found.started_at)
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _checksums(found: Release) -> bytes:
    lines = [
        line
        for item in found.files.values()
        for line in (f"{item.sha256}  {item.name}\n", f"{item.gzip_sha256}  {item.name}.gz\n")
    ]
    return "".join(lines).encode()
