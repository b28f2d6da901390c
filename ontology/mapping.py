"""Pure functions from graph records to RDF triples (pyoxigraph terms, for fast streaming)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import zip_longest
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD

from graph.model import CONCEPTS, Kind, Rel
from graph.repository import ExportLink, ExportNode, LoadInfo, NodeDetail
from ontology.namespaces import CG

PREFIXES = {
    "cg": str(CG._NS),
    "dcterms": str(DCTERMS),
    "org": str(ORG),
    "prov": str(PROV),
    "rdf": str(RDF),
    "skos": str(SKOS),
    "xsd": str(XSD),
}

_REUSED = frozenset({Kind.SCHEME, Kind.ORGANISATION})
CLASSES: dict[Kind, str] = {
    Kind.SCHEME: SKOS.ConceptScheme,
    Kind.ORGANISATION: ORG.Organization,
    **{kind: getattr(CG, kind.value) for kind in Kind if kind not in _REUSED},
}

PREDICATES: dict[Rel, str] = {
    Rel.IN_SCHEME: SKOS.inScheme,
    Rel.BROADER: SKOS.broader,
    Rel.RELATED: SKOS.related,
    Rel.HAS_CHALLENGE: CG.hasKeyChallenge,
    Rel.HAS_OPPORTUNITY: CG.hasKeyOpportunity,
    Rel.UNIT_OF: ORG.unitOf,
    Rel.FOCUSES_ON: CG.focusesOn,
    Rel.DEVELOPED_BY: DCTERMS.creator,
    Rel.PARTNER_OF: CG.partnerOf,
    Rel.INVOLVES: CG.involves,
    Rel.DEFAULT_LEVEL: CG.defaultLevel,
    Rel.IN_REGION: CG.inRegion,
    Rel.LED_BY: CG.ledBy,
    Rel.WITH_PARTNER: CG.withPartner,
    Rel.LOCATED_IN: DCTERMS.spatial,
    Rel.ADDRESSES: CG.addresses,
    Rel.HAS_CLAIM: CG.hasClaim,
    Rel.FOR_OUTCOME: CG.forOutcome,
    Rel.AT_LEVEL: CG.evidenceLevel,
    Rel.OF_TYPE: CG.evidenceType,
    Rel.HAS_RESOURCE: DCTERMS.references,
    Rel.ABOUT: DCTERMS.subject,
    Rel.APPLIES: CG.appliesIntervention,
    Rel.CLOSE_MATCH: SKOS.closeMatch,
    Rel.BROAD_MATCH: SKOS.broadMatch,
}

# Literal properties: graph property -> (predicate, how to write the value). Properties not
# listed (ids of linked nodes, checksums) are already said by links or are internal.
LITERALS: dict[str, tuple[str, str]] = {
    "notation": (SKOS.notation, "plain"),
    "source_file": (CG.sourceFile, "plain"),
    "strength": (CG.strength, "integer"),
    "direction": (CG.direction, "concept"),
    "year_start": (CG.yearStart, "integer"),
    "year_end": (CG.yearEnd, "integer"),
    "reported_results": (CG.reportedResult, "plain"),
    "cost": (CG.reportedCost, "plain"),
    "cost_basis": (CG.costBasis, "plain"),
    "cost_year": (CG.costYear, "integer"),
    "resource_type": (CG.resourceType, "plain"),
    "gss_code": (CG.gssCode, "plain"),
    "organisation_type": (CG.organisationType, "concept"),
    "alt_names": (SKOS.altLabel, "english"),
    "url": (RDFS.seeAlso, "iri"),
    "source_urls": (DCTERMS.source, "iri"),
    # A planned or ongoing evaluation (no claims yet): the gap map's "being filled".
    "evaluation_status": (CG.evaluationStatus, "plain"),
    "expected_report_date": (CG.expectedReportDate, "date"),
    "planned_outcome_ids": (CG.plannedOutcome, "plain"),
    # The rating rule, on each cg:Rating: its rank and the conditions its studies must meet.
    "rank": (CG.rank, "integer"),
    "min_positive": (CG.minPositive, "integer"),
    "min_strength": (CG.minStrength, "integer"),
    "min_positive_at_strength": (CG.minPositiveAtStrength, "integer"),
    "max_against_at_strength": (CG.maxAgainstAtStrength, "integer"),
    "min_positive_share": (CG.minPositiveShare, "plain"),
    "min_against_share": (CG.minAgainstShare, "plain"),
}
_SOURCE_IS_URL = frozenset({Kind.CASE_STUDY, Kind.EVIDENCE_CLAIM})

_LANG = "en"


def _iri(term: str) -> ox.NamedNode:
    return ox.NamedNode(str(term))


# Terms made once: a dump makes millions of triples, and building each predicate afresh (an
# rdflib namespace lookup, then a new NamedNode) cost more than the triples themselves.
_TYPE, _IDENTIFIER, _PREF_LABEL = _iri(RDF.type), _iri(DCTERMS.identifier), _iri(SKOS.prefLabel)
_TITLE = _iri(DCTERMS.title)
_DEFINITION, _DESCRIPTION = _iri(SKOS.definition), _iri(DCTERMS.description)
_SOURCE, _SOURCE_SECTION = _iri(DCTERMS.source), _iri(CG.sourceSection)
_IN_REGION, _ATTRIBUTED, _GENERATED_BY = (
    _iri(CG.inRegion),
    _iri(PROV.wasAttributedTo),
    _iri(PROV.wasGeneratedBy),
)
_INTEGER = _iri(XSD.integer)
_DATE = _iri(XSD.date)
_CONCEPT, _TOP_CONCEPT_OF, _HAS_TOP_CONCEPT = (
    _iri(SKOS.Concept),
    _iri(SKOS.topConceptOf),
    _iri(SKOS.hasTopConcept),
)
_STATISTICAL_GEOGRAPHY = _iri(CG.statisticalGeography)
ONS_GEOGRAPHY = "http://statistics.data.gov.uk/id/statistical-geography/"
"""Where the ONS publishes each GSS code as linked data: a link out, besides the literal."""
_GSS_CODE = re.compile(r"[EWSNK][0-9]{8}")


def statistical_geography(gss_code: object) -> ox.NamedNode | None:
    """The ONS URI of a GSS code; None for no code, or one that is not a GSS code's shape
    (the literal is published as it is either way)."""
    if isinstance(gss_code, str) and _GSS_CODE.fullmatch(gss_code):
        return ox.NamedNode(ONS_GEOGRAPHY + gss_code)
    return None


_CLASS_TERMS = {kind: _iri(iri) for kind, iri in CLASSES.items()}
_PREDICATE_TERMS = {str(rel): _iri(predicate) for rel, predicate in PREDICATES.items()}
_LITERAL_TERMS = [(name, _iri(predicate), style) for name, (predicate, style) in LITERALS.items()]


ORGANISATION_TYPES = ("council", "combined_authority", "nhs", "police", "fire", "other")
"""The concepts of cg:organisationTypes (the loaders' OrganisationType, which ontology/ may not
import; a test checks the two agree)."""


@lru_cache(maxsize=64)
def concept_iri(value: str) -> ox.NamedNode:
    """A controlled value (a direction, an organisation type) as its concept in the ontology:
    the IRI's local name is the value as the CSV and the API spell it (``cg:no_effect``)."""
    return ox.NamedNode(f"{CG._NS}{value}")


@lru_cache(maxsize=1 << 16)
def node_iri(base: str, kind: Kind, node_id: str) -> ox.NamedNode:
    """The stable public URI of a node: ``{base}/id/{kind-slug}/{id}``.

    Remembered: a dump names each node several times (as a subject, then as the far end of
    links, most often the same few outcomes, levels and themes), and a NamedNode checks its IRI
    each time it is made. NamedNodes are immutable, so sharing one is safe.
    """
    return ox.NamedNode(f"{base}/id/{kind.slug}/{node_id}")


def load_iri(base: str, load_id: str) -> ox.NamedNode:
    return ox.NamedNode(f"{base}/id/load/{load_id}")


def node_triples(base: str, node: ExportNode) -> Iterator[ox.Triple]:
    """Triples describing one node's own properties."""
    subject = node_iri(base, node.kind, node.id)
    props = node.properties
    yield ox.Triple(subject, _TYPE, _CLASS_TERMS[node.kind])
    if node.kind in CONCEPTS:  # said outright: SPARQL here does no subclass inference
        yield ox.Triple(subject, _TYPE, _CONCEPT)
    yield ox.Triple(subject, _IDENTIFIER, ox.Literal(node.id))
    yield ox.Triple(subject, _PREF_LABEL, ox.Literal(props["name"], language=_LANG))
    if node.kind is Kind.SCHEME:  # catalogues and vocabulary browsers show dcterms:title
        yield ox.Triple(subject, _TITLE, ox.Literal(props["name"], language=_LANG))
    if description := props.get("description"):
        predicate = _DEFINITION if node.kind in CONCEPTS else _DESCRIPTION
        yield ox.Triple(subject, predicate, ox.Literal(description, language=_LANG))
    if section := props.get("source"):
        if node.kind in _SOURCE_IS_URL:
            if section not in (props.get("source_urls") or []):  # else said just below
                yield ox.Triple(subject, _SOURCE, ox.NamedNode(section))
        else:
            yield ox.Triple(subject, _SOURCE_SECTION, ox.Literal(section))
    for name, literal_predicate, style in _LITERAL_TERMS:
        value = props.get(name)
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            yield ox.Triple(subject, literal_predicate, _literal(item, style))
    if geography := statistical_geography(props.get("gss_code")):
        yield ox.Triple(subject, _STATISTICAL_GEOGRAPHY, geography)
    for region in props.get("region_ids") or []:
        yield ox.Triple(subject, _IN_REGION, node_iri(base, Kind.REGION, region))
    if contributor := props.get("contributed_by"):
        yield ox.Triple(subject, _ATTRIBUTED, node_iri(base, Kind.ORGANISATION, contributor))
    if load := props.get("load"):
        yield ox.Triple(subject, _GENERATED_BY, load_iri(base, load))


def _literal(value: object, style: str) -> ox.Literal | ox.NamedNode:
    if style == "iri":
        return ox.NamedNode(str(value))
    if style == "concept":
        return concept_iri(str(value))
    if style == "integer":
        return ox.Literal(str(value), datatype=_INTEGER)
    if style == "english":
        return ox.Literal(str(value), language=_LANG)
    if style == "date":
        return ox.Literal(str(value), datatype=_DATE)
    return ox.Literal(str(value))


def link_triple(base: str, source_kind: Kind, link: ExportLink) -> ox.Triple:
    """The triple for one relationship."""
    return ox.Triple(
        node_iri(base, source_kind, link.from_id),
        _PREDICATE_TERMS[link.type],
        node_iri(base, link.to_kind, link.to_id),
    )


def top_concept_triples(base: str, source_kind: Kind, link: ExportLink) -> tuple[ox.Triple, ...]:
    """A concept with no broader concept is a top concept of its scheme: said both ways, as
    SKOS consumers look for either and SPARQL here infers neither from the other."""
    concept = node_iri(base, source_kind, link.from_id)
    scheme = node_iri(base, link.to_kind, link.to_id)
    return (
        ox.Triple(concept, _TOP_CONCEPT_OF, scheme),
        ox.Triple(scheme, _HAS_TOP_CONCEPT, concept),
    )


def top_links(links: list[ExportLink]) -> list[ExportLink]:
    """The IN_SCHEME links of concepts that have no BROADER link among `links` (a node's
    outgoing links all come in the same batch as the node)."""
    narrower = {link.from_id for link in links if link.type == _BROADER}
    return [x for x in links if x.type == _IN_SCHEME and x.from_id not in narrower]


# Plain strings: comparing a link's type (a str) with a StrEnum member goes through the enum's
# own __eq__ first, which cost more than the rest of this function for a batch of links.
_BROADER, _IN_SCHEME = str(Rel.BROADER), str(Rel.IN_SCHEME)


def load_triples(base: str, load: LoadInfo) -> Iterator[ox.Triple]:
    """A load as a prov:Activity, with the files it read and their checksums."""
    subject = load_iri(base, load.id)
    props: dict[str, Any] = load.properties
    yield ox.Triple(subject, _iri(RDF.type), _iri(CG.Load))
    yield ox.Triple(subject, _iri(DCTERMS.identifier), ox.Literal(load.id))
    if started := props.get("started_at"):
        yield ox.Triple(
            subject, _iri(PROV.startedAtTime), ox.Literal(started, datatype=_iri(XSD.dateTime))
        )
    yield from _input_triples(subject, props)
    if contributor := props.get("contributor"):
        organisation = node_iri(base, Kind.ORGANISATION, str(contributor))
        yield ox.Triple(subject, _iri(PROV.wasAssociatedWith), organisation)
    if agent := props.get("agent"):
        software = ox.NamedNode(f"{subject.value}#software")
        yield ox.Triple(subject, _iri(PROV.wasAssociatedWith), software)
        yield ox.Triple(software, _iri(RDF.type), _iri(PROV.SoftwareAgent))
        yield ox.Triple(software, _iri(RDFS.label), ox.Literal(str(agent)))
    yield from _curation_triples(base, subject, props)


def _input_triples(subject: ox.NamedNode, props: dict[str, Any]) -> Iterator[ox.Triple]:
    """Each file a load read as its own prov:Entity (``{load}#file-{n}``), with its name and
    SHA-256 checksum: the load prov:used it. The loader records files and checksums as two
    lists in step; a checksum without its file (or the reverse) is still said."""
    files, checksums = props.get("files") or [], props.get("checksums") or []
    # Numbered in name order, so a load restored from a backup names its files as before.
    pairs = sorted(zip_longest(map(str, files), map(str, checksums), fillvalue=""))
    for n, (name, digest) in enumerate(pairs, 1):
        entity = ox.NamedNode(f"{subject.value}#file-{n}")
        yield ox.Triple(subject, _iri(PROV.used), entity)
        yield ox.Triple(entity, _iri(RDF.type), _iri(PROV.Entity))
        if name:
            yield ox.Triple(entity, _iri(CG.sourceFile), ox.Literal(name))
        if digest:
            yield ox.Triple(entity, _iri(CG.sha256), ox.Literal(digest))


CURATION_LITERALS: dict[str, URIRef] = {
    "activity": CG.activityKind,
    "decision": CG.decision,
    "reason": CG.reason,
    "changes": CG.change,
    "submitter_claims": CG.submitterClaim,
    "curator_grades": CG.curatorGrade,
    "evaluation_status": CG.evaluationStatus,
    "report": CG.resolvesReport,
}
"""A curator's decision or correction (a load with an `activity`): its record's literals."""


def _curation_triples(
    base: str, subject: ox.NamedNode, props: dict[str, Any]
) -> Iterator[ox.Triple]:
    """Who decided and why, and which statements the decision or correction wrote (PROV)."""
    for name, predicate in CURATION_LITERALS.items():
        value = props.get(name)
        for item in (value if isinstance(value, list) else [value]) if value else []:
            yield ox.Triple(subject, _iri(predicate), ox.Literal(str(item)))
    if due := props.get("expected_report_date"):
        yield ox.Triple(
            subject, _iri(CG.expectedReportDate), ox.Literal(due, datatype=_iri(XSD.date))
        )
    if curator := props.get("curator"):
        yield ox.Triple(
            subject, _iri(PROV.wasAssociatedWith), node_iri(base, Kind.ORGANISATION, curator)
        )
    kinds = props.get("subject_kinds") or []
    for node_id, kind in zip(props.get("subjects") or [], kinds, strict=False):
        yield ox.Triple(subject, _iri(PROV.generated), node_iri(base, Kind(kind), node_id))


def document_triples(base: str, detail: NodeDetail) -> Iterator[ox.Triple]:
    """A resource's description: its properties, its links both ways, and what they link to,
    named (type and label), so the document reads on its own."""
    node = ExportNode(id=detail.id, kind=detail.kind, properties=detail.properties)
    yield from node_triples(base, node)
    subject = node_iri(base, detail.kind, detail.id)
    outgoing = {link.type for link in detail.links if link.direction == "out"}
    top = detail.kind in CONCEPTS and Rel.BROADER not in outgoing
    for link in detail.links:
        other = node_iri(base, link.node.kind, link.node.id)
        predicate = _iri(PREDICATES[Rel(link.type)])
        yield (
            ox.Triple(subject, predicate, other)
            if link.direction == "out"
            else ox.Triple(other, predicate, subject)
        )
        if top and link.direction == "out" and link.type == Rel.IN_SCHEME:
            yield ox.Triple(subject, _TOP_CONCEPT_OF, other)
            yield ox.Triple(other, _HAS_TOP_CONCEPT, subject)
        yield ox.Triple(other, _iri(RDF.type), _iri(CLASSES[link.node.kind]))
        yield ox.Triple(other, _iri(SKOS.prefLabel), ox.Literal(link.node.name, language=_LANG))
