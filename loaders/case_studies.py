"""Case studies and their evidence: from CSV rows or YAML/JSON records to graph rows.

Pure functions: nothing here reads files or touches the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.model import ORGANISATIONS, Kind, Rel
from graph.vocabulary import Unknown, Vocabulary, slugify
from graph.writes import LinkRow, NodeRow, PropertyValue
from loaders.readers import Row
from loaders.records import CaseStudyRecord, EvidenceRecord, EvidenceTypeName

MULTI = ";"
CASE_STUDY_COLUMNS = (
    "id",
    "title",
    "organisation",
    "organisation_type",
    "place",
    "region",
    "gss_code",
    "year",
    "year_end",
    "summary",
    "outcomes",
    "themes",
    "interventions",
    "partners",
    "evidence_type",
    "evidence_level",
    "direction",
    "evidence_note",
    "reported_result",
    "cost",
    "cost_basis",
    "cost_year",
    "source_url",
    "resources",
)
REQUIRED_CASE_STUDY_COLUMNS = ("id", "title", "organisation", "summary", "source_url")
EVIDENCE_COLUMNS = (
    "case_study",
    "outcome",
    "evidence_type",
    "evidence_level",
    "direction",
    "evidence_note",
    "source_url",
)
REQUIRED_EVIDENCE_COLUMNS = ("case_study", "outcome", "evidence_type")

_EVIDENCE_FIELD_COLUMNS = {
    "outcome": "outcomes",
    "evidence_type": "evidence_type",
    "level": "evidence_level",
    "direction": "direction",
    "note": "evidence_note",
    "source": "source_url",
}
_TEXT_COLUMNS = (
    "id",
    "title",
    "summary",
    "organisation",
    "organisation_type",
    "region",
    "cost",
    "cost_basis",
)
"""Columns taken as they are (after the reader has stripped them)."""
_FIELD_COLUMNS = {
    "places": "place",
    "source_urls": "source_url",
    "reported_results": "reported_result",
}


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(MULTI) if part.strip()]


def _year(cell: str) -> int | str:
    return int(cell) if cell.isdigit() else cell


def row_to_record_data(row: Row) -> dict[str, Any]:
    """A case-study CSV row as the dict a CaseStudyRecord validates (empty cells omitted)."""
    cells = {k: v for k, v in row.cells.items() if v}
    data: dict[str, Any] = {key: cells[key] for key in _TEXT_COLUMNS if key in cells}
    data |= {k: _year(cells[k]) for k in ("year", "year_end", "cost_year") if k in cells}
    if "gss_code" in cells:
        data["gss_code"] = cells["gss_code"]
    for key, column in (
        ("places", "place"),
        ("themes", "themes"),
        ("partners", "partners"),
        ("interventions", "interventions"),
        ("resources", "resources"),
        ("source_urls", "source_url"),
    ):
        if column in cells:
            data[key] = _split(cells[column])
    if "reported_result" in cells:
        data["reported_results"] = [cells["reported_result"]]
    shared = {
        "evidence_type": cells.get("evidence_type"),
        "level": cells.get("evidence_level"),
        "direction": cells.get("direction"),
        "note": cells.get("evidence_note"),
    }
    shared = {k: v for k, v in shared.items() if v is not None}
    data["evidence"] = [{"outcome": o, **shared} for o in _split(cells.get("outcomes", ""))]
    return data


def evidence_row_data(row: Row) -> tuple[str, dict[str, Any]]:
    """An evidence CSV row: the case study's id and the dict an EvidenceRecord validates."""
    cells = {k: v for k, v in row.cells.items() if v}
    data = {
        target: cells[column]
        for column, target in (
            ("outcome", "outcome"),
            ("evidence_type", "evidence_type"),
            ("evidence_level", "level"),
            ("direction", "direction"),
            ("evidence_note", "note"),
            ("source_url", "source"),
        )
        if column in cells
    }
    return cells.get("case_study", ""), data


def column_for(location: Sequence[str | int]) -> str | None:
    """The CSV column a validation error location refers to."""
    if not location:
        return None
    head = str(location[0])
    if head == "evidence":
        sub = next(
            (str(p) for p in location[1:] if isinstance(p, str) and not p.isdigit()), "outcome"
        )
        return _EVIDENCE_FIELD_COLUMNS.get(sub, "outcomes")
    return _FIELD_COLUMNS.get(head, head)


EVIDENCE_ROW_COLUMNS = {
    "outcome": "outcome",
    "evidence_type": "evidence_type",
    "level": "evidence_level",
    "direction": "direction",
    "note": "evidence_note",
    "source": "source_url",
}
"""Claim fields as the evidence CSV names its columns."""


def table_kind(columns: Sequence[str]) -> str | None:
    """'case_studies' or 'evidence' by the header, or None for an unknown layout."""
    if set(REQUIRED_EVIDENCE_COLUMNS) <= set(columns):
        return "evidence"
    if {"id", "title"} <= set(columns):
        return "case_studies"
    return None


def missing_columns(columns: Sequence[str], kind: str) -> list[str]:
    required = REQUIRED_EVIDENCE_COLUMNS if kind == "evidence" else REQUIRED_CASE_STUDY_COLUMNS
    return [c for c in required if c not in columns]


def allowed_columns(kind: str) -> tuple[str, ...]:
    return EVIDENCE_COLUMNS if kind == "evidence" else CASE_STUDY_COLUMNS


def unknown_columns(columns: Sequence[str], kind: str) -> list[str]:
    return [c for c in columns if c not in allowed_columns(kind)]


@dataclass
class Built:
    """Graph rows made from one case study, and the problems found on the way."""

    nodes: list[NodeRow] = field(default_factory=list)
    shared: list[NodeRow] = field(default_factory=list)
    links: list[LinkRow] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    """(field, message) pairs, field named as in the record."""


def build(record: CaseStudyRecord, vocabulary: Vocabulary, source_file: str) -> Built:
    """Nodes and links for a case study: itself, its claims, and shared organisations/places."""
    out = Built()
    cs = record.id
    origin = f"case studies: {source_file}"

    def link(rel: Rel, to_id: str, from_id: str = cs) -> None:
        out.links.append(LinkRow(from_id, rel, to_id, source_file))

    lead = _organisation(record.organisation, vocabulary, out, origin, record.organisation_type)
    if lead:
        link(Rel.LED_BY, lead)
    for partner in record.partners:
        if (partner_id := _organisation(partner, vocabulary, out, origin, None)) is not None:
            link(Rel.WITH_PARTNER, partner_id)
    regions = _resolve_all(vocabulary, _split(record.region or ""), "region", out, Kind.REGION)
    # A place lies in one region: only a case study set in one region says which.
    region = regions[0] if len(regions) == 1 else None
    place_ids = []
    for place in record.places:
        place_id = f"locality-{slugify(place)}"
        place_ids.append(place_id)
        props: dict[str, PropertyValue] = {
            "id": place_id,
            "name": place,
            "source": origin,
            "source_file": source_file,
            "description": f"{place}, a place named in the case studies.",
        }
        if record.gss_code and len(record.places) == 1:
            props["gss_code"] = record.gss_code
        out.shared.append(NodeRow(place_id, Kind.PLACE, props))
        if region:
            link(Rel.IN_REGION, region, from_id=place_id)
        link(Rel.LOCATED_IN, place_id)
    for theme_id in _resolve_all(vocabulary, record.themes, "themes", out, Kind.POLICY_THEME):
        link(Rel.ADDRESSES, theme_id)
    for intervention_id in _resolve_all(
        vocabulary, record.interventions, "interventions", out, Kind.INTERVENTION
    ):
        link(Rel.APPLIES, intervention_id)
    for resource in record.resources:
        link(Rel.HAS_RESOURCE, resource)
    year_end = record.year_end or record.year
    study: dict[str, Any] = {
        "id": cs,
        "name": record.title,
        "description": record.summary,
        "source": record.source_urls[0],
        "source_file": source_file,
        "source_urls": list(record.source_urls),
        "reported_results": list(record.reported_results),
        "place_ids": sorted(place_ids),
        "region_ids": sorted(regions),
        "year_start": record.year,
        "year_end": year_end,
        "cost": record.cost,
        "cost_basis": record.cost_basis,
        "cost_year": record.cost_year,
    }
    if record.evaluation_status is not None:
        # No claims: the gap map shows these cells as being filled, never as evidence.
        planned = _resolve_all(
            vocabulary, record.planned_outcomes, "planned_outcomes", out, Kind.OUTCOME
        )
        study |= {
            "evaluation_status": record.evaluation_status,
            "expected_report_date": str(record.expected_report_date),
            "planned_outcome_ids": planned,
        }
    out.nodes.append(NodeRow(cs, Kind.CASE_STUDY, _present(study)))
    seen: set[str] = set()
    for index, claim in enumerate(record.evidence):
        _claim(record, index, claim, vocabulary, out, seen, source_file)
    return out


def _claim(
    record: CaseStudyRecord,
    index: int,
    claim: EvidenceRecord,
    vocabulary: Vocabulary,
    out: Built,
    seen: set[str],
    source_file: str,
) -> None:
    where = f"evidence.{index}"
    outcome = _resolve(vocabulary, claim.outcome, f"{where}.outcome", out, Kind.OUTCOME)
    if outcome is None:
        return
    if outcome in seen:
        out.problems.append((f"{where}.outcome", f"{claim.outcome!r} is listed twice."))
        return
    seen.add(outcome)
    type_id = EvidenceTypeName(claim.evidence_type).node_id
    type_term = vocabulary.terms.get(type_id)
    level = claim.level or (type_term.default_level if type_term else None)
    level_term = vocabulary.terms.get(level) if level else None
    if level_term is None or level_term.kind is not Kind.EVIDENCE_LEVEL:
        message = (
            f"{claim.level!r} is not an evidence level id (see GET /nodes?kind=EvidenceLevel)."
            if claim.level
            else f"The evidence type {type_id!r} has no default level: load data/evidence first."
        )
        out.problems.append((f"{where}.level", message))
        return
    claim_id = f"claim-{record.id}-{outcome}"
    outcome_name = vocabulary.terms[outcome].name
    props = {
        "id": claim_id,
        "name": f"{record.title}: {outcome_name}",
        "description": claim.note
        or f"{type_term.name if type_term else type_id} for {outcome_name}.",
        "source": claim.source or record.source_urls[0],
        "source_file": source_file,
        "strength": level_term.strength,
        "level": level_term.id,
        "evidence_type": type_id,
        "direction": claim.direction.value,
    }
    out.nodes.append(NodeRow(claim_id, Kind.EVIDENCE_CLAIM, _present(props)))
    out.links += [
        LinkRow(record.id, Rel.HAS_CLAIM, claim_id, source_file),
        LinkRow(claim_id, Rel.FOR_OUTCOME, outcome, source_file),
        LinkRow(claim_id, Rel.AT_LEVEL, level_term.id, source_file),
        LinkRow(claim_id, Rel.OF_TYPE, type_id, source_file),
    ]


def _organisation(
    name: str, vocabulary: Vocabulary, out: Built, origin: str, kind_of: object
) -> str | None:
    known = vocabulary.find(name, *ORGANISATIONS)
    if known is not None:
        return known
    org_id = slugify(name)
    if not org_id:
        out.problems.append(("organisation", f"{name!r} cannot be made into an id."))
        return None
    props: dict[str, PropertyValue] = {
        "id": org_id,
        "name": name,
        "source": origin,
        "source_file": origin.split(": ", 1)[1],
        "description": f"{name}, named in the case studies.",
    }
    if kind_of is not None:
        props["organisation_type"] = str(kind_of)
    out.shared.append(NodeRow(org_id, Kind.ORGANISATION, props))
    return org_id


def _resolve(
    vocabulary: Vocabulary, text: str | None, where: str, out: Built, kind: Kind
) -> str | None:
    if text is None:
        return None
    try:
        return vocabulary.resolve(text, kind)
    except Unknown as e:
        out.problems.append((where, str(e)))
        return None


def _resolve_all(
    vocabulary: Vocabulary, texts: Sequence[str], where: str, out: Built, kind: Kind
) -> list[str]:
    """The ids `texts` name, in order, each once; the unknown ones go to `out.problems`."""
    found: list[str] = []
    for text in texts:
        term_id = _resolve(vocabulary, text, where, out, kind)
        if term_id is not None and term_id not in found:
            found.append(term_id)
    return found


def _present(props: dict[str, Any]) -> dict[str, PropertyValue]:
    return {k: v for k, v in props.items() if v is not None and v != []}
