"""Releases in the catalogue: each file of each release a `dcat:Distribution` of the dataset,
with its download URL, size and SHA-256 (`spdx:checksum`, as DCAT-AP describes checksums)."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, XSD

from ontology.dataset import LICENCE, dataset_iri
from ontology.mapping import load_iri
from ontology.namespaces import ONTOLOGY_IRI
from ontology.releases import Release, ReleaseFile

SPDX = "http://spdx.org/rdf/terms#"


def _iri(term: str) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def release_triples(base: str, releases: list[Release]) -> Iterator[ox.Triple]:
    """Every file of every release as a distribution of the dataset."""
    for release in releases:
        for item in release.files.values():
            yield from _distribution(base, release, item)


def _distribution(base: str, release: Release, item: ReleaseFile) -> Iterator[ox.Triple]:
    url = ox.NamedNode(f"{base}/releases/{item.name}")
    distribution = ox.NamedNode(f"{base}/.well-known/void#release-{item.name}")
    checksum = ox.NamedNode(f"{distribution.value}-sha256")
    title = f"Connects Graph release {release.id} ({item.media_type})"
    yield ox.Triple(dataset_iri(base), _iri(DCAT.distribution), distribution)
    yield ox.Triple(distribution, _iri(RDF.type), _iri(DCAT.Distribution))
    yield ox.Triple(distribution, _iri(DCTERMS.title), ox.Literal(title, language="en"))
    yield ox.Triple(distribution, _iri(DCAT.accessURL), url)
    yield ox.Triple(distribution, _iri(DCAT.downloadURL), url)
    yield ox.Triple(
        distribution,
        _iri(DCAT.mediaType),
        ox.NamedNode(f"https://www.iana.org/assignments/media-types/{item.media_type}"),
    )
    size = ox.Literal(str(item.bytes), datatype=_iri(XSD.nonNegativeInteger))
    yield ox.Triple(distribution, _iri(DCAT.byteSize), size)
    if release.started_at:
        issued = ox.Literal(release.started_at, datatype=_iri(XSD.dateTime))
        yield ox.Triple(distribution, _iri(DCTERMS.issued), issued)
    yield ox.Triple(distribution, _iri(DCTERMS.license), ox.NamedNode(LICENCE))
    yield ox.Triple(distribution, _iri(DCTERMS.conformsTo), ox.NamedNode(ONTOLOGY_IRI))
    yield ox.Triple(distribution, _iri(PROV.wasDerivedFrom), load_iri(base, release.load))
    yield ox.Triple(distribution, ox.NamedNode(SPDX + "checksum"), checksum)
    yield ox.Triple(checksum, _iri(RDF.type), ox.NamedNode(SPDX + "Checksum"))
    yield ox.Triple(
        checksum, ox.NamedNode(SPDX + "algorithm"), ox.NamedNode(SPDX + "checksumAlgorithm_sha256")
    )
    value = ox.Literal(item.sha256, datatype=_iri(XSD.hexBinary))
    yield ox.Triple(checksum, ox.NamedNode(SPDX + "checksumValue"), value)
