"""Caching validators and 304s on dumps, documents, the VoID, the vocabulary and the service
description (api/validators.py), and HEAD on every URL the linked-data engineer named."""

from __future__ import annotations

import gzip
from email.utils import format_datetime, parsedate_to_datetime

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from api.settings import ApiSettings
from tests.helpers import DATA, STRATEGY, clear, load

DATA_URLS = [
    ("/export?format=nt", {}),
    ("/export", {"Accept": "application/ld+json"}),
    ("/doc/outcome/inclusion", {"Accept": "text/turtle"}),
    ("/doc/outcome/inclusion", {"Accept": "text/html"}),
    ("/doc/outcome/inclusion", {"Accept": "application/json"}),
    ("/doc/outcome/inclusion.nt", {}),
    ("/.well-known/void", {"Accept": "text/turtle"}),
]
"""What the graph's data says: weak validators that follow the load version."""
FIXED_URLS = [
    ("/context.jsonld", {}),
    ("/def", {"Accept": "text/turtle"}),
    ("/def", {"Accept": "text/html"}),
    ("/def.ttl", {}),
    ("/def.jsonld", {}),
    ("/shapes.ttl", {}),
    ("/shapes", {"Accept": "application/rdf+xml"}),
    ("/sparql", {"Accept": "text/turtle"}),
]
"""Bytes fixed for the life of the service: strong validators."""
ALL_URLS = DATA_URLS + FIXED_URLS
REPEATED = ("etag", "cache-control", "last-modified", "vary")
"""What a 304 must repeat of the 200 (RFC 9110 15.4.5)."""


@pytest.fixture(scope="module")
def loaded(settings: ApiSettings, sync_driver: Driver) -> None:
    """The bundled framework, loaded by this module (the last test loads again)."""
    clear(sync_driver, settings)
    load(settings, STRATEGY)


@pytest.fixture(scope="module")
def served_data(loaded: None) -> None:
    return loaded


def _tokens(vary: str) -> set[str]:
    return {token.strip().lower() for token in vary.split(",")}


def _id(case: tuple[str, dict[str, str]]) -> str:
    url, headers = case
    return f"{url} {headers.get('Accept', '')}".strip()


@pytest.mark.parametrize("case", ALL_URLS, ids=[_id(c) for c in ALL_URLS])
def test_if_none_match_answers_304_with_the_same_validators(
    client: TestClient, case: tuple[str, dict[str, str]]
) -> None:
    url, headers = case
    first = client.get(url, headers=headers)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public")
    again = client.get(url, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert {h: again.headers.get(h) for h in REPEATED} == {
        h: first.headers.get(h) for h in REPEATED if h != "vary"
    } | {"vary": again.headers["vary"]}
    # The gzip middleware adds Accept-Encoding to a 200 it encodes, again: the same list.
    assert _tokens(again.headers["vary"]) == _tokens(first.headers["vary"])
    head = client.head(url, headers={**headers, "If-None-Match": f'"other", {etag}'})
    assert head.status_code == 304
    assert client.get(url, headers={**headers, "If-None-Match": '"other"'}).status_code == 200
    assert client.get(url, headers={**headers, "If-None-Match": "*"}).status_code == 304


@pytest.mark.parametrize("case", DATA_URLS, ids=[_id(c) for c in DATA_URLS])
def test_data_has_weak_etags_and_the_load_s_time(
    client: TestClient, case: tuple[str, dict[str, str]]
) -> None:
    url, headers = case
    first = client.get(url, headers=headers)
    assert first.headers["etag"].startswith('W/"')
    assert "no-cache" in first.headers["cache-control"]
    modified = first.headers["last-modified"]
    since = client.get(url, headers={**headers, "If-Modified-Since": modified})
    assert since.status_code == 304
    assert since.headers["etag"] == first.headers["etag"]
    earlier = format_datetime(parsedate_to_datetime(modified).replace(year=2000), usegmt=True)
    assert client.get(url, headers={**headers, "If-Modified-Since": earlier}).status_code == 200
    bad = client.get(url, headers={**headers, "If-Modified-Since": "yesterday"})
    assert bad.status_code == 200  # an invalid date is ignored
    # If-None-Match decides when both are sent (RFC 9110 13.2.2).
    both = {**headers, "If-None-Match": '"other"', "If-Modified-Since": modified}
    assert client.get(url, headers=both).status_code == 200


@pytest.mark.parametrize("case", FIXED_URLS, ids=[_id(c) for c in FIXED_URLS])
def test_fixed_documents_have_strong_etags_per_coding(
    client: TestClient, case: tuple[str, dict[str, str]]
) -> None:
    url, headers = case
    plain = client.get(url, headers={**headers, "Accept-Encoding": "identity"})
    assert not plain.headers["etag"].startswith("W/")
    assert "content-encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["vary"]
    if len(plain.content) < 1024:
        return
    zipped = client.get(url, headers={**headers, "Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content  # httpx decodes it
    assert not zipped.headers["etag"].startswith("W/")
    # A strong validator names one byte sequence: the gzip coding has its own.
    assert zipped.headers["etag"] != plain.headers["etag"]
    stale = {**headers, "Accept-Encoding": "gzip", "If-None-Match": plain.headers["etag"]}
    assert client.get(url, headers=stale).status_code == 200


def test_the_gzip_body_is_the_same_every_time(client: TestClient) -> None:
    raw = [
        client.get("/def.ttl", headers={"Accept-Encoding": "gzip"}).headers["etag"]
        for _ in range(2)
    ]
    assert raw[0] == raw[1]
    assert gzip.decompress(gzip.compress(b"x", mtime=0)) == b"x"


def test_each_representation_has_its_own_etag(client: TestClient) -> None:
    etags = {
        client.get("/doc/outcome/inclusion", headers={"Accept": accept}).headers["etag"]
        for accept in ("text/turtle", "application/n-triples", "text/html", "application/json")
    }
    etags |= {
        client.get("/doc/outcome/data.ttl").headers["etag"],
        client.get("/export?format=ttl").headers["etag"],
        client.get("/.well-known/void").headers["etag"],
    }
    assert len(etags) == 7


@pytest.mark.parametrize(
    "url",
    [
        "/id/outcome/inclusion",
        "/doc/outcome/inclusion",
        "/export",
        "/.well-known/void",
        "/sparql",
        "/sparql?query=ASK%7B%7D",
        "/context.jsonld",
        "/def",
        "/def.ttl",
        "/shapes.ttl",
    ],
)
def test_head_works_where_get_does(client: TestClient, url: str) -> None:
    get = client.get(url, follow_redirects=False)
    head = client.head(url, follow_redirects=False)
    assert get.status_code in (200, 303)
    assert head.status_code == get.status_code
    assert head.content == b""


def test_a_load_changes_the_data_validators_and_nothing_else(
    client: TestClient, settings: ApiSettings
) -> None:
    before = {_id(c): client.get(c[0], headers=c[1]).headers for c in ALL_URLS}
    load(settings, DATA / "places")  # a load that adds regions: a new load version
    for case in ALL_URLS:
        url, headers = case
        old = before[_id(case)]
        answer = client.get(url, headers={**headers, "If-None-Match": old["etag"]})
        if case in FIXED_URLS:
            assert answer.status_code == 304, url
        else:
            assert answer.status_code == 200, url
            assert answer.headers["etag"] != old["etag"]
            new, was = (parsedate_to_datetime(h["last-modified"]) for h in (answer.headers, old))
            assert new >= was
