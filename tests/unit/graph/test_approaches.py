"""A case study's best claim, and the rule as the API documents it."""

from __future__ import annotations

import yaml

from api.routes.approaches import RULE_DOC
from graph.approaches import best_claim, rule_clauses
from graph.rating_rule import Direction, Rule
from loaders.records import FrameworkFile
from tests.helpers import ROOT


def claim(strength: int, direction: str | None, kind: str = "news_report") -> dict[str, object]:
    return {"strength": strength, "direction": direction, "evidence_type": kind}


def test_claims_that_disagree_are_mixed() -> None:
    best = best_claim([claim(2, "positive"), claim(1, "negative")])
    assert (best["strength"], best["direction"]) == (2, Direction.MIXED)


def test_a_direction_not_stated_is_never_read_as_positive() -> None:
    assert best_claim([claim(3, "not_stated"), claim(1, None)])["direction"] is (
        Direction.NOT_STATED
    )
    # An unstated claim neither contradicts a stated one nor lends it its strength.
    best = best_claim([claim(5, "not_stated"), claim(1, "positive")])
    assert (best["strength"], best["direction"]) == (1, Direction.POSITIVE)


def test_the_best_claim_is_the_strongest_that_states_a_direction() -> None:
    best = best_claim([claim(1, "positive"), claim(4, "positive", "independent_evaluation")])
    assert best == {
        "strength": 4,
        "direction": Direction.POSITIVE,
        "type": "independent_evaluation",
    }


def test_the_api_docs_state_the_bundled_rule() -> None:
    path = ROOT / "data" / "evidence" / "ratings.yaml"
    nodes = FrameworkFile.model_validate(yaml.safe_load(path.read_text())).nodes
    rule = Rule.from_rows(n.model_dump(exclude_none=True) for n in nodes if n.kind == "Rating")
    clauses = RULE_DOC.split("\n\n", 1)[1]
    assert " ".join(clauses.split()) == " ".join(rule_clauses(rule).split())
