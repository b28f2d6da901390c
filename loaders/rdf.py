"""Partner RDF: read it, and check it against our SHACL shapes before anything is mapped.

A file that does not conform is refused whole, with every violation (focus node, path,
message) reported, so partners can fix everything in one go.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from xml.parsers import expat

import pyoxigraph as ox
from pyshacl import validate
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from loaders.readers import ReadError, read_bytes
from loaders.report import Issue
from ontology.formats import FORMATS
from ontology.reading import concept_values, short_iri

RDF_FORMATS = {f".{f.suffix}": f.oxigraph for f in FORMATS}
ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
SH = Namespace("http://www.w3.org/ns/shacl#")
MAX_LITERAL_CHARS = 100_000
"""The longest literal a file may hold unless the caller says otherwise."""


class RdfValueError(ReadError):
    """A file that parses but holds a value we refuse, located by subject and predicate."""

    def __init__(self, path: Path, field: str, message: str) -> None:
        super().__init__(path, message)
        self.field = field


@dataclass(frozen=True)
class RdfDocument:
    path: Path
    triples: list[ox.Triple]
    sha256: str


def read_rdf(
    path: Path,
    *,
    max_literal_chars: int = MAX_LITERAL_CHARS,
    contexts: Mapping[str, Any] | None = None,
) -> RdfDocument:
    """Parse Turtle, N-Triples, JSON-LD or RDF/XML.

    A JSON-LD `@context` naming one of `contexts` (by URL) is replaced by that context before
    parsing: our own context is resolved locally, never fetched.

    RDF/XML with a DOCTYPE is refused before the RDF parser sees it: the parser expands
    entities, so a kilobyte of nested <!ENTITY> declarations would grow to gigabytes.

    Raises:
        ReadError: the file cannot be read, is too large, is not UTF-8, declares a DOCTYPE,
            or is not valid in its syntax.
        RdfValueError: a literal is longer than `max_literal_chars`.
    """
    raw = read_bytes(path)
    rdf_format = RDF_FORMATS[path.suffix.lower()]
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as e:
        message = f"RDF must be UTF-8: byte {e.start} is not ({e.reason})."
        raise ReadError(path, message) from e
    if rdf_format == ox.RdfFormat.RDF_XML:
        _refuse_doctype(path, raw)
    if rdf_format == ox.RdfFormat.JSON_LD and contexts:
        raw = _local_contexts(path, raw, contexts)
    try:
        quads = ox.parse(raw, format=rdf_format)
        triples = concept_values([ox.Triple(q.subject, q.predicate, q.object) for q in quads])
    except SyntaxError as e:
        line = getattr(e, "lineno", None)
        raise ReadError(path, f"Malformed RDF: {e.msg if hasattr(e, 'msg') else e}.", line) from e
    for triple in triples:
        obj = triple.object
        if isinstance(obj, ox.Literal) and len(obj.value) > max_literal_chars:
            subject = getattr(triple.subject, "value", str(triple.subject))
            raise RdfValueError(
                path,
                f"<{subject}> {_short(triple.predicate.value)}",
                f"A literal of {len(obj.value):,} characters: at most {max_literal_chars:,} "
                "are accepted.",
            )
    return RdfDocument(path, triples, hashlib.sha256(raw).hexdigest())


def _local_contexts(path: Path, raw: bytes, contexts: Mapping[str, Any]) -> bytes:
    if not any(url.encode() in raw for url in contexts):
        return raw
    try:
        data = json.loads(raw)
    except ValueError as e:
        raise ReadError(path, f"Malformed JSON-LD: {e}.", getattr(e, "lineno", None)) from e
    return json.dumps(_with_contexts(data, contexts)).encode()


def _with_contexts(data: Any, contexts: Mapping[str, Any]) -> Any:
    if isinstance(data, list):
        return [_with_contexts(item, contexts) for item in data]
    if not isinstance(data, dict):
        return data
    out = {key: _with_contexts(value, contexts) for key, value in data.items()}
    context = data.get("@context")
    if isinstance(context, str) and context in contexts:
        out["@context"] = contexts[context]
    elif isinstance(context, list):
        out["@context"] = [
            contexts[c] if isinstance(c, str) and c in contexts else c for c in context
        ]
    return out


class _Declared(Exception):
    """Raised from inside expat to stop at the first DOCTYPE or ENTITY declaration."""


def _refuse_doctype(path: Path, raw: bytes) -> None:
    parser = expat.ParserCreate()

    def refuse(*_: object) -> None:
        raise _Declared

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(raw, True)
    except _Declared as e:
        message = (
            "RDF/XML with a DOCTYPE or ENTITY declaration is refused: write the values out in full."
        )
        raise ReadError(path, message, parser.CurrentLineNumber) from e
    except expat.ExpatError as e:
        raise ReadError(path, f"Malformed RDF/XML: {e}.", e.lineno) from e


@cache
def _shapes() -> Graph:
    return Graph().parse(ONTOLOGY / "shapes.ttl")


@cache
def _ontology() -> Graph:
    return Graph().parse(ONTOLOGY / "connects.ttl")


def violations(document: RdfDocument, reference: list[ox.Triple]) -> list[Issue]:
    """Every way the document breaks our shapes. `reference` types the nodes it links to.

    The reference types join the data (so 'a claim is about a cg:Outcome' can be checked) but
    only the document's own subjects are validated: the graph's nodes are not on trial.
    """
    data = _to_rdflib([*document.triples, *reference])
    subjects = {t.subject for t in document.triples if isinstance(t.subject, ox.NamedNode)}
    own: list[str | URIRef] = [URIRef(s.value) for s in subjects]
    if not own:
        return []
    conforms, results, _ = validate(
        data,
        shacl_graph=_shapes(),
        ont_graph=_ontology(),
        inference="none",
        allow_warnings=True,
        focus_nodes=own,
    )
    if conforms:
        return []
    if not isinstance(results, Graph):
        raise TypeError("pyshacl returned no results graph")
    issues = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = _path(results, results.value(result, SH.resultPath))
        message = results.value(result, SH.resultMessage)
        value = results.value(result, SH.value)
        issues.append(
            Issue(
                file=str(document.path),
                field=f"<{focus}> {path}" if path is not None else f"<{focus}>",
                message=str(message) if message else _default_message(results, result),
                value=None if value is None else str(value),
            )
        )
    return sorted(issues, key=lambda i: (i.field or "", i.message, i.value or ""))


def _path(results: Graph, path: object) -> str | None:
    """A result path as a partner wrote it: `cg:forOutcome`, or `^cg:hasClaim` for an inverse."""
    if path is None:
        return None
    if isinstance(path, BNode):
        inverse = results.value(path, SH.inversePath)
        return f"^{_short(inverse)}" if inverse is not None else "(a property path)"
    return _short(path)


def _default_message(results: Graph, result: Node) -> str:
    """For a shape with no sh:message: which constraint failed, in words, not pyshacl's text
    (which holds Python reprs of terms)."""
    component = results.value(result, SH.sourceConstraintComponent)
    name = str(component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    shape = _SHAPE_WORDS.get(name, f"the {name} constraint")
    return f"Does not conform to ontology/shapes.ttl: {shape}."


_SHAPE_WORDS = {
    "Datatype": "the value has the wrong datatype",
    "MinCount": "a value is missing",
    "MaxCount": "too many values",
    "Class": "the value is not of the class expected",
    "NodeKind": "the value is not of the kind expected (an IRI or a literal)",
    "Pattern": "the value does not match the pattern expected",
    "In": "the value is not one of those allowed",
    "MinInclusive": "the value is too small",
    "MaxInclusive": "the value is too large",
}


def _short(path: object) -> str:
    return short_iri(str(path))


_NAMESPACES = {
    "cg:": "https://w3id.org/connects-graph/def#",
    "dcterms:": "http://purl.org/dc/terms/",
    "skos:": "http://www.w3.org/2004/02/skos/core#",
    "prov:": "http://www.w3.org/ns/prov#",
    "rdfs:": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd:": "http://www.w3.org/2001/XMLSchema#",
}


def validation_report(errors: Sequence[Mapping[str, object]]) -> bytes:
    """The errors of a refused contribution as a SHACL sh:ValidationReport, in Turtle: one
    sh:ValidationResult per error, with its focus node, path, value and message."""
    graph = Graph()
    graph.bind("sh", SH)
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(False)))
    for error in errors:
        result = BNode()
        graph.add((report, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.resultSeverity, SH.Violation))
        graph.add((result, SH.resultMessage, Literal(str(error["message"]), lang="en")))
        focus = error.get("focus")
        if isinstance(focus, str):
            graph.add((result, SH.focusNode, _node(focus)))
        path = error.get("path")
        if isinstance(path, str):
            graph.add((result, SH.resultPath, _expanded_path(graph, path)))
        if "value" in error:
            graph.add((result, SH.value, Literal(str(error["value"]))))
    return graph.serialize(format="turtle").encode()


def _node(text: str) -> URIRef | BNode:
    return BNode(text[2:]) if text.startswith("_:") else URIRef(text)


def _expanded_path(graph: Graph, path: str) -> URIRef | BNode:
    if path.startswith("^"):
        inverse = BNode()
        graph.add((inverse, SH.inversePath, _expanded_path(graph, path[1:])))
        return inverse
    for prefix, namespace in _NAMESPACES.items():
        if path.startswith(prefix):
            return URIRef(namespace + path[len(prefix) :])
    return URIRef(path.strip("<>"))


def _to_rdflib(triples: list[ox.Triple]) -> Graph:
    # Term by term: serialising to N-Triples and parsing that again was quadratic in the
    # length of a literal (3 MB took minutes).
    graph = Graph()
    for triple in triples:
        graph.add((_term(triple.subject), URIRef(triple.predicate.value), _term(triple.object)))
    return graph


def _term(term: object) -> URIRef | BNode | Literal:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        # A plain string, as N-Triples wrote it: no datatype, which the shapes read as xsd:string.
        return Literal(term.value, datatype=None if datatype == str(XSD.string) else datatype)
    raise TypeError(f"RDF-star triples are not read: {term}")
