"""The streamed export says exactly what it said before it was made faster, byte for byte.

The reference below is the export as it was before (one batch read, then turned into triples
on the event loop, term by term, then the next batch read), kept here as the oracle. Both
dumps are made from the same graph, whose scan order is stable, so they are compared as bytes,
not as graphs: any change in a triple, its order or its serialisation fails.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest
from neo4j import Driver
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from api.settings import ApiSettings
from bench import generate
from graph import repository
from graph.db import open_db
from graph.model import CONCEPTS, Kind, Rel
from graph.repository import ExportLink, ExportNode
from ontology import export
from ontology.dataset import dump_triples
from ontology.formats import FORMATS, RdfFormat
from ontology.mapping import CLASSES, LITERALS, PREDICATES
from ontology.namespaces import CG
from tests.helpers import DATA, clear, load

S_STUDIES = generate.SIZES["S"]


@pytest.fixture(scope="module", params=["bundled", "bundled+S"])
def graph(
    request: pytest.FixtureRequest,
    settings: ApiSettings,
    sync_driver: Driver,
    tmp_path_factory: pytest.TempPathFactory,
) -> str:
    clear(sync_driver, settings)
    load(settings, DATA)
    if request.param == "bundled+S":
        load(settings, generate.write(tmp_path_factory.mktemp("corpus-S"), S_STUDIES))
    return str(request.param)


@pytest.mark.parametrize("rdf_format", FORMATS, ids=lambda f: f.name)
def test_the_export_is_byte_for_byte_what_it_was(
    graph: str, rdf_format: RdfFormat, settings: ApiSettings
) -> None:
    async def both() -> tuple[bytes, bytes]:
        async with open_db(settings) as db:
            base = settings.public_base_uri
            new = b"".join([c async for c in export.export_graph(db, rdf_format, base_uri=base)])
            return new, await _reference(db, rdf_format, base.rstrip("/"))

    new, old = asyncio.run(both())
    assert new.count(b"/id/case-study/") > 0
    assert new == old


async def _reference(db: Any, rdf_format: RdfFormat, base: str) -> bytes:
    loads = await repository.loads(db, limit=10_000, offset=0)
    writer = export._Writer(rdf_format)
    out = [writer.chunk(list(dump_triples(base, rdf_format, loads[0] if loads else None)))]
    async for nodes, links in repository.export_batches(db):
        kinds = {node.id: node.kind for node in nodes}
        triples = [t for node in nodes for t in _node_triples(base, node)]
        triples += [_link_triple(base, kinds[link.from_id], link) for link in links]
        narrower = {link.from_id for link in links if link.type == Rel.BROADER}
        for link in links:
            if link.type == Rel.IN_SCHEME and link.from_id not in narrower:
                concept = _node_iri(base, kinds[link.from_id], link.from_id)
                scheme = _node_iri(base, link.to_kind, link.to_id)
                triples.append(ox.Triple(concept, _iri(SKOS.topConceptOf), scheme))
                triples.append(ox.Triple(scheme, _iri(SKOS.hasTopConcept), concept))
        out.append(writer.chunk(triples))
    out += [writer.chunk(export.loads_triples(base, loads)), writer.end()]
    return b"".join(out)


# The mapping as it was: every term made afresh for every triple.


def _iri(term: str) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def _node_iri(base: str, kind: Kind, node_id: str) -> ox.NamedNode:
    return ox.NamedNode(f"{base}/id/{kind.slug}/{node_id}")


def _node_triples(base: str, node: ExportNode) -> Iterator[ox.Triple]:
    subject = _node_iri(base, node.kind, node.id)
    props = node.properties
    yield ox.Triple(subject, _iri(RDF.type), _iri(CLASSES[node.kind]))
    if node.kind in CONCEPTS:
        yield ox.Triple(subject, _iri(RDF.type), _iri(SKOS.Concept))
    yield ox.Triple(subject, _iri(DCTERMS.identifier), ox.Literal(node.id))
    yield ox.Triple(subject, _iri(SKOS.prefLabel), ox.Literal(props["name"], language="en"))
    if node.kind is Kind.SCHEME:
        yield ox.Triple(subject, _iri(DCTERMS.title), ox.Literal(props["name"], language="en"))
    if description := props.get("description"):
        predicate = SKOS.definition if node.kind in CONCEPTS else DCTERMS.description
        yield ox.Triple(subject, _iri(predicate), ox.Literal(description, language="en"))
    if section := props.get("source"):
        if node.kind in {Kind.CASE_STUDY, Kind.EVIDENCE_CLAIM}:
            if section not in (props.get("source_urls") or []):
                yield ox.Triple(subject, _iri(DCTERMS.source), ox.NamedNode(section))
        else:
            yield ox.Triple(subject, _iri(CG.sourceSection), ox.Literal(section))
    for name, (literal_predicate, style) in LITERALS.items():
        value = props.get(name)
        for item in value if isinstance(value, list) else [] if value is None else [value]:
            yield ox.Triple(subject, _iri(literal_predicate), _literal(item, style))
    if (gss_code := props.get("gss_code")) and re.fullmatch(r"[EWSNK][0-9]{8}", gss_code):
        geography = f"http://statistics.data.gov.uk/id/statistical-geography/{gss_code}"
        yield ox.Triple(subject, _iri(CG.statisticalGeography), ox.NamedNode(geography))
    for region in props.get("region_ids") or []:
        yield ox.Triple(subject, _iri(CG.inRegion), _node_iri(base, Kind.REGION, region))
    if contributor := props.get("contributed_by"):
        contributor_iri = _node_iri(base, Kind.ORGANISATION, contributor)
        yield ox.Triple(subject, _iri(PROV.wasAttributedTo), contributor_iri)
    if load_id := props.get("load"):
        yield ox.Triple(
            subject, _iri(PROV.wasGeneratedBy), ox.NamedNode(f"{base}/id/load/{load_id}")
        )


def _literal(value: object, style: str) -> ox.Literal | ox.NamedNode:
    if style == "iri":
        return ox.NamedNode(str(value))
    if style == "concept":
        return ox.NamedNode(f"https://w3id.org/connects-graph/def#{value}")
    if style == "integer":
        return ox.Literal(str(value), datatype=_iri(XSD.integer))
    if style == "english":
        return ox.Literal(str(value), language="en")
    return ox.Literal(str(value))


def _link_triple(base: str, source_kind: Kind, link: ExportLink) -> ox.Triple:
    return ox.Triple(
        _node_iri(base, source_kind, link.from_id),
        _iri(PREDICATES[Rel(link.type)]),
        _node_iri(base, link.to_kind, link.to_id),
    )
