"""Partner RDF: read it, and check it against our SHACL shapes before anything is mapped.

A file that does not conform is refused whole, with every violation (focus node, path,
message) reported, so partners can fix everything in one go.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from loaders.readers import ReadError, read_bytes
from loaders.report import Issue
from ontology.formats import FORMATS

RDF_FORMATS = {f".{f.suffix}": f.oxigraph for f in FORMATS}
ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class RdfDocument:
    path: Path
    triples: list[ox.Triple]
    sha256: str


def read_rdf(path: Path) -> RdfDocument:
    """Parse Turtle, N-Triples, JSON-LD or RDF/XML.

    Raises:
        ReadError: the file cannot be read, is too large, or is not valid in its syntax.
    """
    raw = read_bytes(path)
    try:
        quads = ox.parse(raw, format=RDF_FORMATS[path.suffix.lower()])
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    except SyntaxError as e:
        line = getattr(e, "lineno", None)
        raise ReadError(path, f"Malformed RDF: {e.msg if hasattr(e, 'msg') else e}.", line) from e
    return RdfDocument(path, triples, hashlib.sha256(raw).hexdigest())


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
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        issues.append(
            Issue(
                file=str(document.path),
                field=f"<{focus}> {_short(path)}" if path is not None else f"<{focus}>",
                message=str(message) if message else "Does not conform to ontology/shapes.ttl.",
            )
        )
    return sorted(issues, key=lambda i: (i.field or "", i.message))


def _short(path: object) -> str:
    text = str(path)
    for prefix, iri in (
        ("cg:", "https://w3id.org/connects-graph/def#"),
        ("dcterms:", "http://purl.org/dc/terms/"),
        ("skos:", "http://www.w3.org/2004/02/skos/core#"),
    ):
        if text.startswith(iri):
            return prefix + text[len(iri) :]
    return text


def _to_rdflib(triples: list[ox.Triple]) -> Graph:
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return Graph().parse(data=data.decode("utf-8"), format="nt")
