"""Search by meaning and hybrid search, on the real engine over the bundled data: the load's
embedding stage, the vector index, `GET /search?mode=`, similar case studies."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from api.settings import ApiSettings
from graph import engine
from graph.db import open_db
from graph.dialect import search_words
from graph.embedder import DIMENSIONS, default_embedder
from graph.engine_schema import command
from graph.queries import export as export_q
from graph.queries import nodes as nodes_q
from graph.queries import versions as versions_q
from graph.semantic import embed_pending
from loaders.report import LoadReport
from tests.helpers import DATA, load, problem

EMBEDDED = ("CaseStudy", "Intervention", "Outcome", "Resource")
OLDER_ONLINE = "helping older people get online"


@pytest.fixture(scope="module")
def served_data(everything: LoadReport) -> LoadReport:
    return everything


def _rows(driver: Driver, settings: ApiSettings, statement: str, **params: Any) -> list[Any]:
    records, _, _ = driver.execute_query(statement, params, database_=settings.database)
    return [r.data() for r in records]


def _search(client: TestClient, text: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/search", params={"q": text, **params})
    assert response.status_code == 200, response.text
    hits: list[dict[str, Any]] = response.json()
    return hits


def _ids(hits: list[dict[str, Any]]) -> list[str]:
    return [h["node"]["id"] for h in hits]


# The load's embedding stage.


def test_the_load_embeds_every_node_of_the_four_kinds_as_a_384_unit_vector(
    client: TestClient, sync_driver: Driver, settings: ApiSettings, served_data: LoadReport
) -> None:
    rows = _rows(
        sync_driver,
        settings,
        "MATCH (n:Entity) RETURN labels(n) AS labels, n.embedding AS e, n.embedding_sha256 AS h",
    )
    embedded = [r for r in rows if any(kind in r["labels"] for kind in EMBEDDED)]
    assert len(embedded) == served_data.embedded > 150
    for row in embedded:
        assert len(row["e"]) == DIMENSIONS
        assert math.isclose(math.fsum(x * x for x in row["e"]), 1.0, rel_tol=1e-4)
        assert len(row["h"]) == 64
    others = [r for r in rows if not any(kind in r["labels"] for kind in EMBEDDED)]
    assert others
    assert all(r["e"] is None for r in others)


def test_a_reload_computes_nothing_and_the_embeddings_are_not_shown_as_facts(
    client: TestClient, sync_driver: Driver, settings: ApiSettings
) -> None:
    assert load(settings, DATA).embedded == 0
    detail = client.get("/nodes/leeds-100-percent-digital").json()
    assert "embedding" not in detail["properties"]
    assert "embedding_sha256" not in detail["properties"]


@pytest.mark.parametrize(
    ("statement", "params"),
    [
        (export_q.EXPORT_NODES, {"ids": ["leeds-100-percent-digital"]}),
        (nodes_q.NODE_DETAIL_BOUNDED, {"id": "leeds-100-percent-digital", "scan": 51}),
        (nodes_q.NODE_DETAIL, {"id": "leeds-100-percent-digital", "link_limit": 50}),
        (versions_q.CURRENT_STATE, {"ids": ["leeds-100-percent-digital"]}),
    ],
    ids=["export", "node detail", "node detail, every link", "a version kept"],
)
def test_dumps_and_node_pages_leave_the_embedding_in_the_graph(
    client: TestClient, sync_driver: Driver, settings: ApiSettings, statement: str, params: Any
) -> None:
    # The node has its 384 floats; the reads that drop them anyway never fetch them.
    stored = _rows(
        sync_driver,
        settings,
        "MATCH (n:Entity {id: 'leeds-100-percent-digital'}) RETURN n.embedding AS e",
    )
    assert len(stored[0]["e"]) == DIMENSIONS
    (row,) = _rows(sync_driver, settings, statement, **params)
    assert row["props"]["id"] == "leeds-100-percent-digital"
    assert row["props"]["name"]
    assert row["props"].get("embedding") is None


def test_the_graph_as_of_a_date_reads_no_embedding(
    client: TestClient, sync_driver: Driver, settings: ApiSettings
) -> None:
    [row] = _rows(sync_driver, settings, versions_q.ALL_CURRENT)
    [leeds] = [r for r in row["rows"] if r[0] == "leeds-100-percent-digital"]
    assert leeds[2]["name"]
    assert leeds[2].get("embedding") is None


def test_a_node_left_without_its_embedding_gets_it_from_the_cache(
    sync_driver: Driver, settings: ApiSettings
) -> None:
    _rows(
        sync_driver,
        settings,
        "MATCH (n:Entity {id: 'leeds-100-percent-digital'}) REMOVE n.embedding, n.embedding_sha256",
    )

    async def run() -> tuple[int, int]:
        model = default_embedder()
        before = model.computed
        async with open_db(settings) as db:
            counts = await embed_pending(db, model)
        return counts.written, model.computed - before

    assert asyncio.run(run()) == (1, 0)


@pytest.mark.embedded_only(reason="the embedded engine's own DDL")
def test_the_engine_has_the_vector_index_on_entity(settings: ApiSettings) -> None:
    server = f"http://{engine.LOOPBACK}:{settings.http_port}"
    admin = (engine.ROOT_USER, engine.root_password(settings))
    found = command(
        server, settings, admin, "SELECT FROM schema:indexes WHERE name = 'Entity[embedding]'"
    )
    assert [(i["typeName"], i["properties"]) for i in found] == [("Entity", [["embedding"]])]


# Search.


def test_hybrid_finds_case_studies_on_helping_older_people_online_that_keyword_misses(
    client: TestClient,
) -> None:
    keyword = _search(client, OLDER_ONLINE, mode="keyword", kind="CaseStudy")
    hybrid = _search(client, OLDER_ONLINE, kind="CaseStudy", limit=10)
    expected = {"get-digital-sheltered-housing-2011", "go-digital-newcastle-2014"}
    assert keyword == []
    assert expected <= set(_ids(hybrid))
    # They never say it that way: neither study says "online" or "helping", and Newcastle's
    # says neither "older" nor "get" either.
    for hit in hybrid:
        if hit["node"]["id"] in expected:
            words = search_words(hit["node"]["name"] + " " + hit["node"]["description"])
            assert not any(w.startswith(("online", "helping")) for w in words)
            assert hit["matched"] == ["semantic"]
            assert hit["keyword_terms"] == []
            assert 0.25 <= hit["similarity"] <= 1
    newcastle = next(h for h in hybrid if h["node"]["id"] == "go-digital-newcastle-2014")
    words = search_words(newcastle["node"]["name"] + " " + newcastle["node"]["description"])
    assert not any(w.startswith(("older", "get")) for w in words)


def test_hybrid_is_the_default_and_each_hit_says_why_it_matched(client: TestClient) -> None:
    hits = _search(client, "ransomware", limit=10)
    assert hits == _search(client, "ransomware", limit=10, mode="hybrid")
    both = [h for h in hits if h["matched"] == ["keyword", "semantic"]]
    words_only = [h for h in hits if h["matched"] == ["keyword"]]
    meaning_only = [h for h in hits if h["matched"] == ["semantic"]]
    assert both
    assert words_only or meaning_only
    for hit in both + words_only:
        assert hit["keyword_terms"] == ["ransomware"]
    for hit in both + meaning_only:
        assert -1 <= hit["similarity"] <= 1
    for hit in words_only:
        assert hit["similarity"] is None
    # Reciprocal rank fusion: a node both rankings found comes before one only one found.
    assert _ids(hits)[0] in _ids(both)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_keyword_mode_is_the_full_text_search_and_semantic_mode_the_vector_index(
    client: TestClient,
) -> None:
    keyword = _search(client, "ransomware", mode="keyword", limit=50)
    assert all(h["matched"] == ["keyword"] for h in keyword)
    assert len(keyword) > 5
    assert all(h["keyword_terms"] == ["ransomware"] and h["similarity"] is None for h in keyword)
    semantic = _search(client, "ransomware", mode="semantic", limit=50)
    assert all(h["matched"] == ["semantic"] for h in semantic)
    assert {h["node"]["kind"] for h in semantic} <= set(EMBEDDED)
    assert [h["score"] for h in semantic] == [h["similarity"] for h in semantic]


def test_a_kind_filter_applies_to_search_by_meaning(client: TestClient) -> None:
    hits = _search(client, OLDER_ONLINE, mode="semantic", kind="Intervention", limit=5)
    assert len(hits) == 5
    assert {h["node"]["kind"] for h in hits} == {"Intervention"}


def test_text_unlike_anything_finds_nothing_by_meaning(client: TestClient) -> None:
    assert _search(client, "zxqv wplk", mode="semantic") == []


@pytest.mark.parametrize(
    ("params", "location"),
    [
        ({"q": "x", "mode": "fuzzy"}, "query.mode"),
        ({"q": "x", "limit": 0}, "query.limit"),
        ({"q": "x", "limit": "many"}, "query.limit"),
        ({"q": " "}, "query.q"),
    ],
)
def test_a_bad_mode_or_limit_is_refused_where_it_is(
    client: TestClient, params: dict[str, Any], location: str
) -> None:
    body = problem(client.get("/search", params=params), 422, "invalid")
    assert [e["location"] for e in body["errors"]] == [location]


# Similar case studies.


def test_similar_case_studies_exclude_the_study_itself(client: TestClient) -> None:
    response = client.get("/nodes/leeds-100-percent-digital/similar", params={"limit": 5})
    assert response.status_code == 200, response.text
    hits = response.json()
    assert len(hits) == 5
    assert "leeds-100-percent-digital" not in _ids(hits)
    assert {h["node"]["kind"] for h in hits} == {"CaseStudy"}
    # Digital inclusion partnerships elsewhere are what a reader of Leeds's would want next.
    assert {"gmca-digital-inclusion-2023", "go-digital-newcastle-2014"} & set(_ids(hits))
    assert [h["similarity"] for h in hits] == sorted((h["similarity"] for h in hits), reverse=True)


def test_similar_case_studies_of_an_intervention_and_of_a_node_without_an_embedding(
    client: TestClient,
) -> None:
    hits = client.get("/nodes/community-digital-hubs/similar").json()
    assert hits
    assert {h["node"]["kind"] for h in hits} == {"CaseStudy"}
    assert client.get("/nodes/london/similar").json() == []


def test_similar_for_an_unknown_node_or_a_bad_limit_is_refused(client: TestClient) -> None:
    problem(client.get("/nodes/no-such-node/similar"), 404, "not-found")
    body = problem(client.get("/nodes/leeds-100-percent-digital/similar?limit=51"), 422, "invalid")
    assert [e["location"] for e in body["errors"]] == ["query.limit"]


def test_a_case_study_page_lists_similar_case_studies(client: TestClient) -> None:
    page = client.get("/doc/case-study/leeds-100-percent-digital", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "Similar case studies" in page.text
    similar = client.get("/nodes/leeds-100-percent-digital/similar").json()
    for hit in similar:
        assert f'/id/case-study/{hit["node"]["id"]}"' in page.text
