"""Releases: dated dumps of a load whose bytes never change, with checksums, in the catalogue."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, XSD
from typer.testing import CliRunner

from api.settings import ApiSettings
from cli.main import app as cli
from graph.db import Db, open_db
from loaders.pipeline import load_paths
from loaders.report import LoadReport
from ontology import releases
from ontology.export import export_graph
from ontology.formats import RdfFormat
from ontology.releases import directory_in
from tests.helpers import DATA, app_client, graph_env, load, problem

BASE = "http://data.test"
SPDX = "http://spdx.org/rdf/terms#"
SUFFIXES = {"nt", "nq", "ttl", "trig", "jsonld"}
PLAIN = {"Accept-Encoding": "identity"}
runner = CliRunner()


def _release(settings: ApiSettings, *more: str) -> str:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in graph_env(settings).items():
            patch.setenv(name, value)
        result = runner.invoke(cli, ["release", *more])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def served_data(framework: LoadReport, settings: ApiSettings) -> Iterator[LoadReport]:
    """The framework, released once (as `connects release` does); the releases are removed
    afterwards, so other modules' catalogues do not list them."""
    _release(settings)
    yield framework
    shutil.rmtree(directory_in(settings.data_dir), ignore_errors=True)


@pytest.fixture(scope="module")
def listed(client: TestClient, served_data: LoadReport) -> dict[str, Any]:
    response = client.get("/releases")
    assert response.status_code == 200
    [release] = response.json()
    return dict(release)


def test_a_load_is_released_under_its_date_and_id(
    listed: dict[str, Any], served_data: LoadReport
) -> None:
    assert listed["load"] == served_data.load_id
    assert listed["id"] == f"{listed['started_at'][:10]}-{served_data.load_id}"
    assert set(listed["files"]) == SUFFIXES


@pytest.mark.parametrize("suffix", sorted(SUFFIXES))
def test_release_bytes_match_their_checksums(
    client: TestClient, listed: dict[str, Any], suffix: str
) -> None:
    item = listed["files"][suffix]
    plain = client.get(f"/releases/{item['name']}", headers=PLAIN)
    assert plain.status_code == 200
    assert plain.headers["content-type"].split(";")[0] == item["media_type"]
    assert hashlib.sha256(plain.content).hexdigest() == item["sha256"]
    assert plain.headers["etag"] == f'"{item["sha256"]}"'
    assert len(plain.content) == item["bytes"] == int(plain.headers["content-length"])
    stored = client.get(f"/releases/{item['name']}.gz")
    assert stored.headers["content-type"] == "application/gzip"
    assert hashlib.sha256(stored.content).hexdigest() == item["gzip_sha256"]
    assert gzip.decompress(stored.content) == plain.content
    # A client that takes gzip gets the stored bytes, validated as such.
    encoded = client.get(f"/releases/{item['name']}", headers={"Accept-Encoding": "gzip"})
    assert encoded.headers["content-encoding"] == "gzip"
    assert encoded.headers["etag"] == f'"{item["gzip_sha256"]}"'
    assert encoded.content == plain.content


def test_the_checksum_file_is_what_sha256sum_checks(
    client: TestClient, listed: dict[str, Any]
) -> None:
    text = client.get(f"/releases/{listed['id']}.sha256").text
    expected = set()
    for item in listed["files"].values():
        expected |= {
            f"{item['sha256']}  {item['name']}",
            f"{item['gzip_sha256']}  {item['name']}.gz",
        }
    assert set(text.splitlines()) == expected


def test_a_release_is_the_same_bytes_after_a_restart_and_a_second_write(
    client: TestClient, listed: dict[str, Any], settings: ApiSettings
) -> None:
    name = listed["files"]["nq"]["name"]
    before = client.get(f"/releases/{name}", headers=PLAIN).content
    stored = directory_in(settings.data_dir) / listed["id"] / f"{name}.gz"
    written = stored.stat().st_mtime_ns
    _release(settings)  # the same load again: the release stands as it is
    assert stored.stat().st_mtime_ns == written
    with app_client(settings) as restarted:
        again = restarted.get(f"/releases/{name}", headers=PLAIN)
        assert restarted.get("/releases").json() == [listed]
    assert again.content == before
    assert again.headers["etag"] == f'"{listed["files"]["nq"]["sha256"]}"'


def test_a_release_is_cached_for_good_and_revalidates(
    client: TestClient, listed: dict[str, Any]
) -> None:
    path = f"/releases/{listed['files']['ttl']['name']}"
    first = client.get(path, headers=PLAIN)
    assert "immutable" in first.headers["cache-control"]
    assert first.headers["last-modified"]
    etag = first.headers["etag"]
    assert not etag.startswith("W/")  # strong: it names these bytes
    unchanged = client.get(path, headers={**PLAIN, "If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == etag
    since = client.get(path, headers={**PLAIN, "If-Modified-Since": first.headers["last-modified"]})
    assert since.status_code == 304
    head = client.head(path, headers=PLAIN)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == etag
    assert head.headers["content-length"] == first.headers["content-length"]


@pytest.mark.parametrize(
    "path",
    [
        "/releases/2020-01-01-load-nosuch.nt",
        "/releases/nosuch",
        "/releases/.writing-x.nt",
        # Names no file system takes: too long, or with a NUL (once a 500 each).
        f"/releases/{'a' * 300}.nt",
        f"/releases/{'a' * 300}.sha256",
        "/releases/a%00b.nt",
        "/releases/a%00b.sha256",
    ],
)
def test_an_unknown_release_is_a_404(client: TestClient, path: str) -> None:
    problem(client.get(path), 404, "not-found")
    assert client.get("/releases/..%2F..%2Fpassword.nt").status_code == 404


def test_the_catalogue_lists_each_release_file_with_its_checksum(
    client: TestClient, listed: dict[str, Any]
) -> None:
    void = Graph().parse(data=client.get("/.well-known/void").text, format="turtle")
    for item in listed["files"].values():
        url = URIRef(f"{BASE}/releases/{item['name']}")
        distribution = void.value(predicate=DCAT.downloadURL, object=url)
        assert distribution is not None
        assert (URIRef(f"{BASE}/.well-known/void#dataset"), DCAT.distribution, distribution) in void
        checksum = void.value(distribution, URIRef(SPDX + "checksum"))
        value = void.value(checksum, URIRef(SPDX + "checksumValue"))
        assert value == Literal(item["sha256"], datatype=XSD.hexBinary)
        algorithm = void.value(checksum, URIRef(SPDX + "algorithm"))
        assert algorithm == URIRef(SPDX + "checksumAlgorithm_sha256")


# Last: it adds a load, and prunes the module's first release.
def test_a_new_load_is_a_new_release_and_the_old_one_stays(
    client: TestClient, listed: dict[str, Any], settings: ApiSettings
) -> None:
    name = listed["files"]["nt"]["name"]
    before = client.get(f"/releases/{name}", headers=PLAIN).content
    second = load(settings, DATA / "evidence")
    _release(settings)
    ids = [r["id"] for r in client.get("/releases").json()]
    assert ids == [f"{ids[0][:10]}-{second.load_id}", listed["id"]]
    assert client.get(f"/releases/{name}", headers=PLAIN).content == before
    _release(settings, "--keep", "1")  # retention: the older one goes, and its URLs with it
    assert [r["id"] for r in client.get("/releases").json()] == ids[:1]
    problem(client.get(f"/releases/{name}"), 404, "not-found")


def test_a_load_while_writing_leaves_no_release(
    client: TestClient, settings: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = directory_in(settings.data_dir)
    load(settings, DATA / "places")  # a load with no release yet
    before = client.get("/releases").json()
    dumped = export_graph

    async def dump_then_load(db: Db, rdf_format: RdfFormat, *, base_uri: str) -> Any:
        async for chunk in dumped(db, rdf_format, base_uri=base_uri):
            yield chunk
        if rdf_format.name == "ntriples":  # the first format: a real load comes meanwhile
            await load_paths(db, [DATA / "interventions"], base_uri=base_uri)

    monkeypatch.setattr(releases, "export_graph", dump_then_load)

    async def write() -> None:
        async with open_db(settings) as db:
            await releases.write_release(db, directory, base_uri=settings.public_base_uri)

    with pytest.raises(releases.GraphMoved):
        asyncio.run(write())
    assert client.get("/releases").json() == before
    assert [p.name for p in directory.iterdir()] == [r["id"] for r in before]  # nothing half-made
