from __future__ import annotations

import pytest

from graph.dialect import Engine, engine_from_agent
from graph.model import CONCEPTS, ENDPOINTS, Kind, Rel, allowed


def test_kind_slugs() -> None:
    assert Kind.POLICY_THEME.slug == "policy-theme"
    assert Kind.OUTCOME.slug == "outcome"


def test_kind_from_labels_ignores_the_shared_label() -> None:
    assert Kind.from_label(["Entity", "Outcome"]) is Kind.OUTCOME
    with pytest.raises(ValueError, match="No known kind"):
        Kind.from_label(["Entity"])


def test_every_relationship_has_endpoint_rules() -> None:
    assert set(ENDPOINTS) == set(Rel)
    assert allowed(Rel.UNIT_OF, Kind.RESEARCH_INSTITUTE, Kind.ORGANISATION)
    assert not allowed(Rel.UNIT_OF, Kind.ORGANISATION, Kind.RESEARCH_INSTITUTE)
    assert Kind.ORGANISATION not in CONCEPTS


@pytest.mark.parametrize(
    ("agent", "engine"),
    [
        ("Neo4j/5.26.0 compatible (ArcadeDB 26.10.2)", Engine.ARCADEDB),
        ("Neo4j/5.26.12", Engine.NEO4J),
    ],
)
def test_engine_from_agent(agent: str, engine: Engine) -> None:
    assert engine_from_agent(agent) is engine
