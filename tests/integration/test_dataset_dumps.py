"""N-Quads and TriG: the dump with a named graph per load, so provenance survives in the data."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import PROV

from api.settings import ApiSettings
from graph.db import open_db
from loaders.report import LoadReport
from ontology.export import export_graph
from ontology.formats import dump_by_name
from tests.helpers import CONTRIBUTION, DATA, clear, load, rapper

# rdflib's own Dataset.parse uses what it deprecates (rdflib 7.x); nothing of ours does.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Dataset.default_context is deprecated:DeprecationWarning",
    "ignore:Dataset.identifier is deprecated:DeprecationWarning",
)

BASE = "http://data.test"
DUMP = f"{BASE}/.well-known/void#dump-"


def _dump(settings: ApiSettings, name: str) -> str:
    chosen = dump_by_name(name)
    assert chosen is not None

    async def run() -> bytes:
        async with open_db(settings) as db:
            base = settings.public_base_uri
            return b"".join([c async for c in export_graph(db, chosen, base_uri=base)])

    return asyncio.run(run()).decode()


@pytest.fixture(scope="module")
def loads(
    settings: ApiSettings, sync_driver: Driver, tmp_path_factory: pytest.TempPathFactory
) -> tuple[LoadReport, LoadReport, str]:
    """The bundled data, then a partner's contribution: two loads, and the N-Quads between."""
    clear(sync_driver, settings)
    first = load(settings, DATA)
    before = _dump(settings, "nquads")
    partner = Path(tmp_path_factory.mktemp("partner")) / "partner.ttl"
    partner.write_text(CONTRIBUTION, encoding="utf-8")
    second = load(settings, partner, contributor="lga")
    return first, second, before


@pytest.fixture(scope="module")
def served_data(loads: tuple[LoadReport, LoadReport, str]) -> object:
    return loads


def _load(report: LoadReport) -> URIRef:
    return URIRef(f"{BASE}/id/load/{report.load_id}")


def _dataset(text: str, rdf_format: str) -> Dataset:
    dataset = Dataset()
    dataset.parse(data=text, format=rdf_format)
    return dataset


def _named(dataset: Dataset) -> set[object]:
    return {
        g.identifier
        for g in dataset.graphs()
        if g.identifier != dataset.default_graph.identifier and len(g) > 0
    }


@pytest.mark.parametrize(("name", "parser"), [("nquads", "nquads"), ("trig", "trig")])
def test_each_load_is_a_named_graph(
    client: TestClient, loads: tuple[LoadReport, LoadReport, str], name: str, parser: str
) -> None:
    first, second, before = loads
    response = client.get("/export", params={"format": name})
    assert response.status_code == 200
    dataset = _dataset(response.text, parser)
    assert _named(dataset) == {_load(first), _load(second)}
    assert _named(_dataset(before, "nquads")) == {_load(first)}  # the second load added one


def test_contributed_data_is_in_its_contributors_load_graph(
    client: TestClient, loads: tuple[LoadReport, LoadReport, str]
) -> None:
    _, second, _ = loads
    dataset = _dataset(client.get("/export", params={"format": "nq"}).text, "nquads")
    study = URIRef(f"{BASE}/id/case-study/partner-study")
    graphs = {g for _, _, _, g in dataset.quads((study, None, None, None))}
    assert graphs == {_load(second)}
    # The default graph says who made that graph: the load's own PROV record.
    lga = URIRef(f"{BASE}/id/organisation/lga")
    default = dataset.default_graph
    assert (_load(second), PROV.wasAssociatedWith, lga) in default
    assert (study, None, None) not in default


def test_the_graphs_together_are_the_ntriples_dump(client: TestClient) -> None:
    flat = Graph().parse(data=client.get("/export", params={"format": "nt"}).text, format="nt")
    for name, parser in (("nquads", "nquads"), ("trig", "trig")):
        dataset = _dataset(client.get("/export", params={"format": name}).text, parser)
        union = Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            union.add((s, p, o))
        # Only the dump's record of itself differs: it names its own format.
        mine, theirs = URIRef(DUMP + name), URIRef(DUMP + "ntriples")
        assert {(p, o) for _, p, o in union.triples((mine, None, None))} == {
            (p, o) for _, p, o in flat.triples((theirs, None, None))
        }
        union.remove((mine, None, None))
        assert set(union) == set(flat) - set(flat.triples((theirs, None, None)))


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [("application/n-quads", "application/n-quads"), ("application/trig", "application/trig")],
)
def test_dataset_dumps_are_negotiated(client: TestClient, accept: str, media_type: str) -> None:
    response = client.get("/export", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    suffix = {"application/n-quads": "nq", "application/trig": "trig"}[media_type]
    assert response.headers["content-disposition"].endswith(f'.{suffix}"')


def test_the_dump_record_no_longer_changes_between_requests(
    client: TestClient, loads: tuple[LoadReport, LoadReport, str]
) -> None:
    _, second, _ = loads
    one, two = (client.get("/export", params={"format": "nq"}).content for _ in range(2))
    assert one == two
    dataset = _dataset(one.decode(), "nquads")
    assert (URIRef(DUMP + "nquads"), PROV.wasDerivedFrom, _load(second)) in dataset.default_graph


def test_rapper_reads_nquads_and_trig(client: TestClient) -> None:
    expected = len(Graph().parse(data=client.get("/export?format=nt").text, format="nt"))
    nquads = client.get("/export", params={"format": "nquads"}).text
    assert rapper(nquads, "nquads") == expected
    assert rapper(client.get("/export", params={"format": "trig"}).text, "trig") == expected
