"""Contribution bodies that once took the service down: entity bombs, huge literals, clients
that leave part-way."""

from __future__ import annotations

import json
import resource
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from api.settings import ApiSettings
from graph.keys import Scope
from ontology import jsonld
from tests.helpers import CONTRIBUTION, app_client, fingerprint, make_key, problem

pytestmark = pytest.mark.usefixtures("linkable_graph")


@pytest.fixture(scope="module")
def served_data() -> None:
    """Nothing for the module: each test loads its own graph (`linkable_graph`)."""


def _post(client: TestClient, key: str, body: bytes, media_type: str, **params: str) -> Any:
    headers = {"Content-Type": media_type, "Authorization": f"Bearer {key}"}
    return client.post("/contributions", params=params, content=body, headers=headers)


def _entity_bomb(levels: int) -> bytes:
    """Nested entities: `levels` of them expand to 10**levels characters."""
    entities = '<!ENTITY e0 "aaaaaaaaaa">\n' + "".join(
        f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">\n' for i in range(1, levels)
    )
    return f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
{entities}]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:skos="http://www.w3.org/2004/02/skos/core#">
  <rdf:Description rdf:about="http://data.test/id/case-study/bomb">
    <skos:prefLabel>&e{levels - 1};</skos:prefLabel>
  </rdf:Description>
</rdf:RDF>""".encode()


def _peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # kB on Linux


def test_an_entity_bomb_is_refused_before_it_expands(
    client: TestClient, empty_graph: Driver, settings: ApiSettings
) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    before = fingerprint(empty_graph, settings)
    bomb = _entity_bomb(8)  # 100 million characters once expanded, from under a kilobyte
    assert len(bomb) < 1_000
    peak = _peak_mb()
    response = _post(client, key, bomb, "application/rdf+xml", dry_run="true")
    body = problem(response, 422, "invalid-contribution")
    assert "DOCTYPE or ENTITY" in body["errors"][0]["message"]
    assert body["errors"][0]["line"] == 2
    assert _peak_mb() - peak < 50  # expanding it would take hundreds of megabytes
    assert fingerprint(empty_graph, settings) == before


def test_an_internal_subset_without_entities_is_refused_too(
    client: TestClient, settings: ApiSettings
) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    body = b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "file:///etc/passwd">\n<rdf:RDF/>'
    response = _post(client, key, body, "application/rdf+xml")
    assert "DOCTYPE" in problem(response, 422, "invalid-contribution")["errors"][0]["message"]


def test_a_body_that_is_not_utf8_is_refused(client: TestClient, settings: ApiSettings) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    body = CONTRIBUTION.replace("A partner's study", "Caf\u00e9").encode("latin-1")
    response = _post(client, key, body, "text/turtle")
    assert "UTF-8" in problem(response, 422, "invalid-contribution")["errors"][0]["message"]


def test_a_huge_literal_is_refused_naming_its_subject_and_predicate(
    client: TestClient, empty_graph: Driver, settings: ApiSettings
) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    before = fingerprint(empty_graph, settings)
    huge = CONTRIBUTION.replace("What the partner's study found.", "x" * 3_000_000)
    response = _post(client, key, huge.encode(), "text/turtle", dry_run="true")
    [error] = problem(response, 422, "invalid-contribution")["errors"]
    assert error["location"] == "<http://data.test/id/case-study/partner-study> dcterms:description"
    assert "3,000,000 characters" in error["message"]
    assert f"{settings.max_literal_chars:,}" in error["message"]
    assert fingerprint(empty_graph, settings) == before


def test_the_literal_cap_is_a_setting(settings: ApiSettings) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    with app_client(settings, max_literal_chars=10) as small:
        response = _post(small, key, CONTRIBUTION.encode(), "text/turtle", dry_run="true")
    assert "at most 10 are accepted" in response.text


def test_a_client_that_leaves_gets_nothing_written(
    client: TestClient, empty_graph: Driver, settings: ApiSettings
) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    before = fingerprint(empty_graph, settings)
    body = CONTRIBUTION.encode()
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": body, "more_body": False},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if len(messages) > 1 else messages[0]

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/contributions",
        "raw_path": b"/contributions",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"text/turtle"),
            (b"content-length", str(len(body)).encode()),
            (b"authorization", f"Bearer {key}".encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    app: Any = client.app
    assert client.portal is not None  # the client is running its app (a context manager)
    client.portal.call(app, scope, receive, send)
    assert sent[0]["status"] == 499
    assert fingerprint(empty_graph, settings) == before


def test_our_own_context_is_accepted_by_its_url_without_fetching_it(
    client: TestClient, settings: ApiSettings
) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    triples = list(ox.parse(CONTRIBUTION, format=ox.RdfFormat.TURTLE))
    body = json.loads(
        jsonld.document([ox.Triple(t.subject, t.predicate, t.object) for t in triples])
    )
    body["@context"] = "http://data.test/context.jsonld"
    response = _post(client, key, json.dumps(body).encode(), "application/ld+json", dry_run="true")
    assert response.status_code == 200, response.text
    assert response.json()["counts"]["nodes_created"] == 2
    body["@context"] = "http://data.test.example.org/context.jsonld"  # anyone else's: refused
    response = _post(client, key, json.dumps(body).encode(), "application/ld+json")
    problem(response, 422, "invalid-contribution")
