"""Case-study files (CSV, YAML, JSON): validation, tolerant names, evidence rows."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from neo4j import Driver

from api.settings import ApiSettings
from loaders.report import LoadFailed
from tests.helpers import DATA, fingerprint, load

HEADER = "id,title,organisation,summary,outcomes,themes,region,evidence_type,source_url\n"


@pytest.fixture
def framework(empty_graph: Driver, settings: ApiSettings) -> Driver:
    load(settings, DATA / "strategy", DATA / "evidence", DATA / "places", DATA / "interventions")
    return empty_graph


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def claims(driver: Driver, settings: ApiSettings, study: str) -> list[tuple[str, int, str]]:
    records, _, _ = driver.execute_query(
        "MATCH (:CaseStudy {id: $id})-[:HAS_CLAIM]->(c)-[:FOR_OUTCOME]->(o) "
        "RETURN o.id AS o, c.strength AS s, c.evidence_type AS t ORDER BY o",
        {"id": study},
        database_=settings.database,
    )
    return [(r["o"], r["s"], r["t"]) for r in records]


def test_names_are_matched_tolerantly(
    framework: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "cs.csv",
        HEADER
        + (
            "t1,Test,Some Council,A summary.,inclusion ; SECURITY & RESILIENCE;Local  Productivity,"
            "regeneration;Service Design,north west,news_report,https://example.org/a\n"
        ),
    )
    load(settings, path)
    assert claims(framework, settings, "t1") == [
        ("inclusion", 1, "news-report"),
        ("local-productivity", 1, "news-report"),
        ("security-and-resilience", 1, "news-report"),
    ]


def test_an_unknown_outcome_names_row_and_column_and_lists_choices(
    framework: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    before = fingerprint(framework, settings)
    path = write(
        tmp_path,
        "cs.csv",
        HEADER
        + (
            "ok,Fine,C,S.,Data,,,news_report,https://example.org/1\n"
            "bad,Bad,C,S.,Inclusion;Hapiness,,,news_report,https://example.org/2\n"
        ),
    )
    with pytest.raises(LoadFailed) as failure:
        load(settings, path)
    [issue] = failure.value.report.issues
    assert (issue.line, issue.row, issue.field) == (3, 2, "outcomes")
    assert "'Hapiness' is not a known Outcome. Valid choices: Connectivity; Data;" in issue.message
    assert fingerprint(framework, settings) == before


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("x,T,C,S.,Data,,,rumour,https://e.org", "evidence_type", "Must be one of"),
        ("x,T,C,S.,Data,,,news_report,not-a-url", "source_url", "Must be a web address"),
        ("X Y,T,C,S.,Data,,,news_report,https://e.org", "id", "is not a valid id"),
        ("x,T,C,,Data,,,news_report,https://e.org", "summary", "Required, but missing."),
        ("x,T,C,S.,Data,Nonsense theme,,news_report,https://e.org", "themes", "Valid choices"),
        ("x,T,C,S.,Data,,Atlantis,news_report,https://e.org", "region", "Valid choices"),
    ],
)
def test_bad_cells_are_named(
    framework: Driver, settings: ApiSettings, tmp_path: Path, row: str, column: str, message: str
) -> None:
    path = write(tmp_path, "cs.csv", HEADER + row + "\n")
    with pytest.raises(LoadFailed) as failure:
        load(settings, path)
    [issue] = failure.value.report.issues
    assert (issue.row, issue.field) == (1, column)
    assert message in issue.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,title\na,b,c\n", "Row 1 has 3 cells but the header has 2 columns"),
        ("foo,bar\n1,2\n", "Unknown CSV layout"),
        ("id,title,colour\n", "Header: missing column 'organisation'"),
        ('id,title\n"a,b\n', "Malformed CSV"),
    ],
)
def test_malformed_csv_is_refused(
    framework: Driver, settings: ApiSettings, tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(LoadFailed) as failure:
        load(settings, write(tmp_path, "bad.csv", text))
    assert message in failure.value.report.issues[0].message


def test_an_evidence_csv_sets_level_and_type_per_outcome(
    framework: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    studies = write(
        tmp_path,
        "cs.csv",
        HEADER + ("t2,Test,C,S.,Inclusion;Data,,,self_reported_case_study,https://e.org\n"),
    )
    evidence = write(
        tmp_path,
        "evidence.csv",
        (
            "case_study,outcome,evidence_type,evidence_level,direction,evidence_note\n"
            "t2,Data,independent_evaluation,nesta-level-3,mixed,An evaluation with a comparison.\n"
        ),
    )
    load(settings, studies, evidence)
    assert claims(framework, settings, "t2") == [
        ("data", 4, "independent-evaluation"),  # Nesta level 3 crosswalks to strength 4
        ("inclusion", 1, "self-reported-case-study"),
    ]


def test_yaml_and_json_case_studies(
    framework: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    record = {
        "id": "t3",
        "title": "T",
        "summary": "S.",
        "organisation": "Local Government Association",
        "partners": ["Newcastle University"],
        "places": ["Leeds"],
        "region": "Yorkshire",
        "year": 2022,
        "source_urls": ["https://e.org/x"],
        "evidence": [{"outcome": "Value", "evidence_type": "audit_or_inspection"}],
    }
    json_path = tmp_path / "cs.json"
    json_path.write_text(json.dumps({"case_studies": [record]}))
    load(settings, json_path)
    assert claims(framework, settings, "t3") == [("value", 3, "audit-or-inspection")]
    records, _, _ = framework.execute_query(
        "MATCH (cs:CaseStudy {id: 't3'})-[:LED_BY]->(o) RETURN o.id AS id",
        database_=settings.database,
    )
    assert [r["id"] for r in records] == ["lga"]  # matched to the framework's organisation


def test_a_partner_named_twice_is_one_node(
    framework: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "cs.csv",
        (
            "id,title,organisation,summary,outcomes,partners,evidence_type,source_url\n"
            "a1,A,Council A,S.,Data,Acme Ltd;Newcastle University,news_report,https://e.org/a\n"
            "a2,B,Council B,S.,Data,ACME LTD,news_report,https://e.org/b\n"
        ),
    )
    load(settings, path)
    records, _, _ = framework.execute_query(
        "MATCH (o:Organisation)<-[:WITH_PARTNER]-(cs) RETURN o.id AS id, count(cs) AS n",
        database_=settings.database,
    )
    assert {r["id"]: r["n"] for r in records}["acme-ltd"] == 2


TEMPLATES = DATA.parent / "docs" / "templates"


def test_the_documented_templates_load(framework: Driver, settings: ApiSettings) -> None:
    load(settings, TEMPLATES / "case-studies.csv", TEMPLATES / "evidence.csv")
    study = "example-borough-digital-champions-2024"
    assert claims(framework, settings, study) == [
        ("inclusion", 2, "independent-evaluation"),
        ("partnership", 1, "self-reported-case-study"),
    ]
    report = load(settings, TEMPLATES / "case-studies.yaml")
    c = report.counts  # the YAML says what the two CSV files said; only the source file differs
    assert (c.nodes_created, c.links_created) == (0, 0)
    assert c.links_removed == 0


def test_evidence_csv_errors_point_at_the_evidence_row(
    framework: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    studies = write(tmp_path, "ok.csv", HEADER + "t5,T,C,S.,Data,,,news_report,https://e.org\n")
    evidence = write(
        tmp_path,
        "ev.csv",
        (
            "case_study,outcome,evidence_type,evidence_level\n"
            "t5,Data,news_report,nesta-level-9\n"
            "t5,Datta,news_report,\n"
        ),
    )
    with pytest.raises(LoadFailed) as failure:
        load(settings, studies, evidence)
    located = {(Path(i.file).name, i.row, i.field) for i in failure.value.report.issues}
    assert located == {("ev.csv", 1, "evidence_level"), ("ev.csv", 2, "outcome")}


def test_year_end_before_year_names_its_column(
    framework: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "cs.csv",
        (
            "id,title,organisation,summary,year,year_end,source_url\n"
            "t6,T,C,S.,2022,2020,https://e.org\n"
        ),
    )
    with pytest.raises(LoadFailed) as failure:
        load(settings, path)
    [issue] = failure.value.report.issues
    assert (issue.row, issue.field) == (1, "year_end")


def test_an_outcome_dropped_from_a_study_takes_its_claim_with_it(
    framework: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    row = "t7,T,C,S.,{},,,news_report,https://e.org\n"
    path = write(tmp_path, "cs.csv", HEADER + row.format("Data;Inclusion"))
    load(settings, path)
    write(tmp_path, "cs.csv", HEADER + row.format("Data"))
    report = load(settings, path)
    assert (report.counts.links_removed, report.counts.nodes_removed) == (1, 1)
    assert claims(framework, settings, "t7") == [("data", 1, "news-report")]
    records, _, _ = framework.execute_query(
        "MATCH (c:EvidenceClaim {id: 'claim-t7-inclusion'}) RETURN count(c) AS c",
        database_=settings.database,
    )
    assert records[0]["c"] == 0
