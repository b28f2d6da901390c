"""The bundled framework files validate on their own and hold what the strategy states."""

from __future__ import annotations

from collections import Counter

import pytest

from loaders import case_studies
from loaders.readers import find_files, iter_rows, read_document
from loaders.records import CaseStudyRecord, FrameworkFile, NodeRecord
from tests.helpers import BUNDLED_CASE_STUDIES, BUNDLED_INTERVENTIONS, DATA, STRATEGY


@pytest.fixture(scope="module")
def records() -> list[NodeRecord]:
    found: list[NodeRecord] = []
    for path in find_files([STRATEGY]):
        found.extend(FrameworkFile.model_validate(read_document(path).data).nodes)
    return found


def test_counts_per_kind(records: list[NodeRecord]) -> None:
    counts = Counter(r.kind.value for r in records)
    assert counts["StrategicPriority"] == 3
    assert counts["RecoveryPillar"] == 4
    assert counts["EcosystemPillar"] == 3
    assert counts["EcosystemService"] == 9
    assert counts["ProgrammeComponent"] == 6
    assert counts["PolicyTheme"] == 5
    assert counts["Outcome"] == 12
    assert counts["BriefingTopic"] == 8
    assert counts["EvidenceFunction"] == 5
    assert counts["ResearchInstitute"] == 3


def test_themes_have_challenges_and_opportunities(records: list[NodeRecord]) -> None:
    for theme in (r for r in records if r.kind.value == "PolicyTheme"):
        rels = Counter(link.rel.value for link in theme.links)
        assert rels["HAS_CHALLENGE"] >= 2, theme.id
        assert rels["HAS_OPPORTUNITY"] >= 4, theme.id


def test_named_partners_are_present(records: list[NodeRecord]) -> None:
    names = {r.name for r in records if r.kind.value in ("Organisation", "ResearchInstitute")}
    for expected in (
        "Socitm",
        "LGA",
        "Solace",
        "DCMS",
        "NCSC",
        "Connected Places Catapult",
        "National Preparedness Commission",
        "Cyber Technical Advisory Group",
        "Local CIO Council",
        "University of East London",
        "University of Bradford",
        "Institute of Government and Public Policy",
        "Sustainability Research Institute",
        "Institute for Connected Communities",
    ):
        assert expected in names


@pytest.fixture(scope="module")
def interventions() -> list[NodeRecord]:
    document = read_document(DATA / "interventions" / "interventions.yaml")
    return FrameworkFile.model_validate(document.data).nodes


@pytest.fixture(scope="module")
def studies() -> list[CaseStudyRecord]:
    return [
        CaseStudyRecord.model_validate(case_studies.row_to_record_data(row))
        for path in sorted((DATA / "case-studies").glob("*.csv"))
        for row in iter_rows(path)
    ]


def test_interventions_are_a_scheme_of_families(interventions: list[NodeRecord]) -> None:
    counts = Counter(r.kind.value for r in interventions)
    assert counts == {"Scheme": 1, "InterventionFamily": 7, "Intervention": BUNDLED_INTERVENTIONS}
    families = {r.id for r in interventions if r.kind.value == "InterventionFamily"}
    for record in interventions:
        if record.kind.value == "Scheme":
            continue
        rels = Counter((link.rel.value, link.to) for link in record.links)
        assert rels[("IN_SCHEME", "interventions")] == 1, record.id
        broader = [link.to for link in record.links if link.rel.value == "BROADER"]
        assert len(broader) == (0 if record.id in families else 1), record.id
        assert set(broader) <= families, record.id


def test_case_studies_are_bundled_whole(studies: list[CaseStudyRecord]) -> None:
    assert len(studies) == len({s.id for s in studies}) == BUNDLED_CASE_STUDIES
    assert any(";" in (s.region or "") for s in studies)  # several regions
    assert any(s.cost for s in studies)


def test_every_intervention_tag_is_in_the_taxonomy(
    studies: list[CaseStudyRecord], interventions: list[NodeRecord]
) -> None:
    ids = {r.id for r in interventions if r.kind.value == "Intervention"}
    tags = Counter(tag for s in studies for tag in s.interventions)
    assert set(tags) <= ids
    assert all(s.interventions for s in studies)


def test_no_direction_is_assumed(studies: list[CaseStudyRecord]) -> None:
    directions = Counter(claim.direction.value for s in studies for claim in s.evidence)
    assert directions["not_stated"] > 0  # rows whose source does not say keep saying so
    assert set(directions) <= {"positive", "mixed", "negative", "no_effect", "not_stated"}


def test_the_evidence_scale_crosswalk_maps_levels_of_equal_strength() -> None:
    """The SKOS mappings between the scales say, as links, what `strength` says as numbers."""
    levels = FrameworkFile.model_validate(
        read_document(DATA / "evidence" / "scales.yaml").data
    ).nodes
    strength = {r.id: r.strength for r in levels}
    mappings = [
        (r.id, link.rel.value, link.to)
        for r in levels
        for link in r.links
        if link.rel.value in ("CLOSE_MATCH", "BROAD_MATCH")
    ]
    assert {source for source, _, _ in mappings} == {f"nesta-level-{n}" for n in range(1, 6)}
    for source, rel, target in mappings:
        assert strength[source] == strength[target], (source, rel, target)
