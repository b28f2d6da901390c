"""The evidence index's year buckets and joined text give the sets a test of each study gives."""

from __future__ import annotations

import random

import pytest

from graph.evidence_lookup import SEPARATOR, TextScan, YearBuckets

ALPHABET = ["a", "b", "é", "ß", " ", "%", "'", "\\", "\U0001f600", SEPARATOR, "ab", "ba"]


def _strings(rnd: random.Random, count: int) -> list[str | None]:
    return [
        None if rnd.random() < 0.1 else "".join(rnd.choices(ALPHABET, k=rnd.randint(0, 8)))
        for _ in range(count)
    ]


def _years(rnd: random.Random, count: int) -> list[int | None]:
    return [None if rnd.random() < 0.2 else rnd.randint(2010, 2020) for _ in range(count)]


@pytest.mark.parametrize("seed", range(5))
def test_text_scan_finds_what_a_substring_test_of_each_study_finds(seed: int) -> None:
    rnd = random.Random(seed)  # noqa: S311 - seeded on purpose
    names, descriptions = _strings(rnd, 300), _strings(rnd, 300)
    scan = TextScan(names, descriptions)
    for _ in range(100):
        text = "".join(rnd.choices(ALPHABET, k=rnd.randint(1, 3)))
        expected = {
            n
            for n, (name, description) in enumerate(zip(names, descriptions, strict=True))
            if (name is not None and text in name)
            or (description is not None and text in description)
        }
        found = scan.matching(text)
        if SEPARATOR in text:
            assert found is None  # the caller tests each study instead
        else:
            assert found == expected, text


def test_a_word_is_found_once_per_study_and_never_across_two() -> None:
    scan = TextScan(["ab", "b", None, "xab"], ["a", "ab ab", "ab", None])
    assert scan.matching("ab") == {0, 1, 2, 3}
    assert scan.matching("ba") == set()  # "ab" + "a", "b" + "ab": only across boundaries
    assert scan.matching("x") == {3}


@pytest.mark.parametrize("seed", range(5))
def test_year_buckets_give_the_year_range_condition(seed: int) -> None:
    rnd = random.Random(seed)  # noqa: S311 - seeded on purpose
    starts, ends = _years(rnd, 400), _years(rnd, 400)
    recent = [e if e is not None else s for s, e in zip(starts, ends, strict=True)]
    early = [s if s is not None else e for s, e in zip(starts, ends, strict=True)]
    buckets = YearBuckets(recent, early)
    for _ in range(50):
        year_from = rnd.choice([None, *range(2008, 2023)])
        year_to = rnd.choice([None, *range(2008, 2023)])
        expected = {
            n
            for n in range(400)
            if (year_from is None or (recent[n] is not None and recent[n] >= year_from))
            and (year_to is None or (early[n] is not None and early[n] <= year_to))
        }
        assert buckets.matching(year_from, year_to) == expected, (year_from, year_to)
