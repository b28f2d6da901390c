"""read -> validate -> check across files and the graph -> write in one transaction."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from neo4j import AsyncDriver
from pydantic import ValidationError

from graph import writes
from graph.dialect import Dialect
from graph.model import ENDPOINTS, Kind, allowed
from graph.writes import LinkRow, LoadRecord, NodeRow, PropertyValue
from loaders.readers import Document, ReadError, find_files, read_document
from loaders.records import FrameworkFile, NodeRecord
from loaders.report import Counts, FileInfo, Issue, LoadFailed, LoadReport

Progress = Callable[[str, int, int], None]
"""Called as progress(stage, done, total) while a load runs."""


@dataclass(frozen=True)
class Located:
    """A validated record and where it was written."""

    record: NodeRecord
    file: str
    line: int | None
    index: int


async def load_paths(
    driver: AsyncDriver,
    dialect: Dialect,
    database: str,
    paths: Sequence[Path],
    *,
    progress: Progress | None = None,
) -> LoadReport:
    """Load framework files (YAML/JSON, or directories of them) into the graph.

    Every file is read and validated before anything is written; any problem anywhere means
    nothing is written. Loading the same files again changes nothing.

    Raises:
        LoadFailed: the input has problems; `report.issues` names file, line and field.
        GraphError: the graph failed; the transaction was rolled back.
    """
    report = LoadReport()
    try:
        files = find_files(paths)
    except ReadError as e:
        report.issues.append(Issue(file=str(e.path), message=str(e)))
        raise LoadFailed(report) from e
    if not files:
        report.issues.append(Issue(file=", ".join(map(str, paths)), message="No data files found."))
        raise LoadFailed(report)
    located = _read_and_validate(files, report, progress)
    known = await _known_kinds(driver, dialect, database, located)
    _check_ids_and_links(located, known, report)
    if report.issues:
        raise LoadFailed(report)
    load = _load_record(report)
    nodes = [_node_row(item) for item in located]
    links = _link_rows(located)
    if progress:
        progress("write", 0, len(nodes))
    try:
        counts = await writes.upsert(driver, database, nodes, links, load)
    except writes.KindConflict as e:
        places = {item.record.id: item for item in located}
        for clash in e.clashes:
            item = places[clash.id]
            report.issues.append(
                Issue(
                    file=item.file,
                    line=item.line,
                    field="kind",
                    message=f"The id {clash.id!r} already belongs to a {clash.existing} in "
                    f"the graph; it cannot also be a {clash.requested}.",
                )
            )
        raise LoadFailed(report) from e
    if progress:
        progress("write", len(nodes), len(nodes))
    report.load_id = load.id
    report.counts = Counts(**vars(counts))
    return report


def _read_and_validate(
    files: list[Path], report: LoadReport, progress: Progress | None
) -> list[Located]:
    located: list[Located] = []
    for done, path in enumerate(files):
        if progress:
            progress("read", done, len(files))
        try:
            document = read_document(path)
        except ReadError as e:
            report.issues.append(Issue(file=str(path), line=e.line, message=str(e)))
            continue
        records = _validate(document, report)
        report.files.append(FileInfo(path=str(path), sha256=document.sha256, records=len(records)))
        located.extend(records)
    if progress:
        progress("read", len(files), len(files))
    return located


def _validate(document: Document, report: LoadReport) -> list[Located]:
    try:
        parsed = FrameworkFile.model_validate(document.data)
    except ValidationError as e:
        for error in e.errors():
            location = error["loc"]
            report.issues.append(
                Issue(
                    file=str(document.path),
                    line=document.line_of(location),
                    field=".".join(str(part) for part in location) or None,
                    message=_message(error["msg"], error["type"], error.get("input")),
                )
            )
        return []
    return [
        Located(record, str(document.path), document.line_of(("nodes", index)), index)
        for index, record in enumerate(parsed.nodes)
    ]


def _message(message: str, error_type: str, given: object) -> str:
    if error_type == "enum":
        return message.replace("Input should be", "Must be one of:")
    if error_type == "extra_forbidden":
        return "Unknown field (check its spelling)."
    if error_type == "string_pattern_mismatch":
        return f"{given!r} is not a valid id: use lower-case letters, digits and single hyphens."
    return message


async def _known_kinds(
    driver: AsyncDriver, dialect: Dialect, database: str, located: list[Located]
) -> dict[str, Kind]:
    """Kinds of every id the input defines, plus link targets that already live in the graph."""
    defined = {item.record.id: item.record.kind for item in located}
    targets = {link.to for item in located for link in item.record.links} - defined.keys()
    in_graph = await writes.existing_kinds(driver, dialect, database, sorted(targets))
    return {**in_graph, **defined}


def _check_ids_and_links(
    located: list[Located], known: dict[str, Kind], report: LoadReport
) -> None:
    first_seen: dict[str, Located] = {}
    for item in located:
        record = item.record
        if record.id in first_seen:
            other = first_seen[record.id]
            report.issues.append(
                Issue(
                    file=item.file,
                    line=item.line,
                    field="id",
                    message=f"Duplicate id {record.id!r}: also defined at "
                    f"{other.file}:{other.line}.",
                )
            )
        first_seen.setdefault(record.id, item)
        for n, link in enumerate(record.links):
            field = f"nodes.{item.index}.links.{n}"
            target_kind = known.get(link.to)
            if target_kind is None:
                message = f"Links to {link.to!r}, which is neither in the input nor in the graph."
            elif not allowed(link.rel, record.kind, target_kind):
                sources, targets = ENDPOINTS[link.rel]
                message = (
                    f"{link.rel} cannot go from a {record.kind} to a {target_kind}; it joins "
                    f"{_names(sources)} to {_names(targets)}."
                )
            else:
                continue
            report.issues.append(
                Issue(file=item.file, line=item.line, field=field, message=message)
            )


def _names(kinds: frozenset[Kind]) -> str:
    return " or ".join(sorted(kinds))


def _node_row(item: Located) -> NodeRow:
    record = item.record
    props: dict[str, PropertyValue] = {
        "id": record.id,
        "name": record.name,
        "description": record.description,
        "source": record.source,
        "source_file": Path(item.file).name,
    }
    if record.notation is not None:
        props["notation"] = record.notation
    if record.alt_names:
        props["alt_names"] = list(record.alt_names)
    return NodeRow(id=record.id, kind=record.kind, props=props)


def _link_rows(located: list[Located]) -> list[LinkRow]:
    unique = {
        (item.record.id, link.rel, link.to): LinkRow(
            item.record.id, link.rel, link.to, Path(item.file).name
        )
        for item in located
        for link in item.record.links
    }
    return list(unique.values())


def _load_record(report: LoadReport) -> LoadRecord:
    now = datetime.now(UTC)
    load_id = f"load-{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    props: dict[str, PropertyValue] = {
        "started_at": now.isoformat(timespec="seconds"),
        "files": [f.path for f in report.files],
        "checksums": [f.sha256 for f in report.files],
        "records": sum(f.records for f in report.files),
        "agent": f"connects-graph {version('connects-graph')}",
    }
    return LoadRecord(id=load_id, props=props)
