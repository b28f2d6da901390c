"""The API docs render in a browser that can reach nothing but the API itself."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Browser, Route, expect

from tests.helpers import screenshot


def test_swagger_ui_renders_the_operations_offline(browser: Browser, live_api: str) -> None:
    context = browser.new_context(base_url=live_api)
    context.set_default_timeout(15_000)
    local = urlsplit(live_api).netloc
    blocked: list[str] = []
    errors: list[str] = []

    def only_local(route: Route) -> None:
        parts = urlsplit(route.request.url)
        if parts.scheme in ("data", "blob") or parts.netloc == local:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A script or style the page's Content-Security-Policy refused is a console error.
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/docs")
    operations = page.locator(".opblock-summary-path")
    expect(operations.first).to_be_visible()
    paths = {text.replace("\u200b", "") for text in operations.all_inner_texts()}
    assert {"/evidence", "/what-works", "/sparql", "/nodes/{node_id}"} <= paths
    expect(page.locator(".information-container .title")).to_contain_text("Connects Graph")
    screenshot(page, "docs")
    context.close()
    assert blocked == []
    assert errors == []
