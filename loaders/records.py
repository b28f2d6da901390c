"""Strict input models: what a curator may write in a data file, and nothing else."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from graph.model import Kind, Rel
from graph.rating_rule import RATING_FIELDS, Direction

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
URL_PATTERN = r"^https?://[^\s]+$"
GSS_PATTERN = r"^[EWSNK]\d{8}$"
SHARE_PATTERN = r"^[0-9]{1,3}/[1-9][0-9]{0,2}$"
Slug = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=80),
]
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _printable(text: str) -> str:
    # Control characters and lone surrogates corrupt exports and break some parsers downstream.
    if _FORBIDDEN.search(text):
        raise ValueError("must not contain control characters or lone surrogates")
    return text


Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=4000),
    AfterValidator(_printable),
]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(_printable),
]
Url = Annotated[str, StringConstraints(pattern=URL_PATTERN, max_length=2000)]
GssCode = Annotated[str, StringConstraints(pattern=GSS_PATTERN)]
Year = Annotated[int, Field(ge=1900, le=2100)]


def _proper_fraction(text: str) -> str:
    top, bottom = (int(part) for part in text.split("/"))
    if top > bottom:
        raise ValueError("must be a share from 0/1 to 1/1")
    return text


Share = Annotated[
    str,
    StringConstraints(pattern=SHARE_PATTERN),
    AfterValidator(_proper_fraction),
]
"""A share written exactly as a fraction ("2/3"), so a third is a third and not 0.33."""
Count = Annotated[int, Field(ge=0, le=1000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ResourceType(StrEnum):
    BRIEFING = "briefing"
    REPORT = "report"
    POLICY_PAPER = "policy-paper"
    GUIDE = "guide"
    MEDIA = "media"


class LinkRecord(_Strict):
    """A relationship stated by the source, from the node it is written under."""

    rel: Annotated[Rel, Field(strict=False, description="Relationship type.")]
    to: Slug = Field(description="Id of the node the relationship points to.")


# Fields that only some kinds have: which kinds may (and must) carry each.
_KIND_FIELDS: dict[str, tuple[frozenset[Kind], bool]] = {
    "strength": (frozenset({Kind.EVIDENCE_LEVEL}), True),
    "resource_type": (frozenset({Kind.RESOURCE}), True),
    "gss_code": (frozenset({Kind.REGION, Kind.PLACE}), False),
    "url": (frozenset({Kind.RESOURCE, Kind.PUBLICATION, Kind.ORGANISATION}), False),
    **{field: (frozenset({Kind.RATING}), field == "rank") for field in RATING_FIELDS},
}
_AT_STRENGTH = ("min_positive_at_strength", "max_against_at_strength")


class NodeRecord(_Strict):
    """One framework node as a curator writes it."""

    id: Slug = Field(description="Stable slug, unique across the whole graph.")
    kind: Annotated[Kind, Field(strict=False, description="What sort of node this is.")]
    name: Name = Field(description="The name, exactly as the source spells it.")
    description: Text = Field(description="What it is, in our own words.")
    source: Name = Field(description="The section of the source document it comes from.")
    notation: Annotated[str, StringConstraints(max_length=20)] | None = Field(
        default=None, description="Its number or position in the source, if it has one."
    )
    alt_names: list[Name] = Field(default_factory=list, description="Abbreviations, other names.")
    strength: Annotated[int, Field(ge=1, le=5)] | None = Field(
        default=None, description="EvidenceLevel only: its place on the common 1-5 scale."
    )
    resource_type: Annotated[ResourceType, Field(strict=False)] | None = Field(
        default=None, description="Resource only: briefing, report, policy-paper, guide, media."
    )
    gss_code: GssCode | None = Field(default=None, description="Region or Place: ONS GSS code.")
    url: Url | None = Field(default=None, description="Where it can be read.")
    # The rating rule (Rating only): each field is one condition on the studies; all must hold.
    rank: Annotated[int, Field(ge=0, le=9)] | None = Field(
        default=None, description="Rating only: where it ranks approaches, higher first."
    )
    min_positive: Count | None = Field(
        default=None, description="Rating only: at least this many studies found it worked."
    )
    min_strength: Annotated[int, Field(ge=1, le=5)] | None = Field(
        default=None, description="Rating only: the strength the two 'at strength' fields count."
    )
    min_positive_at_strength: Count | None = Field(
        default=None,
        description="Rating only: at least this many studies at min_strength or above found it "
        "worked.",
    )
    max_against_at_strength: Count | None = Field(
        default=None,
        description="Rating only: at most this many studies at min_strength or above found it "
        "negative, no effect or mixed.",
    )
    min_positive_share: Share | None = Field(
        default=None,
        description="Rating only: at least this share of the studies that state a direction "
        "found it worked.",
    )
    min_against_share: Share | None = Field(
        default=None,
        description="Rating only: at least this share of the studies that state a direction "
        "found it negative, no effect or mixed, counting all studies or only those at or above "
        "any one strength (so weaker studies cannot outvote stronger ones).",
    )
    links: list[LinkRecord] = Field(default_factory=list)

    @model_validator(mode="after")
    def _fields_fit_the_kind(self) -> NodeRecord:
        for field, (kinds, required) in _KIND_FIELDS.items():
            present = getattr(self, field) is not None
            if present and self.kind not in kinds:
                raise ValueError(f"'{field}' is only for {' or '.join(sorted(kinds))} nodes")
            if required and not present and self.kind in kinds:
                raise ValueError(f"a {self.kind} needs '{field}'")
        at_strength = [f for f in _AT_STRENGTH if getattr(self, f) is not None]
        if at_strength and self.min_strength is None:
            raise ValueError(f"'{at_strength[0]}' needs 'min_strength'")
        if self.min_strength is not None and not at_strength:
            raise ValueError(f"'min_strength' needs {' or '.join(repr(f) for f in _AT_STRENGTH)}")
        return self


class FrameworkFile(_Strict):
    """A YAML or JSON file of framework nodes."""

    nodes: list[NodeRecord] = Field(min_length=1)


class EvidenceTypeName(StrEnum):
    """Where evidence comes from (the `evidence_type` column): the EvidenceType's id, spelt as
    in its URI (``independent-evaluation``). The underscored spelling files used before 0.2
    (``independent_evaluation``) is still read, as the same value."""

    INDEPENDENT_EVALUATION = "independent-evaluation"
    PEER_REVIEWED = "peer-reviewed"
    AUDIT_OR_INSPECTION = "audit-or-inspection"
    INTERNAL_EVALUATION = "internal-evaluation"
    SELF_REPORTED_CASE_STUDY = "self-reported-case-study"
    NEWS_REPORT = "news-report"

    @classmethod
    def _missing_(cls, value: object) -> EvidenceTypeName | None:
        if isinstance(value, str) and "_" in value:
            return cls._value2member_map_.get(value.replace("_", "-"))  # type: ignore[return-value]
        return None

    @property
    def node_id(self) -> str:
        return self.value


class OrganisationType(StrEnum):
    COUNCIL = "council"
    COMBINED_AUTHORITY = "combined_authority"
    NHS = "nhs"
    POLICE = "police"
    FIRE = "fire"
    OTHER = "other"


class EvidenceRecord(_Strict):
    """One claim: this case study advances this outcome, on this evidence."""

    outcome: Name = Field(description="An outcome's name or id (matched tolerantly).")
    evidence_type: Annotated[EvidenceTypeName, Field(strict=False)]
    level: Slug | None = Field(
        default=None, description="An EvidenceLevel id; default: the type's default level."
    )
    direction: Annotated[Direction, Field(strict=False)] = Field(
        default=Direction.NOT_STATED,
        description="The effect the source reports; 'not_stated' unless it says.",
    )
    note: Text | None = None
    source: Url | None = Field(default=None, description="Default: the case study's first URL.")


class CaseStudyRecord(_Strict):
    """A documented initiative by a local public body and the evidence it offers."""

    id: Slug
    title: Name
    summary: Text = Field(description="What it did, in our own words.")
    organisation: Name = Field(description="The lead organisation.")
    organisation_type: Annotated[OrganisationType, Field(strict=False)] = OrganisationType.OTHER
    places: list[Name] = Field(default_factory=list)
    region: Name | None = Field(
        default=None, description="An ONS region or nation, or several separated by ';'."
    )
    gss_code: GssCode | None = None
    year: Year | None = Field(default=None, description="The year it started or was reported.")
    year_end: Year | None = None
    themes: list[Name] = Field(default_factory=list)
    interventions: list[Name] = Field(
        default_factory=list, description="The approaches it applied, by name or id."
    )
    partners: list[Name] = Field(default_factory=list)
    resources: list[Slug] = Field(default_factory=list)
    reported_results: list[Text] = Field(default_factory=list, description="Figures as stated.")
    cost: Name | None = Field(default=None, description="A reported cost, as the source states it.")
    cost_basis: Text | None = Field(default=None, description="What the cost figure covers.")
    cost_year: Year | None = Field(default=None, description="The year the cost is stated for.")
    source_urls: list[Url] = Field(min_length=1)
    evidence: list[EvidenceRecord] = Field(default_factory=list)
    evaluation_status: Literal["planned", "ongoing"] | None = Field(
        default=None,
        description="For an evaluation not reported yet (none: reported); it has no claims.",
    )
    # Not strict: files and JSON give the date as text (YYYY-MM-DD).
    expected_report_date: Annotated[date, Field(strict=False)] | None = Field(
        default=None, description="When a planned or ongoing evaluation expects to report."
    )
    planned_outcomes: list[Name] = Field(
        default_factory=list,
        description="The outcomes a planned or ongoing evaluation is to report on: shown as "
        "gaps being filled, never counted as evidence.",
    )

    @model_validator(mode="after")
    def _planned_has_no_findings(self) -> CaseStudyRecord:
        if self.evaluation_status is None:
            if self.expected_report_date is not None or self.planned_outcomes:
                raise ValueError(
                    "'expected_report_date' and 'planned_outcomes' are for a planned or "
                    "ongoing evaluation: give its 'evaluation_status'"
                )
            return self
        if self.evidence:
            raise ValueError(
                "a planned or ongoing evaluation has no findings yet: list its outcomes as "
                "'planned_outcomes', not 'evidence'"
            )
        if self.expected_report_date is None:
            raise ValueError("a planned or ongoing evaluation needs its 'expected_report_date'")
        return self

    @field_validator("year_end")
    @classmethod
    def _years_in_order(cls, year_end: int | None, info: ValidationInfo) -> int | None:
        year = info.data.get("year")
        if year_end is not None and (year is None or year_end < year):
            raise ValueError("needs a 'year' no later than it")
        return year_end

    @field_validator("cost_basis", "cost_year")
    @classmethod
    def _cost_details_need_a_cost(
        cls, detail: str | int | None, info: ValidationInfo
    ) -> str | int | None:
        if detail is not None and info.data.get("cost") is None:
            raise ValueError("needs a 'cost' (the figure as the source states it)")
        return detail
