"""Turn the filter values people type (names or ids) into the ids evidence queries use."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from graph import writes
from graph.db import Db
from graph.evidence import EvidenceFilter
from graph.evidence_store import EvidenceStore
from graph.model import ORGANISATIONS, Kind
from graph.vocabulary import Unknown, Vocabulary, from_graph, slugify


class InvalidFilter(Exception):
    """A filter value matches nothing in the graph; `location` names the parameter."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(message)
        self.location = location
        self.message = message


Direction = Literal["positive", "mixed", "negative", "no_effect", "not_stated"]


class RawFilter(BaseModel):
    """Filters as given: names or ids, matched tolerantly (case, spacing, aliases).

    Empty values (``?region=``) are ignored, as browsers send them for blank form fields. The
    evidence routes take it (with their own parameters) as a query-parameter model; an unknown
    parameter is refused, so a misspelt filter is a 422 rather than silently no filter.
    """

    model_config = ConfigDict(extra="forbid")

    outcome: list[str] = Field(
        default=[], description="Outcome name or id; repeat for several.", examples=["Inclusion"]
    )
    theme: list[str] = Field(default=[], description="Policy theme name or id.")
    organisation: list[str] = Field(
        default=[], description="Lead or partner organisation, name or id."
    )
    region: list[str] = Field(default=[], description="Region name or id.")
    place: list[str] = Field(default=[], description="Place name or id.")
    evidence_type: list[str] = Field(
        default=[], description="e.g. news-report, independent-evaluation."
    )
    direction: list[Direction] = Field(
        default=[],
        description="The effect the source reports; not_stated: the source did not say "
        "(never counted as positive).",
    )
    min_strength: int = Field(
        default=1, ge=1, le=5, description="Minimum strength on the common 1-5 scale."
    )
    year_from: int | None = Field(default=None, ge=1900, le=2100)
    year_to: int | None = Field(default=None, ge=1900, le=2100)
    q: str | None = Field(default=None, max_length=200, description="Text in the title or summary.")

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


async def resolve(db: Db, raw: RawFilter, store: EvidenceStore | None = None) -> EvidenceFilter:
    """The evidence filter for `raw`, every name resolved to its id.

    With a `store`, the names come from its index (read once per load), not from the graph.

    Raises:
        InvalidFilter: a value names nothing; the message lists the valid choices.
    """
    if raw.year_from is not None and raw.year_to is not None and raw.year_to < raw.year_from:
        raise InvalidFilter("query.year_to", "year_to is earlier than year_from.")
    named = any(getattr(raw, key) for key in _KINDS)
    vocabulary = Vocabulary()
    if named:
        index = await store.index(db) if store is not None else None
        vocabulary = index.vocabulary if index is not None else await from_graph(db)
    ids = {key: _ids(vocabulary, key, getattr(raw, key)) for key in _KINDS}
    places = [p if p.startswith("locality-") else f"locality-{slugify(p)}" for p in raw.place]
    known = await writes.existing_kinds(db, places) if places else {}
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
