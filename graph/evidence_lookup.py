"""Lookups the evidence index answers its year and free-text conditions from, in C loops.

Testing every case study in Python for a year range or a word costs ~10 us each at 100,000
(most of a first page's time at L). Years become buckets of case studies per (latest, earliest)
year pair, of which there are a few hundred; free text becomes one joined string, whose offsets
map back to case studies by bisection, and the case studies holding each of its words. Both give
exactly the sets that testing each case study gives (`EvidenceIndex._passes`).
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

SEPARATOR = "\x00"
"""Between every name and summary in the joined text: a word without it never spans two."""

WORD = re.compile(r"\w+")
"""A run of word characters: the text's words, and the runs of a text searched for."""


class YearBuckets:
    """Case studies grouped by their (latest, earliest) years, None where the source is silent."""

    def __init__(self, recent: Sequence[int | None], early: Sequence[int | None]) -> None:
        grouped: dict[tuple[int | None, int | None], list[int]] = {}
        for number, years in enumerate(zip(recent, early, strict=True)):
            grouped.setdefault(years, []).append(number)
        self.buckets = {years: array("i", members) for years, members in grouped.items()}

    def add(self, number: int, recent: int | None, early: int | None) -> None:
        """A case study numbered since (a patch after a load)."""
        self.buckets.setdefault((recent, early), array("i")).append(number)

    def matching(self, year_from: int | None, year_to: int | None) -> set[int]:
        """Those reported for a year from `year_from` to `year_to`: the latest year not before
        the start, the earliest not after the end (the Cypher reference's condition)."""
        found: set[int] = set()
        for (recent, early), members in self.buckets.items():
            if year_from is not None and (recent is None or recent < year_from):
                continue
            if year_to is not None and (early is None or early > year_to):
                continue
            found.update(members)
        return found


CHARACTERS_A_STEP = 1_000
"""Looking up one word, or searching one case study's own text, costs about as much as
searching this many characters of the whole (at L: about 1 us against 0.75 ns a character)."""

FEWEST_STEPS = 1_000
"""Steps a lookup may always take, however short the text (about 1 ms)."""


class _Words:
    """Every word of the text (a run of word characters), found by any part of it, and the case
    studies that hold it."""

    def __init__(self, holders: dict[str, list[int]]) -> None:
        words = list(holders)
        self.holders = [array("i", holders[word]) for word in words]
        self.joined = SEPARATOR.join(words) + SEPARATOR
        self.starts = array("q", accumulate((len(word) + 1 for word in words), initial=0))

    def holding(self, part: str, most: int) -> list[array[int]] | None:
        """The case studies holding each word that contains `part`, word by word; None if
        more than `most` words do."""
        found: list[array[int]] = []
        find, starts = self.joined.find, self.starts
        at = find(part)
        while at >= 0:
            if len(found) == most:
                return None
            index = bisect_right(starts, at) - 1
            found.append(self.holders[index])
            at = find(part, starts[index + 1])
        return found


class TextScan:
    """Every case study's name and summary as one string, where each begins, and its words.

    Searching the whole string is most of a `q` page's time at L (27M characters, 20-30 ms).
    Each run of word characters in the text searched for lies inside one word of every case
    study holding the text, so only the holders of the words containing its rarest run are
    candidates: when the text is one run they are the answer, otherwise only their own parts
    of the string are searched. Where that would take more steps than searching the whole
    string (a run in thousands of words, tens of thousands of candidates), the whole is searched.
    """

    def __init__(self, names: Sequence[str | None], descriptions: Sequence[str | None]) -> None:
        pieces: list[str] = []
        starts = array("q", [0])
        for name, description in zip(names, descriptions, strict=True):
            pieces.append(f"{name or ''}{SEPARATOR}{description or ''}{SEPARATOR}")
            starts.append(starts[-1] + len(pieces[-1]))
        self.joined = "".join(pieces)
        self.starts = starts
        self.words = _Words(self._holders())
        self.steps = max(FEWEST_STEPS, len(self.joined) // CHARACTERS_A_STEP)
        """What a lookup may cost before searching the whole string is cheaper."""
        self.added: list[tuple[int, str]] = []
        """Case studies numbered since (a patch after a load), each with its own piece: joining
        them in would copy the whole string per case study."""

    def _holders(self) -> dict[str, list[int]]:
        holders: dict[str, list[int]] = {}
        words_in, joined, starts = WORD.findall, self.joined, self.starts
        for number in range(len(starts) - 1):
            for word in set(words_in(joined, starts[number], starts[number + 1])):
                if (numbers := holders.get(word)) is None:
                    holders[word] = [number]
                else:
                    numbers.append(number)
        return holders

    def add(self, number: int, name: str | None, description: str | None) -> None:
        self.added.append((number, f"{name or ''}{SEPARATOR}{description or ''}"))

    def matching(self, text: str) -> set[int] | None:
        """The case studies whose name or summary holds `text`; None: `text` holds the
        separator, so the caller must test each case study instead."""
        if not text or SEPARATOR in text:
            return None
        found = self._looked_up(text)
        if found is None:
            found = self._scan(text)
        found.update(number for number, piece in self.added if text in piece)
        return found

    def _looked_up(self, text: str) -> set[int] | None:
        """The case studies holding `text`, found from its runs; None where searching the
        whole string is cheaper."""
        runs = WORD.findall(text)
        # A run in too many words is only found out by looking through them, steps lost to
        # the search of the whole string that follows: so a tenth of the steps at most.
        most = self.steps // 10
        holding = [h for run in runs if (h := self.words.holding(run, most)) is not None]
        if not holding:
            return None
        rarest = min(holding, key=lambda h: sum(map(len, h)))
        if runs == [text]:
            return set().union(*rarest)
        if sum(map(len, rarest)) > self.steps:
            return None
        find, starts = self.joined.find, self.starts
        return {n for n in set().union(*rarest) if find(text, starts[n], starts[n + 1]) >= 0}

    def _scan(self, text: str) -> set[int]:
        found: set[int] = set()
        find, starts = self.joined.find, self.starts
        at = find(text)
        while at >= 0:
            number = bisect_right(starts, at) - 1
            found.add(number)
            at = find(text, starts[number + 1])  # one hit is enough: on to the next study
        return found
