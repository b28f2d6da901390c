"""The floor's answers on a tiny corpus: the API's ranking, totals and filters (no timing)."""

from __future__ import annotations

from typing import Any

import pytest

from bench.floor import Filter, Floor


def study(i: str, name: str, year: int | None, region: str = "london") -> tuple[str, str, Any]:
    props: dict[str, Any] = {"id": i, "name": name, "description": f"About {name}."}
    props["region_ids"] = [region]
    if year is not None:
        props |= {"year_start": year, "year_end": year}
    return i, "CaseStudy", props


def claim(i: str, strength: int, kind: str = "news-report") -> tuple[str, str, Any]:
    props = {"id": i, "strength": strength, "evidence_type": kind, "direction": "positive"}
    return i, "EvidenceClaim", props


@pytest.fixture
def floor() -> Floor:
    nodes = [
        ("inclusion", "Outcome", {"id": "inclusion", "name": "Inclusion"}),
        ("value", "Outcome", {"id": "value", "name": "Value"}),
        ("london", "Region", {"id": "london", "name": "London"}),
        ("wales", "Region", {"id": "wales", "name": "Wales"}),
        ("lga", "Organisation", {"id": "lga", "name": "Local Government Association"}),
        study("b", "Bins", 2020),
        study("a", "Apps", 2020),
        study("c", "Care", 2024, region="wales"),
        study("d", "Data", None),
        claim("cb", 3),
        claim("ca", 3),
        claim("cc", 2),
        claim("cd", 5, kind="peer-reviewed"),
        claim("cd2", 1),
    ]
    links = [
        ("b", "HAS_CLAIM", "cb"),
        ("a", "HAS_CLAIM", "ca"),
        ("c", "HAS_CLAIM", "cc"),
        ("d", "HAS_CLAIM", "cd"),
        ("d", "HAS_CLAIM", "cd2"),
        ("cb", "FOR_OUTCOME", "inclusion"),
        ("ca", "FOR_OUTCOME", "inclusion"),
        ("cc", "FOR_OUTCOME", "inclusion"),
        ("cd", "FOR_OUTCOME", "value"),
        ("cd2", "FOR_OUTCOME", "inclusion"),
        ("c", "LED_BY", "lga"),
    ]
    built = Floor()
    built.add(nodes, links)
    return built.finish()


def test_ranking_is_best_strength_then_recency_then_name_then_id(floor: Floor) -> None:
    page = floor.evidence(Filter())
    # d's best is 5 (value); a and b tie on 3 and year, so name decides; c is 2.
    assert page["ids"] == ["d", "a", "b", "c"]
    assert page["total"] == 4


def test_only_the_matching_claims_count_for_the_rank(floor: Floor) -> None:
    page = floor.evidence(Filter(outcomes=["inclusion"]))
    # For inclusion alone, d's claim is strength 1: last, and a study without a year is oldest.
    assert page["ids"] == ["a", "b", "c", "d"]
    assert [len(item["claims"]) for item in page["items"]] == [1, 1, 1, 1]


def test_each_filter_narrows_alone(floor: Floor) -> None:
    assert floor.evidence(Filter(regions=["wales"]))["ids"] == ["c"]
    assert floor.evidence(Filter(organisations=["lga"]))["ids"] == ["c"]
    assert floor.evidence(Filter(evidence_types=["peer-reviewed"]))["ids"] == ["d"]
    assert floor.evidence(Filter(min_strength=3))["ids"] == ["d", "a", "b"]
    assert floor.evidence(Filter(year_from=2021, year_to=2024))["ids"] == ["c"]
    assert floor.evidence(Filter(text="care"))["ids"] == ["c"]
    assert floor.evidence(Filter(directions=["mixed"])) == {"total": 0, "ids": [], "items": []}


def test_the_first_page_is_twenty_with_the_total(floor: Floor) -> None:
    page = floor.evidence(Filter(), limit=2)
    assert page["ids"] == ["d", "a"]
    assert page["total"] == 4


def test_facets_gap_map_search_neighbourhood_and_detail(floor: Floor) -> None:
    assert floor.facets(Filter(), ["region"]) == {"region": {"london": 3, "wales": 1}}
    cells = floor.gap_map(Filter())
    assert cells == {}  # no study addresses a theme
    assert floor.search("dat") == ["d"]
    around = floor.neighbourhood("d", 1, 200)
    assert around["nodes"] == ["cd", "cd2", "d"]
    assert len(around["edges"]) == 2
    detail = floor.node("c")
    assert detail is not None
    assert detail["total"] == 2
    assert floor.node("nothing") is None
    assert floor.ids_by_name()["Inclusion"] == "inclusion"
    assert floor.organisation_id("Local Government Association") == "lga"
