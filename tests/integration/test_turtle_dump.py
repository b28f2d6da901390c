"""The streamed Turtle dump, written as text, is the N-Triples dump's graph: read by rdflib and
by rapper alike, with awkward literals, prefixed names that need escapes and IRIs in our
namespaces that cannot be prefixed names at all."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest
from neo4j import Driver
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from api.settings import ApiSettings
from graph.db import open_db
from ontology.export import export_graph
from ontology.formats import by_name
from tests.helpers import DATA, clear, load, without_dump_record

CG = "https://w3id.org/connects-graph/def#"
NAME = 'The "quoted" name \\ with a backslash, café, 東京 and 🚲'
DESCRIPTION = 'Line one\nline two\r\n\ttabbed, """triple quotes""" and a \'single\' one'
ALT_NAME = "ünïcödé · ‿ alt"
URLS = {
    f"{CG}see(this)": "cg:see\\(this\\)",  # escaped in a local name
    f"{CG}see(this).": f"<{CG}see(this).>",  # a final '.', which rdflib cannot read escaped
    "http://www.w3.org/ns/prov#": "prov:",  # the namespace itself: an empty local name
    f"{CG}-lead/2024?x=1&y=2": "cg:\\-lead\\/2024\\?x\\=1\\&y\\=2",
    f"{CG}a×b": f"<{CG}a×b>",  # × is no name character: the IRI in full
}
# Node IRIs written in full, and as prefixed names in a namespace we reuse (every '/' escaped).
BASES = ["http://data.test", "http://purl.org/dc/terms"]


def _awkward_yaml(folder: Path) -> Path:
    lines = ["nodes:"]
    for number, url in enumerate(URLS):
        lines += [
            f"  - id: awkward-{number}",
            "    kind: Resource",
            f"    name: {_yaml_string(f'{NAME} {number}')}",
            f"    description: {_yaml_string(DESCRIPTION)}",
            "    source: Further reading",
            "    resource_type: report",
            f"    url: {_yaml_string(url)}",
            f"    alt_names: [{_yaml_string(ALT_NAME)}]",
        ]
    path = folder / "awkward.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _yaml_string(text: str) -> str:
    # A double-quoted YAML scalar: JSON's escapes are YAML's.
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'


@pytest.fixture(scope="module")
def graph(
    settings: ApiSettings, sync_driver: Driver, tmp_path_factory: pytest.TempPathFactory
) -> None:
    clear(sync_driver, settings)
    report = load(settings, DATA, _awkward_yaml(tmp_path_factory.mktemp("awkward")))
    assert report.ok, report.issues


def _dump(settings: ApiSettings, name: str, base: str) -> bytes:
    chosen = by_name(name)
    assert chosen is not None

    async def run() -> bytes:
        async with open_db(settings) as db:
            return b"".join([c async for c in export_graph(db, chosen, base_uri=base)])

    return asyncio.run(run())


@pytest.fixture(scope="module", params=BASES)
def dumps(request: pytest.FixtureRequest, graph: None, settings: ApiSettings) -> dict[str, bytes]:
    return {name: _dump(settings, name, request.param) for name in ("ntriples", "turtle")}


def _graph(data: bytes, rdf_format: str) -> Graph:
    return without_dump_record(Graph().parse(data=data, format=rdf_format))


def test_rdflib_reads_the_turtle_as_the_ntriples_graph(dumps: dict[str, bytes]) -> None:
    expected = _graph(dumps["ntriples"], "nt")
    turtle = _graph(dumps["turtle"], "turtle")
    assert len(turtle) == len(expected) > 1000
    assert isomorphic(turtle, expected)
    # The awkward values are there, and read back as they were written.
    assert Literal(f"{NAME} 0", lang="en") in set(turtle.objects())
    assert Literal(DESCRIPTION, lang="en") in set(turtle.objects())
    assert Literal(ALT_NAME, lang="en") in set(turtle.objects())
    assert {URIRef(url) for url in URLS} <= set(turtle.objects())


def test_rapper_reads_the_turtle_as_the_ntriples_graph(dumps: dict[str, bytes]) -> None:
    rapper = shutil.which("rapper")
    if rapper is None:
        pytest.fail("rapper is missing: apt-get install raptor2-utils (.ci/run does)")
    done = subprocess.run(  # noqa: S603 - a fixed tool on our own output
        [rapper, "-q", "-i", "turtle", "-o", "ntriples", "-", "http://base.test/"],
        input=dumps["turtle"],
        capture_output=True,
        check=True,
    )
    assert isomorphic(_graph(done.stdout, "nt"), _graph(dumps["ntriples"], "nt"))


def test_the_awkward_iris_are_written_as_the_cases_they_are(dumps: dict[str, bytes]) -> None:
    turtle = dumps["turtle"].decode()
    for written in URLS.values():
        assert f"rdf-schema#seeAlso> {written} " in turtle
