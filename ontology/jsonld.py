"""JSON-LD that reads like plain JSON: a published @context, and a writer that streams.

The context gives every predicate we publish a short name (``prefLabel``, ``forOutcome``),
marks links as ``@id`` so they are plain strings, and makes English the default language.
Anything the context does not cover is written in full, so no triple is ever lost.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from ontology.mapping import CLASSES, LITERALS, PREDICATES, PREFIXES
from ontology.namespaces import CG

_LANG = "en"
_LANG_TERMS = {
    str(SKOS.prefLabel),
    str(SKOS.definition),
    str(SKOS.altLabel),
    str(DCTERMS.description),
    str(DCTERMS.title),
}
_PLAIN_TERMS = {
    str(DCTERMS.identifier),
    str(CG.sourceSection),
    str(CG.inputFile),
    str(CG.inputChecksum),
    str(CG.sha256),
}
_DATETIME_TERMS = {str(PROV.startedAtTime), str(DCTERMS.modified), str(DCTERMS.created)}


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _build_context() -> dict[str, Any]:
    context: dict[str, Any] = {"@language": _LANG, **PREFIXES}
    links = {str(p) for p in PREDICATES.values()} | {
        str(PROV.wasGeneratedBy),
        str(RDFS.seeAlso),
        str(DCTERMS.source),
    }
    links |= {str(p) for p, style in LITERALS.values() if style == "concept"}
    literals = {str(p) for p, _ in LITERALS.values()} | _LANG_TERMS | _PLAIN_TERMS
    literals |= _DATETIME_TERMS
    for iri in sorted(links):
        context[_local(iri)] = {"@id": iri, "@type": "@id"}
    for iri in sorted(literals - links):
        term: dict[str, Any] = {"@id": iri}
        if iri in _DATETIME_TERMS:
            term["@type"] = str(XSD.dateTime)
        elif iri not in _LANG_TERMS:
            term["@language"] = None
        context[_local(iri)] = term
    for iri in sorted({str(c) for c in CLASSES.values()} | {str(CG.Load)}):
        context[_local(iri)] = iri
    return context


CONTEXT: dict[str, Any] = _build_context()
_TERMS: dict[str, tuple[str, dict[str, Any]]] = {
    (d["@id"] if isinstance(d, dict) else d): (name, d if isinstance(d, dict) else {})
    for name, d in CONTEXT.items()
    if not name.startswith("@") and name not in PREFIXES
}
_RDF_TYPE = str(RDF.type)
_INTEGER = str(XSD.integer)


def node_object(subject: str, triples: Iterable[ox.Triple]) -> dict[str, Any]:
    """One subject's triples as a compact JSON-LD node object under CONTEXT."""
    out: dict[str, Any] = {"@id": subject}
    for triple in triples:
        predicate, obj = triple.predicate.value, triple.object
        if predicate == _RDF_TYPE and isinstance(obj, ox.NamedNode):
            key, value = "@type", _TERMS.get(obj.value, (obj.value, {}))[0]
        else:
            key, definition = _TERMS.get(predicate, (predicate, {}))
            value = _value(obj, definition)
        out.setdefault(key, []).append(value)
    return {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in out.items()}


def _value(
    obj: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, definition: dict[str, Any]
) -> Any:
    if isinstance(obj, ox.NamedNode):
        return obj.value if definition.get("@type") == "@id" else {"@id": obj.value}
    if not isinstance(obj, ox.Literal):
        return {"@id": str(obj)}
    if obj.language:
        if obj.language == _LANG and "@language" not in definition and "@type" not in definition:
            return obj.value
        return {"@value": obj.value, "@language": obj.language}
    datatype = obj.datatype.value
    if datatype == _INTEGER:
        return int(obj.value)
    if definition.get("@type") == datatype or (
        datatype == str(XSD.string) and definition.get("@language", "x") is None
    ):
        return obj.value
    if datatype == str(XSD.string):
        return {"@value": obj.value}
    return {"@value": obj.value, "@type": datatype}


def objects(triples: Iterable[ox.Triple]) -> Iterator[dict[str, Any]]:
    """Node objects, one per subject, in the order subjects first appear."""
    grouped: dict[str, list[ox.Triple]] = {}
    for triple in triples:
        term = triple.subject
        key = term.value if isinstance(term, ox.NamedNode) else str(term)
        grouped.setdefault(key, []).append(triple)
    for subject, group in grouped.items():
        yield node_object(subject, group)


def document(triples: Iterable[ox.Triple]) -> bytes:
    """A whole JSON-LD document for a few triples (one resource's description)."""
    body = {"@context": CONTEXT, "@graph": list(objects(triples))}
    return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")


def stream_start() -> bytes:
    return ('{"@context": ' + json.dumps(CONTEXT, ensure_ascii=False) + ',\n"@graph": [\n').encode()


def stream_chunk(triples: Iterable[ox.Triple], *, first: bool) -> bytes:
    parts = [json.dumps(o, ensure_ascii=False) for o in objects(triples)]
    if not parts:
        return b""
    return (("" if first else ",\n") + ",\n".join(parts)).encode("utf-8")


def stream_end() -> bytes:
    return b"\n]}\n"
