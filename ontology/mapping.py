"""Pure functions from graph records to RDF triples (pyoxigraph terms, for fast streaming)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, SKOS, XSD

from graph.model import CONCEPTS, Kind, Rel
from graph.repository import ExportLink, ExportNode, LoadInfo
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

_CLASS: dict[Kind, str] = {
    Kind.PUBLICATION: CG.Publication,
    Kind.SCHEME: SKOS.ConceptScheme,
    Kind.ORGANISATION: ORG.Organization,
    Kind.RESEARCH_INSTITUTE: CG.ResearchInstitute,
    **{kind: getattr(CG, kind.value) for kind in CONCEPTS},
}

_PREDICATE: dict[Rel, str] = {
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
}

_LANG = "en"


def _iri(term: str) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def node_iri(base: str, kind: Kind, node_id: str) -> ox.NamedNode:
    """The stable public URI of a node: ``{base}/id/{kind-slug}/{id}``."""
    return ox.NamedNode(f"{base}/id/{kind.slug}/{node_id}")


def load_iri(base: str, load_id: str) -> ox.NamedNode:
    return ox.NamedNode(f"{base}/id/load/{load_id}")


def node_triples(base: str, node: ExportNode) -> Iterator[ox.Triple]:
    """Triples describing one node's own properties."""
    subject = node_iri(base, node.kind, node.id)
    props = node.properties
    yield ox.Triple(subject, _iri(RDF.type), _iri(_CLASS[node.kind]))
    yield ox.Triple(subject, _iri(DCTERMS.identifier), ox.Literal(node.id))
    yield ox.Triple(subject, _iri(SKOS.prefLabel), ox.Literal(props["name"], language=_LANG))
    if description := props.get("description"):
        predicate = SKOS.definition if node.kind in CONCEPTS else DCTERMS.description
        yield ox.Triple(subject, _iri(predicate), ox.Literal(description, language=_LANG))
    for alt in props.get("alt_names") or []:
        yield ox.Triple(subject, _iri(SKOS.altLabel), ox.Literal(alt, language=_LANG))
    if notation := props.get("notation"):
        yield ox.Triple(subject, _iri(SKOS.notation), ox.Literal(notation))
    if section := props.get("source"):
        yield ox.Triple(subject, _iri(CG.sourceSection), ox.Literal(section))
    if source_file := props.get("source_file"):
        yield ox.Triple(subject, _iri(CG.sourceFile), ox.Literal(source_file))
    if load := props.get("load"):
        yield ox.Triple(subject, _iri(PROV.wasGeneratedBy), load_iri(base, load))


def link_triple(base: str, source_kind: Kind, link: ExportLink) -> ox.Triple:
    """The triple for one relationship."""
    return ox.Triple(
        node_iri(base, source_kind, link.from_id),
        _iri(_PREDICATE[Rel(link.type)]),
        node_iri(base, link.to_kind, link.to_id),
    )


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
    for name in props.get("files") or []:
        yield ox.Triple(subject, _iri(CG.inputFile), ox.Literal(name))
    for digest in props.get("checksums") or []:
        yield ox.Triple(subject, _iri(CG.inputChecksum), ox.Literal(digest))
