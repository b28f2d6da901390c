"""The dump as a dataset: every triple in the named graph of the load that wrote it.

A node's own triples go in the graph of the load that last changed the node (its `load`
stamp), a link's in the graph of the load that made or last changed the link. The graph's name
is the load's IRI, which the default graph describes with PROV (when, which files with their
checksums, which contributor or curator): provenance travels with the data. A contribution is
a load by its contributor, so contributed data sits in its contributor's graphs.

The triples are `export.batch_triples`' own, only placed in graphs: the union of the graphs
and the default graph is the N-Triples dump (a test compares them). Something written before
loads stamped what they wrote has no load, and stays in the default graph.
"""

from __future__ import annotations

import pyoxigraph as ox

from graph.repository import ExportLink, ExportNode
from ontology.mapping import link_triple, load_iri, node_triples, top_concept_triples, top_links

Graph = ox.NamedNode | ox.DefaultGraph

DEFAULT_GRAPH = ox.DefaultGraph()


def graph_of(base: str, load: object) -> Graph:
    """The named graph of a load, by its id; the default graph when there is none."""
    return load_iri(base, str(load)) if load else DEFAULT_GRAPH


def batch_quads(base: str, nodes: list[ExportNode], links: list[ExportLink]) -> list[ox.Quad]:
    """One export batch as quads, in `export.batch_triples`' order."""
    kinds = {node.id: node.kind for node in nodes}
    quads = [
        _in(triple, graph_of(base, node.properties.get("load")))
        for node in nodes
        for triple in node_triples(base, node)
    ]
    quads += [
        _in(link_triple(base, kinds[link.from_id], link), graph_of(base, link.load))
        for link in links
    ]
    quads += [
        _in(triple, graph_of(base, link.load))
        for link in top_links(links)
        for triple in top_concept_triples(base, kinds[link.from_id], link)
    ]
    return quads


def in_default_graph(triples: list[ox.Triple]) -> list[ox.Quad]:
    """Triples that describe the dataset, its dumps and its loads: the default graph's."""
    return [_in(triple, DEFAULT_GRAPH) for triple in triples]


def _in(triple: ox.Triple, graph: Graph) -> ox.Quad:
    return ox.Quad(triple.subject, triple.predicate, triple.object, graph)
