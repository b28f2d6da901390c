"""The bundled framework files validate on their own and hold what the strategy states."""

from __future__ import annotations

from collections import Counter

import pytest

from loaders.readers import find_files, read_document
from loaders.records import FrameworkFile, NodeRecord
from tests.conftest import STRATEGY


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
        "Socitm", "LGA", "Solace", "DCMS", "NCSC", "Connected Places Catapult",
        "National Preparedness Commission", "Cyber Technical Advisory Group", "Local CIO Council",
        "University of East London", "University of Bradford",
        "Institute of Government and Public Policy", "Sustainability Research Institute",
        "Institute for Connected Communities",
    ):  # fmt: skip
        assert expected in names
