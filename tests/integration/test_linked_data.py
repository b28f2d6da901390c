"""Linked data for partners: URIs that dereference, negotiation, VoID, shapes, other parsers."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from fastapi.testclient import TestClient
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, SKOS, VOID

from loaders.report import LoadReport
from ontology.formats import DUMP_FORMATS, FORMATS
from tests.helpers import INCLUSION_STUDIES, ROOT, rapper

BASE = "http://data.test"
CG = "https://w3id.org/connects-graph/def#"


@pytest.fixture(scope="module")
def served_data(everything: LoadReport) -> LoadReport:
    """The module's `client` serves all the bundled data."""
    return everything


@pytest.fixture(scope="module")
def dumps(client: TestClient) -> dict[str, str]:
    return {f.name: client.get("/export", params={"format": f.name}).text for f in FORMATS}


def test_an_id_answers_303_to_its_document(client: TestClient) -> None:
    response = client.get("/id/outcome/inclusion", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/doc/outcome/inclusion"
    assert client.get("/id/outcome/nosuch").status_code == 404
    assert client.get("/id/policy-theme/inclusion").status_code == 404  # wrong kind
    assert client.get("/id/no-such-kind/inclusion").status_code == 404


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("text/html,application/xhtml+xml,*/*;q=0.8", "text/html"),
        ("application/json", "application/json"),
        ("text/turtle", "text/turtle"),
        ("application/n-triples;q=0.9, text/turtle;q=0.5", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("text/html;q=0, */*", "application/json"),
    ],
)
def test_documents_are_negotiated(client: TestClient, accept: str, media_type: str) -> None:
    response = client.get("/doc/outcome/inclusion", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize("rdf_format", FORMATS, ids=[f.name for f in FORMATS])
def test_suffix_urls_for_clients_without_headers(client: TestClient, rdf_format: object) -> None:
    from ontology.formats import RdfFormat

    assert isinstance(rdf_format, RdfFormat)
    response = client.get(f"/doc/outcome/inclusion.{rdf_format.suffix}")
    assert response.headers["content-type"].split(";")[0] == rdf_format.media_type
    rdflib_format = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}
    graph = Graph().parse(data=response.text, format=rdflib_format[rdf_format.name])
    inclusion = URIRef(f"{BASE}/id/outcome/inclusion")
    scheme = URIRef(f"{BASE}/id/scheme/digitalisation-outcomes")
    assert (inclusion, SKOS.prefLabel, Literal("Inclusion", lang="en")) in graph
    assert (inclusion, SKOS.inScheme, scheme) in graph
    assert graph.value(scheme, SKOS.prefLabel) is not None  # what it links to is named
    claims = set(graph.subjects(URIRef(CG + "forOutcome"), inclusion))
    assert len(claims) == INCLUSION_STUDIES  # incoming links are part of the description


def test_nothing_acceptable_is_406(client: TestClient) -> None:
    response = client.get("/doc/outcome/inclusion", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert client.get("/doc/outcome/inclusion.csv").status_code == 406


def test_load_uris_dereference(client: TestClient, everything: LoadReport) -> None:
    response = client.get(f"/id/load/{everything.load_id}", follow_redirects=False)
    assert response.status_code == 303
    doc = client.get(response.headers["location"], headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=doc.text, format="turtle")
    load_iri = URIRef(f"{BASE}/id/load/{everything.load_id}")
    assert (load_iri, RDF.type, URIRef(CG + "Load")) in graph
    assert client.get("/id/load/load-nosuch").status_code == 404


def test_the_html_page_is_for_people(client: TestClient) -> None:
    page = client.get("/doc/research-institute/igpp", headers={"Accept": "text/html"}).text
    assert "<h1>Institute of Government and Public Policy</h1>" in page
    assert 'href="/id/organisation/university-of-east-london"' in page
    assert 'rel="alternate" type="text/turtle" href="/doc/research-institute/igpp.ttl"' in page


def test_void_and_dcat_describe_the_dataset(client: TestClient, everything: LoadReport) -> None:
    graph = Graph().parse(data=client.get("/.well-known/void").text, format="turtle")
    dataset = URIRef(f"{BASE}/.well-known/void#dataset")
    assert (dataset, RDF.type, VOID.Dataset) in graph
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    assert str(graph.value(dataset, VOID.uriSpace)) == f"{BASE}/id/"
    assert len(set(graph.objects(dataset, VOID.dataDump))) == len(DUMP_FORMATS)
    assert len(set(graph.objects(dataset, DCAT.distribution))) == len(DUMP_FORMATS)
    load_iri = URIRef(f"{BASE}/id/load/{everything.load_id}")
    assert graph.value(dataset, PROV.wasGeneratedBy) == load_iri


# DCAT-AP 3.0.0 (https://semiceu.github.io/DCAT-AP/releases/3.0.0/), its SHACL shapes
# (releases/3.0.0/html/shacl/shapes.ttl): the properties with sh:minCount 1 on each class we
# publish, and those it allows at most once (sh:maxCount 1).
DCAT_AP_MANDATORY = {
    DCAT.Catalog: (DCTERMS.description, DCTERMS.publisher, DCTERMS.title),
    DCAT.Dataset: (DCTERMS.description, DCTERMS.title),
    DCAT.Distribution: (DCAT.accessURL,),
    DCAT.DataService: (DCTERMS.title, DCAT.endpointURL),
    FOAF.Agent: (FOAF.name,),
}
DCAT_AP_AT_MOST_ONCE = {
    DCAT.Catalog: (DCTERMS.publisher, DCTERMS.license, DCTERMS.rights, FOAF.homepage),
    DCAT.Dataset: (DCTERMS.publisher, DCTERMS.modified),
    DCAT.Distribution: (DCAT.mediaType, DCTERMS.rights),
    DCAT.DataService: (DCTERMS.license,),
}


def test_the_catalogue_has_what_dcat_ap_requires(client: TestClient) -> None:
    graph = Graph().parse(data=client.get("/.well-known/void").text, format="turtle")
    for cls, required in DCAT_AP_MANDATORY.items():
        instances = set(graph.subjects(RDF.type, cls))
        assert instances, cls
        for instance in instances:
            for predicate in required:
                assert graph.value(instance, predicate) is not None, (instance, predicate)
    for cls, once in DCAT_AP_AT_MOST_ONCE.items():
        for instance in graph.subjects(RDF.type, cls):
            for predicate in once:
                assert len(set(graph.objects(instance, predicate))) <= 1, (instance, predicate)
    catalog = URIRef(f"{BASE}/.well-known/void#catalog")
    dataset = URIRef(f"{BASE}/.well-known/void#dataset")
    assert graph.value(catalog, DCAT.dataset) == dataset
    # What the issue asks of the catalogue beyond DCAT-AP's minimum.
    licence = URIRef("http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")
    assert graph.value(dataset, DCTERMS.license) == licence
    assert graph.value(dataset, DCTERMS.rights) is not None
    assert graph.value(dataset, DCAT.contactPoint) is not None
    assert len(set(graph.objects(dataset, DCAT.keyword))) >= 3
    assert set(graph.objects(dataset, DCAT.theme))
    for distribution in graph.objects(dataset, DCAT.distribution):
        assert graph.value(distribution, DCAT.accessURL) is not None
        assert graph.value(distribution, DCAT.downloadURL) is not None
    endpoints = {graph.value(s, DCAT.endpointURL) for s in graph.objects(catalog, DCAT.service)}
    assert endpoints == {URIRef(f"{BASE}/"), URIRef(f"{BASE}/sparql")}
    # /search looks up names, not URIs: no void:uriLookupEndpoint.
    assert graph.value(dataset, VOID.uriLookupEndpoint) is None


def test_documents_say_what_they_are_about_and_where_from(client: TestClient) -> None:
    text = client.get("/doc/outcome/inclusion.ttl").text
    graph = Graph().parse(data=text, format="turtle")
    doc = URIRef(f"{BASE}/doc/outcome/inclusion")
    assert graph.value(doc, FOAF.primaryTopic) == URIRef(f"{BASE}/id/outcome/inclusion")
    assert graph.value(doc, VOID.inDataset) == URIRef(f"{BASE}/.well-known/void#dataset")


def test_regions_link_to_the_ons_statistical_geography(dumps: dict[str, str]) -> None:
    graph = Graph().parse(data=dumps["ntriples"], format="nt")
    region = URIRef(f"{BASE}/id/region/north-east")
    assert str(graph.value(region, URIRef(CG + "gssCode"))) == "E12000001"
    assert graph.value(region, URIRef(CG + "statisticalGeography")) == URIRef(
        "http://statistics.data.gov.uk/id/statistical-geography/E12000001"
    )


def test_controlled_values_are_concepts(dumps: dict[str, str]) -> None:
    graph = Graph().parse(data=dumps["ntriples"], format="nt")
    directions = set(graph.objects(None, URIRef(CG + "direction")))
    assert directions
    assert all(isinstance(d, URIRef) and str(d).startswith(CG) for d in directions)
    types = set(graph.objects(None, URIRef(CG + "organisationType")))
    assert URIRef(CG + "council") in types


def test_a_load_used_each_file_as_an_entity_with_its_checksum(
    dumps: dict[str, str], everything: LoadReport
) -> None:
    graph = Graph().parse(data=dumps["ntriples"], format="nt")
    load = URIRef(f"{BASE}/id/load/{everything.load_id}")
    used = set(graph.objects(load, PROV.used))
    assert len(used) == len(everything.files) > 1
    by_name = {str(graph.value(e, URIRef(CG + "sourceFile"))): e for e in used}
    for read in everything.files:
        entity = by_name[read.path]
        assert (entity, RDF.type, PROV.Entity) in graph
        assert str(graph.value(entity, URIRef(CG + "sha256"))) == read.sha256
    agents = set(graph.objects(load, PROV.wasAssociatedWith))
    assert any((a, RDF.type, PROV.SoftwareAgent) in graph for a in agents)


def test_a_dump_records_when_and_from_which_load(
    dumps: dict[str, str], everything: LoadReport
) -> None:
    graph = Graph().parse(data=dumps["ntriples"], format="nt")
    dump = URIRef(f"{BASE}/.well-known/void#dump-ntriples")
    assert graph.value(dump, DCTERMS.created) is not None
    assert graph.value(dump, PROV.wasDerivedFrom) == URIRef(f"{BASE}/id/load/{everything.load_id}")


def test_the_published_context_is_the_one_dumps_use(
    client: TestClient, dumps: dict[str, str]
) -> None:
    import json

    context = client.get("/context.jsonld").json()["@context"]
    assert json.loads(dumps["jsonld"])["@context"] == context
    assert context["forOutcome"] == {"@id": CG + "forOutcome", "@type": "@id"}


def test_gzip_on_request(client: TestClient, dumps: dict[str, str]) -> None:
    response = client.get("/export", params={"format": "nt"}, headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    # httpx decodes it; the body is the same dump (its record of itself aside).
    lines = set(response.text.splitlines()) ^ set(dumps["ntriples"].splitlines())
    assert all("void#dump-" in line for line in lines)


def jsonld_js(text: str) -> int:
    node, script = shutil.which("node"), ROOT / "tools" / "jsonld-check" / "check.mjs"
    if node is None or not (script.parent / "node_modules").exists():
        pytest.fail("jsonld.js is missing: npm ci --prefix tools/jsonld-check (make test does)")
    done = subprocess.run(  # noqa: S603 - fixed argv
        [node, str(script)], input=text.encode(), capture_output=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()[-500:]
    return len([line for line in done.stdout.decode().splitlines() if line.strip()])


def test_independent_parsers_accept_every_format(dumps: dict[str, str]) -> None:
    expected = len(Graph().parse(data=dumps["ntriples"], format="nt"))
    assert rapper(dumps["ntriples"], "ntriples") == expected
    assert rapper(dumps["turtle"], "turtle") == expected
    assert rapper(dumps["rdfxml"], "rdfxml") == expected
    assert jsonld_js(dumps["jsonld"]) == expected


def shapes() -> tuple[Graph, Graph]:
    ontology = ROOT / "ontology"
    return Graph().parse(ontology / "shapes.ttl"), Graph().parse(ontology / "connects.ttl")


def test_exports_conform_to_our_shapes(dumps: dict[str, str]) -> None:
    shacl, ontology = shapes()
    data = Graph().parse(data=dumps["turtle"], format="turtle")
    conforms, _, text = validate(data, shacl_graph=shacl, ont_graph=ontology, inference="none")
    assert conforms, text


def test_shapes_catch_a_broken_claim(dumps: dict[str, str]) -> None:
    shacl, ontology = shapes()
    data = Graph().parse(data=dumps["ntriples"], format="nt")
    claim = URIRef(
        f"{BASE}/id/evidence-claim/claim-caerphilly-digital-workers-school-meals-inclusion"
    )
    data.remove((claim, URIRef(CG + "forOutcome"), None))
    data.set((claim, URIRef(CG + "strength"), Literal(9)))
    conforms, _, text = validate(data, shacl_graph=shacl, ont_graph=ontology, inference="none")
    assert not conforms
    assert str(claim) in text
    assert "A claim is about exactly one cg:Outcome." in text
    assert "forOutcome" in text
    assert "strength" in text


def test_every_concept_scheme_has_a_title_and_a_label(dumps: dict[str, str]) -> None:
    """Catalogues and vocabulary browsers show dcterms:title, SKOS tools skos:prefLabel."""
    graph = Graph().parse(data=dumps["ntriples"], format="nt")
    graph.parse(ROOT / "ontology" / "connects.ttl", format="turtle")  # the schemes of codes
    schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    assert len(schemes) > 5
    for scheme in schemes:
        title, label = graph.value(scheme, DCTERMS.title), graph.value(scheme, SKOS.prefLabel)
        assert isinstance(title, Literal), scheme
        assert title.language == "en", scheme
        assert label == title, scheme
