"""Validated records as graph rows ('items'), each remembering where in the input it came from.

Pure functions: nothing here reads files or touches the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from graph.model import Kind
from graph.rating_rule import RATING_FIELDS
from graph.vocabulary import Vocabulary
from graph.writes import LinkRow, NodeRow, PropertyValue
from loaders import case_studies
from loaders.parsing import FieldNamer, Parsed, Where
from loaders.records import CaseStudyRecord, EvidenceRecord
from loaders.report import Issue, LoadReport


@dataclass
class Item:
    """A node to write, its outgoing links, and where it came from."""

    node: NodeRow
    links: list[LinkRow]
    where: Where
    field_prefix: str
    link_lines: list[int | None] = field(default_factory=list)
    shared: bool = False
    """Implied by records (organisations, places): repeats merge instead of clashing."""

    @property
    def framework(self) -> bool:
        """Written as a YAML/JSON `nodes` record, so fields are named by their path in it."""
        return self.field_prefix.startswith("nodes")


EvidenceRows = dict[str, list[tuple[EvidenceRecord, Where]]]
"""Rows of evidence CSV files, by the id of the case study they add a claim to."""


def framework_items(parsed: Parsed) -> list[Item]:
    items = []
    for record, where, prefix, link_lines in parsed.framework:
        props: dict[str, PropertyValue] = {
            "id": record.id,
            "name": record.name,
            "description": record.description,
            "source": record.source,
            "source_file": Path(where.file).name,
        }
        optional = {
            "notation": record.notation,
            "strength": record.strength,
            "gss_code": record.gss_code,
            "url": record.url,
            "alt_names": list(record.alt_names) or None,
            "resource_type": record.resource_type.value if record.resource_type else None,
        }
        optional |= {field: getattr(record, field) for field in RATING_FIELDS}
        props |= {k: v for k, v in optional.items() if v is not None}
        node = NodeRow(record.id, record.kind, props)
        name = Path(where.file).name
        links = [LinkRow(record.id, link.rel, link.to, name) for link in record.links]
        items.append(Item(node, links, where, prefix, link_lines))
    return items


def evidence_rows(parsed: Parsed) -> EvidenceRows:
    rows: EvidenceRows = {}
    for study_id, claim, where in parsed.evidence:
        rows.setdefault(study_id, []).append((claim, where))
    return rows


def study_items(
    studies: Iterable[tuple[CaseStudyRecord, Where, FieldNamer]],
    extra: EvidenceRows,
    vocabulary: Vocabulary,
    report: LoadReport,
) -> list[Item]:
    """Items for case studies: each study, its claims, and the organisations and places it
    names (shared); problems go to `report.issues`."""
    items: list[Item] = []
    file_names: dict[str, str] = {}  # a Path a row was about 6% of building them
    for study, where, field_of in studies:
        merged, origins = _with_evidence_rows(study, extra.get(study.id, []), vocabulary)
        if (file_name := file_names.get(where.file)) is None:
            file_name = file_names[where.file] = Path(where.file).name
        built = case_studies.build(merged, vocabulary, file_name)
        for field_name, message in built.problems:
            report.issues.append(_locate(field_name, where, field_of, origins).issue(message))
        links_by_source: dict[str, list[LinkRow]] = {}
        for link in built.links:
            links_by_source.setdefault(link.from_id, []).append(link)
        prefix = field_of("") or ""
        for node in built.nodes:
            items.append(Item(node, links_by_source.pop(node.id, []), where, prefix))
        for node in built.shared:
            links = links_by_source.pop(node.id, [])
            items.append(Item(node, links, where, prefix, shared=True))
    return items


def _with_evidence_rows(
    study: CaseStudyRecord, rows: list[tuple[EvidenceRecord, Where]], vocabulary: Vocabulary
) -> tuple[CaseStudyRecord, list[Where | None]]:
    """The study with claims from an evidence CSV replacing its own for the same outcome, and
    for each claim the evidence row it came from (None: the study's own record)."""
    if not rows:
        return study, [None] * len(study.evidence)

    def key(claim: EvidenceRecord) -> str:
        return vocabulary.find(claim.outcome, Kind.OUTCOME) or claim.outcome

    replaced = {key(claim): (claim, where) for claim, where in rows}
    kept = [c for c in study.evidence if key(c) not in replaced]
    claims = kept + [claim for claim, _ in replaced.values()]
    origins: list[Where | None] = [None] * len(kept) + [w for _, w in replaced.values()]
    return study.model_copy(update={"evidence": claims}), origins


@dataclass(frozen=True)
class _Located:
    where: Where
    field: str | None

    def issue(self, message: str) -> Issue:
        return self.where.issue(self.field, message)


def _locate(
    field_name: str,
    where: Where,
    field_of: Callable[[str], str | None],
    origins: list[Where | None],
) -> _Located:
    """Where a problem in a built case study is: its record, or the evidence row it came from."""
    parts = field_name.split(".")
    if parts[0] == "evidence" and len(parts) > 1 and parts[1].isdigit():
        index = int(parts[1])
        origin = origins[index] if index < len(origins) else None
        if origin is not None:
            sub = parts[2] if len(parts) > 2 else "outcome"
            return _Located(origin, case_studies.EVIDENCE_ROW_COLUMNS.get(sub, sub))
    return _Located(where, field_of(field_name))
