"""Which graphs a query reads: every load's named graph, chosen by FROM, FROM NAMED or the
protocol's default-graph-uri and named-graph-uri.

The store holds each triple in the graph of the load that wrote it, and the dataset's and
loads' descriptions in its default graph (as the N-Quads dump does). A query that names no
graphs reads them all, as one default graph (their union), and `GRAPH ?g` ranges over the
loads' graphs. A query with FROM or FROM NAMED reads what it names, as SPARQL says; the
protocol's parameters, when sent, take their place (SPARQL 1.1 Protocol, 2.1.4).

A graph that is not in the store would answer nothing, which reads like a real answer: it is
refused instead (`UnknownGraph`), naming where it was written. `GRAPH <iri>` in a pattern is
not a dataset and answers as SPARQL says (nothing, for an unknown graph).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib.plugins.sparql import prepareQuery

from ontology.sparql.errors import UnknownGraph, UnreadDataset


@dataclass(frozen=True)
class Dataset:
    """The protocol's dataset parameters, if any were sent (they override FROM clauses)."""

    default: tuple[str, ...] = ()
    named: tuple[str, ...] = ()

    @property
    def sent(self) -> bool:
        return bool(self.default or self.named)

    def options(self, names_graphs: bool) -> dict[str, Any]:
        """pyoxigraph's query options for this dataset; `names_graphs`: the query has FROM or
        FROM NAMED."""
        if self.sent:  # only the named graphs given: the default graph is empty, as specified
            return {
                "default_graph": [ox.NamedNode(iri) for iri in self.default],
                "named_graphs": [ox.NamedNode(iri) for iri in self.named],
            }
        if names_graphs:
            return {}  # the query's own FROM and FROM NAMED
        return {"use_default_graph_as_union": True}


def from_clauses(text: str, location: str) -> list[str]:
    """The IRIs of a query's FROM and FROM NAMED clauses, prefixes and BASE resolved.

    Raises:
        UnreadDataset: the query names graphs in syntax rdflib cannot read (SPARQL 1.2's, say):
            its graphs could not be checked, and an unknown one would answer as an empty graph.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = prepareQuery(text)
    except Exception:  # noqa: BLE001 - any parse failure: refused below, or by pyoxigraph
        raise UnreadDataset(location) from None
    clauses = parsed.algebra.get("datasetClause") or []
    return [str(c["named"] if "named" in c else c["default"]) for c in clauses]


def refuse_unknown(store: ox.Store, graphs: list[tuple[str, str]]) -> None:
    """Raise UnknownGraph for the first (location, IRI) whose graph the store does not hold."""
    for location, iri in graphs:
        try:
            known = store.contains_named_graph(ox.NamedNode(iri))
        except ValueError:
            known = False
        if not known:
            raise UnknownGraph(location, iri)
