from __future__ import annotations

import pytest

from graph.dialect import Engine, engine_from_agent
from graph.errors import ServerTooOld
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


@pytest.mark.parametrize("agent", ["Neo4j/5.23.0", "Neo4j/5.26.12", "Neo4j/2025.01.0"])
def test_neo4j_from_5_23_on_is_accepted(agent: str) -> None:
    assert engine_from_agent(agent) is Engine.NEO4J


@pytest.mark.parametrize("agent", ["Neo4j/5.22.0", "Neo4j/5.1.0", "Neo4j/4.4.30", "Memgraph"])
def test_an_older_or_unknown_server_is_refused_by_name(agent: str) -> None:
    with pytest.raises(ServerTooOld, match=r"needs Neo4j 5\.23 or later"):
        engine_from_agent(agent)
