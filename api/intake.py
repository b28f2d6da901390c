"""What members send without a key (submissions, reports of errors): bounded in size and in rate
per client address, parsed as JSON (or, for submissions, one case-study CSV row)."""

from __future__ import annotations

import json
import math
from typing import Any

from fastapi import Request

from api.errors import PROBLEM_RESPONSES, RateLimited, UnsupportedMediaType
from api.hardening import read_capped
from api.ratelimit import RateLimiter
from api.settings import ApiSettings
from loaders.submissions import InvalidSubmission

JSON_TYPE, CSV_TYPE = "application/json", "text/csv"


def refusals(accepted: str, sent: str) -> dict[int | str, dict[str, Any]]:
    """The refusals every keyless write documents: the honeypot, size, media type, content and
    rate (`accepted`: "JSON or CSV"; `sent`: "submissions")."""
    return {
        400: {"description": "The hidden 'website' field was filled in; nothing stored."},
        413: {"description": "The body is larger than the server accepts."},
        415: {"description": f"Not {accepted}."},
        422: PROBLEM_RESPONSES[422],
        429: {"description": f"Too many {sent} from this address; try again later."},
    }


def limiter(settings: ApiSettings) -> RateLimiter | None:
    """The limiter for keyless submissions and reports (stricter than the API's own)."""
    if settings.submission_rate_per_minute == 0:
        return None
    return RateLimiter(settings.submission_rate_per_minute, settings.submission_rate_burst)


def count_against_address(request: Request) -> None:
    """Count a keyless write against its client address; 429 past the limit (nothing read)."""
    limits: RateLimiter | None = getattr(request.app.state, "intake_limiter", None)
    if limits is None:
        return
    address = request.client.host if request.client else "unknown"
    wait = limits.wait(f"ip:{address}")
    if wait > 0:
        raise RateLimited(max(1, math.ceil(wait)))


async def read_body(
    request: Request, settings: ApiSettings, accepted: tuple[str, ...]
) -> tuple[str, Any]:
    """The body's media type and its content (JSON parsed; CSV as text), within the size limit.

    Raises:
        UnsupportedMediaType (415), TooLarge (413), InvalidSubmission (422: not JSON or UTF-8).
    """
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in accepted:
        raise UnsupportedMediaType(list(accepted))
    body = await read_capped(request, settings.submission_max_bytes)
    try:
        text = body.decode("utf-8")
        return media_type, json.loads(text) if media_type == JSON_TYPE else text
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        message = f"Not valid {'JSON' if media_type == JSON_TYPE else 'UTF-8 text'}: {e}"
        raise InvalidSubmission([{"location": "body", "message": message}]) from e
