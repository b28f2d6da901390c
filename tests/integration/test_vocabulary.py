"""The namespace dereferences: /def serves the ontology and /shapes the shapes, negotiated, in
every format, and the w3id.org redirect rules point at them."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF

from ontology.formats import FORMATS, RdfFormat
from ontology.namespaces import ONTOLOGY_IRI
from tests.helpers import ROOT

RDFLIB = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _file(name: str) -> Graph:
    return Graph().parse(ROOT / "ontology" / name, format="turtle")


@pytest.mark.parametrize("rdf_format", FORMATS, ids=[f.name for f in FORMATS])
@pytest.mark.parametrize(("path", "name"), [("/def", "connects.ttl"), ("/shapes", "shapes.ttl")])
def test_each_format_is_the_file(
    client: TestClient, rdf_format: RdfFormat, path: str, name: str
) -> None:
    negotiated = client.get(path, headers={"Accept": rdf_format.media_type})
    by_suffix = client.get(f"{path}.{rdf_format.suffix}")
    for response in (negotiated, by_suffix):
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == rdf_format.media_type
        served = Graph().parse(data=response.content, format=RDFLIB[rdf_format.name])
        assert isomorphic(served, _file(name))
    assert "Accept" in negotiated.headers["vary"]


def test_the_turtle_is_the_file_itself(client: TestClient) -> None:
    assert client.get("/def.ttl").content == (ROOT / "ontology" / "connects.ttl").read_bytes()
    assert client.get("/shapes.ttl").content == (ROOT / "ontology" / "shapes.ttl").read_bytes()


def test_machines_get_turtle_and_browsers_a_page(client: TestClient) -> None:
    for headers in ({"Accept": "*/*"}, {}):
        served = client.get("/def", headers=headers).headers["content-type"]
        assert served.split(";")[0] == "text/turtle"
    page = client.get("/def", headers={"Accept": BROWSER})
    assert page.headers["content-type"].startswith("text/html")
    assert client.get("/def.html").text == page.text


def test_the_page_lists_every_term_with_an_anchor(client: TestClient) -> None:
    page = client.get("/def.html").text
    ontology = _file("connects.ttl")
    terms = {
        str(s).rsplit("#", 1)[1]
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in ontology.subjects(RDF.type, kind)
        if isinstance(s, URIRef)
    }
    assert len(terms) > 50
    anchors = set(re.findall(r'<dt id="(\w+)">', page))
    assert anchors == terms
    assert 'href="#Outcome"' in page  # a term's range or superclass links to it
    assert "<h1>Connects Graph ontology</h1>" in page


def test_the_ontology_is_the_namespace_it_declares(client: TestClient) -> None:
    served = Graph().parse(data=client.get("/def.ttl").text, format="turtle")
    assert (URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) in served
    classes = set(served.subjects(RDF.type, OWL.Class))
    assert all(str(c).startswith(ONTOLOGY_IRI + "#") for c in classes)


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("/def", {"Accept": "image/png"}),
        ("/shapes", {"Accept": "text/html"}),
        ("/def.csv", {}),
        ("/shapes.html", {}),
    ],
)
def test_no_acceptable_format_is_406(client: TestClient, url: str, headers: dict[str, str]) -> None:
    response = client.get(url, headers=headers)
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"


def test_the_w3id_rules_redirect_the_namespace_here() -> None:
    rules = (ROOT / "docs" / "w3id" / ".htaccess").read_text()
    prefix = ONTOLOGY_IRI.removesuffix("def")
    assert prefix == "https://w3id.org/connects-graph/"
    assert "RewriteEngine on" in rules
    targets = re.findall(r"^RewriteRule\s+(\S+)\s+(\S+)\s+\[(\S+)\]", rules, re.MULTILINE)
    patterns = {pattern for pattern, _, _ in targets}
    assert {"^def$", "^id/(.+)$", "^doc/(.+)$"} <= patterns
    assert all("R=30" in flags for _, _, flags in targets)
    # Every target is this service's path for it, under one host.
    hosts = {re.match(r"https://[^/]+", target).group() for _, target, _ in targets}  # type: ignore[union-attr]
    assert len(hosts) == 1
    assert (ROOT / "docs" / "w3id.md").read_text().count(".htaccess") >= 1
