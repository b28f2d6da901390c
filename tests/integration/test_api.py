"""Every endpoint over HTTP against the real engine, including the error shape."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from pydantic import SecretStr

from api.main import create_app
from api.settings import ApiSettings
from loaders.report import LoadReport
from tests.helpers import STRATEGY_NODES, free_port

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response: object, status: int) -> dict[str, object]:
    from httpx2 import Response

    assert isinstance(response, Response)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == status
    return body


def test_health_and_ready(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready").json()
    assert ready == {"status": "ready", "engine": "arcadedb", "nodes": STRATEGY_NODES}


def test_kinds_count_every_kind(client: TestClient) -> None:
    counts = {k["kind"]: k["count"] for k in client.get("/kinds").json()}
    assert counts["Outcome"] == 12
    assert counts["PolicyTheme"] == 5
    assert counts["ResearchInstitute"] == 3
    assert sum(counts.values()) == STRATEGY_NODES


def test_list_pages_through_a_kind(client: TestClient) -> None:
    first = client.get("/nodes", params={"kind": "Outcome", "limit": 5}).json()
    rest = client.get("/nodes", params={"kind": "Outcome", "limit": 50, "offset": 5}).json()
    assert first["total"] == rest["total"] == 12
    names = [n["name"] for n in first["items"] + rest["items"]]
    assert names[:3] == ["Connectivity", "Data", "Democracy"]
    assert len(set(names)) == 12


def test_list_filters_by_name_text(client: TestClient) -> None:
    page = client.get("/nodes", params={"kind": "ResearchInstitute", "q": "institute for"}).json()
    assert [n["id"] for n in page["items"]] == ["icc"]
    assert page["total"] == 1


def test_limit_is_capped_by_the_server(client: TestClient, settings: ApiSettings) -> None:
    page = client.get("/nodes", params={"kind": "KeyOpportunity", "limit": 100_000}).json()
    assert page["limit"] == settings.max_page_size


def test_detail_has_properties_and_named_links(client: TestClient) -> None:
    body = client.get("/nodes/igpp").json()
    assert body["kind"] == "ResearchInstitute"
    assert body["properties"]["name"] == "Institute of Government and Public Policy"
    assert "checksum" not in body["properties"]
    unit_of = [link for link in body["links"] if link["type"] == "UNIT_OF"]
    assert unit_of == [
        {
            "type": "UNIT_OF",
            "direction": "out",
            "node": {
                "id": "university-of-east-london",
                "kind": "Organisation",
                "name": "University of East London",
                "description": None,
                "notation": None,
            },
        }
    ]
    assert body["links_total"] == len(body["links"])


def test_links_are_seen_from_both_ends(client: TestClient) -> None:
    body = client.get("/nodes/university-of-east-london").json()
    incoming = {link["node"]["id"] for link in body["links"] if link["type"] == "UNIT_OF"}
    assert incoming == {"igpp", "sri", "icc"}
    assert all(link["direction"] == "in" for link in body["links"] if link["type"] == "UNIT_OF")


def test_neighbourhood_has_every_edge_among_its_nodes(
    client: TestClient, sync_driver: Driver, settings: ApiSettings
) -> None:
    body = client.get("/graph/neighbourhood/university-of-east-london").json()
    ids = [n["data"]["id"] for n in body["nodes"]]
    records, _, _ = sync_driver.execute_query(
        "MATCH (a:Entity)-[r]->(b:Entity) WHERE a.id IN $ids AND b.id IN $ids "
        "RETURN a.id AS a, type(r) AS t, b.id AS b",
        {"ids": ids},
        database_=settings.database,
    )
    expected = {(r["a"], r["t"], r["b"]) for r in records}
    returned = {
        (e["data"]["source"], e["data"]["type"], e["data"]["target"]) for e in body["edges"]
    }
    assert returned == expected
    assert ("igpp", "PARTNER_OF", "socitm") in returned  # between two nodes of the last hop


def test_neighbourhood_is_cytoscape_elements(client: TestClient) -> None:
    one = client.get("/graph/neighbourhood/university-of-east-london").json()
    ids = {n["data"]["id"] for n in one["nodes"]}
    assert {"university-of-east-london", "igpp", "sri", "icc"} <= ids
    for edge in one["edges"]:
        assert edge["data"]["source"] in ids
        assert edge["data"]["target"] in ids
    two = client.get("/graph/neighbourhood/university-of-east-london", params={"depth": 2}).json()
    two_ids = {n["data"]["id"] for n in two["nodes"]}
    # IGPP's focus areas are two hops from UEL.
    assert "focus-housing" in two_ids - ids
    assert not two["truncated"]


def test_neighbourhood_is_bounded(client: TestClient) -> None:
    body = client.get("/graph/neighbourhood/socitm", params={"depth": 3, "limit": 10}).json()
    assert len(body["nodes"]) == 10
    assert body["truncated"] is True


def test_search_finds_by_name_and_description(client: TestClient) -> None:
    hits = client.get("/search", params={"q": "Cyber Technical", "mode": "keyword"}).json()
    assert hits[0]["node"]["id"] == "c-tag"
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_search_needs_every_word_in_any_order(client: TestClient) -> None:
    hits = client.get("/search", params={"q": "technical cyber", "mode": "keyword"}).json()
    assert "c-tag" in [h["node"]["id"] for h in hits]
    assert client.get("/search", params={"q": "cyber zzzz", "mode": "keyword"}).json() == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Cyber OR Technical", "c-tag"),
        ('"cyber" technical', "c-tag"),
        ("recover from Covid-19", "theme-regeneration"),
        ("longer-term", "theme-regeneration"),
        ("(Covid) [19]", "theme-regeneration"),
    ],
)
def test_search_reads_words_as_the_full_text_index_does(
    client: TestClient, text: str, found: str
) -> None:
    response = client.get("/search", params={"q": text, "mode": "keyword"})
    assert response.status_code == 200, response.text
    assert found in [h["node"]["id"] for h in response.json()]


@pytest.mark.parametrize("text", ["OR", "AND NOT", "!!!", '""'])
def test_search_for_no_words_finds_nothing(client: TestClient, text: str) -> None:
    response = client.get("/search", params={"q": text, "mode": "keyword"})
    assert (response.status_code, response.json()) == (200, [])


def test_loads_lists_provenance(client: TestClient, framework: LoadReport) -> None:
    loads = client.get("/loads").json()
    assert loads[0]["id"] == framework.load_id
    assert loads[0]["properties"]["nodes_created"] == STRATEGY_NODES


@pytest.mark.parametrize(
    ("path", "status", "location"),
    [
        ("/nodes/nosuch", 404, None),
        ("/nodes/Bad%20Id", 422, "path.node_id"),
        ("/nodes?kind=Bogus", 422, "query.kind"),
        ("/nodes", 422, "query.kind"),
        ("/nodes?kind=Outcome&limit=0", 422, "query.limit"),
        ("/graph/neighbourhood/igpp?depth=4", 422, "query.depth"),
        ("/graph/neighbourhood/nosuch", 404, None),
        ("/search", 422, "query.q"),
        ("/search?q=%20%20", 422, "query.q"),
        ("/loads?offset=99999999999999999999", 422, "query.offset"),
        ("/no/such/route", 404, None),
        ("/export?format=csv", 422, "query.format"),
    ],
)
def test_errors_share_one_shape(
    client: TestClient, path: str, status: int, location: str | None
) -> None:
    body = assert_problem(client.get(path), status)
    if location is not None:
        assert location in [e["location"] for e in body["errors"]]  # type: ignore[attr-defined]


def test_no_acceptable_format_is_406(client: TestClient) -> None:
    assert_problem(client.get("/export", headers={"Accept": "text/html"}), 406)


def test_a_huge_path_is_not_echoed_in_full(client: TestClient) -> None:
    body = assert_problem(client.get("/nodes/" + "a" * 20_000), 422)
    assert len(str(body["instance"])) <= 512


def test_wrong_method_is_a_problem_too(client: TestClient) -> None:
    assert_problem(client.post("/nodes/igpp"), 405)


def test_openapi_documents_examples_and_problems(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    detail = spec["paths"]["/nodes/{node_id}"]["get"]
    assert "application/problem+json" in detail["responses"]["404"]["content"]
    examples = detail["parameters"][0]["examples"]
    assert examples["outcome"]["value"] == "inclusion"
    assert client.get("/docs").status_code == 200


def test_unreachable_graph_gives_503_quickly(settings: ApiSettings) -> None:
    down = settings.model_copy(
        update={
            "uri": f"bolt://127.0.0.1:{free_port()}",
            "password": SecretStr("x"),
            "connect_timeout": 1.0,
        }
    )
    with TestClient(create_app(down)) as down_client:
        assert down_client.get("/health").status_code == 200
        started = time.monotonic()
        body = assert_problem(down_client.get("/ready"), 503)
        assert time.monotonic() - started < 5
        assert body["type"] == "/problems/graph-unavailable"
        assert_problem(down_client.get("/nodes/igpp"), 503)
        assert_problem(down_client.get("/export"), 503)


@pytest.mark.parametrize("path", ["/health", "/nodes/nosuch", "/export?format=nt", "/docs"])
def test_security_headers_on_every_response(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_cors_only_for_configured_origins(settings: ApiSettings, framework: LoadReport) -> None:
    allowed = settings.model_copy(update={"cors_origins": ["https://app.example"]})
    with TestClient(create_app(allowed)) as cors_client:
        ok = cors_client.get("/health", headers={"Origin": "https://app.example"})
        other = cors_client.get("/health", headers={"Origin": "https://evil.example"})
        preflight = cors_client.options(
            "/contributions",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "Authorization",
            },
        )
    assert ok.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-origin" not in other.headers
    assert preflight.status_code == 200
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()


def test_rate_limit_is_429_with_retry_after(settings: ApiSettings, framework: LoadReport) -> None:
    limited = settings.model_copy(update={"rate_limit_per_minute": 1, "rate_limit_burst": 2})
    with TestClient(create_app(limited)) as limited_client:
        assert [limited_client.get("/kinds").status_code for _ in range(2)] == [200, 200]
        refused = limited_client.get("/kinds")
        assert limited_client.get("/health").status_code == 200  # never limited
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["type"] == "/problems/rate-limited"


def test_any_oversized_body_is_413_before_parsing(
    settings: ApiSettings, framework: LoadReport
) -> None:
    small = settings.model_copy(update={"max_upload_bytes": 1000})
    with TestClient(create_app(small)) as limited:
        declared = limited.post(
            "/cypher",
            content=b"{" + b" " * 5000 + b"}",
            headers={"Content-Type": "application/json"},
        )

        def chunks() -> Iterator[bytes]:
            yield b'{"query": "'
            yield b"x" * 5000
            yield b'"}'

        streamed = limited.post(
            "/cypher", content=chunks(), headers={"Content-Type": "application/json"}
        )
    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.json()["type"] == "/problems/too-large"


def test_access_log_is_json_without_secrets(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    import json

    from api.logs import JsonFormatter

    token = "cgk_abc123_" + "ThisIsTheSecretPart"  # a made-up key
    with caplog.at_level("INFO", logger="connects.access"):
        client.get("/search?q=private", headers={"Authorization": f"Bearer {token}"})
    [record] = [r for r in caplog.records if r.name == "connects.access"]
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["path"] == "/search"
    assert entry["status"] == 200
    assert entry["key"] is None  # an unchecked token's id is whatever its sender made up
    assert "abc123" not in line
    assert "ThisIsTheSecretPart" not in line
    assert "private" not in line
