"""RDF in: partner contributions checked against our shapes, and the export round trip."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import PROV

from api.main import create_app
from api.settings import ApiSettings
from loaders.report import LoadFailed
from tests.helpers import (
    CONTRIBUTION,
    DATA,
    clear,
    fingerprint,
    load,
    without_dump_record,
    without_loads,
)

BASE = "http://data.test"
LOAD_CLASS = URIRef("https://w3id.org/connects-graph/def#Load")


def export(settings: ApiSettings, rdf_format: str = "nt") -> str:
    with TestClient(create_app(settings)) as client:
        return client.get("/export", params={"format": rdf_format}).text


def comparable(text: str, rdf_format: str) -> Graph:
    """A dump minus its record of itself and the loads that made it (new ones each load)."""
    graph = without_dump_record(Graph().parse(data=text, format=rdf_format))
    return without_loads(graph)


@pytest.mark.parametrize(
    ("suffix", "rdflib_format"),
    [("nt", "nt"), ("ttl", "turtle"), ("jsonld", "json-ld"), ("rdf", "xml")],
)
def test_export_load_export_round_trips(
    empty_graph: Driver, settings: ApiSettings, tmp_path: Path, suffix: str, rdflib_format: str
) -> None:
    load(settings, DATA)
    first = export(settings, suffix)
    dump = tmp_path / f"dump.{suffix}"
    dump.write_text(first, encoding="utf-8")
    clear(empty_graph, settings)
    report = load(settings, dump)
    assert report.counts.nodes_created > 400
    second = export(settings, suffix)
    assert isomorphic(comparable(first, rdflib_format), comparable(second, rdflib_format))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_conforming_contribution_is_loaded_and_attributed(
    linkable_graph: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    # CONTRIBUTION says `cg:direction "positive"`, a literal, as partners wrote it before
    # directions were concepts: the shapes ask for the concept, so loading it shows both read.
    report = load(settings, write(tmp_path, "partner.ttl", CONTRIBUTION), contributor="lga")
    assert report.counts.nodes_created == 2
    with TestClient(create_app(settings)) as client:
        rows = client.get("/evidence", params={"outcome": "inclusion", "min_strength": 4}).json()
        doc = client.get("/doc/case-study/partner-study.ttl").text
        load_doc = client.get(f"/doc/load/{report.load_id}.ttl").text
    assert [r["id"] for r in rows["items"]] == ["partner-study"]
    graph = Graph().parse(data=doc, format="turtle")
    study = URIRef(f"{BASE}/id/case-study/partner-study")
    lga = URIRef(f"{BASE}/id/organisation/lga")
    assert graph.value(study, PROV.wasAttributedTo) == lga
    activity = Graph().parse(data=load_doc, format="turtle")
    assert (URIRef(f"{BASE}/id/load/{report.load_id}"), PROV.wasAssociatedWith, lga) in activity


def test_a_non_conforming_contribution_is_refused_whole(
    linkable_graph: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    before = fingerprint(linkable_graph, settings)
    broken = CONTRIBUTION.replace(
        "    cg:forOutcome <http://data.test/id/outcome/inclusion> ;\n", ""
    ).replace("cg:strength 4", "cg:strength 9")
    with pytest.raises(LoadFailed) as failure:
        load(settings, write(tmp_path, "partner.ttl", broken), contributor="lga")
    issues = {(i.field, i.message) for i in failure.value.report.issues}
    claim = f"<{BASE}/id/evidence-claim/partner-claim>"
    assert (f"{claim} cg:forOutcome", "A claim is about exactly one cg:Outcome.") in issues
    assert any(field == f"{claim} cg:strength" for field, _ in issues)
    assert fingerprint(linkable_graph, settings) == before


def test_links_to_the_wrong_kind_break_the_shapes(
    linkable_graph: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    wrong = CONTRIBUTION.replace(
        "cg:forOutcome <http://data.test/id/outcome/inclusion>",
        "cg:forOutcome <http://data.test/id/policy-theme/theme-regeneration>",
    )
    with pytest.raises(LoadFailed) as failure:
        load(settings, write(tmp_path, "partner.ttl", wrong))
    assert any("cg:forOutcome" in (i.field or "") for i in failure.value.report.issues)


def test_malformed_turtle_names_the_line(
    linkable_graph: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    bad = write(tmp_path, "bad.ttl", '@prefix x: <http://x/> .\n\nx:a x:b "open literal .\n')
    with pytest.raises(LoadFailed) as failure:
        load(settings, bad)
    [issue] = failure.value.report.issues
    assert issue.message.startswith("Malformed RDF")
    assert issue.line == 3


def test_subjects_outside_our_uri_space_are_refused(
    linkable_graph: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    foreign = CONTRIBUTION.replace(
        "<http://data.test/id/case-study/partner-study>", "<https://partner.example/s/1>"
    )
    with pytest.raises(LoadFailed) as failure:
        load(settings, write(tmp_path, "partner.ttl", foreign))
    messages = " ".join(i.message for i in failure.value.report.issues)
    assert "Not one of our node URIs" in messages


def test_an_unknown_contributor_is_refused(
    linkable_graph: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    with pytest.raises(LoadFailed) as failure:
        load(settings, write(tmp_path, "partner.ttl", CONTRIBUTION), contributor="nobody")
    assert "'nobody' is not an organisation" in failure.value.report.issues[0].message
