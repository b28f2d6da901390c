"""The body guard on its own, around a small ASGI app standing in for a route."""

from __future__ import annotations

import anyio
from starlette.types import Message, Receive, Scope, Send

from api.hardening import BodyLimit

SCOPE: Scope = {"type": "http", "method": "POST", "path": "/x", "headers": []}


async def run(app: BodyLimit, messages: list[Message]) -> list[Message]:
    """The messages `app` sends for a request whose body arrives as `messages`."""
    queue = list(messages)
    sent: list[Message] = []

    async def receive() -> Message:
        if queue:
            return queue.pop(0)
        await anyio.sleep_forever()
        raise AssertionError

    async def send(message: Message) -> None:
        sent.append(message)

    await app(SCOPE, receive, send)
    return sent


async def reads_then_waits_for_the_client(scope: Scope, receive: Receive, send: Send) -> None:
    """A route that reads its body, works a while, then looks whether its client is gone."""
    body = await receive()
    assert body["more_body"] is False
    await anyio.sleep(0.2)
    with anyio.move_on_after(0.01):
        await receive()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"done"})


def test_the_time_limit_is_for_the_body_not_the_work_after_it() -> None:
    app = BodyLimit(reads_then_waits_for_the_client, max_bytes=100, timeout=0.05)
    body: Message = {"type": "http.request", "body": b"q", "more_body": False}
    sent = anyio.run(run, app, [body])
    assert sent[0]["status"] == 200


async def reads_everything(scope: Scope, receive: Receive, send: Send) -> None:
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"done"})


def test_a_body_that_stops_arriving_is_408() -> None:
    app = BodyLimit(reads_everything, max_bytes=100, timeout=0.05)
    start: Message = {"type": "http.request", "body": b"q", "more_body": True}
    sent = anyio.run(run, app, [start])
    assert sent[0]["status"] == 408


def test_a_body_streamed_past_the_limit_is_413() -> None:
    app = BodyLimit(reads_everything, max_bytes=100, timeout=5)
    chunk: Message = {"type": "http.request", "body": b"x" * 60, "more_body": True}
    sent = anyio.run(run, app, [chunk, chunk])
    assert sent[0]["status"] == 413
