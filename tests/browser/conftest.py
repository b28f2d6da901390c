"""A real browser (Debian's Chromium, driven by Playwright) against the real API and engine."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx2
import pytest
import uvicorn
from neo4j import Driver
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    Page,
    Request,
    Response,
    sync_playwright,
)

from api.main import create_app
from api.settings import ApiSettings
from tests.helpers import DATA, clear, free_port, load, needed

CHROMIUM = Path(os.environ.get("CONNECTS_CHROMIUM", "/usr/bin/chromium"))
# Flags from the machine notes: without the networking ones Chromium keeps calling out to a
# closed network; the rest keep a root, headless run quiet and reproducible.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def live_settings(settings: ApiSettings) -> ApiSettings:
    """The settings the live API runs with (a module may change some, on the same graph)."""
    return settings


@pytest.fixture(scope="module")
def live_api(live_settings: ApiSettings, sync_driver: Driver) -> Iterator[str]:
    """The API with the bundled data, served over real HTTP on a free port."""
    settings = live_settings
    clear(sync_driver, settings)
    # Playwright's sync API keeps an event loop running on this thread; the loader needs its own.
    with ThreadPoolExecutor(1) as loader:
        loader.submit(load, settings, DATA).result()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the API did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def api(live_api: str) -> Iterator[httpx2.Client]:
    """The same API as the browser sees, for the answers the pages must match."""
    with httpx2.Client(base_url=live_api, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for a module of tests. Not for the session: Playwright's sync API holds an event
    loop on the main thread while it runs, which the other tests' asyncio.run() cannot share."""
    needed(CHROMIUM, "Chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def public_paths(api: httpx2.Client) -> list[re.Pattern[str]]:
    """Every path the API documents, as patterns: the only API calls the explorer may make."""
    paths = api.get("/openapi.json").json()["paths"]
    return [re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$") for path in paths]


@dataclass
class Watch:
    """What a page did: requests it made and errors it hit."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)
    """Text of errors the test provokes on purpose (say "404"); declare them before acting, as
    the browser's events may arrive after the test's last step."""

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(text in e for text in self.expected)]

    def script_error(self, error: Error) -> None:
        self.errors.append(f"script error: {error}")

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def request(self, request: Request) -> None:
        self.requests.append(request.url)

    def response(self, response: Response) -> None:
        if response.status >= 400:
            self.errors.append(f"HTTP {response.status} {response.url}")


@pytest.fixture
def page(browser: Browser, live_api: str, public_paths: list[re.Pattern[str]]) -> Iterator[Page]:
    """A fresh page that fails the test on any script error, failed request, or call to anything
    but the explorer's own files and the public API."""
    context = browser.new_context(base_url=live_api, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    new_page = context.new_page()
    watch = Watch()
    new_page.on("pageerror", watch.script_error)
    new_page.on("console", watch.console)
    new_page.on("request", watch.request)
    new_page.on("response", watch.response)
    new_page.watch = watch  # type: ignore[attr-defined]
    yield new_page
    context.close()
    assert watch.unexpected() == []
    for url in watch.requests:
        parts = urlsplit(url)
        if parts.scheme == "data":
            continue
        assert f"{parts.scheme}://{parts.netloc}" == live_api, f"the explorer called out: {url}"
        assert (
            parts.path.startswith("/explore")
            or parts.path.startswith("/assets/")  # the server pages' stylesheet
            or parts.path == "/favicon.ico"
            or any(pattern.match(parts.path) for pattern in public_paths)
        ), f"not a public API path: {url}"
