"""/docs works offline: Swagger UI is served by the API itself, nothing comes from elsewhere."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from ontology.formats import DUMP_FORMATS

CONTENT_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".ico": "image/svg+xml",
    ".json": "application/json",
}


JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def test_the_docs_page_references_only_its_own_files(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    text = JSON_LD.sub("", page.text)  # data about the dataset, which names its URLs
    assert not re.search(r"https?://", text)
    referenced = re.findall(r"""(?:src|href)=["']([^"']+)["']""", text)
    # Swagger UI's script and stylesheet, the script that starts it, the icon and the spec
    assert len(referenced) == 5
    for url in referenced:
        asset = client.get(url)
        assert asset.status_code == 200, url
        suffix = url[url.rindex(".") :]
        assert asset.headers["content-type"].split(";")[0] == CONTENT_TYPES[suffix], url
        assert asset.content


def test_the_docs_page_loads_the_spec_from_here(client: TestClient) -> None:
    page = client.get("/docs").text
    assert 'data-openapi-url="/openapi.json"' in page
    assert client.get("/openapi.json").json()["paths"]


def test_the_docs_page_needs_no_inline_script_and_nothing_remote(client: TestClient) -> None:
    page = client.get("/docs")
    assert "<script>" not in page.text
    policy = dict(
        part.strip().split(" ", 1) for part in page.headers["content-security-policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert "https:" not in page.headers["content-security-policy"]


def test_redoc_is_not_offered(client: TestClient) -> None:
    # It would need a second vendored library; one docs page is enough.
    assert client.get("/redoc").status_code == 404
    assert client.get("/docs/oauth2-redirect").status_code == 404


def test_the_docs_page_describes_the_dataset_for_search_engines(client: TestClient) -> None:
    """schema.org `Dataset` JSON-LD in the head of the dataset's landing page."""
    page = client.get("/docs").text
    (found,) = JSON_LD.findall(page)
    assert page.index(found) < page.index("</head>")
    dataset = json.loads(found)
    assert dataset["@context"] == "https://schema.org/"
    assert dataset["@type"] == "Dataset"
    assert dataset["name"] == "Connects Graph"
    assert dataset["description"]
    assert dataset["license"] == (
        "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    )
    downloads = {d["contentUrl"] for d in dataset["distribution"]}
    assert downloads == {f"http://data.test/export?format={f.name}" for f in DUMP_FORMATS}
