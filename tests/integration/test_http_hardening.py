"""What a client cannot do to the HTTP layer: hold a worker with a slow body, send a body before
its key is checked, pick its own rate-limit identity (made-up key ids, junk under a real key's
id, a forged X-Forwarded-For), see its unchecked token id in the log, or run many exports."""

from __future__ import annotations

import hmac
import json
import secrets
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import anyio
import httpx2 as httpx
import pytest
import uvicorn
import uvloop
from fastapi.testclient import TestClient
from starlette.types import Message
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.hardening import server_options
from api.main import create_app
from api.settings import ApiSettings
from graph import keys
from graph.db import open_db
from graph.keys import Scope
from loaders.report import LoadReport
from tests.helpers import CONTRIBUTION, app_client, make_key, problem, served


@pytest.fixture(scope="module")
def served_data(everything: LoadReport) -> object:
    return everything


def raw_request(port: int, head: str, body: bytes = b"", wait: float = 10.0) -> str:
    """Send a request's head and the start of its body, then stop sending; what comes back
    (within `wait` seconds) is the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as conn:
        conn.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        received = b""
        while b"\r\n\r\n" not in received or not received.endswith(b"}"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            received += chunk
    return received.decode("latin-1")


def status_of(answer: str) -> int:
    return int(answer.split(" ", 2)[1])


def problem_in(answer: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(answer.split("\r\n\r\n", 1)[1])
    return body


# --- bodies ----------------------------------------------------------------------------------


def test_a_write_without_a_key_is_refused_before_its_body_is_read(
    client: TestClient,
) -> None:
    reads = 0

    async def receive() -> Message:
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": b"x" * 1000, "more_body": True}

    statuses: list[int] = []

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    for authorization in (None, b"Bearer cgk_abc123_junk", b"Bearer not-a-key"):
        headers = [(b"content-type", b"text/turtle"), (b"content-length", b"5000000")]
        if authorization:
            headers.append((b"authorization", authorization))
        call_app(client, asgi_scope("POST", "/contributions", headers), receive, send)
    assert statuses == [401, 401, 401]
    assert reads == 0


def test_a_slow_client_without_a_key_gets_401_at_once(
    settings: ApiSettings, everything: LoadReport
) -> None:
    with served(settings) as port:
        head = (
            "POST /contributions HTTP/1.1\nHost: t\nContent-Type: text/turtle\n"
            "Content-Length: 5000000\n"
        )
        answer = raw_request(port, head, b"@prefix x: <a:> .\n")
    assert status_of(answer) == 401


@pytest.mark.parametrize("path", ["/contributions", "/sparql", "/cypher"])
def test_a_body_that_arrives_too_slowly_is_408(
    settings: ApiSettings, everything: LoadReport, path: str
) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    media_type = {
        "/contributions": "text/turtle",
        "/sparql": "application/sparql-query",
        "/cypher": "application/json",
    }[path]
    with served(settings, body_read_timeout=0.5) as port:
        head = (
            f"POST {path}?dry_run=true HTTP/1.1\nHost: t\nContent-Type: {media_type}\n"
            f"Authorization: Bearer {key}\nContent-Length: 1000\n"
        )
        answer = raw_request(port, head, b"{ ")  # and then nothing more
        # The server is still serving others.
        assert httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200
    assert status_of(answer) == 408, answer
    assert problem_in(answer)["type"] == "/problems/body-timeout"
    assert "0.5 s" in problem_in(answer)["detail"]


def test_a_body_in_time_is_read_whole(settings: ApiSettings, everything: LoadReport) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    with served(settings, body_read_timeout=5) as port:
        response = httpx.post(
            f"http://127.0.0.1:{port}/contributions",
            params={"dry_run": "true"},
            content=CONTRIBUTION.encode(),
            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {key}"},
        )
    assert response.status_code in (200, 201), response.text


# --- rate limits -----------------------------------------------------------------------------


def request_from(
    client: TestClient, address: str, method: str, path: str, **kwargs: Any
) -> httpx.Response:
    """A request to `client`'s app (its lifespan running) from the client address `address`."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=client.app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await c.request(method, path, **kwargs)

    assert client.portal is not None
    return client.portal.call(go)


@pytest.fixture
def limited(settings: ApiSettings, everything: LoadReport) -> Iterator[TestClient]:
    with app_client(settings, rate_limit_per_minute=1, rate_limit_burst=3) as test_client:
        yield test_client


def test_made_up_key_ids_share_their_senders_limit(limited: TestClient) -> None:
    statuses = [
        request_from(
            limited,
            "10.0.0.1",
            "GET",
            "/kinds",
            headers={"Authorization": f"Bearer cgk_{secrets.token_hex(6)}_x"},
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_junk_under_a_real_key_id_does_not_lock_its_partner_out(
    limited: TestClient, settings: ApiSettings
) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    key_id = key.split("_")[1]
    junk = {"Authorization": f"Bearer cgk_{key_id}_junk"}
    attacker = [request_from(limited, "10.0.0.2", "GET", "/kinds", headers=junk) for _ in range(5)]
    assert [r.status_code for r in attacker] == [200, 200, 200, 429, 429]
    partner = {"Authorization": f"Bearer {key}", "Content-Type": "text/turtle"}
    answer = request_from(
        limited,
        "10.0.0.3",
        "POST",
        "/contributions",
        params={"dry_run": "true"},
        content=CONTRIBUTION.encode(),
        headers=partner,
    )
    assert answer.status_code in (200, 201), answer.text


def test_a_verified_key_counts_against_itself_not_its_address(
    limited: TestClient, settings: ApiSettings
) -> None:
    key = make_key(settings, Scope.ADMIN)
    partner = {"Authorization": f"Bearer {key}"}
    # Checked by a route that needs a key (its first request counts against the address)...
    checked = request_from(limited, "10.0.0.4", "GET", "/admin/keys", headers=partner)
    assert checked.status_code == 200
    # ...then someone at the same address uses the address's allowance up...
    others = [request_from(limited, "10.0.0.4", "GET", "/kinds") for _ in range(3)]
    assert [r.status_code for r in others] == [200, 200, 429]
    # ...and the key still has its own.
    mine = [request_from(limited, "10.0.0.4", "GET", "/kinds", headers=partner) for _ in range(3)]
    assert [r.status_code for r in mine] == [200, 200, 200]


def test_a_forged_forwarded_for_does_not_change_who_is_counted(
    settings: ApiSettings, everything: LoadReport
) -> None:
    with served(settings, rate_limit_per_minute=1, rate_limit_burst=2) as port:
        statuses = [
            httpx.get(
                f"http://127.0.0.1:{port}/kinds",
                headers={"X-Forwarded-For": f"203.0.113.{i}", "Forwarded": f"for=198.51.100.{i}"},
            ).status_code
            for i in range(3)
        ]
    assert statuses == [200, 200, 429]


def test_forwarded_for_is_believed_only_from_trusted_proxies() -> None:
    trust = ("proxy_headers", "forwarded_allow_ips")
    alone = server_options(ApiSettings())
    assert {k: alone[k] for k in trust} == {"proxy_headers": False, "forwarded_allow_ips": ""}
    behind = server_options(ApiSettings(trusted_proxies=["10.1.2.3", "10.1.2.4"]))
    assert {k: behind[k] for k in trust} == {
        "proxy_headers": True,
        "forwarded_allow_ips": "10.1.2.3,10.1.2.4",
    }


def test_the_server_runs_on_uvloop_and_httptools(settings: ApiSettings) -> None:
    # uvicorn's "auto" would fall back to asyncio and h11 unannounced if either were missing.
    config = uvicorn.Config(create_app(settings), **server_options(settings))
    config.load()
    assert config.http_protocol_class is HttpToolsProtocol
    factory = config.get_loop_factory()
    assert factory is not None
    loop = factory()
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()


# --- keys and the log ------------------------------------------------------------------------


def test_every_refusal_does_the_same_work(
    settings: ApiSettings, everything: LoadReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What each verification did: its digests, and the lengths of what it compared.
    work: list[list[str]] = []
    digest, compare = keys._digest, hmac.compare_digest

    def counted_digest(secret: str) -> str:
        work[-1].append("digest")
        return digest(secret)

    def counted_compare(a: str, b: str) -> bool:
        work[-1].append(f"compare {len(a)} {len(b)}")
        return bool(compare(a, b))

    async def verifications() -> list[bool]:
        async with open_db(settings) as db:
            real, token = await keys.create(
                db, organisation="lga", scope=Scope.CONTRIBUTE, label="t"
            )
            revoked, revoked_token = await keys.create(
                db, organisation="lga", scope=Scope.CONTRIBUTE, label="t"
            )
            await keys.revoke(db, revoked.id)
            monkeypatch.setattr(keys, "_digest", counted_digest)
            monkeypatch.setattr(hmac, "compare_digest", counted_compare)
            accepted = []
            for attempt in (
                f"cgk_{real.id}_{'x' * 43}",  # a known id, a wrong secret
                f"cgk_{secrets.token_hex(6)}_{'x' * 43}",  # an unknown id
                revoked_token,  # a revoked key
                "cgk_" + "x" * 50,  # not in our format
                token,  # the real key
            ):
                work.append([])
                accepted.append(await keys.verify(db, attempt) is not None)
            return accepted

    assert anyio.run(verifications) == [False, False, False, False, True]
    assert work == [["digest", "compare 64 64"]] * 5


def test_the_log_names_only_keys_that_were_checked(
    client: TestClient, settings: ApiSettings, caplog: pytest.LogCaptureFixture
) -> None:
    key = make_key(settings, Scope.ADMIN)
    key_id = key.split("_")[1]
    made_up = "cgk_feedface1234_" + "ThisIsTheSecretPart"
    with caplog.at_level("INFO", logger="connects.access"):
        client.get("/kinds", headers={"Authorization": f"Bearer {made_up}"})
        client.get("/admin/keys", headers={"Authorization": f"Bearer {made_up}"})
        client.get("/admin/keys", headers={"Authorization": f"Bearer {key}"})
    entries = [r.__dict__["fields"] for r in caplog.records if r.name == "connects.access"]
    assert [(e["path"], e["status"], e["key"]) for e in entries] == [
        ("/kinds", 200, None),
        ("/admin/keys", 401, None),
        ("/admin/keys", 200, key_id),
    ]
    assert "feedface1234" not in caplog.text


# --- exports ---------------------------------------------------------------------------------


def asgi_scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("10.0.0.9", 40000),
        "server": ("testserver", 80),
        "state": {},
    }


def call_app(
    client: TestClient,
    scope: dict[str, Any],
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    assert client.portal is not None
    client.portal.call(client.app, scope, receive, send)


def test_exports_have_a_budget_of_their_own(settings: ApiSettings, everything: LoadReport) -> None:
    with app_client(settings, export_concurrency=2) as test_client:
        portal = test_client.portal
        assert portal is not None
        reading = [threading.Event(), threading.Event()]

        async def slow_consumer(index: int, release: anyio.Event) -> None:
            async def receive() -> Message:
                await release.wait()
                return {"type": "http.disconnect"}

            async def send(message: Message) -> None:
                if message["type"] == "http.response.body":
                    reading[index].set()
                    await release.wait()  # a client that reads nothing more

            await test_client.app(asgi_scope("GET", "/export", []), receive, send)

        release = portal.call(anyio.Event)
        held = [portal.start_task_soon(slow_consumer, i, release) for i in range(2)]
        assert all(r.wait(30) for r in reading)
        refused = test_client.get("/export")
        portal.call(release.set)
        for task in held:
            task.result(30)
        after = test_client.get("/export", params={"format": "nt"})
    body = problem(refused, 503, "export-busy")
    assert "2 exports" in body["detail"]
    assert int(refused.headers["retry-after"]) >= 1
    assert after.status_code == 200
