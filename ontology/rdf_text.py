"""An export batch's statements as text, for the line formats the dumps write without terms.

`mapping.node_triples` says which triples describe a node as pyoxigraph terms; making a term
and a triple for each of millions of triples cost more CPU than reading them from the graph
(profiled in bench/notes.md). This module walks the same mapping tables once per node and
writes each predicate and object straight as text, spelt as oxigraph writes it: a `Spelling`
per format (N-Triples writes every IRI in full; Turtle uses the dump's prefixes), so
`ntriples.py` and `turtle.py` only lay the statements out. Tests compare both with pyoxigraph's
own output for the same triples, byte for byte, every escape included.

IRIs that come from the data (source links, `url`, ids that are not plain) are still checked
by making a pyoxigraph term, so a bad one fails here exactly as it fails in the mapping.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

import pyoxigraph as ox

from graph.model import CONCEPTS, Kind
from graph.repository import ExportNode
from ontology import mapping

# As oxigraph writes a quoted string: the N-Triples escapes, and \uXXXX for other controls.
_ESCAPES: Final[dict[int, str]] = {
    **{c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F]},
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')
# An id that makes a valid IRI after any valid base: no pyoxigraph term needed to check it.
_PLAIN_ID = re.compile(r"[A-Za-z0-9._~-]+")


def quoted(text: str) -> str:
    """A string literal's quoted form (most need no escape: one scan finds that out)."""
    if _NEEDS_ESCAPE.search(text) is None:
        return f'"{text}"'
    return f'"{text.translate(_ESCAPES)}"'


def full_iri(iri: str) -> str:
    return f"<{iri}>"


class Spelling:
    """How one format writes the mapping's terms: every predicate and class made once.

    `iri` writes a checked IRI; `prefixes` are the namespaces it may shorten (none in
    N-Triples); `type_predicate` is how rdf:type is written as a predicate; with
    `bare_integers`, an xsd:integer in Turtle's INTEGER form is written without quotes.
    """

    def __init__(
        self,
        iri: Callable[[str], str],
        *,
        prefixes: tuple[str, ...] = (),
        type_predicate: str | None = None,
        bare_integers: bool = False,
    ) -> None:
        self.iri = iri
        self.prefixes = prefixes
        self.bare_integers = bare_integers
        self.type = type_predicate or iri(mapping._TYPE.value)
        self.identifier = iri(mapping._IDENTIFIER.value)
        self.pref_label = iri(mapping._PREF_LABEL.value)
        self.title = iri(mapping._TITLE.value)
        self.definition = iri(mapping._DEFINITION.value)
        self.description = iri(mapping._DESCRIPTION.value)
        self.source = iri(mapping._SOURCE.value)
        self.source_section = iri(mapping._SOURCE_SECTION.value)
        self.in_region = iri(mapping._IN_REGION.value)
        self.attributed = iri(mapping._ATTRIBUTED.value)
        self.generated_by = iri(mapping._GENERATED_BY.value)
        self.statistical_geography = iri(mapping._STATISTICAL_GEOGRAPHY.value)
        self.concept = iri(mapping._CONCEPT.value)
        self.top_concept_of = iri(mapping._TOP_CONCEPT_OF.value)
        self.has_top_concept = iri(mapping._HAS_TOP_CONCEPT.value)
        self.integer = "^^" + iri(mapping._INTEGER.value)
        self.date = "^^" + iri(mapping._DATE.value)
        self.lang = f"@{mapping._LANG}"
        self.classes = {kind: iri(term.value) for kind, term in mapping._CLASS_TERMS.items()}
        self.predicates = {rel: iri(term.value) for rel, term in mapping._PREDICATE_TERMS.items()}
        self.literals = [
            (name, iri(term.value), style) for name, term, style in mapping._LITERAL_TERMS
        ]
        self.concepts: dict[str, str] = {}


_INTEGER_FORM = re.compile(r"[+-]?[0-9]+")  # Turtle's INTEGER: written bare, as oxigraph does


class Statements:
    """One batch's terms for one base URI: the node IRIs' common parts made once per kind."""

    def __init__(self, spelling: Spelling, base: str) -> None:
        self.spelling = spelling
        self.base = base
        # Node IRIs are written in full, put together from a head made once per kind, unless a
        # prefix overlaps them: then the spelling decides, IRI by IRI (a base of our own
        # vocabulary's namespace, say).
        head = f"{base}/id/"
        overlap = any(head.startswith(p) or p.startswith(head) for p in spelling.prefixes)
        self.heads = None if overlap else {kind: f"<{head}{kind.slug}/" for kind in Kind}
        self.loads: dict[str, str] = {}
        self._literals_by_keys: dict[tuple[str, ...], list[tuple[str, str, str]]] = {}

    def node(self, kind: Kind, node_id: str) -> str:
        """A node's IRI, as written; unchecked (see `checked_node`)."""
        if self.heads is not None:
            return f"{self.heads[kind]}{node_id}>"
        return self.spelling.iri(f"{self.base}/id/{kind.slug}/{node_id}")

    def checked_node(self, kind: Kind, node_id: str) -> str:
        """A node's IRI, as written, failing as the mapping does if the id makes no IRI."""
        if _PLAIN_ID.fullmatch(node_id) is None:
            mapping.node_iri(self.base, kind, node_id)
        return self.node(kind, node_id)

    def load(self, load_id: str) -> str:
        written = self.loads.get(load_id)
        if written is None:
            written = self.spelling.iri(mapping.load_iri(self.base, load_id).value)
            self.loads[load_id] = written
        return written

    def node_pairs(self, node: ExportNode, out: list[str]) -> None:
        """Append each of the node's own triples to `out` as predicate, object: the order and
        the triples of `mapping.node_triples`."""
        spelling, props, kind = self.spelling, node.properties, node.kind
        out += (spelling.type, spelling.classes[kind])
        if kind in CONCEPTS:  # said outright: SPARQL here does no subclass inference
            out += (spelling.type, spelling.concept)
        out += (spelling.identifier, quoted(node.id))
        out += (spelling.pref_label, quoted(props["name"]) + spelling.lang)
        if kind is Kind.SCHEME:
            out += (spelling.title, quoted(props["name"]) + spelling.lang)
        if description := props.get("description"):
            predicate = spelling.definition if kind in CONCEPTS else spelling.description
            out += (predicate, quoted(description) + spelling.lang)
        if section := props.get("source"):
            if kind in mapping._SOURCE_IS_URL:
                if section not in (props.get("source_urls") or []):  # else said just below
                    out += (spelling.source, spelling.iri(ox.NamedNode(section).value))
            else:
                out += (spelling.source_section, quoted(section))
        for name, predicate, style in self._literals_in(props):
            value = props[name]
            for item in value if isinstance(value, list) else (value,):
                out += (predicate, self._literal(item, style))
        if geography := mapping.statistical_geography(props.get("gss_code")):
            out += (spelling.statistical_geography, spelling.iri(geography.value))
        for region in props.get("region_ids") or ():
            out += (spelling.in_region, self.checked_node(Kind.REGION, region))
        if contributor := props.get("contributed_by"):
            out += (spelling.attributed, self.checked_node(Kind.ORGANISATION, contributor))
        if load := props.get("load"):
            out += (spelling.generated_by, self.load(load))

    def _literals_in(self, props: dict[str, Any]) -> list[tuple[str, str, str]]:
        # Most nodes of a kind have the same properties: which of the 27 literal properties
        # they hold is worked out once per set of keys, not looked up afresh for every node.
        keys = tuple(props)
        found = self._literals_by_keys.get(keys)
        if found is None:
            found = [x for x in self.spelling.literals if props.get(x[0]) is not None]
            self._literals_by_keys[keys] = found
        return found

    def _literal(self, value: object, style: str) -> str:
        spelling = self.spelling
        if style == "plain":
            return quoted(str(value))
        if style == "integer":
            text = str(value)
            if spelling.bare_integers and _INTEGER_FORM.fullmatch(text):
                return text
            return quoted(text) + spelling.integer
        if style == "english":
            return quoted(str(value)) + spelling.lang
        if style == "date":
            return quoted(str(value)) + spelling.date
        if style == "iri":
            return spelling.iri(ox.NamedNode(str(value)).value)
        if style == "concept":
            text = str(value)
            written = spelling.concepts.get(text)
            if written is None:
                written = spelling.concepts[text] = spelling.iri(mapping.concept_iri(text).value)
            return written
        return quoted(str(value))
