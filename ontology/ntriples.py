"""The dump's N-Triples written as text, straight from an export batch.

The same lines, byte for byte, as serialising `export.batch_triples` with pyoxigraph (a test
compares the two on every kind, literal style and escape), for a fraction of the CPU: making a
pyoxigraph term and triple for each of 500,000 triples cost 4.5 s at M, these lines 0.4 s
(bench/notes.md). The statements come from `rdf_text`, shared with the Turtle dump.
"""

from __future__ import annotations

from graph.repository import ExportLink, ExportNode
from ontology import mapping
from ontology.rdf_text import Spelling, Statements, full_iri

SPELLING = Spelling(full_iri)


def batch_lines(base: str, nodes: list[ExportNode], links: list[ExportLink]) -> bytes:
    """One export batch as N-Triples: what `ox.serialize(batch_triples(...))` writes."""
    terms = Statements(SPELLING, base)
    lines: list[str] = []
    subjects: dict[str, str] = {}
    pairs: list[str] = []
    for node in nodes:
        subject = subjects[node.id] = terms.checked_node(node.kind, node.id)
        terms.node_pairs(node, pairs)
        head = subject + " "
        objects = iter(pairs)
        lines += [
            f"{head}{predicate} {target} .\n"
            for predicate, target in zip(objects, objects, strict=True)
        ]
        pairs.clear()
    predicates = SPELLING.predicates
    for link in links:
        target = terms.node(link.to_kind, link.to_id)
        lines.append(f"{subjects[link.from_id]} {predicates[link.type]} {target} .\n")
    for link in mapping.top_links(links):
        concept, scheme = subjects[link.from_id], terms.node(link.to_kind, link.to_id)
        lines.append(f"{concept} {SPELLING.top_concept_of} {scheme} .\n")
        lines.append(f"{scheme} {SPELLING.has_top_concept} {concept} .\n")
    return "".join(lines).encode()
