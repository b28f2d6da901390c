"""The HTML pages from templates: text from the graph is escaped, and the stylesheet is found."""

from __future__ import annotations

import re
import textwrap
from urllib.parse import urljoin

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from api.main import create_app
from api.settings import ApiSettings
from loaders.report import LoadReport
from tests.helpers import clear, load

HOSTILE = """
nodes:
  - id: hostile-scheme
    kind: Scheme
    name: <img src=x onerror="alert(2)">
    description: A scheme with markup in its name.
    source: test
  - id: hostile
    kind: Outcome
    name: <script>alert("x")</script>
    description: <b>Bold</b> & "quoted"
    source: </dd><script>alert(3)</script>
    links:
      - {rel: IN_SCHEME, to: hostile-scheme}
"""
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def served_data(
    settings: ApiSettings, sync_driver: Driver, tmp_path_factory: pytest.TempPathFactory
) -> LoadReport:
    """The module's `client` serves nodes whose text tries to inject markup."""
    clear(sync_driver, settings)
    path = tmp_path_factory.mktemp("pages") / "hostile.yaml"
    path.write_text(textwrap.dedent(HOSTILE), encoding="utf-8")
    return load(settings, path)


def test_text_from_the_graph_is_escaped(client: TestClient) -> None:
    page = client.get("/doc/outcome/hostile.html").text
    assert "<script>" not in page
    assert "<h1>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</h1>" in page
    assert "<title>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; – Connects Graph</title>" in page
    assert "<p>&lt;b&gt;Bold&lt;/b&gt; &amp; &#34;quoted&#34;</p>" in page
    assert "<dd>&lt;/dd&gt;&lt;script&gt;alert(3)&lt;/script&gt;</dd>" in page
    assert ">&lt;img src=x onerror=&#34;alert(2)&#34;&gt;</a>" in page
    assert "<img" not in page


@pytest.mark.parametrize(
    ("path", "headers"),
    [("/doc/outcome/hostile", {"Accept": "text/html"}), ("/sparql", {"Accept": BROWSER})],
)
def test_pages_link_one_stylesheet_and_carry_no_inline_code(
    client: TestClient, path: str, headers: dict[str, str]
) -> None:
    page = client.get(path, headers=headers)
    assert page.headers["content-type"].startswith("text/html")
    assert not re.search(r"<style|<script|<[^>]*\s(?:style|on\w+)=", page.text)
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)">', page.text)
    assert len(stylesheets) == 1
    css = client.get(urljoin(f"http://testserver{path}", stylesheets[0]))
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert "font:" in css.text


def test_the_stylesheet_is_found_under_a_gateway_prefix(settings: ApiSettings) -> None:
    with TestClient(create_app(settings), root_path="/connects") as client:
        page = client.get("/connects/doc/outcome/hostile.html")
        href = re.findall(r'<link rel="stylesheet" href="([^"]+)">', page.text)[0]
        assert urljoin("http://gateway/connects/doc/outcome/hostile.html", href) == (
            "http://gateway/connects/assets/pages.css"
        )
        assert client.get("/connects/assets/pages.css").status_code == 200
