"""The evidence rating rule: ratings as data, checked in order against counts of studies.

Pure: nothing here touches the database. The rule arrives as rows of `Rating` node properties
(`data/evidence/ratings.yaml`, loaded as the `evidence-ratings` scheme); every condition is a
count or a share of studies, and each can say in words what it needs and what it saw.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Direction(StrEnum):
    """What a study says happened; `not_stated` when the source does not say."""

    POSITIVE = "positive"
    MIXED = "mixed"
    NEGATIVE = "negative"
    NO_EFFECT = "no_effect"
    NOT_STATED = "not_stated"

    @property
    def words(self) -> str:
        return self.value.replace("_", " ")


AGAINST = frozenset({Direction.NEGATIVE, Direction.NO_EFFECT, Direction.MIXED})
"""Directions that say it did not work, or not everywhere: never counted towards a rating."""
STATED = AGAINST | {Direction.POSITIVE}
RATING_FIELDS = (
    "rank",
    "min_positive",
    "min_strength",
    "min_positive_at_strength",
    "max_against_at_strength",
    "min_positive_share",
    "min_against_share",
)
"""The rating rule's fields, only on a Rating: each is one condition its studies must meet."""
STRENGTH_NAMES = {
    1: "Reported",
    2: "Documented",
    3: "Externally examined",
    4: "Independently evaluated",
    5: "Peer reviewed",
}
"""The common 1-5 strength scale (the Connects evidence scale's level names)."""
AGAINST_WORDS = "negative, no effect or mixed"


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 study`, `2 studies`."""
    if count == 1:
        return f"1 {word}"
    return f"{count} {many or (word[:-1] + 'ies' if word.endswith('y') else word + 's')}"


@dataclass(frozen=True)
class Tally:
    """The counts a rating is decided on: studies by strength and direction."""

    cells: Counter[tuple[int, Direction]]

    @classmethod
    def of(cls, studies: Iterable[tuple[int, Direction]]) -> Tally:
        return cls(Counter(studies))

    def count(self, directions: Iterable[Direction], at_least: int = 1) -> int:
        wanted = set(directions)
        return sum(n for (s, d), n in self.cells.items() if d in wanted and s >= at_least)

    @property
    def studies(self) -> int:
        return sum(self.cells.values())

    @property
    def positive(self) -> int:
        return self.count([Direction.POSITIVE])

    @property
    def against(self) -> int:
        return self.count(AGAINST)

    @property
    def stated(self) -> int:
        return self.count(STATED)


def _share(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


@dataclass(frozen=True)
class Check:
    """One condition of a rating against a tally: met or not, and the numbers in words."""

    met: bool
    saw: str


def _against_share(tally: Tally, share: Fraction) -> Check:
    """Met if at least `share` of the studies stating a direction are against, counting all
    studies or only those at or above any one strength: weaker studies cannot outvote stronger
    ones that found it did not work."""
    present = sorted({s for (s, d), n in tally.cells.items() if n and d in STATED})
    for s in present:
        against, stated = tally.count(AGAINST, s), tally.count(STATED, s)
        if Fraction(against, stated) >= share:
            at = f" at strength {s}+" if s > present[0] else ""
            saw = f"{against} of {stated} with a stated direction{at} {AGAINST_WORDS}"
            return Check(True, f"{saw} (needs {share})")
    saw = f"{tally.against} of {tally.stated} with a stated direction {AGAINST_WORDS}"
    return Check(False, f"{saw}, under {share} at every strength")


class Rating(BaseModel):
    """One rating and its conditions, validated from a `Rating` node's properties."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    name: str
    description: str = ""
    notation: str = Field(pattern=r"^[0-9]{1,2}$", description="The order ratings are checked.")
    rank: int = Field(ge=0, le=9, description="Where it ranks approaches, higher first.")
    min_positive: int | None = Field(default=None, ge=0)
    min_strength: int | None = Field(default=None, ge=1, le=5)
    min_positive_at_strength: int | None = Field(default=None, ge=0)
    max_against_at_strength: int | None = Field(default=None, ge=0)
    min_positive_share: Fraction | None = Field(default=None, ge=0, le=1)
    min_against_share: Fraction | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _strength_is_given(self) -> Rating:
        at = self.min_positive_at_strength, self.max_against_at_strength
        if any(v is not None for v in at) and self.min_strength is None:
            raise ValueError(f"rating {self.id!r}: an 'at strength' condition needs min_strength")
        return self

    @property
    def order(self) -> int:
        return int(self.notation)

    @property
    def fallback(self) -> bool:
        """No conditions: every set of studies meets it."""
        return not self.needs()

    def needs(self) -> list[str]:
        """Its conditions in plain words, all of which must hold."""
        s = self.min_strength or 1
        at = f"at strength {s} ({STRENGTH_NAMES[s].lower()}) or above"
        words = {
            "min_positive": f"at least {plural(self.min_positive or 0, 'study')} found it worked",
            "min_positive_at_strength": f"at least "
            f"{plural(self.min_positive_at_strength or 0, 'study')} {at} found it worked",
            "max_against_at_strength": (
                f"no study {at} found it {AGAINST_WORDS}"
                if self.max_against_at_strength == 0
                else f"at most {self.max_against_at_strength} {at} found it {AGAINST_WORDS}"
            ),
            "min_positive_share": f"at least {self.min_positive_share} of the studies that "
            "state a direction found it worked",
            "min_against_share": f"at least {self.min_against_share} of the studies that state "
            f"a direction found it {AGAINST_WORDS}, counting all studies or only those at or "
            "above any one strength",
        }
        return [text for field, text in words.items() if getattr(self, field) is not None]

    def checks(self, tally: Tally) -> list[Check]:
        """Each of its conditions against the tally, with the numbers that met or failed it."""
        out: list[Check] = []
        s = self.min_strength or 1
        if (need := self.min_positive) is not None:
            saw = f"{tally.positive} of {plural(tally.studies, 'study')} positive"
            out.append(Check(tally.positive >= need, f"{saw} (needs {need})"))
        if (need := self.min_positive_at_strength) is not None:
            got = tally.count([Direction.POSITIVE], s)
            out.append(Check(got >= need, f"{got} positive at strength {s}+ (needs {need})"))
        if (most := self.max_against_at_strength) is not None:
            got = tally.count(AGAINST, s)
            saw = f"{got} {AGAINST_WORDS} at strength {s}+ (at most {most})"
            out.append(Check(got <= most, saw))
        if (share := self.min_positive_share) is not None:
            got_share = _share(tally.positive, tally.stated)
            saw = f"{tally.positive} of {tally.stated} with a stated direction positive"
            out.append(
                Check(got_share is not None and got_share >= share, f"{saw} (needs {share})")
            )
        if (share := self.min_against_share) is not None:
            out.append(_against_share(tally, share))
        return out


class Rule(BaseModel):
    """The ratings in the order they are checked; the last has no conditions."""

    model_config = ConfigDict(frozen=True)

    ratings: list[Rating] = Field(min_length=1)

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]]) -> Rule:
        """The rule from `Rating` node properties as the graph returns them, in any order."""
        ratings = sorted((Rating.model_validate(dict(row)) for row in rows), key=lambda r: r.order)
        return cls(ratings=ratings)

    @model_validator(mode="after")
    def _complete(self) -> Rule:
        orders = [r.order for r in self.ratings]
        if orders != sorted(set(orders)):
            raise ValueError("ratings need distinct notations, given in order")
        if len({r.id for r in self.ratings}) != len(self.ratings):
            raise ValueError("rating ids must be distinct")
        if not self.ratings[-1].fallback or any(r.fallback for r in self.ratings[:-1]):
            raise ValueError("exactly one rating, the last, has no conditions")
        return self

    def by_id(self, rating_id: str) -> Rating:
        return next(r for r in self.ratings if r.id == rating_id)

    def apply(self, tally: Tally) -> Verdict:
        """The first rating whose conditions all hold, and why each before it did not."""
        passed_over: list[str] = []
        for rating in self.ratings:
            checks = rating.checks(tally)
            failed = next((c for c in checks if not c.met), None)
            if failed is None:
                return Verdict(rating, [c.saw for c in checks], passed_over)
            passed_over.append(f"not {rating.name.lower()}: {failed.saw}")
        raise AssertionError("the last rating has no conditions")  # pragma: no cover


@dataclass(frozen=True)
class Verdict:
    """The rating given, the numbers that met its conditions, and why earlier ones failed."""

    rating: Rating
    met: list[str]
    passed_over: list[str]
