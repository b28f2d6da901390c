"""Evidence cards never read stronger than their studies, and the rule is the one documented."""

from __future__ import annotations

import random
import re
from fractions import Fraction

import pytest
import yaml
from pydantic import ValidationError

from graph.rating_rule import AGAINST, STRENGTH_NAMES, Direction, Rule, Tally
from graph.synthesis import (
    Crosswalk,
    EvidenceCard,
    Study,
    build_card,
    ranking_key,
    rule_table,
)
from loaders.records import FrameworkFile
from tests.helpers import ROOT

RATINGS = ROOT / "data" / "evidence" / "ratings.yaml"
TYPES = {
    1: "self_reported_case_study",
    2: "internal_evaluation",
    3: "audit_or_inspection",
    4: "independent_evaluation",
    5: "peer_reviewed",
}
DIRECTIONS = list(Direction)
SEEDS = range(300)


@pytest.fixture(scope="module")
def rule() -> Rule:
    """The bundled rule, as the graph would return its Rating nodes' properties."""
    nodes = FrameworkFile.model_validate(yaml.safe_load(RATINGS.read_text())).nodes
    return Rule.from_rows(n.model_dump(exclude_none=True) for n in nodes if n.kind == "Rating")


def study(n: int, strength: int, direction: str | None, *, kind: str | None = None) -> Study:
    return Study(
        case_study_id=f"cs-{n}",
        title=f"Case study {n}",
        organisation=f"Council {n % 3}",
        places=[f"Place {n}"],
        strength=strength,
        direction=direction,
        evidence_type=kind or TYPES[strength],
        reported_results=[f"Result {n}"],
        source_urls=[f"https://example.org/{n}"],
    )


def seeded(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - reproducible test cases, not secrets


def random_studies(rng: random.Random, most: int = 12, start: int = 0) -> list[Study]:
    return [
        study(start + i, rng.randint(1, 5), rng.choice(DIRECTIONS).value)
        for i in range(rng.randint(0, most))
    ]


def rank(rule: Rule, studies: list[Study]) -> int:
    return build_card(rule, studies).rating.rank


def rating(rule: Rule, studies: list[Study]) -> str:
    return build_card(rule, studies).rating.id


# --- the rule as data -------------------------------------------------------------------------


def test_the_bundled_rule_is_checked_mixed_first_and_ends_with_insufficient(rule: Rule) -> None:
    assert [r.id for r in rule.ratings] == [
        "mixed",
        "established",
        "promising",
        "emerging",
        "insufficient",
    ]
    ranked = sorted(rule.ratings, key=lambda r: -r.rank)
    assert [r.id for r in ranked] == [
        "established",
        "promising",
        "emerging",
        "insufficient",
        "mixed",
    ]
    assert rule.by_id("mixed").min_against_share == Fraction(1, 3)


def test_the_rule_refuses_a_missing_fallback_and_duplicate_order(rule: Rule) -> None:
    rows = [r.model_dump() for r in rule.ratings]
    with pytest.raises(ValidationError, match="no conditions"):
        Rule.from_rows(rows[:-1])
    with pytest.raises(ValidationError, match="distinct notations"):
        Rule.from_rows([*rows, {**rows[1], "id": "again"}])
    with pytest.raises(ValidationError, match="needs min_strength"):
        Rule.from_rows([{**rows[1], "min_strength": None}, *rows[2:]])


def test_the_readme_table_is_the_rule(rule: Rule) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### How approaches are rated", 1)[1].split("\n## ", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("|"))
    assert table == rule_table(rule)


def test_the_readme_examples_are_generated(rule: Rule) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### How approaches are rated", 1)[1].split("\n## ", 1)[0]
    for card in (realistic_weak(rule), trial_against_anecdotes(rule)):
        assert card.rule in section
        assert card.summary in section


# --- realistic cards --------------------------------------------------------------------------


def realistic_weak(rule: Rule) -> EvidenceCard:
    return build_card(rule, [study(i, 1, "positive") for i in range(12)])


def trial_against_anecdotes(rule: Rule) -> EvidenceCard:
    trial = study(0, 5, "no_effect", kind="peer_reviewed")
    return build_card(rule, [trial] + [study(i, 1, "positive") for i in (1, 2, 3)])


def test_twelve_self_reported_successes_are_emerging_and_weak(rule: Rule) -> None:
    card = realistic_weak(rule)
    assert card.rating.id == "emerging"
    assert (
        card.rule == "12 studies, all reported (strength 1); 12 of 12 studies positive "
        "(needs 1): emerging"
    )
    assert "All 12 studies are self-reported or news reports (strength 1): weak evidence." in (
        card.summary
    )
    assert card.robustness.badge == "changes"
    assert card.robustness.changes_to is not None
    assert card.robustness.changes_to.id == "insufficient"
    assert card.strengths == {1: 12, 2: 0, 3: 0, 4: 0, 5: 0}
    assert card.places == 12
    assert card.did_not_work == []


def test_a_trial_finding_no_effect_is_not_outvoted_by_anecdotes(rule: Rule) -> None:
    card = trial_against_anecdotes(rule)
    assert card.rating.id == "mixed"
    assert "1 of 1 with a stated direction at strength 5+ negative, no effect or mixed" in card.rule
    assert [s.case_study_id for s in card.did_not_work] == ["cs-0"]
    assert card.did_not_work[0].direction is Direction.NO_EFFECT
    assert card.best_strength is not None
    assert (card.best_strength.strength, card.best_strength.name) == (5, "Peer reviewed")
    assert card.robustness.badge == "holds"


@pytest.mark.parametrize(
    ("studies", "expected", "clause"),
    [
        ([], "insufficient", "No studies; nothing to rate: insufficient"),
        (
            [(1, "positive"), (1, "positive")],
            "emerging",
            "2 studies, both reported (strength 1); 2 of 2 studies positive (needs 1): emerging",
        ),
        ([(1, None), (3, "not_stated")], "insufficient", "none states a direction: insufficient"),
        (
            [(4, "positive"), (1, "positive"), (2, "no_effect"), (1, None)],
            "mixed",
            "4 studies, strongest 1 independently evaluated (strength 4); 1 of 3 with a stated "
            "direction negative, no effect or mixed (needs 1/3): mixed or negative",
        ),
        ([(3, "positive"), (1, "positive")], "promising", "1 positive at strength 3+ (needs 1)"),
        ([(3, "positive")], "emerging", "1 study, externally examined (strength 3)"),
        (
            [(4, "positive")] * 3 + [(1, "no_effect")],
            "established",
            "3 positive at strength 4+ (needs 3), 0 negative, no effect or mixed at strength 4+ "
            "(at most 0), 3 of 4 with a stated direction positive (needs 3/4): established",
        ),
        (
            [(5, "positive")] * 3 + [(4, "negative")] + [(1, "positive")] * 6,
            "promising",
            "promising",
        ),
        ([(5, "positive")] * 3 + [(1, "no_effect")] * 2, "mixed", "2 of 5 with a stated"),
        ([(2, "negative")], "mixed", "1 study, documented (strength 2); 1 of 1"),
        (
            [(5, "mixed"), (5, "positive"), (5, "positive")],
            "mixed",
            "all peer reviewed (strength 5); 1 of 3 with a stated direction negative",
        ),
        (
            [(5, "mixed"), (5, "positive"), (5, "positive"), (1, "positive")],
            "mixed",
            "1 of 3 with a stated direction at strength 5+ negative",
        ),
    ],
)
def test_cases(
    rule: Rule, studies: list[tuple[int, str | None]], expected: str, clause: str
) -> None:
    card = build_card(rule, [study(i, s, d) for i, (s, d) in enumerate(studies)])
    assert card.rating.id == expected, card.rule
    assert clause in card.rule
    assert card.rule.endswith(f": {rule.by_id(expected).name.lower()}")


def test_directions_not_stated_are_said_plainly(rule: Rule) -> None:
    card = build_card(rule, [study(0, 4, "positive"), study(1, 1, None), study(2, 1, None)])
    assert card.directions[Direction.NOT_STATED] == 2
    assert "2 of 3 do not state whether it worked." in card.summary
    none = build_card(rule, [study(0, 4, None)])
    assert "No study states whether it worked." in none.summary


def test_all_weak_at_strength_two_is_said_plainly(rule: Rule) -> None:
    card = build_card(rule, [study(0, 2, "positive"), study(1, 1, "positive")])
    assert "checked by nobody else (strength 2 or below): weak evidence." in card.summary
    strong = build_card(rule, [study(0, 3, "positive"), study(1, 1, "positive")])
    assert "weak evidence" not in strong.summary


def test_the_card_counts_everything(rule: Rule) -> None:
    studies = [
        study(i, s, d)
        for i, (s, d) in enumerate(
            [(1, "positive"), (2, "negative"), (3, "mixed"), (5, "no_effect"), (4, None)]
        )
    ]
    studies[1] = studies[1].model_copy(update={"places": ["Place 0", " place 0 "]})
    card = build_card(rule, studies)
    assert card.studies == 5
    assert card.places == 4
    assert card.strengths == {1: 1, 2: 1, 3: 1, 4: 1, 5: 1}
    assert {d.value: n for d, n in card.directions.items()} == {
        "positive": 1,
        "mixed": 1,
        "negative": 1,
        "no_effect": 1,
        "not_stated": 1,
    }
    assert [s.case_study_id for s in card.did_not_work] == ["cs-3", "cs-2", "cs-1"]
    assert card.reported_results_total == 5
    assert card.reported_results[0].case_study_id == "cs-3"
    assert card.reported_results[0].source == "https://example.org/3"


def test_what_did_not_work_is_bounded_only_with_its_total(rule: Rule) -> None:
    studies = [study(i, 1, "negative") for i in range(30)]
    card = build_card(rule, studies, max_listed=10)
    assert len(card.did_not_work) == 10
    assert card.did_not_work_total == 30
    assert "30 found it negative, no effect or mixed" in card.summary


def test_a_case_study_given_twice_is_refused(rule: Rule) -> None:
    with pytest.raises(ValueError, match="given twice"):
        build_card(rule, [study(0, 1, "positive"), study(0, 4, "positive")])


def test_study_rows_as_the_graph_returns_them() -> None:
    row = {
        "case_study_id": "a",
        "title": "A",
        "organisation": None,
        "places": [],
        "strength": 2,
        "direction": None,
        "evidence_type": "news_report",
        "reported_results": [],
        "source_urls": ["https://example.org"],
    }
    parsed = Study.model_validate(row)
    assert parsed.direction is Direction.NOT_STATED
    assert parsed.evidence_type == "news-report"
    assert parsed.weak
    with pytest.raises(ValidationError):
        Study.model_validate({**row, "strength": 6})


def test_the_crosswalk_recomputes_on_another_reading(rule: Rule) -> None:
    audits = [study(0, 3, "positive"), study(1, 1, "positive")]
    strict = Crosswalk(name="audits as own figures", strengths={1: 1, 2: 2, 3: 2, 4: 4, 5: 5})
    card = build_card(rule, audits, crosswalk=strict)
    assert card.rating.id == "promising"
    assert card.crosswalk is not None
    assert card.crosswalk.badge == "changes"
    assert card.crosswalk.changes_to is not None
    assert card.crosswalk.changes_to.id == "emerging"
    assert card.crosswalk.check == "strengths read as audits as own figures"
    with pytest.raises(ValidationError):
        Crosswalk(name="partial", strengths={1: 1})


# --- properties, over seeded random sets of studies -----------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_the_card_never_reads_stronger_than_its_studies(rule: Rule, seed: int) -> None:
    rng = seeded(seed)
    studies = random_studies(rng)
    card = build_card(rule, studies)
    emerging = rule.by_id("emerging").rank
    if all(s.strength <= 2 for s in studies):
        assert card.rating.rank <= emerging, card.rule
    if not any(s.direction in AGAINST or s.direction is Direction.POSITIVE for s in studies):
        assert card.rating.id == "insufficient"
    if card.rating.id in ("established", "promising"):
        assert any(s.strength >= 3 and s.direction is Direction.POSITIVE for s in studies)
    # Robustness is exactly what the strong studies alone support.
    strong = [s for s in studies if not s.weak]
    assert card.robustness.rating == build_card(rule, strong).rating
    assert card.robustness.studies == len(strong)
    assert (card.robustness.badge == "holds") == (card.robustness.rating == card.rating)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_study_against_never_raises_the_rating(rule: Rule, seed: int) -> None:
    rng = seeded(seed)
    studies = random_studies(rng)
    against = study(99, rng.randint(1, 5), rng.choice(sorted(AGAINST)).value)
    assert rank(rule, [*studies, against]) <= rank(rule, studies)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_study_for_never_lowers_the_rating(rule: Rule, seed: int) -> None:
    rng = seeded(seed)
    studies = random_studies(rng)
    assert rank(rule, [*studies, study(99, rng.randint(1, 5), "positive")]) >= rank(rule, studies)


@pytest.mark.parametrize("seed", SEEDS)
def test_an_unstated_direction_changes_nothing(rule: Rule, seed: int) -> None:
    rng = seeded(seed)
    studies = random_studies(rng)
    more = [*studies, study(99, rng.randint(1, 5), None)]
    assert rating(rule, more) == rating(rule, studies)


@pytest.mark.parametrize("seed", SEEDS)
def test_strengthening_a_positive_study_never_lowers_the_rating(rule: Rule, seed: int) -> None:
    rng = seeded(seed)
    studies = [*random_studies(rng), study(99, rng.randint(1, 4), "positive")]
    stronger = [*studies[:-1], studies[-1].model_copy(update={"strength": 5})]
    assert rank(rule, stronger) >= rank(rule, studies)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_clause_names_the_numbers_that_gave_it(rule: Rule, seed: int) -> None:
    studies = random_studies(seeded(seed))
    card = build_card(rule, studies)
    given = rule.by_id(card.rating.id)
    tally = Tally.of((s.strength, s.direction) for s in studies)
    assert card.rule.startswith("No studies" if not studies else f"{len(studies)} stud")
    assert card.rule.endswith(f": {given.name.lower()}")
    if given.min_positive is not None:
        assert f"{tally.positive} of {len(studies)} stud" in card.rule
    if (s := given.min_strength) is not None:
        positive = tally.count([Direction.POSITIVE], s)
        assert f"{positive} positive at strength {s}+" in card.rule
        if given.max_against_at_strength is not None:
            words = f"{tally.count(AGAINST, s)} negative, no effect or mixed at strength {s}+"
            assert words in card.rule
    if given.min_positive_share is not None:
        assert f"{tally.positive} of {tally.stated} with a stated direction positive" in card.rule
    if given.min_against_share is not None:
        found = re.search(
            r"(\d+) of (\d+) with a stated direction(?: at strength (\d)\+)? n", card.rule
        )
        assert found is not None, card.rule
        against, stated, at = int(found[1]), int(found[2]), int(found[3] or 1)
        assert against == tally.count(AGAINST, at)
        assert stated == tally.count([*AGAINST, Direction.POSITIVE], at)
        assert Fraction(against, stated) >= given.min_against_share
    if studies:
        best = max(s.strength for s in studies)
        assert f"{STRENGTH_NAMES[best].lower()} (strength {best})" in card.rule


# --- ranking approaches -----------------------------------------------------------------------


def test_approaches_rank_by_rating_then_best_strength_then_studies(rule: Rule) -> None:
    cards = {
        "weak-many": build_card(rule, [study(i, 1, "positive") for i in range(9)]),
        "weak-few": build_card(rule, [study(i, 1, "positive") for i in range(2)]),
        "documented": build_card(rule, [study(0, 2, "positive")]),
        "promising": build_card(rule, [study(0, 3, "positive"), study(1, 1, "positive")]),
        "established": build_card(rule, [study(i, 5, "positive") for i in range(3)]),
        "none": build_card(rule, []),
        "against": build_card(rule, [study(0, 5, "negative")]),
    }
    order = sorted(cards, key=lambda k: ranking_key(cards[k]))
    assert order == [
        "established",
        "promising",
        "documented",
        "weak-many",
        "weak-few",
        "none",
        "against",
    ]
