"""The bench's requests: a read refused by its bound is timed as its answer; any other error
stops the run."""

from __future__ import annotations

import httpx2
import pytest

from bench import queries


def handler(request: httpx2.Request) -> httpx2.Response:
    kind = "too-broad" if request.url.path == "/graph/paths" else "invalid"
    return httpx2.Response(422, json={"type": f"/problems/{kind}", "status": 422})


def test_a_refusal_by_a_bound_is_an_answer_and_other_errors_stop_the_run() -> None:
    with httpx2.Client(transport=httpx2.MockTransport(handler), base_url="http://t") as http:
        assert queries._get(http, "/graph/paths")["type"] == "/problems/too-broad"
        with pytest.raises(httpx2.HTTPStatusError):
            queries._get(http, "/evidence")
