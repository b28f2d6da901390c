"""Interventions, several regions, reported costs and unstated directions, end to end."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS, XSD

from api.main import create_app
from api.settings import ApiSettings
from loaders.report import LoadFailed
from tests.helpers import (
    DATA,
    FIXTURES,
    ROOT,
    clear,
    fingerprint,
    load,
    without_dump_record,
    without_loads,
)

BASE = "http://data.test"
CG = "https://w3id.org/connects-graph/def#"
HEADER = (
    "id,title,organisation,summary,outcomes,interventions,region,place,evidence_type,direction,"
    "cost,cost_basis,cost_year,source_url\n"
)
STUDY = (
    "t1,Test,Some Council,A summary.,Inclusion;Data,{interventions},{region},Exampleton,"
    "news_report,{direction},{cost},{cost_basis},{cost_year},https://example.org/a\n"
)


def row(**cells: str) -> str:
    defaults = {
        "interventions": "",
        "region": "",
        "direction": "",
        "cost": "",
        "cost_basis": "",
        "cost_year": "",
    }
    return STUDY.format(**(defaults | cells))


@pytest.fixture
def framework(empty_graph: Driver, settings: ApiSettings) -> Driver:
    """The strategy, evidence scales, regions and a few test interventions."""
    load(settings, DATA / "strategy", DATA / "evidence", DATA / "places", FIXTURES)
    return empty_graph


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def read(driver: Driver, settings: ApiSettings, query: str, **params: object) -> list[object]:
    records, _, _ = driver.execute_query(query, params, database_=settings.database)
    return [r[0] for r in records]


def applied(driver: Driver, settings: ApiSettings, study: str) -> list[object]:
    return read(
        driver,
        settings,
        "MATCH (:CaseStudy {id: $id})-[:APPLIES]->(i:Intervention) RETURN i.id ORDER BY i.id",
        id=study,
    )


def test_interventions_load_as_concepts_in_their_families(
    framework: Driver, settings: ApiSettings
) -> None:
    broader = read(
        framework,
        settings,
        "MATCH (i:Intervention)-[:BROADER]->(f:InterventionFamily)-[:IN_SCHEME]->(s:Scheme) "
        "RETURN i.id + '>' + f.id + '>' + s.id ORDER BY i.id",
    )
    assert broader == [
        "community-digital-hubs>family-digital-inclusion>interventions",
        "device-data-provision>family-digital-inclusion>interventions",
        "tec-remote-monitoring>family-care-and-health>interventions",
    ]
    with TestClient(create_app(settings)) as client:
        counts = {k["kind"]: k["count"] for k in client.get("/kinds").json()}
    assert (counts["Intervention"], counts["InterventionFamily"]) == (3, 2)


def test_interventions_are_matched_tolerantly(
    framework: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    names = "tec ; DEVICE & connectivity provisions;community-digital-hubs;Libraries"
    load(settings, write(tmp_path, "cs.csv", HEADER + row(interventions=names)))
    assert applied(framework, settings, "t1") == [
        "community-digital-hubs",
        "device-data-provision",
        "tec-remote-monitoring",
    ]


def test_an_unknown_intervention_is_located_and_lists_the_choices(
    framework: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    before = fingerprint(framework, settings)
    path = write(tmp_path, "cs.csv", HEADER + row(interventions="TEC;Telepathy"))
    with pytest.raises(LoadFailed) as failure:
        load(settings, path)
    [issue] = failure.value.report.issues
    assert (issue.file, issue.line, issue.row, issue.field) == (str(path), 2, 1, "interventions")
    assert issue.message == (
        "'Telepathy' is not a known Intervention. Valid choices: Device and connectivity "
        "provision; Libraries and community digital hubs; Technology-enabled care and remote "
        "monitoring."
    )
    assert fingerprint(framework, settings) == before


def test_an_unknown_intervention_in_yaml_names_its_path(
    framework: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "cs.yaml",
        """
        case_studies:
          - id: y1
            title: T
            organisation: C
            summary: S.
            interventions: [TEC, Telepathy]
            source_urls: ["https://example.org/y"]
        """,
    )
    with pytest.raises(LoadFailed) as failure:
        load(settings, path)
    [issue] = failure.value.report.issues
    assert (issue.line, issue.field) == (2, "case_studies.0.interventions")
    assert "Valid choices: Device and connectivity provision;" in issue.message


def test_interventions_removed_from_a_row_are_unlinked_on_reload(
    framework: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    path = write(tmp_path, "cs.csv", HEADER + row(interventions="TEC;Libraries"))
    load(settings, path)
    assert applied(framework, settings, "t1") == ["community-digital-hubs", "tec-remote-monitoring"]
    path.write_text(HEADER + row(interventions="Libraries"), encoding="utf-8")
    report = load(settings, path)
    assert applied(framework, settings, "t1") == ["community-digital-hubs"]
    assert report.counts.links_removed == 1
    path.write_text(HEADER + row(), encoding="utf-8")
    load(settings, path)
    assert applied(framework, settings, "t1") == []


def test_a_case_study_may_be_set_in_several_regions(
    framework: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    load(settings, write(tmp_path, "cs.csv", HEADER + row(region="London; south east")))
    [regions] = read(framework, settings, "MATCH (c:CaseStudy {id: 't1'}) RETURN c.region_ids")
    assert regions == ["london", "south-east"]
    # A place lies in one region: with several, the case study does not say which.
    assert read(framework, settings, "MATCH (:Place)-[r:IN_REGION]->() RETURN count(r)") == [0]
    with TestClient(create_app(settings)) as client:
        for region in ("London", "South East"):
            page = client.get("/evidence", params={"region": region}).json()
            assert [r["id"] for r in page["items"]] == ["t1"]
            assert [r["id"] for r in page["items"][0]["regions"]] == ["london", "south-east"]
        facets = client.get("/evidence/facets", params={"group_by": "region"}).json()
        doc = client.get("/doc/case-study/t1.ttl").text
    buckets = {b["key"]: b["count"] for b in facets[0]["buckets"]}
    assert buckets == {"london": 1, "south-east": 1}
    graph = Graph().parse(data=doc, format="turtle")
    study = URIRef(f"{BASE}/id/case-study/t1")
    assert set(graph.objects(study, URIRef(CG + "inRegion"))) == {
        URIRef(f"{BASE}/id/region/london"),
        URIRef(f"{BASE}/id/region/south-east"),
    }


def test_one_region_still_places_the_place(
    framework: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    load(settings, write(tmp_path, "cs.csv", HEADER + row(region="North West")))
    located = read(
        framework, settings, "MATCH (p:Place)-[:IN_REGION]->(r:Region) RETURN p.id + '>' + r.id"
    )
    assert located == ["locality-exampleton>north-west"]


def test_an_unknown_region_among_several_lists_the_choices(
    framework: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    path = write(tmp_path, "cs.csv", HEADER + row(region="London;Atlantis"))
    with pytest.raises(LoadFailed) as failure:
        load(settings, path)
    [issue] = failure.value.report.issues
    assert (issue.row, issue.field) == (1, "region")
    assert "'Atlantis' is not a known Region. Valid choices: East Midlands;" in issue.message


def test_a_reported_cost_is_stored_as_stated(
    framework: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    cells = row(
        cost="about £1m", cost_basis='"spent fixing the attack, as reported"', cost_year="2021"
    )
    load(settings, write(tmp_path, "cs.csv", HEADER + cells))
    [props] = read(
        framework,
        settings,
        "MATCH (c:CaseStudy {id: 't1'}) RETURN [c.cost, c.cost_basis, c.cost_year]",
    )
    assert props == ["about £1m", "spent fixing the attack, as reported", 2021]


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"cost_year": "2021"}, "cost_year", "needs a 'cost'"),
        ({"cost_basis": "capital"}, "cost_basis", "needs a 'cost'"),
        ({"cost": "£1m", "cost_year": "1066"}, "cost_year", "Must be at least 1900; got 1066."),
    ],
)
def test_cost_details_are_checked(
    framework: Driver,
    settings: ApiSettings,
    tmp_path: Path,
    cells: dict[str, str],
    column: str,
    message: str,
) -> None:
    with pytest.raises(LoadFailed) as failure:
        load(settings, write(tmp_path, "cs.csv", HEADER + row(**cells)))
    [issue] = failure.value.report.issues
    assert (issue.row, issue.field) == (1, column)
    assert message in issue.message


def evidence_ids(client: TestClient, **params: str) -> list[str]:
    return [r["id"] for r in client.get("/evidence", params=params).json()["items"]]


def test_a_row_without_direction_is_not_stated_and_never_positive(
    framework: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    silent = row()
    said = row(direction="positive").replace("t1,Test", "t2,Said", 1)
    load(settings, write(tmp_path, "cs.csv", HEADER + silent + said))
    directions = read(
        framework,
        settings,
        "MATCH (c:CaseStudy)-[:HAS_CLAIM]->(e) RETURN c.id + ' ' + e.direction ORDER BY c.id",
    )
    assert directions == ["t1 not_stated", "t1 not_stated", "t2 positive", "t2 positive"]
    with TestClient(create_app(settings)) as client:
        assert evidence_ids(client, direction="positive") == ["t2"]
        assert evidence_ids(client, direction="not_stated") == ["t1"]
        assert evidence_ids(client, direction="mixed") == []
        [silent_row] = [r for r in client.get("/evidence").json()["items"] if r["id"] == "t1"]
    assert {c["direction"] for c in silent_row["claims"]} == {"not_stated"}
    assert all(reason.endswith(": direction not stated") for reason in silent_row["matched"])


def test_an_evidence_row_without_direction_is_not_stated(
    framework: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    studies = write(tmp_path, "cs.csv", HEADER + row(direction="positive"))
    evidence = write(
        tmp_path,
        "evidence.csv",
        """
        case_study,outcome,evidence_type
        t1,Inclusion,independent_evaluation
        """,
    )
    load(settings, studies, evidence)
    directions = read(
        framework,
        settings,
        "MATCH (:CaseStudy {id: 't1'})-[:HAS_CLAIM]->(e)-[:FOR_OUTCOME]->(o) "
        "RETURN o.id + ' ' + e.direction ORDER BY o.id",
    )
    assert directions == ["data positive", "inclusion not_stated"]


FULL = row(
    interventions="TEC;Libraries",
    region="London;South East",
    cost='"£250,000"',
    cost_basis="capital",
    cost_year="2022",
)


def export(settings: ApiSettings) -> str:
    with TestClient(create_app(settings)) as client:
        return client.get("/export", params={"format": "nt"}).text


def comparable(text: str) -> Graph:
    """A dump minus its record of itself and of the loads that made it."""
    graph = without_dump_record(Graph().parse(data=text, format="nt"))
    return without_loads(graph)


def test_interventions_and_costs_round_trip_through_rdf(
    framework: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    load(settings, write(tmp_path, "cs.csv", HEADER + FULL))
    first = export(settings)
    graph = Graph().parse(data=first, format="nt")
    study = URIRef(f"{BASE}/id/case-study/t1")
    assert set(graph.objects(study, URIRef(CG + "appliesIntervention"))) == {
        URIRef(f"{BASE}/id/intervention/tec-remote-monitoring"),
        URIRef(f"{BASE}/id/intervention/community-digital-hubs"),
    }
    tec = URIRef(f"{BASE}/id/intervention/tec-remote-monitoring")
    assert (tec, RDF.type, URIRef(CG + "Intervention")) in graph
    assert graph.value(tec, SKOS.broader) == URIRef(
        f"{BASE}/id/intervention-family/family-care-and-health"
    )
    assert graph.value(study, URIRef(CG + "reportedCost")) == Literal("£250,000")
    assert graph.value(study, URIRef(CG + "costBasis")) == Literal("capital")
    assert graph.value(study, URIRef(CG + "costYear")) == Literal(2022, datatype=XSD.integer)
    dump = tmp_path / "dump.nt"
    dump.write_text(first, encoding="utf-8")
    clear(framework, settings)
    load(settings, dump)
    assert isomorphic(comparable(first), comparable(export(settings)))


def test_the_export_with_interventions_conforms_to_the_shapes(
    framework: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    load(settings, write(tmp_path, "cs.csv", HEADER + FULL))
    data = Graph().parse(data=export(settings), format="nt")
    shacl = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    ontology = Graph().parse(ROOT / "ontology" / "connects.ttl")
    conforms, _, text = validate(data, shacl_graph=shacl, ont_graph=ontology, inference="none")
    assert conforms, text


CONTRIBUTION = """
@prefix cg: <https://w3id.org/connects-graph/def#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

<http://data.test/id/case-study/partner-study> a cg:CaseStudy ;
    dcterms:identifier "partner-study" ;
    skos:prefLabel "A partner's study"@en ;
    dcterms:description "What the partner's study found."@en ;
    dcterms:source <https://example.org/study> ;
    cg:ledBy <http://data.test/id/organisation/lga> ;
    cg:appliesIntervention <http://data.test/id/intervention/device-data-provision> ;
    cg:reportedCost "£40,000" ;
    cg:hasClaim <http://data.test/id/evidence-claim/partner-claim> .

<http://data.test/id/evidence-claim/partner-claim> a cg:EvidenceClaim ;
    dcterms:identifier "partner-claim" ;
    skos:prefLabel "A partner's claim"@en ;
    dcterms:description "What the partner's evaluation says."@en ;
    cg:forOutcome <http://data.test/id/outcome/inclusion> ;
    cg:evidenceLevel <http://data.test/id/evidence-level/connects-level-4> ;
    cg:evidenceType <http://data.test/id/evidence-type/independent-evaluation> ;
    cg:direction "not_stated" .
"""


def test_a_contribution_may_link_case_studies_to_interventions(
    framework: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    path = write(tmp_path, "partner.ttl", CONTRIBUTION)
    load(settings, path, contributor="lga")
    assert applied(framework, settings, "partner-study") == ["device-data-provision"]
    [direction] = read(
        framework, settings, "MATCH (e:EvidenceClaim {id: 'partner-claim'}) RETURN e.direction"
    )
    assert direction == "not_stated"


def test_a_contribution_linking_to_a_non_intervention_is_refused(
    framework: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    wrong = CONTRIBUTION.replace(
        "intervention/device-data-provision", "intervention-family/family-digital-inclusion"
    )
    with pytest.raises(LoadFailed) as failure:
        load(settings, write(tmp_path, "partner.ttl", wrong), contributor="lga")
    fields = {issue.field for issue in failure.value.report.issues}
    assert f"<{BASE}/id/case-study/partner-study> cg:appliesIntervention" in fields
