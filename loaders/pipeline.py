"""read -> validate -> resolve names -> check across files and the graph -> one transaction."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import anyio
import pyoxigraph as ox
from neo4j import AsyncDriver
from rdflib.namespace import RDF

from graph import writes
from graph.dialect import Dialect
from graph.model import ENDPOINTS, Kind, allowed
from graph.writes import LinkRow, LoadRecord, NodeRow, PropertyValue
from loaders import case_studies
from loaders.parsing import Parsed, Progress, Where, parse
from loaders.rdf import violations
from loaders.readers import ReadError, find_files
from loaders.records import CaseStudyRecord, EvidenceRecord
from loaders.report import Issue, LoadFailed, LoadReport
from loaders.vocabulary import Term, Vocabulary, from_graph
from ontology.mapping import CLASSES, node_iri
from ontology.reading import Read, node_iri_text, rows_from_triples


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


async def load_paths(
    driver: AsyncDriver,
    dialect: Dialect,
    database: str,
    paths: Sequence[Path],
    *,
    base_uri: str = "http://127.0.0.1:8000",
    contributor: str | None = None,
    dry_run: bool = False,
    source_name: str | None = None,
    progress: Progress | None = None,
) -> LoadReport:
    """Load data files (YAML/JSON/CSV/RDF, or directories of them) into the graph.

    Every file is read and validated (RDF against our SHACL shapes) before anything is written;
    any problem anywhere means nothing is written. Loading the same files again changes
    nothing. With a `contributor` (an organisation id), everything loaded is attributed to it,
    RDF may describe only case studies and evidence claims, and nodes another contributor made
    cannot be changed. `dry_run` checks everything and writes nothing. `source_name` is how a
    single uploaded file is named in provenance (instead of its temporary path).

    Raises:
        LoadFailed: the input has problems; `report.issues` names file, line/row and field.
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
    parsed = parse(files, report, progress)
    vocabulary = await _vocabulary(driver, dialect, database, parsed)
    items = _framework_items(parsed) + _case_study_items(parsed, vocabulary, report)
    items += await _rdf_items(
        driver, dialect, database, parsed, report, base_uri.rstrip("/"), contributor
    )
    items = _merge_shared(items)
    if contributor is not None:
        await _attribute(driver, dialect, database, items, contributor, report)
    known = await _known_kinds(driver, dialect, database, items)
    _check(items, known, report)
    if report.issues:
        raise LoadFailed(report)
    if source_name is not None:
        for info in report.files:
            info.path = source_name
    if dry_run:
        return report
    return await _write(driver, database, items, report, progress, contributor)


async def _vocabulary(
    driver: AsyncDriver, dialect: Dialect, database: str, parsed: Parsed
) -> Vocabulary:
    if not parsed.studies:
        return Vocabulary()
    vocabulary = await from_graph(driver, dialect, database)
    for record, _, _, _ in parsed.framework:
        level = next((link.to for link in record.links if link.rel == "DEFAULT_LEVEL"), None)
        vocabulary.add(
            Term(
                record.id, record.kind, record.name, tuple(record.alt_names), record.strength, level
            )  # fmt: skip
        )
    return vocabulary


def _framework_items(parsed: Parsed) -> list[Item]:
    items = []
    for record, where, prefix, link_lines in parsed.framework:
        props: dict[str, PropertyValue] = {
            "id": record.id, "name": record.name, "description": record.description,
            "source": record.source, "source_file": Path(where.file).name,
        }  # fmt: skip
        optional = {
            "notation": record.notation, "strength": record.strength, "gss_code": record.gss_code,
            "url": record.url, "alt_names": list(record.alt_names) or None,
            "resource_type": record.resource_type.value if record.resource_type else None,
        }  # fmt: skip
        props |= {k: v for k, v in optional.items() if v is not None}
        node = NodeRow(record.id, record.kind, props)
        name = Path(where.file).name
        links = [LinkRow(record.id, link.rel, link.to, name) for link in record.links]
        items.append(Item(node, links, where, prefix, link_lines))
    return items


def _case_study_items(parsed: Parsed, vocabulary: Vocabulary, report: LoadReport) -> list[Item]:
    extra: dict[str, list[tuple[EvidenceRecord, Where]]] = {}
    study_ids = {study.id for study, _, _ in parsed.studies}
    for study_id, claim, where in parsed.evidence:
        if study_id not in study_ids:
            report.issues.append(
                where.issue("case_study", f"{study_id!r} is not a case study in this load.")
            )
        extra.setdefault(study_id, []).append((claim, where))
    items: list[Item] = []
    for study, where, field_of in parsed.studies:
        merged, origins = _with_evidence_rows(study, extra.get(study.id, []), vocabulary)
        built = case_studies.build(merged, vocabulary, Path(where.file).name)
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


async def _rdf_items(
    driver: AsyncDriver,
    dialect: Dialect,
    database: str,
    parsed: Parsed,
    report: LoadReport,
    base: str,
    contributor: str | None,
) -> list[Item]:
    items: list[Item] = []
    for document in parsed.rdf:
        read = rows_from_triples(document.triples, base, document.path.name)
        reference = await _reference_types(driver, dialect, database, read, base)
        found = await anyio.to_thread.run_sync(violations, document, reference)
        problems = read.problems + await _claim_strengths(driver, dialect, database, read, base)
        if contributor is not None:
            problems += await _contributor_rules(driver, dialect, database, read, base, contributor)
        report.issues += found
        report.issues += [
            Issue(file=str(document.path), field=f"<{subject}>", message=message)
            for subject, message in problems
        ]
        if found or problems:
            continue
        links: dict[str, list[LinkRow]] = {}
        for link in read.links:
            links.setdefault(link.from_id, []).append(link)
        where = Where(str(document.path), None)
        items += [Item(node, links.get(node.id, []), where, node.id) for node in read.nodes]
    return items


_CONTRIBUTABLE = frozenset({Kind.CASE_STUDY, Kind.EVIDENCE_CLAIM})


async def _contributor_rules(
    driver: AsyncDriver, dialect: Dialect, database: str, read: Read, base: str, contributor: str
) -> list[tuple[str, str]]:
    """A partner may add case studies and claims, and change only those it added itself."""
    problems = [
        (node_iri_text(base, n.kind, n.id),
         f"Contributions describe case studies and evidence claims; this is {_a(n.kind)}.")
        for n in read.nodes if n.kind not in _CONTRIBUTABLE
    ]  # fmt: skip
    existing = await writes.owners(driver, dialect, database, [n.id for n in read.nodes])
    problems += [
        (node_iri_text(base, n.kind, n.id),
         "Already in the graph and not contributed by you: choose another id.")
        for n in read.nodes if n.id in existing and existing[n.id] != contributor
    ]  # fmt: skip
    return problems


async def _claim_strengths(
    driver: AsyncDriver, dialect: Dialect, database: str, read: Read, base: str
) -> list[tuple[str, str]]:
    """A claim's strength is its level's, on the common scale: never what a file says."""
    claims = [n for n in read.nodes if n.kind is Kind.EVIDENCE_CLAIM]
    if not claims:
        return []
    vocabulary = await from_graph(driver, dialect, database)
    strengths: dict[str, object] = {t.id: t.strength for t in vocabulary.terms.values()}
    for node in read.nodes:
        if node.kind is Kind.EVIDENCE_LEVEL:
            strengths[node.id] = node.props.get("strength")
    problems = []
    for claim in claims:
        expected = strengths.get(str(claim.props.get("level")))
        stated = claim.props.get("strength")
        if not isinstance(expected, int):
            continue  # the shapes report a missing or unknown level
        if stated is not None and stated != expected:
            problems.append((
                node_iri_text(base, claim.kind, claim.id),
                f"cg:strength {stated} does not match its level {claim.props['level']!r} "
                f"(strength {expected}): a claim's strength comes from its level.",
            ))  # fmt: skip
        claim.props["strength"] = expected
    return problems


async def _reference_types(
    driver: AsyncDriver, dialect: Dialect, database: str, read: Read, base: str
) -> list[ox.Triple]:
    """rdf:type triples for the graph's nodes the document links to but does not describe,
    so that shapes such as 'a claim is about a cg:Outcome' can be checked."""
    defined = {node.id for node in read.nodes}
    regions = {str(n.props["region_id"]) for n in read.nodes if "region_id" in n.props}
    targets = sorted(({link.to_id for link in read.links} | regions) - defined)
    kinds = await writes.existing_kinds(driver, dialect, database, targets)
    rdf_type = ox.NamedNode(str(RDF.type))
    return [
        ox.Triple(node_iri(base, kind, node_id), rdf_type, ox.NamedNode(str(CLASSES[kind])))
        for node_id, kind in kinds.items()
    ]


async def _attribute(
    driver: AsyncDriver,
    dialect: Dialect,
    database: str,
    items: list[Item],
    contributor: str,
    report: LoadReport,
) -> None:
    known = await writes.existing_kinds(driver, dialect, database, [contributor])
    if known.get(contributor) is not Kind.ORGANISATION:
        message = f"The contributor {contributor!r} is not an organisation in the graph."
        report.issues.append(Issue(file="(contributor)", message=message))
        return
    for item in items:
        item.node.props["contributed_by"] = contributor


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


def _merge_shared(items: list[Item]) -> list[Item]:
    """One item per shared id: properties from the first mention, links from all of them."""
    merged: dict[str, Item] = {}
    out: list[Item] = []
    for item in items:
        if not item.shared:
            out.append(item)
            continue
        first = merged.get(item.node.id)
        if first is None:
            merged[item.node.id] = item
            out.append(item)
            continue
        first.node.props.update(
            {k: v for k, v in item.node.props.items() if k not in first.node.props}
        )
        known = {(link.rel, link.to_id) for link in first.links}
        first.links += [link for link in item.links if (link.rel, link.to_id) not in known]
    return out


async def _known_kinds(
    driver: AsyncDriver, dialect: Dialect, database: str, items: list[Item]
) -> dict[str, Kind]:
    """Kinds of every id the input defines, plus link targets that already live in the graph."""
    defined = {item.node.id: item.node.kind for item in items}
    targets = {link.to_id for item in items for link in item.links} - defined.keys()
    in_graph = await writes.existing_kinds(driver, dialect, database, sorted(targets))
    return {**in_graph, **defined}


def _check(items: list[Item], known: dict[str, Kind], report: LoadReport) -> None:
    first_seen: dict[str, Item] = {}
    for item in items:
        node = item.node
        other = first_seen.get(node.id)
        if other is not None and not (item.shared and other.shared):
            at = f"{other.where.file}:{other.where.line}"
            report.issues.append(
                item.where.issue(
                    f"{item.field_prefix}.id" if item.field_prefix.startswith("nodes") else "id",
                    f"Duplicate id {node.id!r}: also defined at {at}.",
                )
            )
        first_seen.setdefault(node.id, item)
        for n, link in enumerate(item.links):
            target_kind = known.get(link.to_id)
            if target_kind is None:
                message = (
                    f"Links to {link.to_id!r}, which is neither in the input nor in the graph."
                )
            elif not allowed(link.rel, node.kind, target_kind):
                sources, targets = ENDPOINTS[link.rel]
                message = (
                    f"{link.rel} cannot go from {_a(node.kind)} to {_a(target_kind)}; it joins "
                    f"{' or '.join(sorted(sources))} to {' or '.join(sorted(targets))}."
                )
            else:
                continue
            framework = item.field_prefix.startswith("nodes")
            field_name = f"{item.field_prefix}.links.{n}" if framework else str(link.rel)
            line = item.link_lines[n] if n < len(item.link_lines) else None
            where = Where(item.where.file, line or item.where.line, item.where.row)
            report.issues.append(where.issue(field_name, message))


async def _write(
    driver: AsyncDriver,
    database: str,
    items: list[Item],
    report: LoadReport,
    progress: Progress | None,
    contributor: str | None,
) -> LoadReport:
    load = _load_record(report, contributor)
    nodes = [item.node for item in items]
    unique = {(link.from_id, link.rel, link.to_id): link for item in items for link in item.links}
    if progress:
        progress("write", 0, len(nodes))
    try:
        # Records state all their outgoing links; shared nodes (organisations, places) do not.
        authoritative = [item.node.id for item in items if not item.shared]
        counts = await writes.upsert(
            driver, database, nodes, list(unique.values()), load, authoritative=authoritative
        )
    except writes.KindConflict as e:
        places = {item.node.id: item for item in items}
        for clash in e.clashes:
            item = places[clash.id]
            report.issues.append(
                item.where.issue(
                    f"{item.field_prefix}.kind" if item.field_prefix.startswith("nodes") else "id",
                    f"The id {clash.id!r} already belongs to {_a(clash.existing)} in the graph; "
                    f"it cannot also be {_a(clash.requested)}.",
                )
            )
        raise LoadFailed(report) from e
    if progress:
        progress("write", len(nodes), len(nodes))
    report.load_id = load.id
    report.counts = counts
    return report


def _a(word: str) -> str:
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _load_record(report: LoadReport, contributor: str | None) -> LoadRecord:
    now = datetime.now(UTC)
    props: dict[str, PropertyValue] = {
        "started_at": now.isoformat(timespec="seconds"),
        "files": [f.path for f in report.files],
        "checksums": [f.sha256 for f in report.files],
        "records": sum(f.records for f in report.files),
        "agent": f"connects-graph {version('connects-graph')}",
    }
    if contributor is not None:
        props["contributor"] = contributor
    return LoadRecord(id=f"load-{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}", props=props)
