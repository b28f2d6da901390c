"""The dump's N-Triples written as text, straight from an export batch.

The same lines, byte for byte, as serialising `export.batch_triples` with pyoxigraph (a test
compares the two on every kind, literal style and escape), in about a quarter of the CPU time:
profiled at M, making a pyoxigraph term and triple for each of 500,000 triples cost 4.5 s, the
serialiser 0.5 s, these lines 1.3 s. A dump is bound by that CPU, not by the graph's reads:
the driver's decoding and this work share one interpreter lock, so the read-ahead hides only
the engine's part. The mapping itself (which property says what) stays in `mapping.py`; this
module reads its tables and mirrors `node_triples` and `link_triple` line for line.

IRIs that come from the data (source links, `url`) are still made as pyoxigraph terms, so a
bad one fails here exactly as it fails there; node IRIs are checked once, as subjects.
"""

from __future__ import annotations

from typing import Final

import pyoxigraph as ox

from graph.model import CONCEPTS, Kind
from graph.repository import ExportLink, ExportNode
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


def _term(node: ox.NamedNode) -> str:
    return f"<{node.value}>"


_TYPE, _IDENTIFIER, _PREF_LABEL = (
    _term(mapping._TYPE),
    _term(mapping._IDENTIFIER),
    _term(mapping._PREF_LABEL),
)
_DEFINITION, _DESCRIPTION = _term(mapping._DEFINITION), _term(mapping._DESCRIPTION)
_TITLE = _term(mapping._TITLE)
_SOURCE, _SOURCE_SECTION = _term(mapping._SOURCE), _term(mapping._SOURCE_SECTION)
_IN_REGION, _ATTRIBUTED = _term(mapping._IN_REGION), _term(mapping._ATTRIBUTED)
_GENERATED_BY, _INTEGER = _term(mapping._GENERATED_BY), _term(mapping._INTEGER)
_CONCEPT, _TOP_CONCEPT_OF = _term(mapping._CONCEPT), _term(mapping._TOP_CONCEPT_OF)
_HAS_TOP_CONCEPT = _term(mapping._HAS_TOP_CONCEPT)
_STATISTICAL_GEOGRAPHY = _term(mapping._STATISTICAL_GEOGRAPHY)
_DATE = _term(mapping._DATE)
_CLASSES = {kind: _term(term) for kind, term in mapping._CLASS_TERMS.items()}
_PREDICATES = {rel: _term(term) for rel, term in mapping._PREDICATE_TERMS.items()}
_LITERALS = [(name, _term(term), style) for name, term, style in mapping._LITERAL_TERMS]
_LANG = f"@{mapping._LANG}"


def batch_lines(base: str, nodes: list[ExportNode], links: list[ExportLink]) -> bytes:
    """One export batch as N-Triples: what `ox.serialize(batch_triples(...))` writes."""
    lines: list[str] = []
    for node in nodes:
        _node_lines(base, node, lines)
    kinds = {node.id: node.kind for node in nodes}
    for link in links:
        subject = _node(base, kinds[link.from_id], link.from_id)
        target = _node(base, link.to_kind, link.to_id)
        lines.append(f"{subject} {_PREDICATES[link.type]} {target} .\n")
    for link in mapping.top_links(links):
        concept = _node(base, kinds[link.from_id], link.from_id)
        scheme = _node(base, link.to_kind, link.to_id)
        lines.append(f"{concept} {_TOP_CONCEPT_OF} {scheme} .\n")
        lines.append(f"{scheme} {_HAS_TOP_CONCEPT} {concept} .\n")
    return "".join(lines).encode()


def _node_lines(base: str, node: ExportNode, lines: list[str]) -> None:
    subject = _term(mapping.node_iri(base, node.kind, node.id))  # checks the id makes an IRI
    props = node.properties
    lines.append(f"{subject} {_TYPE} {_CLASSES[node.kind]} .\n")
    if node.kind in CONCEPTS:
        lines.append(f"{subject} {_TYPE} {_CONCEPT} .\n")
    lines.append(f"{subject} {_IDENTIFIER} {_quoted(node.id)} .\n")
    lines.append(f"{subject} {_PREF_LABEL} {_quoted(props['name'])}{_LANG} .\n")
    if node.kind is Kind.SCHEME:
        lines.append(f"{subject} {_TITLE} {_quoted(props['name'])}{_LANG} .\n")
    if description := props.get("description"):
        predicate = _DEFINITION if node.kind in CONCEPTS else _DESCRIPTION
        lines.append(f"{subject} {predicate} {_quoted(description)}{_LANG} .\n")
    if section := props.get("source"):
        if node.kind in mapping._SOURCE_IS_URL:
            if section not in (props.get("source_urls") or []):  # else said just below
                lines.append(f"{subject} {_SOURCE} {_term(ox.NamedNode(section))} .\n")
        else:
            lines.append(f"{subject} {_SOURCE_SECTION} {_quoted(section)} .\n")
    for name, predicate, style in _LITERALS:
        value = props.get(name)
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            lines.append(f"{subject} {predicate} {_literal(item, style)} .\n")
    if geography := mapping.statistical_geography(props.get("gss_code")):
        lines.append(f"{subject} {_STATISTICAL_GEOGRAPHY} {_term(geography)} .\n")
    for region in props.get("region_ids") or []:
        lines.append(
            f"{subject} {_IN_REGION} {_term(mapping.node_iri(base, Kind.REGION, region))} .\n"
        )
    if contributor := props.get("contributed_by"):
        organisation = _term(mapping.node_iri(base, Kind.ORGANISATION, contributor))
        lines.append(f"{subject} {_ATTRIBUTED} {organisation} .\n")
    if load := props.get("load"):
        lines.append(f"{subject} {_GENERATED_BY} {_term(mapping.load_iri(base, load))} .\n")


def _node(base: str, kind: Kind, node_id: str) -> str:
    # Every link's ends are nodes of the graph, each checked when written as a subject.
    return f"<{base}/id/{kind.slug}/{node_id}>"


def _quoted(text: str) -> str:
    return f'"{text.translate(_ESCAPES)}"'


def _literal(value: object, style: str) -> str:
    if style == "iri":
        return _term(ox.NamedNode(str(value)))
    if style == "concept":
        return _term(mapping.concept_iri(str(value)))
    if style == "integer":
        return f"{_quoted(str(value))}^^{_INTEGER}"
    if style == "english":
        return f"{_quoted(str(value))}{_LANG}"
    if style == "date":
        return f"{_quoted(str(value))}^^{_DATE}"
    return _quoted(str(value))
