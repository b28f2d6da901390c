"""RDF back into graph rows: the inverse of mapping.py, for contributions and round trips.

Only resources in our URI space (``{base}/id/{kind}/{id}``) with one of our classes become
nodes; predicates we publish become properties or links; anything else is reported, not dropped
silently. Provenance (which load made a node) is the graph's own and is not read back.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from graph.model import Kind, Rel
from graph.rating_rule import Direction
from graph.writes import LinkRow, NodeRow, PropertyValue
from ontology.mapping import (
    CLASSES,
    CURATION_LITERALS,
    LITERALS,
    ORGANISATION_TYPES,
    PREDICATES,
    concept_iri,
)
from ontology.namespaces import CG

KIND_BY_CLASS = {str(iri): kind for kind, iri in CLASSES.items()}
REL_BY_PREDICATE = {str(iri): rel for rel, iri in PREDICATES.items()}
PROPERTY_BY_PREDICATE = {str(iri): (name, style) for name, (iri, style) in LITERALS.items()}
_LIST_PROPERTIES = {
    "alt_names",
    "reported_results",
    "source_urls",
    "region_ids",
    "planned_outcome_ids",
}
_SKIPPED = {
    str(PROV.wasGeneratedBy),
    str(PROV.wasAttributedTo),
    str(DCTERMS.identifier),
    # Said again from what is read: the GSS code's ONS URI, a concept's place in its scheme, a
    # scheme's title (its name, for catalogues that read dcterms: rather than skos:).
    str(CG.statisticalGeography),
    str(DCTERMS.title),
    str(SKOS.topConceptOf),
    str(SKOS.hasTopConcept),
}
_SOURCE_IS_URL = {Kind.CASE_STUDY, Kind.EVIDENCE_CLAIM}
_KIND_BY_SLUG = {kind.slug: kind for kind in Kind}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_WHOLE = re.compile(r"^[+-]?[0-9]{1,18}$")
"""A whole number the graph can store (18 digits stay within a 64-bit integer)."""
_INTEGER_TYPES = frozenset(
    str(t) for t in (XSD.integer, XSD.int, XSD.long, XSD.nonNegativeInteger, XSD.positiveInteger)
)
CONTRIBUTABLE: dict[Kind, frozenset[str]] = {
    kind: frozenset(str(p) for p in (RDF.type, DCTERMS.identifier, SKOS.prefLabel, *more))
    for kind, more in (
        (
            Kind.CASE_STUDY,
            (
                DCTERMS.description,
                DCTERMS.source,
                SKOS.altLabel,
                RDFS.seeAlso,
                CG.ledBy,
                CG.withPartner,
                CG.hasClaim,
                CG.addresses,
                DCTERMS.spatial,
                CG.appliesIntervention,
                CG.inRegion,
                CG.reportedCost,
                CG.costBasis,
                CG.costYear,
                CG.yearStart,
                CG.yearEnd,
                CG.reportedResult,
            ),
        ),
        (
            Kind.EVIDENCE_CLAIM,
            (
                DCTERMS.description,
                DCTERMS.source,
                CG.forOutcome,
                CG.evidenceLevel,
                CG.evidenceType,
                CG.strength,
                CG.direction,
            ),
        ),
    )
}
"""What a contribution may say about each kind it may describe; the rest (provenance, the
source file, a case study's strength) is the service's own."""


@dataclass
class Read:
    """What a file of RDF says, as graph rows, and what could not be read."""

    nodes: list[NodeRow] = field(default_factory=list)
    links: list[LinkRow] = field(default_factory=list)
    loads: list[tuple[str, dict[str, PropertyValue]]] = field(default_factory=list)
    """Load activities (only read when restoring a backup)."""
    problems: list[Problem] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    """Subjects that are not nodes of ours (no class of ours, or blank nodes): nothing is
    read from them."""


@dataclass(frozen=True)
class Problem:
    """What is wrong with a subject, and where: the predicate and value, when one is at fault."""

    subject: str
    message: str
    predicate: str | None = None
    value: str | None = None


def parse_node_iri(base: str, iri: str) -> tuple[Kind, str] | None:
    """The kind and id of one of our node URIs, or None if it is not one."""
    prefix = f"{base}/id/"
    if not iri.startswith(prefix):
        return None
    kind_slug, _, node_id = iri[len(prefix) :].partition("/")
    kind = _KIND_BY_SLUG.get(kind_slug)
    valid = kind is not None and len(node_id) <= 200 and _SLUG.match(node_id) is not None
    return (kind, node_id) if valid and kind is not None else None


def node_iri_text(base: str, kind: Kind, node_id: str) -> str:
    return f"{base}/id/{kind.slug}/{node_id}"


def rows_from_triples(
    triples: Iterable[ox.Triple],
    base: str,
    source_file: str,
    *,
    provenance: bool = False,
    contributed: bool = False,
) -> Read:
    """Nodes and links from RDF in our vocabulary and URI space.

    With `provenance` (restoring a backup), the loads and which load made each node are read
    too; otherwise they are the graph's own business and left out. With `contributed` (a
    partner's contribution), a predicate not in CONTRIBUTABLE for its node's kind is a problem.
    """
    by_subject: dict[str, list[ox.Triple]] = defaultdict(list)
    out = Read()
    for triple in triples:
        if isinstance(triple.subject, ox.NamedNode):
            by_subject[triple.subject.value].append(triple)
        elif str(triple.subject) not in out.ignored:
            out.ignored.append(str(triple.subject))
    for subject, group in by_subject.items():
        classes = {
            t.object.value
            for t in group
            if t.predicate.value == str(RDF.type) and isinstance(t.object, ox.NamedNode)
        }
        kinds = {KIND_BY_CLASS[c] for c in classes if c in KIND_BY_CLASS}
        if provenance and str(CG.Load) in classes:
            out.loads.append(_load(subject, group, base, by_subject))
            continue
        if not kinds:
            out.ignored.append(subject)  # dataset records, loads, things that are not nodes
            continue
        place = parse_node_iri(base, subject)
        if place is None or len(kinds) != 1 or place[0] not in kinds:
            names = ", ".join(sorted(k.value for k in kinds))
            message = (
                f"Not one of our node URIs for its class ({names}): use {base}/id/<kind>/<id>."
            )
            out.problems.append(Problem(subject, message))
            continue
        allowed = CONTRIBUTABLE.get(place[0], frozenset()) if contributed else None
        _node(place[0], place[1], group, base, source_file, out, allowed)
        if provenance:
            made_by = [
                t.object.value
                for t in group
                if t.predicate.value == str(PROV.wasGeneratedBy)
                and isinstance(t.object, ox.NamedNode)
            ]
            if made_by:
                out.nodes[-1].props["load"] = made_by[0].rsplit("/", 1)[-1]
    return out


def _load(
    subject: str,
    triples: list[ox.Triple],
    base: str,
    by_subject: Mapping[str, list[ox.Triple]],
) -> tuple[str, dict[str, PropertyValue]]:
    load_id = subject.rsplit("/", 1)[-1]
    props: dict[str, PropertyValue] = {"id": load_id}
    files: list[str] = []
    checksums: list[str] = []
    inputs: list[tuple[str, str]] = []
    for triple in triples:
        predicate, value = triple.predicate.value, getattr(triple.object, "value", "")
        if predicate == str(PROV.startedAtTime):
            props["started_at"] = value
        elif predicate == str(PROV.used):
            inputs.append(_input_file(by_subject.get(value, [])))
        elif predicate == str(PROV.wasAssociatedWith) and value.endswith("#software"):
            labels = [
                t.object.value
                for t in by_subject.get(value, [])
                if t.predicate.value == str(RDFS.label) and isinstance(t.object, ox.Literal)
            ]
            props.update({"agent": labels[0]} if labels else {})
        elif predicate == str(CG.inputFile):  # as backups made before 0.2 say it
            files.append(value)
        elif predicate == str(CG.inputChecksum):
            checksums.append(value)
    # A set of triples has no order: the files come back in the order of their entities.
    inputs.sort()
    files += [name for name, _ in inputs if name]
    checksums += [digest for _, digest in inputs if digest]
    props["files"], props["checksums"] = files, checksums
    props |= _curation(triples, base)
    if "activity" not in props and "curator" in props:  # a contribution: its contributor
        props["contributor"] = props.pop("curator")
    return load_id, props


def _input_file(triples: list[ox.Triple]) -> tuple[str, str]:
    """A file a load used: its name and its checksum ("" for what is not said)."""
    said = {t.predicate.value: t.object.value for t in triples if isinstance(t.object, ox.Literal)}
    return said.get(str(CG.sourceFile), ""), said.get(str(CG.sha256), "")


_CURATION_BY_PREDICATE = {str(predicate): name for name, predicate in CURATION_LITERALS.items()}
_LISTED = frozenset({"changes", "submitter_claims", "curator_grades"})


def _curation(triples: list[ox.Triple], base: str) -> dict[str, PropertyValue]:
    """A decision's or correction's record (`ontology.mapping.CURATION_LITERALS`), read back."""
    props: dict[str, PropertyValue] = {}
    listed: dict[str, list[str]] = {}
    generated: list[tuple[str, str]] = []
    for triple in triples:
        predicate, value = triple.predicate.value, getattr(triple.object, "value", "")
        name = _CURATION_BY_PREDICATE.get(predicate)
        if name in _LISTED:
            listed.setdefault(name, []).append(value)
        elif name is not None:
            props[name] = value
        elif predicate == str(CG.expectedReportDate):
            props["expected_report_date"] = value
        elif predicate == str(PROV.wasAssociatedWith) and "#" not in value:  # not software
            props["curator"] = value.rsplit("/", 1)[-1]
        elif predicate == str(PROV.generated) and (place := parse_node_iri(base, value)):
            generated.append((place[1], place[0].value))
    # A set of triples has no order: lists come back sorted, as they are written.
    props |= {name: sorted(values) for name, values in listed.items()}
    if generated:
        generated.sort()
        props["subjects"] = [node_id for node_id, _ in generated]
        props["subject_kinds"] = [kind for _, kind in generated]
    return props


def _node(
    kind: Kind,
    node_id: str,
    triples: list[ox.Triple],
    base: str,
    source_file: str,
    out: Read,
    allowed: frozenset[str] | None = None,
) -> None:
    props: dict[str, PropertyValue] = {"id": node_id}
    lists: dict[str, list[str]] = defaultdict(list)
    subject = node_iri_text(base, kind, node_id)
    for triple in triples:
        predicate, obj = triple.predicate.value, triple.object
        if allowed is not None and predicate not in allowed:
            out.problems.append(_not_contributable(subject, kind, predicate, obj))
            continue
        if predicate == str(DCTERMS.identifier) and getattr(obj, "value", None) != node_id:
            message = (
                f"dcterms:identifier {getattr(obj, 'value', obj)!r} differs from the URI's id."
            )
            out.problems.append(Problem(subject, message, predicate, _text(obj)))
            continue
        if predicate in (str(RDF.type), *_SKIPPED):
            continue
        if predicate == str(SKOS.prefLabel) and isinstance(obj, ox.Literal):
            props["name"] = obj.value
        elif predicate in (str(SKOS.definition), str(DCTERMS.description)):
            props["description"] = obj.value if isinstance(obj, ox.Literal) else str(obj)
        elif predicate == str(CG.sourceSection) and isinstance(obj, ox.Literal):
            props["source"] = obj.value
        elif predicate == str(DCTERMS.source) and isinstance(obj, ox.NamedNode):
            if kind is Kind.CASE_STUDY:
                lists["source_urls"].append(obj.value)
            else:
                props["source"] = obj.value
        elif predicate == str(CG.inRegion) and kind is Kind.CASE_STUDY:
            target = parse_node_iri(base, str(obj.value)) if isinstance(obj, ox.NamedNode) else None
            if target:
                lists["region_ids"].append(target[1])
        elif predicate in REL_BY_PREDICATE or predicate == str(CG.inRegion):
            _link(kind, node_id, predicate, obj, base, source_file, props, out)
        elif predicate in PROPERTY_BY_PREDICATE:
            name, style = PROPERTY_BY_PREDICATE[predicate]
            value: PropertyValue = _concept_value(obj) if style == "concept" else _text(obj)
            if style == "integer":
                whole = _whole_number(obj)
                if whole is None:
                    out.problems.append(_not_whole(subject, predicate, obj))
                    continue
                value = whole
            if name in _LIST_PROPERTIES:
                lists[name].append(str(value))
            else:
                props[name] = value
        else:
            message = f"Unknown predicate <{predicate}>."
            out.problems.append(Problem(subject, message, predicate, _text(obj)))
    props |= {name: sorted(values) for name, values in lists.items()}
    if kind is Kind.CASE_STUDY and "source_urls" in props:
        props.setdefault("source", props["source_urls"][0])  # type: ignore[index]
    props.setdefault("source_file", source_file)
    if kind is Kind.CASE_STUDY:
        places = sorted(
            link.to_id
            for link in out.links
            if link.from_id == node_id and link.rel is Rel.LOCATED_IN
        )
        if places:
            props["place_ids"] = places
    out.nodes.append(NodeRow(node_id, kind, props))


def _link(
    kind: Kind,
    node_id: str,
    predicate: str,
    obj: object,
    base: str,
    source_file: str,
    props: dict[str, PropertyValue],
    out: Read,
) -> None:
    rel = REL_BY_PREDICATE.get(predicate, Rel.IN_REGION)
    target = parse_node_iri(base, obj.value) if isinstance(obj, ox.NamedNode) else None
    if target is None:
        subject = node_iri_text(base, kind, node_id)
        message = f"<{predicate}> must point to one of our node URIs."
        out.problems.append(Problem(subject, message, predicate, _text(obj)))
        return
    out.links.append(LinkRow(node_id, rel, target[1], source_file))
    # Claims keep their level and type as properties too: the evidence queries filter on them.
    if kind is Kind.EVIDENCE_CLAIM and rel is Rel.AT_LEVEL:
        props["level"] = target[1]
    if kind is Kind.EVIDENCE_CLAIM and rel is Rel.OF_TYPE:
        props["evidence_type"] = target[1]


def _text(obj: object) -> str:
    return obj.value if isinstance(obj, ox.NamedNode | ox.Literal) else str(obj)


def _concept_value(obj: object) -> str:
    """A controlled value: its concept IRI's local name (``cg:no_effect`` -> ``no_effect``), or
    the plain literal partners and backups wrote before the values were concepts."""
    text = _text(obj)
    return text.removeprefix(_CG_NS) if isinstance(obj, ox.NamedNode) else text


_CG_NS = str(CG._NS)


def concept_values(triples: list[ox.Triple]) -> list[ox.Triple]:
    """The same triples, with a controlled value written as a plain literal (``cg:direction
    "positive"``, as partners and backups wrote it before 0.2) as its concept's IRI, so the
    shapes, which now ask for the IRI, accept both spellings of the same value. A literal that
    names no concept is left as it is, for the shapes to refuse with their message."""
    return [
        ox.Triple(t.subject, t.predicate, concept_iri(t.object.value))
        if isinstance(t.object, ox.Literal)
        and t.object.value in _CONCEPT_NAMES.get(t.predicate.value, ())
        else t
        for t in triples
    ]


_CONCEPT_NAMES = {
    str(CG.direction): frozenset(d.value for d in Direction),
    str(CG.organisationType): frozenset(ORGANISATION_TYPES),
}


def _whole_number(obj: object) -> int | None:
    if not isinstance(obj, ox.Literal) or obj.datatype.value not in _INTEGER_TYPES:
        return None
    return int(obj.value) if _WHOLE.match(obj.value) else None


def _not_whole(subject: str, predicate: str, obj: object) -> Problem:
    datatype = obj.datatype.value if isinstance(obj, ox.Literal) else "an IRI"
    message = (
        f"A whole number (xsd:integer) of at most 18 digits is expected; "
        f"{_text(obj)!r} is {short_iri(datatype)}."
    )
    return Problem(subject, message, predicate, _text(obj))


def _not_contributable(subject: str, kind: Kind, predicate: str, obj: object) -> Problem:
    if predicate in (str(CG.sourceFile), str(PROV.wasGeneratedBy), str(PROV.wasAttributedTo)):
        message = f"{short_iri(predicate)} is recorded by the service; leave it out."
    elif predicate == str(CG.strength):
        message = "cg:strength is the service's: a claim's comes from its cg:evidenceLevel."
    else:
        message = f"{short_iri(predicate)} is not something a contribution says of {kind.value}."
    return Problem(subject, message, predicate, _text(obj))


def short_iri(iri: str) -> str:
    """`cg:strength` for our vocabulary's IRIs, `<iri>` for others."""
    for prefix, namespace in (
        ("cg:", str(CG)),
        ("xsd:", str(XSD)),
        ("dcterms:", str(DCTERMS)),
        ("skos:", str(SKOS)),
        ("prov:", str(PROV)),
        ("rdfs:", str(RDFS)),
    ):
        if iri.startswith(namespace):
            return prefix + iri[len(namespace) :]
    return f"<{iri}>"
