"""read -> validate -> resolve names -> check across files and the graph -> one transaction.

Case-study CSV files of any size stream through (loaders/writing.py): memory stays flat.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from importlib.metadata import version
from pathlib import Path

import anyio
import pyoxigraph as ox
from rdflib.namespace import RDF

from graph import writes
from graph.db import Db
from graph.embedder import default_embedder
from graph.model import Kind
from graph.semantic import embed_pending
from graph.vocabulary import Term, Vocabulary, from_graph
from graph.writes import BeforeCommit, LinkRow, LoadRecord, PropertyValue
from loaders.contributions import claim_strengths, contributor_problems
from loaders.items import Item, evidence_rows, framework_items
from loaders.parsing import Parsed, Progress, Where, iter_studies, parse
from loaders.rdf import MAX_LITERAL_CHARS, violations
from loaders.readers import ReadError, find_files
from loaders.report import Issue, LoadFailed, LoadReport
from loaders.writing import LoadStream
from ontology.jsonld import CONTEXT
from ontology.mapping import CLASSES, node_iri
from ontology.reading import Problem, Read, rows_from_triples, short_iri


async def load_paths(
    db: Db,
    paths: Sequence[Path],
    *,
    base_uri: str = "http://127.0.0.1:8000",
    contributor: str | None = None,
    dry_run: bool = False,
    source_name: str | None = None,
    progress: Progress | None = None,
    max_literal_chars: int = MAX_LITERAL_CHARS,
    provenance: Mapping[str, PropertyValue] | None = None,
    embed: bool = True,
    before_commit: BeforeCommit | None = None,
) -> LoadReport:
    """Load data files (YAML/JSON/CSV/RDF, or directories of them) into the graph.

    Every record is validated (RDF against our SHACL shapes) before anything is written: any
    problem anywhere means nothing is written. Case-study CSV files are read row by row, twice
    (check, then write), so memory stays flat at any size; see loaders/writing.py for how very
    large loads are committed. Loading the same files again changes
    nothing. With a `contributor` (an organisation id), everything loaded is attributed to it,
    RDF may describe only case studies and evidence claims, and nodes another contributor made
    cannot be changed. `dry_run` checks everything and writes nothing, reporting the counts
    (and removals) the real run would make. `source_name` is how a single uploaded file is
    named in provenance (instead of its temporary path). RDF literals longer than
    `max_literal_chars` are refused. `provenance` is added to the load's record (a curator's
    decision or a correction: who, why, which statements); `before_commit` writes what records
    that decision in the load's own transaction (a load of up to `STUDIES_IN_ONE_PASS` case
    studies), so the two are committed together or not at all. Last, unless `embed` is False,
    the nodes the load changed get their sentence embeddings (graph/semantic.py), in a stage
    of their own: should it fail, the load stands and `connects embed` completes it.

    Raises:
        ModelUnavailable: `embed`, and the embedding model is not installed as pinned;
            checked before anything is written.
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
    # Parsing is CPU-bound: in a thread, so the event loop keeps serving other requests.
    parsed = await anyio.to_thread.run_sync(
        partial(
            parse,
            files,
            report,
            progress,
            max_literal_chars=max_literal_chars,
            # Our own context, by its public URL, is read locally: never fetched.
            contexts={f"{base_uri.rstrip('/')}/context.jsonld": CONTEXT},
        ),
        abandon_on_cancel=True,
    )
    vocabulary = await _vocabulary(db, parsed)
    fixed = framework_items(parsed)
    fixed += await _rdf_items(db, parsed, report, base_uri.rstrip("/"), contributor)
    if contributor is not None:
        await _check_contributor(db, contributor, report)
    if source_name is not None:
        for info in report.files:
            info.path = source_name
    stream = LoadStream(db, vocabulary, report, contributor=contributor, progress=progress)
    total_studies = len(parsed.studies) + sum(t.records for t in parsed.study_tables)
    load = _load_record(report, contributor, provenance or {})
    embedder = None
    if embed and not dry_run:
        # Checked first: a load that could not be embedded is refused before it writes.
        embedder = await anyio.to_thread.run_sync(default_embedder)
    try:
        counts = await stream.run(
            load,
            fixed,
            partial(iter_studies, parsed),
            total_studies,
            evidence_rows(parsed),
            dry_run=dry_run,
            before_commit=before_commit,
        )
    except ReadError as e:  # a streamed file changed after it was checked
        report.issues.append(Issue(file=str(e.path), line=e.line, message=str(e)))
        raise LoadFailed(report) from e
    if counts is not None:
        report.counts = counts
        if not dry_run and counts.changed:
            report.load_id = load.id
    if embedder is not None:
        report.embedded = (await embed_pending(db, embedder, progress)).written
    return report


async def _vocabulary(db: Db, parsed: Parsed) -> Vocabulary:
    if not (parsed.studies or parsed.study_tables):
        return Vocabulary()
    vocabulary = await from_graph(db)
    for record in (framework.record for framework in parsed.framework):
        level = next((link.to for link in record.links if link.rel == "DEFAULT_LEVEL"), None)
        vocabulary.add(
            Term(
                record.id, record.kind, record.name, tuple(record.alt_names), record.strength, level
            )
        )
    return vocabulary


async def _rdf_items(
    db: Db,
    parsed: Parsed,
    report: LoadReport,
    base: str,
    contributor: str | None,
) -> list[Item]:
    items: list[Item] = []
    for document in parsed.rdf:
        read = rows_from_triples(
            document.triples, base, document.path.name, contributed=contributor is not None
        )
        reference = await _reference_types(db, read, base)
        found = await anyio.to_thread.run_sync(violations, document, reference)
        problems = read.problems + await claim_strengths(db, read, base)
        if contributor is not None:
            problems += await contributor_problems(db, read, base, contributor)
        report.issues += found
        report.issues += [_issue(str(document.path), p) for p in problems]
        if found or problems:
            continue
        links: dict[str, list[LinkRow]] = {}
        for link in read.links:
            links.setdefault(link.from_id, []).append(link)
        where = Where(str(document.path), None)
        items += [Item(node, links.get(node.id, []), where, node.id) for node in read.nodes]
    return items


def _issue(file: str, problem: Problem) -> Issue:
    field = f"<{problem.subject}>"
    if problem.predicate is not None:
        field += f" {short_iri(problem.predicate)}"
    return Issue(file=file, field=field, message=problem.message, value=problem.value)


async def _reference_types(db: Db, read: Read, base: str) -> list[ox.Triple]:
    """rdf:type triples for the graph's nodes the document links to but does not describe,
    so that shapes such as 'a claim is about a cg:Outcome' can be checked."""
    defined = {node.id for node in read.nodes}
    regions = {
        region
        for n in read.nodes
        if isinstance(listed := n.props.get("region_ids"), list)
        for region in listed
    }
    targets = sorted(({link.to_id for link in read.links} | regions) - defined)
    kinds = await writes.existing_kinds(db, targets)
    rdf_type = ox.NamedNode(str(RDF.type))
    return [
        ox.Triple(node_iri(base, kind, node_id), rdf_type, ox.NamedNode(str(CLASSES[kind])))
        for node_id, kind in kinds.items()
    ]


async def _check_contributor(db: Db, contributor: str, report: LoadReport) -> None:
    known = await writes.existing_kinds(db, [contributor])
    if known.get(contributor) is not Kind.ORGANISATION:
        message = f"The contributor {contributor!r} is not an organisation in the graph."
        report.issues.append(Issue(file="(contributor)", message=message))


def _load_record(
    report: LoadReport, contributor: str | None, provenance: Mapping[str, PropertyValue]
) -> LoadRecord:
    now = datetime.now(UTC)
    props: dict[str, PropertyValue] = {
        **provenance,
        # To the microsecond: the latest load is the one that sorts last by started_at, and
        # two loads often start within the same second (a load, then a contribution).
        "started_at": now.isoformat(timespec="microseconds"),
        "files": [f.path for f in report.files],
        "checksums": [f.sha256 for f in report.files],
        "records": sum(f.records for f in report.files),
        "agent": f"connects-graph {version('connects-graph')}",
    }
    if contributor is not None:
        props["contributor"] = contributor
    return LoadRecord(id=f"load-{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}", props=props)
