"""The dataset described with VoID and DCAT: what it is, where its dumps are, which load."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, VOID, XSD

from graph.model import Kind
from graph.repository import LoadInfo
from ontology.formats import DUMP_FORMATS, RdfFormat
from ontology.mapping import load_iri, node_iri
from ontology.namespaces import ONTOLOGY_IRI


def _iri(term: str) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def dataset_iri(base: str) -> ox.NamedNode:
    return ox.NamedNode(f"{base}/.well-known/void#dataset")


def sparql_endpoint(base: str) -> ox.NamedNode:
    return ox.NamedNode(f"{base}/sparql")


LICENCE = "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
"""The Open Government Licence v3.0: the UK public sector's norm for open data."""
RIGHTS = (
    "Open Government Licence v3.0: you may copy, publish, adapt and use the data commercially "
    "or not, if you acknowledge the source (Connects Graph, Socitm). Case study summaries are "
    "in our own words; reported results and costs are as their sources state them, unverified, "
    "and each links to its source."
)
KEYWORDS = (
    "local government",
    "public services",
    "digital transformation",
    "what works",
    "evidence",
    "case studies",
    "Socitm",
    "linked data",
)
THEMES = (
    # The EU data themes (the vocabulary DCAT-AP asks for): government and public sector,
    # population and society, science and technology.
    "http://publications.europa.eu/resource/authority/data-theme/GOVE",
    "http://publications.europa.eu/resource/authority/data-theme/SOCI",
    "http://publications.europa.eu/resource/authority/data-theme/TECH",
)
THEME_TAXONOMY = "http://publications.europa.eu/resource/authority/data-theme"
PUBLISHER_ID = "socitm"
PUBLISHER_NAME = "Socitm"
PUBLISHER_SITE = "https://socitm.net/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
SCHEMA_ORG = "https://schema.org/"


def schema_org_dataset(base: str) -> dict[str, Any]:
    """The dataset as a schema.org `Dataset` in JSON-LD, for the head of its landing page, so
    dataset search engines index it. Says what the DCAT description says, from the same
    constants."""
    return {
        "@context": SCHEMA_ORG,
        "@type": "Dataset",
        "@id": f"{base}/.well-known/void#dataset",
        "name": TITLE,
        "description": DESCRIPTION,
        "url": f"{base}/docs",
        "sameAs": f"{base}/.well-known/void",
        "license": LICENCE,
        "isAccessibleForFree": True,
        "keywords": list(KEYWORDS),
        "inLanguage": "en-GB",
        "spatialCoverage": {"@type": "Place", "name": "United Kingdom"},
        "publisher": {"@type": "Organization", "name": PUBLISHER_NAME, "url": PUBLISHER_SITE},
        "creator": {"@type": "Organization", "name": PUBLISHER_NAME, "url": PUBLISHER_SITE},
        "distribution": [
            {
                "@type": "DataDownload",
                "encodingFormat": f.media_type,
                "contentUrl": f"{base}/export?format={f.name}",
            }
            for f in DUMP_FORMATS
        ],
    }


def catalog_iri(base: str) -> ox.NamedNode:
    return ox.NamedNode(f"{base}/.well-known/void#catalog")


def service_iri(base: str, name: str) -> ox.NamedNode:
    return ox.NamedNode(f"{base}/.well-known/void#service-{name}")


def void_triples(base: str, latest: LoadInfo | None) -> Iterator[ox.Triple]:
    """VoID and DCAT for the whole dataset: the catalogue, the dataset, one distribution per
    dump format, the API and SPARQL endpoint as data services, licence, publisher, contact."""
    ds = dataset_iri(base)
    yield ox.Triple(ds, _iri(RDF.type), _iri(VOID.Dataset))
    yield ox.Triple(ds, _iri(RDF.type), _iri(DCAT.Dataset))
    yield ox.Triple(ds, _iri(DCTERMS.title), ox.Literal(TITLE, language="en"))
    yield ox.Triple(ds, _iri(DCTERMS.description), ox.Literal(DESCRIPTION, language="en"))
    yield ox.Triple(ds, _iri(FOAF.homepage), ox.NamedNode(f"{base}/docs"))
    yield ox.Triple(ds, _iri(DCAT.landingPage), ox.NamedNode(f"{base}/docs"))
    yield ox.Triple(ds, _iri(VOID.uriSpace), ox.Literal(f"{base}/id/"))
    # No void:uriLookupEndpoint: /search looks up names, not URIs.
    yield ox.Triple(ds, _iri(VOID.sparqlEndpoint), sparql_endpoint(base))
    for vocabulary in (SKOS, ORG, PROV, DCTERMS, ONTOLOGY_IRI + "#"):
        yield ox.Triple(ds, _iri(VOID.vocabulary), ox.NamedNode(str(vocabulary)))
    yield from _terms_of_use(base, ds)
    for keyword in KEYWORDS:
        yield ox.Triple(ds, _iri(DCAT.keyword), ox.Literal(keyword, language="en"))
    for theme in THEMES:
        yield ox.Triple(ds, _iri(DCAT.theme), ox.NamedNode(theme))
    yield ox.Triple(ds, _iri(DCTERMS.spatial), ox.NamedNode(UK))
    yield ox.Triple(ds, _iri(DCTERMS.conformsTo), ox.NamedNode(ONTOLOGY_IRI))
    for rdf_format in DUMP_FORMATS:
        yield from _distribution(base, ds, rdf_format)
    yield from _services(base, ds)
    yield from _catalog(base, ds)
    if latest is not None:
        yield ox.Triple(ds, _iri(PROV.wasGeneratedBy), load_iri(base, latest.id))
        if started := latest.properties.get("started_at"):
            modified = ox.Literal(started, datatype=_iri(XSD.dateTime))
            yield ox.Triple(ds, _iri(DCTERMS.modified), modified)


TITLE = "Connects Graph"
DESCRIPTION = (
    "The Socitm Connects strategy framework, its organisations, and case studies of "
    "UK local public services with the evidence they offer, as linked data."
)
UK = "http://publications.europa.eu/resource/authority/country/GBR"


def _terms_of_use(base: str, subject: ox.NamedNode) -> Iterator[ox.Triple]:
    """Licence, rights, publisher and contact point: what a catalogue shows before a download."""
    licence, rights = ox.NamedNode(LICENCE), ox.NamedNode(f"{base}/.well-known/void#rights")
    publisher = node_iri(base, Kind.ORGANISATION, PUBLISHER_ID)
    contact = ox.NamedNode(f"{base}/.well-known/void#contact")
    yield ox.Triple(subject, _iri(DCTERMS.license), licence)
    yield ox.Triple(licence, _iri(RDF.type), _iri(DCTERMS.LicenseDocument))
    yield ox.Triple(
        licence, _iri(DCTERMS.title), ox.Literal("Open Government Licence v3.0", language="en")
    )
    yield ox.Triple(subject, _iri(DCTERMS.rights), rights)
    yield ox.Triple(rights, _iri(RDF.type), _iri(DCTERMS.RightsStatement))
    yield ox.Triple(rights, _iri(RDFS.label), ox.Literal(RIGHTS, language="en"))
    yield ox.Triple(subject, _iri(DCTERMS.publisher), publisher)
    yield ox.Triple(publisher, _iri(RDF.type), _iri(FOAF.Agent))
    yield ox.Triple(publisher, _iri(FOAF.name), ox.Literal(PUBLISHER_NAME))
    yield ox.Triple(publisher, _iri(FOAF.homepage), ox.NamedNode(PUBLISHER_SITE))
    yield ox.Triple(subject, _iri(DCAT.contactPoint), contact)
    yield ox.Triple(contact, _iri(RDF.type), ox.NamedNode(VCARD + "Organization"))
    yield ox.Triple(contact, ox.NamedNode(VCARD + "fn"), ox.Literal(PUBLISHER_NAME))
    yield ox.Triple(contact, ox.NamedNode(VCARD + "hasURL"), ox.NamedNode(PUBLISHER_SITE))


def _distribution(base: str, ds: ox.NamedNode, rdf_format: RdfFormat) -> Iterator[ox.Triple]:
    url = ox.NamedNode(f"{base}/export?format={rdf_format.name}")
    distribution = dump_iri(base, rdf_format)
    yield ox.Triple(ds, _iri(VOID.dataDump), url)
    yield ox.Triple(ds, _iri(DCAT.distribution), distribution)
    yield ox.Triple(distribution, _iri(RDF.type), _iri(DCAT.Distribution))
    yield ox.Triple(
        distribution,
        _iri(DCTERMS.title),
        ox.Literal(f"Connects Graph as {rdf_format.name}", language="en"),
    )
    yield ox.Triple(distribution, _iri(DCAT.accessURL), url)
    yield ox.Triple(distribution, _iri(DCAT.downloadURL), url)
    yield ox.Triple(
        distribution,
        _iri(DCAT.mediaType),
        ox.NamedNode(f"https://www.iana.org/assignments/media-types/{rdf_format.media_type}"),
    )
    yield ox.Triple(distribution, _iri(DCTERMS.license), ox.NamedNode(LICENCE))
    yield ox.Triple(distribution, _iri(DCTERMS.conformsTo), ox.NamedNode(ONTOLOGY_IRI))


def _services(base: str, ds: ox.NamedNode) -> Iterator[ox.Triple]:
    """The JSON API and the SPARQL endpoint, each a dcat:DataService serving the dataset."""
    services = (
        ("api", "Connects Graph API", f"{base}/", f"{base}/openapi.json", None),
        (
            "sparql",
            "Connects Graph SPARQL endpoint",
            f"{base}/sparql",
            f"{base}/sparql",
            "https://www.w3.org/TR/sparql11-protocol/",
        ),
    )
    for name, title, endpoint, description, standard in services:
        service = service_iri(base, name)
        yield ox.Triple(service, _iri(RDF.type), _iri(DCAT.DataService))
        yield ox.Triple(service, _iri(DCTERMS.title), ox.Literal(title, language="en"))
        yield ox.Triple(service, _iri(DCAT.endpointURL), ox.NamedNode(endpoint))
        yield ox.Triple(service, _iri(DCAT.endpointDescription), ox.NamedNode(description))
        yield ox.Triple(service, _iri(DCAT.servesDataset), ds)
        yield ox.Triple(service, _iri(DCTERMS.license), ox.NamedNode(LICENCE))
        if standard is not None:
            yield ox.Triple(service, _iri(DCTERMS.conformsTo), ox.NamedNode(standard))
        yield ox.Triple(ds, _iri(DCAT.accessService), service)
        for distribution in (dump_iri(base, f) for f in DUMP_FORMATS):
            if name == "api":  # the dumps are downloads from the API
                yield ox.Triple(distribution, _iri(DCAT.accessService), service)


def _catalog(base: str, ds: ox.NamedNode) -> Iterator[ox.Triple]:
    catalog = catalog_iri(base)
    yield ox.Triple(catalog, _iri(RDF.type), _iri(DCAT.Catalog))
    yield ox.Triple(catalog, _iri(DCTERMS.title), ox.Literal(TITLE, language="en"))
    yield ox.Triple(
        catalog,
        _iri(DCTERMS.description),
        ox.Literal("The datasets and data services of Connects Graph.", language="en"),
    )
    yield ox.Triple(catalog, _iri(FOAF.homepage), ox.NamedNode(f"{base}/docs"))
    yield ox.Triple(catalog, _iri(DCAT.dataset), ds)
    for name in ("api", "sparql"):
        yield ox.Triple(catalog, _iri(DCAT.service), service_iri(base, name))
    yield ox.Triple(catalog, _iri(DCAT.themeTaxonomy), ox.NamedNode(THEME_TAXONOMY))
    yield from _terms_of_use(base, catalog)


def statistics_triples(base: str, store: ox.Store) -> Iterator[ox.Triple]:
    """VoID statistics of the published RDF, counted in the SPARQL store (the same triples as
    the dumps): totals, and a partition per class and per property, each with its count."""
    ds = dataset_iri(base)
    entities = f"""SELECT (COUNT(DISTINCT ?s) AS ?n) {{
        ?s a ?c FILTER(STRSTARTS(STR(?s), "{base}/id/")) }}"""
    classes = _rows(store, "SELECT ?x (COUNT(DISTINCT ?s) AS ?n) { ?s a ?x } GROUP BY ?x")
    properties = _rows(store, "SELECT ?x (COUNT(*) AS ?n) { ?s ?x ?o } GROUP BY ?x")
    yield ox.Triple(ds, _iri(VOID.triples), _integer(len(store)))
    yield ox.Triple(ds, _iri(VOID.entities), _count(store, entities))
    yield ox.Triple(ds, _iri(VOID.classes), _integer(len(classes)))
    yield ox.Triple(ds, _iri(VOID.properties), _integer(len(properties)))
    for partition_of, predicate, counted, rows in (
        ("class", VOID.classPartition, VOID.entities, classes),
        ("property", VOID.propertyPartition, VOID.triples, properties),
    ):
        for n, (term, count) in enumerate(sorted(rows, key=lambda row: row[0].value), 1):
            partition = ox.NamedNode(f"{base}/.well-known/void#{partition_of}-{n}")
            yield ox.Triple(ds, _iri(predicate), partition)
            yield ox.Triple(partition, ox.NamedNode(f"{VOID}{partition_of}"), term)
            yield ox.Triple(partition, _iri(counted), count)


_last_statistics: tuple[ox.Store, str, list[ox.Triple]] | None = None


def cached_statistics(base: str, store: ox.Store) -> list[ox.Triple]:
    """`statistics_triples`, counted once per snapshot: a snapshot never changes once built."""
    global _last_statistics
    last = _last_statistics
    if last is not None and last[0] is store and last[1] == base:
        return last[2]
    triples = list(statistics_triples(base, store))
    _last_statistics = (store, base, triples)
    return triples


def _rows(store: ox.Store, query: str) -> list[tuple[ox.NamedNode, ox.Literal]]:
    return [(row[0], row[1]) for row in _solutions(store, query)]


def _count(store: ox.Store, query: str) -> ox.Literal:
    (row,) = _solutions(store, query)
    count = row[0]
    return count if isinstance(count, ox.Literal) else _integer(0)


def _solutions(store: ox.Store, query: str) -> ox.QuerySolutions:
    # Counted over every graph: the store keeps each load's triples in a graph of its own.
    solutions = store.query(query, use_default_graph_as_union=True)
    if not isinstance(solutions, ox.QuerySolutions):  # a SELECT always answers solutions
        raise TypeError(f"Not a SELECT: {query}")
    return solutions


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_iri(XSD.integer))


def document_about(base: str, document: str, topic: ox.NamedNode) -> Iterator[ox.Triple]:
    """What a document says of itself: which resource it is about, and in which dataset."""
    doc = ox.NamedNode(f"{base}{document}")
    yield ox.Triple(doc, _iri(RDF.type), _iri(FOAF.Document))
    yield ox.Triple(doc, _iri(FOAF.primaryTopic), topic)
    yield ox.Triple(doc, _iri(VOID.inDataset), dataset_iri(base))
    yield ox.Triple(doc, _iri(DCTERMS.license), ox.NamedNode(LICENCE))


def dump_iri(base: str, rdf_format: RdfFormat) -> ox.NamedNode:
    return ox.NamedNode(f"{base}/.well-known/void#dump-{rdf_format.name}")


def dump_triples(base: str, rdf_format: RdfFormat, latest: LoadInfo | None) -> Iterator[ox.Triple]:
    """The record a dump carries of itself: which load it shows, and when that load was made.

    No "made now" time: the same graph is dumped as the same bytes, so a release's checksum holds
    and a cache can tell an unchanged dump from the record alone.
    """
    dump = dump_iri(base, rdf_format)
    yield ox.Triple(dump, _iri(RDF.type), _iri(DCAT.Distribution))
    yield ox.Triple(dump, _iri(DCTERMS.isPartOf), dataset_iri(base))
    if latest is None:
        return
    if started := latest.properties.get("started_at"):
        created = ox.Literal(str(started), datatype=_iri(XSD.dateTime))
        yield ox.Triple(dump, _iri(DCTERMS.created), created)
    yield ox.Triple(dump, _iri(PROV.wasDerivedFrom), load_iri(base, latest.id))
