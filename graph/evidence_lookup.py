"""Lookups the evidence index answers its year and free-text conditions from, in C loops.

Testing every case study in Python for a year range or a word costs ~10 us each at 100,000
(most of a first page's time at L). Years become buckets of case studies per (latest, earliest)
year pair, of which there are a few hundred; free text becomes one joined string searched with
`str.find`, whose offsets map back to case studies by bisection. Both give exactly the sets that
testing each case study gives (`EvidenceIndex._passes`).
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Sequence

SEPARATOR = "\x00"
"""Between every name and summary in the joined text: a word without it never spans two."""


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


class TextScan:
    """Every case study's name and summary as one string, and where each begins."""

    def __init__(self, names: Sequence[str | None], descriptions: Sequence[str | None]) -> None:
        pieces: list[str] = []
        starts = array("q", [0])
        for name, description in zip(names, descriptions, strict=True):
            pieces.append(f"{name or ''}{SEPARATOR}{description or ''}{SEPARATOR}")
            starts.append(starts[-1] + len(pieces[-1]))
        self.joined = "".join(pieces)
        self.starts = starts
        self.added: list[tuple[int, str]] = []
        """Case studies numbered since (a patch after a load), each with its own piece: joining
        them in would copy the whole string per case study."""

    def add(self, number: int, name: str | None, description: str | None) -> None:
        self.added.append((number, f"{name or ''}{SEPARATOR}{description or ''}"))

    def matching(self, text: str) -> set[int] | None:
        """The case studies whose name or summary holds `text`; None: `text` holds the
        separator, so the caller must test each case study instead."""
        if not text or SEPARATOR in text:
            return None
        found: set[int] = set()
        find, starts = self.joined.find, self.starts
        at = find(text)
        while at >= 0:
            number = bisect_right(starts, at) - 1
            found.add(number)
            at = find(text, starts[number + 1])  # one hit is enough: on to the next study
        found.update(number for number, piece in self.added if text in piece)
        return found
