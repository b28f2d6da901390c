"""The evidence index's year buckets and joined text give the sets a test of each study gives."""

from __future__ import annotations

import operator
import random
from bisect import bisect_right
from typing import SupportsIndex

import pytest

from graph.evidence_lookup import (
    CHARACTERS_A_STEP,
    FEWEST_STEPS,
    SEPARATOR,
    TextScan,
    YearBuckets,
)

ALPHABET = ["a", "b", "é", "ß", "1", "_", " ", "-", "%", "'", "\\", "\U0001f600", SEPARATOR, "ab"]


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
    names, descriptions = _strings(rnd, 320), _strings(rnd, 320)
    scan = TextScan(names[:300], descriptions[:300])
    for number in range(300, 320):  # numbered since, by a patch after a load
        scan.add(number, names[number], descriptions[number])
    for _ in range(200):
        text = "".join(rnd.choices(ALPHABET, k=rnd.randint(1, 4)))
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


class _Searched(str):
    """The joined text, recording the part of it each search covers."""

    spans: list[tuple[int, int]]

    def find(
        self, sub: str, start: SupportsIndex | None = None, end: SupportsIndex | None = None
    ) -> int:
        self.spans.append(
            (operator.index(start or 0), len(self) if end is None else operator.index(end))
        )
        return super().find(sub, start, end)


def test_a_text_of_words_searches_only_the_studies_holding_its_rarest_word() -> None:
    names = [f"digital front door for {service}" for service in ("school meals", "parking") * 500]
    names[6] = "meals on wheels for schools"  # holds both words, not the text
    scan = TextScan(names, [None] * len(names))
    searched = _Searched(scan.joined)
    searched.spans = []
    scan.joined = searched

    assert scan.matching("parking") == set(range(1, 1000, 2))
    assert searched.spans == []  # one word: its holders are the answer

    assert scan.matching("school meals") == set(range(0, 1000, 2)) - {6}
    studies = {bisect_right(scan.starts, start) - 1 for start, _ in searched.spans}
    assert len(searched.spans) == len(studies) == 500  # the holders of "school" and "schools"
    assert all(end - start < 40 for start, end in searched.spans)  # one study's text each

    searched.spans.clear()
    assert scan.matching("r p") == set(range(1, 1000, 2))  # "for parking"
    assert len(searched.spans) == 500  # "p" is in 500 studies' words, "r" in every one's


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


def test_a_text_whose_lookup_would_cost_more_searches_the_whole() -> None:
    names = [f"study {number}" for number in range(3000)]
    scan = TextScan(names, [None] * len(names))
    assert sum("1" in str(number) for number in range(3000)) > FEWEST_STEPS  # words with "1"
    assert len(scan.joined) // CHARACTERS_A_STEP < FEWEST_STEPS
    searched = _Searched(scan.joined)
    searched.spans = []
    scan.joined = searched

    for text in ("1", "study 1", "y 1"):  # "1" in too many words, "study", "y" in every study
        searched.spans.clear()
        expected = {number for number, name in enumerate(names) if text in name}
        assert scan.matching(text) == expected, text
        assert searched.spans[0] == (0, len(searched)), text  # the whole, from its start

    searched.spans.clear()
    assert scan.matching("y 2999") == {2999}
    assert searched.spans == [(scan.starts[2999], scan.starts[3000])]  # "2999": one holder
