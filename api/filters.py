"""Turn the filter values people type (names or ids) into the ids evidence queries use."""

from __future__ import annotations

from typing import ClassVar

from neo4j import AsyncDriver
from pydantic import BaseModel, Field, field_validator

from graph import writes
from graph.dialect import Dialect
from graph.evidence import EvidenceFilter
from graph.model import ORGANISATIONS, Kind
from loaders.vocabulary import Unknown, Vocabulary, from_graph, slugify


class InvalidFilter(Exception):
    """A filter value matches nothing in the graph (422, saying which)."""

    status: ClassVar[int] = 422
    slug: ClassVar[str] = "invalid"

    def __init__(self, location: str, message: str) -> None:
        super().__init__(message)
        self.location = location
        self.message = message
        self.errors = [{"location": location, "message": message}]


class RawFilter(BaseModel):
    """Filters as given: names or ids, matched tolerantly (case, spacing, aliases).

    Empty values (``?region=``) are ignored, as browsers send them for blank form fields.
    """

    outcome: list[str] = Field(default_factory=list)
    theme: list[str] = Field(default_factory=list)
    organisation: list[str] = Field(default_factory=list)
    region: list[str] = Field(default_factory=list)
    place: list[str] = Field(default_factory=list)
    evidence_type: list[str] = Field(default_factory=list)
    direction: list[str] = Field(default_factory=list)
    min_strength: int = 1
    year_from: int | None = None
    year_to: int | None = None
    q: str | None = None

    @field_validator("outcome", "theme", "organisation", "region", "place", "evidence_type")
    @classmethod
    def _drop_empty(cls, values: list[str]) -> list[str]:
        return [v for v in values if v.strip()]


_KINDS: dict[str, tuple[Kind, ...]] = {
    "outcome": (Kind.OUTCOME,),
    "theme": (Kind.POLICY_THEME,),
    "organisation": tuple(sorted(ORGANISATIONS)),
    "region": (Kind.REGION,),
    "evidence_type": (Kind.EVIDENCE_TYPE,),
}


async def resolve(
    driver: AsyncDriver, dialect: Dialect, database: str, raw: RawFilter
) -> EvidenceFilter:
    """The evidence filter for `raw`, every name resolved to its id.

    Raises:
        InvalidFilter: a value names nothing; the message lists the valid choices.
    """
    if raw.year_from is not None and raw.year_to is not None and raw.year_to < raw.year_from:
        raise InvalidFilter("query.year_to", "year_to is earlier than year_from.")
    named = any(getattr(raw, key) for key in _KINDS)
    vocabulary = await from_graph(driver, dialect, database) if named else Vocabulary()
    ids = {key: _ids(vocabulary, key, getattr(raw, key)) for key in _KINDS}
    places = [p if p.startswith("locality-") else f"locality-{slugify(p)}" for p in raw.place]
    known = await writes.existing_kinds(driver, dialect, database, places) if places else {}
    for given, place_id in zip(raw.place, places, strict=True):
        if known.get(place_id) is not Kind.PLACE:
            message = (
                f"{given!r} is not a place named by any case study (see GET /nodes?kind=Place)."
            )
            raise InvalidFilter("query.place", message)
    return EvidenceFilter(
        outcomes=ids["outcome"],
        themes=ids["theme"],
        organisations=ids["organisation"],
        regions=ids["region"],
        evidence_types=ids["evidence_type"],
        places=places,
        directions=list(raw.direction),
        min_strength=raw.min_strength,
        year_from=raw.year_from,
        year_to=raw.year_to,
        text=raw.q,
    )


def _ids(vocabulary: Vocabulary, key: str, values: list[str]) -> list[str]:
    out = []
    for value in values:
        try:
            out.append(vocabulary.resolve(value, *_KINDS[key]))
        except Unknown as e:
            raise InvalidFilter(f"query.{key}", str(e)) from e
    return out
