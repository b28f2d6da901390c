"""Read every input file and validate it into records, remembering where each came from."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel, ValidationError

from loaders import case_studies
from loaders.messages import fields_at, in_words
from loaders.rdf import MAX_LITERAL_CHARS, RDF_FORMATS, RdfDocument, read_rdf
from loaders.readers import (
    ReadError,
    Row,
    TableHeader,
    display_path,
    iter_rows,
    read_document,
    read_table,
    scan_table,
)
from loaders.records import CaseStudyRecord, EvidenceRecord, NodeRecord
from loaders.report import FileInfo, Issue, LoadReport

Progress = Callable[[str, int, int], None]
"""Called as progress(stage, done, total) while a load runs."""

FieldNamer = Callable[[str], "str | None"]
"""Turns a record's field path into the name the file uses for it (YAML path or CSV column)."""


@dataclass(frozen=True)
class Where:
    """Where a record was written: file, line, and for CSV the row."""

    file: str
    line: int | None
    row: int | None = None

    def issue(self, field: str | None, message: str) -> Issue:
        return Issue(file=self.file, line=self.line, row=self.row, field=field, message=message)


class FrameworkRecord(NamedTuple):
    """A framework record from a YAML or JSON file, and where each part of it was written."""

    record: NodeRecord
    where: Where
    field_prefix: str
    """Its path in the file (`nodes.3`), which the names of its fields start with."""
    link_lines: list[int | None]
    """The line of each of its links, in order."""


@dataclass
class Parsed:
    """Validated records from every file, each with where it was written."""

    framework: list[FrameworkRecord] = field(default_factory=list)
    studies: list[tuple[CaseStudyRecord, Where, FieldNamer]] = field(default_factory=list)
    """Case studies from YAML/JSON; those in CSV files are read row by row by `iter_studies`."""
    study_tables: list[TableHeader] = field(default_factory=list)
    evidence: list[tuple[str, EvidenceRecord, Where]] = field(default_factory=list)
    rdf: list[RdfDocument] = field(default_factory=list)


def parse(
    files: list[Path],
    report: LoadReport,
    progress: Progress | None,
    *,
    max_literal_chars: int = MAX_LITERAL_CHARS,
    contexts: Mapping[str, Any] | None = None,
) -> Parsed:
    """Read and validate every file; problems go to `report.issues`, records to the result.

    `max_literal_chars` is the longest literal an RDF file may hold; `contexts` are JSON-LD
    contexts known by URL (see `read_rdf`).
    """
    parsed = Parsed()
    for done, path in enumerate(files):
        if progress:
            progress("read", done, len(files))
        suffix = path.suffix.lower()
        try:
            if suffix in RDF_FORMATS:
                document = read_rdf(path, max_literal_chars=max_literal_chars, contexts=contexts)
                parsed.rdf.append(document)
                count = (len(document.triples), document.sha256)
            elif suffix == ".csv":
                count = _parse_table(path, parsed, report)
            else:
                count = _parse_document(path, parsed, report)
        except ReadError as e:
            field = getattr(e, "field", None)
            report.issues.append(Issue(file=str(path), line=e.line, field=field, message=str(e)))
            continue
        report.files.append(FileInfo(path=display_path(path), sha256=count[1], records=count[0]))
    if progress:
        progress("read", len(files), len(files))
    return parsed


_TOP_LEVEL: dict[str, type[BaseModel]] = {"nodes": NodeRecord, "case_studies": CaseStudyRecord}


def _parse_document(path: Path, parsed: Parsed, report: LoadReport) -> tuple[int, str]:
    document = read_document(path)
    data = document.data
    keys = list(data) if isinstance(data, dict) else []
    if len(keys) != 1 or keys[0] not in _TOP_LEVEL or not isinstance(data[keys[0]], list):
        raise ReadError(
            path, "Expected one top-level key, 'nodes' or 'case_studies', holding a list.", 1
        )
    key = keys[0]
    model = _TOP_LEVEL[key]
    if not data[key]:
        report.issues.append(Where(str(path), 1).issue(key, "The list is empty."))
    count = 0
    # Each record is validated on its own, so one bad record does not hide the others.
    for i, raw in enumerate(data[key]):
        where = Where(str(path), document.line_of((key, i)))
        try:
            record = model.model_validate(raw)
        except ValidationError as e:
            for error in e.errors():
                loc = (key, i, *error["loc"])
                report.issues.append(
                    Where(str(path), document.line_of(loc)).issue(
                        ".".join(str(p) for p in loc),
                        _message(error, fields_at(model, error["loc"][:-1])),
                    )
                )
            continue
        count += 1
        if isinstance(record, NodeRecord):
            lines = [document.line_of((key, i, "links", n)) for n in range(len(record.links))]
            parsed.framework.append(FrameworkRecord(record, where, f"{key}.{i}", lines))
        elif isinstance(record, CaseStudyRecord):
            parsed.studies.append((record, where, partial(_prefixed, f"{key}.{i}")))
    return count, document.sha256


def _parse_table(path: Path, parsed: Parsed, report: LoadReport) -> tuple[int, str]:
    header = scan_table(path)
    kind = case_studies.table_kind(header.columns)
    if kind is None:
        raise ReadError(
            path,
            "Unknown CSV layout: a case-study file needs the columns "
            f"{', '.join(case_studies.REQUIRED_CASE_STUDY_COLUMNS)}; an evidence file needs "
            f"{', '.join(case_studies.REQUIRED_EVIDENCE_COLUMNS)}.",
            1,
        )
    problems = [f"missing column {c!r}" for c in case_studies.missing_columns(header.columns, kind)]
    unknown = case_studies.unknown_columns(header.columns, kind)
    allowed = case_studies.allowed_columns(kind)
    problems += [_unknown_column(c, allowed) for c in unknown]
    if problems:
        listed = f" The columns are: {', '.join(allowed)}." if unknown else ""
        raise ReadError(path, f"Header: {'; '.join(problems)}.{listed}", 1)
    if kind == "case_studies":
        # Case-study files may be very large: their rows are read while the load writes.
        parsed.study_tables.append(header)
        return header.records, header.sha256
    for row in read_table(path).rows:
        _parse_evidence_row(row, Where(str(path), row.line, row.number), parsed, report)
    return header.records, header.sha256


def _unknown_column(name: str, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
    return f"unknown column {name!r}" + (f" (did you mean {close[0]!r}?)" if close else "")


def iter_studies(
    parsed: Parsed, report: LoadReport
) -> Iterator[tuple[CaseStudyRecord, Where, FieldNamer]]:
    """Every valid case study, YAML/JSON ones first, then CSV rows as they are read; the
    problems of invalid rows go to `report.issues`."""
    yield from parsed.studies
    for table in parsed.study_tables:
        for row in iter_rows(table.path):
            where = Where(str(table.path), row.line, row.number)
            try:
                study = CaseStudyRecord.model_validate(case_studies.row_to_record_data(row))
            except ValidationError as e:
                for error in e.errors():
                    column = case_studies.column_for(error["loc"])
                    report.issues.append(where.issue(column, _message(error)))
                continue
            yield study, where, _csv_column


def _parse_evidence_row(row: Row, where: Where, parsed: Parsed, report: LoadReport) -> None:
    study_id, data = case_studies.evidence_row_data(row)
    try:
        claim = EvidenceRecord.model_validate(data)
    except ValidationError as e:
        for error in e.errors():
            column = case_studies.column_for(("evidence", 0, *error["loc"]))
            report.issues.append(where.issue(column, _message(error)))
        return
    parsed.evidence.append((study_id, claim, where))


def _message(error: Any, fields: Iterable[str] = ()) -> str:
    return in_words(error, fields)


def _prefixed(prefix: str, field_name: str) -> str:
    return f"{prefix}.{field_name}" if field_name else prefix


def _csv_column(field_name: str) -> str | None:
    return case_studies.column_for(field_name.split(".")) if field_name else None
