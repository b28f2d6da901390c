"""The dump's Turtle written as text, straight from an export batch, as N-Triples already is.

The same bytes as serialising `export.batch_triples` with pyoxigraph (a test compares the two
on every kind, literal style, escape and awkward local name; the one exception is in
`_local_name`): consecutive triples about one
subject share it with `;`, and with one predicate too with `,`; IRIs in the dump's namespaces
are prefixed names, escaped where the local name needs it, or written in full where it cannot
be one; integers are bare. Building the batch's pyoxigraph triples for oxigraph to lay out cost
more CPU than reading them from the graph (bench/notes.md); this writes the text directly.

A batch is never the dump's first chunk (the dump's own description is, and declares the
prefixes), so it carries no @prefix lines, as `_Writer` drops them from later batches.
"""

from __future__ import annotations

import re
from typing import Final

from graph.repository import ExportLink, ExportNode
from ontology import mapping
from ontology.rdf_text import Spelling, Statements

# No namespace of ours starts another, so at most one prefix fits an IRI and the order in
# which they are tried does not change the output.
_PREFIXES: Final = tuple(mapping.PREFIXES.items())
_NAMESPACES: Final = tuple(mapping.PREFIXES.values())
# Turtle's PN_CHARS_BASE, PN_CHARS_U and PN_CHARS (the grammar's productions 163s-166s).
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_CHARS = f"{_BASE}_0-9\u00b7\u0300-\u036f\u203f-\u2040-"
_PLAIN_LOCAL = re.compile(f"[{_BASE}_:0-9](?:[{_CHARS}:.]*[{_CHARS}:])?")
_FIRST = re.compile(f"[{_BASE}_:0-9]")
_INNER = re.compile(f"[{_CHARS}:]")
# Characters a local name may carry escaped with a backslash (PN_LOCAL_ESC).
_ESCAPABLE: Final = frozenset("_~.-!$&'()*+,;=/?#@%")


def prefixed_iri(iri: str) -> str:
    """An IRI as oxigraph writes it in Turtle with the dump's prefixes."""
    if iri.startswith(_NAMESPACES):
        for name, namespace in _PREFIXES:
            if iri.startswith(namespace):
                local = _local_name(iri[len(namespace) :])
                if local is not None:
                    return f"{name}:{local}"
    return f"<{iri}>"


def _local_name(text: str) -> str | None:
    """The local name of a prefixed name, escaped as needed; None if it cannot be one.

    The one departure from oxigraph: a name that would end in an escaped '.' is valid Turtle
    (rapper and oxigraph read it) but rdflib 7 cannot parse it, so that IRI is written in full.
    """
    if not text or _PLAIN_LOCAL.fullmatch(text):
        return text
    if text.endswith("."):
        return None
    written = []
    for position, char in enumerate(text):
        allowed = _FIRST if position == 0 else _INNER
        if allowed.fullmatch(char) or (char == "." and 0 < position < len(text) - 1):
            written.append(char)
        elif char in _ESCAPABLE:
            written.append("\\" + char)
        else:
            return None
    return "".join(written)


SPELLING = Spelling(prefixed_iri, prefixes=_NAMESPACES, type_predicate="a", bare_integers=True)


def batch_text(base: str, nodes: list[ExportNode], links: list[ExportLink]) -> bytes:
    """One export batch as Turtle, without @prefix lines: what `_Writer` makes of
    `ox.serialize(batch_triples(...), format=TURTLE, prefixes=PREFIXES)` after the first chunk."""
    terms = Statements(SPELLING, base)
    layout = _Layout()
    subjects: dict[str, str] = {}
    pairs: list[str] = []
    for node in nodes:
        subject = subjects[node.id] = terms.checked_node(node.kind, node.id)
        terms.node_pairs(node, pairs)
        objects = iter(pairs)
        for predicate, target in zip(objects, objects, strict=True):
            layout.add(subject, predicate, target)
        pairs.clear()
    predicates = SPELLING.predicates
    for link in links:
        target = terms.node(link.to_kind, link.to_id)
        layout.add(subjects[link.from_id], predicates[link.type], target)
    for link in mapping.top_links(links):
        concept, scheme = subjects[link.from_id], terms.node(link.to_kind, link.to_id)
        layout.add(concept, SPELLING.top_concept_of, scheme)
        layout.add(scheme, SPELLING.has_top_concept, concept)
    return layout.text().encode()


class _Layout:
    """Triples laid out as oxigraph lays them out: a triple with the subject of the one before
    continues its statement (`;`), and with its predicate too, its object list (`,`)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.subject = ""
        self.predicate = ""

    def add(self, subject: str, predicate: str, target: str) -> None:
        if subject == self.subject:
            if predicate == self.predicate:
                self.parts += (" , ", target)
                return
            self.parts += (" ;\n\t", predicate, " ", target)
        else:
            if self.subject:
                self.parts.append(" .\n")
            self.parts += (subject, " ", predicate, " ", target)
            self.subject = subject
        self.predicate = predicate

    def text(self) -> str:
        if self.subject:
            self.parts.append(" .\n")
        return "".join(self.parts)
