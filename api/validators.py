"""Caching validators (ETag, Last-Modified, Cache-Control) and the 304s they allow: the one
mechanism for every representation that has them.

Two kinds, and the ETag says which:

- **Data** (dumps, documents, the VoID): what the graph held at a load version, in one media
  type. The validator is derived from the load version, the representation (media type and
  whatever else picks it) and the service's version, never from the bytes, so a 304 costs one
  small read and nothing is built. The ETag is *weak*: two answers at one version are the same
  data but not always the same bytes (a dump is streamed in batches, gzip may encode it).
  Last-Modified is when the latest load started.
- **Fixed** (the ontology, the shapes, the @context, the service description): the bytes are
  known before answering, so the ETag is *strong*, a hash of them. A strong validator names one
  exact byte sequence, so the gzip coding gets its own (the body is compressed here, and the
  app's gzip middleware leaves a response that is already encoded alone).

A conditional request is judged as RFC 9110 section 13.2.2 orders it: If-None-Match (weak
comparison) when sent, else If-Modified-Since. A 304 carries the validators, Cache-Control and
Vary the 200 would have, and no body.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from importlib.metadata import version

from fastapi import Request
from fastapi.responses import Response

from graph.changes import LoadStamp

DATA_CACHE = "public, no-cache"
"""Stored, but revalidated before each use: a load can come at any moment, and revalidating
costs the server one small read."""
FIXED_CACHE = "public, max-age=3600"
"""Changes only when the service is upgraded."""
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"
"""Never changes (a release's files): kept a year, never revalidated while fresh."""
GZIP_MINIMUM = 1024
"""As the app's gzip middleware: smaller bodies are not worth compressing."""

_SERVICE = version("connects-graph")
_TAG = re.compile(r'(W/)?"([^"]*)"|(\*)')


@dataclass(frozen=True)
class Validators:
    """What a representation is sent with, and what a 304 for it repeats."""

    etag: str
    """As sent: quoted, with ``W/`` when weak."""
    last_modified: datetime | None
    cache_control: str
    vary: str | None = "Accept"

    def headers(self) -> dict[str, str]:
        out = {"ETag": self.etag, "Cache-Control": self.cache_control}
        if self.last_modified is not None:
            out["Last-Modified"] = format_datetime(self.last_modified, usegmt=True)
        if self.vary:
            out["Vary"] = self.vary
        return out


def for_data(stamp: LoadStamp, media_type: str, *picks: str) -> Validators:
    """Weak validators for the graph's data at `stamp`, as `media_type`; `picks` are whatever
    else chooses the representation (a path, ``as_of``)."""
    parts = [_SERVICE, str(stamp.loads), stamp.latest or "", media_type, *picks]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    # Accept-Encoding too: the gzip middleware may encode the body, and a 304 (which it never
    # sees a body for) must name what the 200 varied on.
    return Validators(f'W/"{digest}"', stamp.at, DATA_CACHE, "Accept, Accept-Encoding")


def not_modified(request: Request, validators: Validators) -> Response | None:
    """A 304 when the request's preconditions say the client's copy is current, else None.

    HEAD reaches routes as GET (api/head.py), so this holds for both.
    """
    if request.method != "GET":
        return None
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        fresh = _matches(if_none_match, validators.etag)
    else:
        fresh = _unmodified_since(request.headers.get("if-modified-since"), validators)
    return Response(status_code=304, headers=validators.headers()) if fresh else None


def fixed(
    request: Request,
    body: bytes,
    media_type: str,
    *,
    vary: str | None = "Accept",
    headers: dict[str, str] | None = None,
) -> Response:
    """`body` with strong validators (gzip-encoded, and validated as such, when the client
    takes gzip), or the 304 that stands for it."""
    encoded = takes_gzip(request) and len(body) >= GZIP_MINIMUM
    if encoded:
        body = _gzipped(body)
    digest = hashlib.sha256(body).hexdigest()[:32]
    varies = ", ".join(v for v in (vary, "Accept-Encoding") if v)
    validators = Validators(f'"{digest}"', None, FIXED_CACHE, varies)
    answer = not_modified(request, validators)
    if answer is not None:
        return answer
    extra = {**(headers or {}), **validators.headers()}
    if encoded:
        extra["Content-Encoding"] = "gzip"
    return Response(body, media_type=media_type, headers=extra)


def _gzipped(body: bytes) -> bytes:
    # mtime=0: the same bytes every time, so the strong ETag holds across requests.
    return gzip.compress(body, compresslevel=6, mtime=0)


def takes_gzip(request: Request) -> bool:
    """Whether the request's Accept-Encoding takes gzip."""
    for coding in request.headers.get("accept-encoding", "").split(","):
        name, _, params = coding.strip().partition(";")
        if name.strip().lower() in ("gzip", "x-gzip"):
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _matches(header: str, etag: str) -> bool:
    # Weak comparison (RFC 9110 8.8.3.2): the opaque tags are equal, W/ or not.
    ours = etag.removeprefix("W/")
    return any(star or f'"{opaque}"' == ours for _weak, opaque, star in _TAG.findall(header))


def _unmodified_since(header: str | None, validators: Validators) -> bool:
    if header is None or validators.last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False  # an invalid date is ignored (RFC 9110 13.1.3)
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    # Last-Modified is sent to the second.
    return validators.last_modified.replace(microsecond=0) <= since
