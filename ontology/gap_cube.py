"""The evidence-and-gap map as an RDF Data Cube (qb:): one qb:Observation per intervention x
outcome cell, empty cells included, in a qb:DataSet structured by `cg:gapMapStructure`.

The structure is declared once, in connects.ttl (it is vocabulary, served at /def); a cube
document carries a copy of it so that a consumer can check it alone (the Data Cube integrity
constraints read the structure from the same graph as the observations).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from urllib.parse import unquote_plus

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, PROV, QB, RDF, RDFS, XSD

from graph.evidence import GapCell, GapMap
from graph.model import Kind
from graph.queries.evidence import Dimension
from graph.rating_rule import Direction
from graph.repository import LoadInfo
from ontology import jsonld
from ontology.dataset import LICENCE
from ontology.formats import RdfFormat
from ontology.mapping import PREFIXES, load_iri, node_iri
from ontology.namespaces import CG
from ontology.vocabulary import HERE, Vocabulary

STRUCTURE = ox.NamedNode(CG._NS["gapMapStructure"])
NOT_STATED = ox.NamedNode(CG._NS["gapNotStated"])
"""A dimension's value where the source named none (a case study with no intervention)."""
DIMENSIONS = (Dimension.INTERVENTION, Dimension.OUTCOME)
"""The cube's two dimensions; a map by other dimensions has no cube."""
_KIND = {Dimension.INTERVENTION: Kind.INTERVENTION, Dimension.OUTCOME: Kind.OUTCOME}
_PROPERTY = {
    Dimension.INTERVENTION: ox.NamedNode(CG.gapIntervention),
    Dimension.OUTCOME: ox.NamedNode(CG.gapOutcome),
}


def _iri(term: str) -> ox.NamedNode:
    return ox.NamedNode(str(term))


@functools.cache
def structure_triples() -> tuple[ox.Triple, ...]:
    """The structure as connects.ttl declares it: the definition, its component specifications
    and the component properties."""
    quads = list(ox.parse(path=HERE / Vocabulary.ONTOLOGY.value, format=ox.RdfFormat.TURTLE))
    components = {
        q.object for q in quads if q.subject == STRUCTURE and q.predicate == _iri(QB.component)
    }
    properties = {
        q.object
        for q in quads
        if q.subject in components
        and q.predicate != _iri(QB.order)
        and isinstance(q.object, ox.NamedNode)
    }
    wanted = {STRUCTURE, *components, *properties, NOT_STATED}
    return tuple(q.triple for q in quads if q.subject in wanted)


def cube_triples(
    base: str, document: str, gap_map: GapMap, latest: LoadInfo | None, filters: str = ""
) -> Iterator[ox.Triple]:
    """`gap_map` (by intervention and outcome) as a qb:DataSet named `{document}#dataset`, from
    the latest load, with one observation per cell; `filters`, the query it was asked with."""
    dataset = ox.NamedNode(f"{document}#dataset")
    yield ox.Triple(dataset, _iri(RDF.type), _iri(QB.DataSet))
    yield ox.Triple(dataset, _iri(QB.structure), STRUCTURE)
    title = "Evidence-and-gap map: case studies by intervention and outcome"
    if filters:
        # A filtered map's empty cells are gaps only among what the filters kept: say so.
        title += f", only those matching {unquote_plus(filters)}"
    yield ox.Triple(dataset, _iri(DCTERMS.title), ox.Literal(title, language="en"))
    yield ox.Triple(dataset, _iri(DCTERMS.license), ox.NamedNode(LICENCE))
    if latest is not None:
        yield ox.Triple(dataset, _iri(PROV.wasDerivedFrom), load_iri(base, latest.id))
    yield from structure_triples()
    rows, cols = Dimension(gap_map.rows), Dimension(gap_map.cols)
    for n, cell in enumerate(gap_map.cells, 1):
        yield from _observation(
            base, dataset, ox.NamedNode(f"{document}#cell-{n}"), cell, rows, cols
        )


def _observation(
    base: str,
    dataset: ox.NamedNode,
    observation: ox.NamedNode,
    cell: GapCell,
    rows: Dimension,
    cols: Dimension,
) -> Iterator[ox.Triple]:
    yield ox.Triple(observation, _iri(RDF.type), _iri(QB.Observation))
    yield ox.Triple(observation, _iri(QB.dataSet), dataset)
    for dimension, key in ((rows, cell.row), (cols, cell.col)):
        value = NOT_STATED if key is None else node_iri(base, _KIND[dimension], str(key))
        yield ox.Triple(observation, _PROPERTY[dimension], value)
    yield ox.Triple(observation, _iri(CG.caseStudyCount), _integer(cell.case_studies))
    # Each direction said, so a cell whose studies found it did not work never reads as support.
    for direction, measure in _DIRECTION_MEASURES.items():
        count = cell.directions.get(direction, 0)
        yield ox.Triple(observation, measure, _integer(count))
    planned = _integer(cell.planned_evaluations)
    yield ox.Triple(observation, _iri(CG.plannedEvaluationCount), planned)
    if cell.best_strength is not None:
        best = _integer(cell.best_strength)
        yield ox.Triple(observation, _iri(CG.bestStrength), best)
    if cell.strongest is not None:
        strongest = node_iri(base, Kind.CASE_STUDY, cell.strongest.id)
        yield ox.Triple(observation, _iri(CG.strongestCaseStudy), strongest)
        yield ox.Triple(strongest, _iri(RDFS.label), ox.Literal(cell.strongest.name, language="en"))


_DIRECTION_MEASURES = {
    Direction.POSITIVE: _iri(CG.positiveCount),
    Direction.MIXED: _iri(CG.mixedCount),
    Direction.NEGATIVE: _iri(CG.negativeCount),
    Direction.NO_EFFECT: _iri(CG.noEffectCount),
    Direction.NOT_STATED: _iri(CG.notStatedCount),
}


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_iri(XSD.integer))


def cube_document(triples: list[ox.Triple], rdf_format: RdfFormat) -> bytes:
    """The cube's triples in `rdf_format`, with the qb: prefix besides ours."""
    if rdf_format.name == "jsonld":
        return jsonld.document(triples)
    prefixes = {**PREFIXES, "qb": str(QB)}
    return ox.serialize(triples, format=rdf_format.oxigraph, prefixes=prefixes) or b""
