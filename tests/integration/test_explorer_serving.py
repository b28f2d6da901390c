"""How /explore is served: one page for every view, assets with the right types, under a prefix."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import ApiSettings


def test_explore_serves_the_page_and_its_assets(settings: ApiSettings) -> None:
    with TestClient(create_app(settings)) as client:
        page = client.get("/explore", params={"view": "works", "outcome": "inclusion"})
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert 'src="/explore/assets/js/app.js"' in page.text
        assert "{{root}}" not in page.text
        policy = dict(
            directive.strip().split(" ", 1)
            for directive in page.headers["content-security-policy"].split(";")
        )
        assert policy["script-src"] == "'self'"  # no inline or remote scripts
        assert policy["connect-src"] == "'self'"  # calls only this API
        script = client.get("/explore/assets/js/app.js")
        assert script.headers["content-type"].startswith("text/javascript")
        library = client.get("/explore/assets/vendor/cytoscape.esm.min.js")
        assert library.status_code == 200
        assert library.headers["content-type"].startswith("text/javascript")
        assert client.get("/explore/assets/../main.py").status_code == 404
        assert client.get("/favicon.ico").headers["content-type"] == "image/svg+xml"
        assert "/explore" not in client.get("/openapi.json").json()["paths"]


def test_explore_calls_the_api_under_the_gateway_prefix(settings: ApiSettings) -> None:
    with TestClient(create_app(settings), root_path="/connects") as client:
        page = client.get("/explore")
        assert 'data-api-root="/connects"' in page.text
        assert 'href="/connects/explore/assets/explorer.css"' in page.text


def test_the_front_door_sends_people_to_the_explorer(settings: ApiSettings) -> None:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        browser = client.get("/", headers={"accept": "text/html,application/xhtml+xml"})
        assert browser.status_code == 303
        assert browser.headers["location"] == "/explore"
        program = client.get("/", headers={"accept": "application/json"})
        assert program.json()["explorer"] == "/explore"
        assert client.get(program.json()["openapi"]).status_code == 200
