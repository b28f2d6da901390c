"""The tools' answers: the API's own models, with the public URI of everything they name, so an
assistant can cite the case studies it relies on."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field

from graph.approaches import WhatWorks
from graph.evidence import EvidencePage, EvidencePath, GapMap
from graph.model import Kind
from graph.repository import NodeDetail, SearchHit
from ontology.mapping import node_iri


class Cited(BaseModel):
    """An answer with the URIs to cite."""

    uris: dict[str, str] = Field(
        default_factory=dict,
        description="The public URI of each case study, approach or node named above, by id: "
        "cite these (each resolves to its page and its RDF).",
    )


class WhatWorksAnswer(WhatWorks, Cited):
    """Approaches ranked by their evidence, as GET /what-works answers."""


class EvidenceAnswer(EvidencePage, Cited):
    """Case studies with evidence, strongest first, as GET /evidence answers."""


class GapMapAnswer(GapMap, Cited):
    """The evidence-and-gap map, as GET /evidence/gap-map answers."""


class NodeAnswer(NodeDetail, Cited):
    """One node, as GET /nodes/{id} answers."""


class SearchAnswer(Cited):
    """Nodes matching the words, best first, as GET /search answers."""

    hits: list[SearchHit]


class PathsAnswer(Cited):
    """The shortest explanations connecting two nodes, as GET /graph/paths answers."""

    paths: list[EvidencePath]


class SparqlAnswer(BaseModel):
    """A SPARQL query's answer, as POST /sparql gives it."""

    form: str = Field(description="SELECT, ASK, CONSTRUCT or DESCRIBE.")
    media_type: str = Field(description="SPARQL JSON results, or Turtle for a graph.")
    load: str = Field(description="The load of the graph the answer reflects.")
    body: str


def uris(base: str, named: Iterable[tuple[Kind, str]]) -> dict[str, str]:
    """Each node's public URI (`ontology.mapping.node_iri`), by id."""
    return {node_id: node_iri(base, kind, node_id).value for kind, node_id in named}


def what_works(base: str, answer: WhatWorks) -> WhatWorksAnswer:
    named = [(Kind.INTERVENTION, a.intervention.id) for a in answer.items]
    named += [(Kind.CASE_STUDY, s.id) for a in answer.items for s in a.case_studies]
    return WhatWorksAnswer(**dict(answer), uris=uris(base, named))


def evidence(base: str, page: EvidencePage) -> EvidenceAnswer:
    named = [(Kind.CASE_STUDY, row.id) for row in page.items]
    return EvidenceAnswer(**dict(page), uris=uris(base, named))


def gap_map(base: str, found: GapMap) -> GapMapAnswer:
    named = [(Kind.CASE_STUDY, c.strongest.id) for c in found.cells if c.strongest is not None]
    return GapMapAnswer(**dict(found), uris=uris(base, named))


def node(base: str, detail: NodeDetail) -> NodeAnswer:
    named = [(detail.kind, detail.id), *((link.node.kind, link.node.id) for link in detail.links)]
    return NodeAnswer(**dict(detail), uris=uris(base, named))


def search(base: str, hits: list[SearchHit]) -> SearchAnswer:
    return SearchAnswer(hits=hits, uris=uris(base, ((h.node.kind, h.node.id) for h in hits)))


def paths(base: str, found: list[EvidencePath]) -> PathsAnswer:
    named = [(n.kind, n.id) for path in found for n in path.nodes]
    return PathsAnswer(paths=found, uris=uris(base, named))
