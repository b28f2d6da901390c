"""The Turtle file is the ontology: Python terms must be declared there, with labels."""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from graph.model import Kind, Rel
from graph.rating_rule import Direction
from loaders.records import OrganisationType
from ontology import mapping
from ontology.namespaces import CG
from tests.helpers import ROOT


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "connects.ttl")


def test_every_python_term_is_declared(ontology: Graph) -> None:
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}
    for name in CG.__annotations__:
        term = getattr(CG, name)
        assert set(ontology.objects(term, RDF.type)) & kinds, f"{term} is not declared"


def test_every_declared_term_has_label_and_definition(ontology: Graph) -> None:
    for term in ontology.subjects(RDF.type, None):
        if str(term).startswith(str(CG._NS)):
            assert ontology.value(term, RDFS.label) is not None, term
            assert ontology.value(term, SKOS.definition) is not None, term


def test_misspelt_terms_fail() -> None:
    with pytest.raises(AttributeError):
        _ = CG.Outcom


def test_every_kind_and_relationship_is_mapped() -> None:
    assert set(mapping.CLASSES) == set(Kind)
    assert set(mapping.PREDICATES) == set(Rel)


def _scheme(ontology: Graph, scheme: str) -> set[str]:
    concepts = set(ontology.subjects(SKOS.inScheme, CG._NS[scheme]))
    tops = set(ontology.objects(CG._NS[scheme], SKOS.hasTopConcept))
    assert tops == concepts == set(ontology.subjects(SKOS.topConceptOf, CG._NS[scheme]))
    assert all((c, RDF.type, SKOS.Concept) in ontology for c in concepts)
    # One spelling: each concept's local name is its notation, the value the CSV and API use.
    for concept in concepts:
        assert str(ontology.value(concept, SKOS.notation)) == str(concept).removeprefix(CG._NS)
    return {str(c).removeprefix(CG._NS) for c in concepts}


def test_controlled_values_are_the_concepts_of_their_schemes(ontology: Graph) -> None:
    assert _scheme(ontology, "directions") == {d.value for d in Direction}
    organisation_types = _scheme(ontology, "organisationTypes")
    assert organisation_types == set(mapping.ORGANISATION_TYPES)
    assert organisation_types == {t.value for t in OrganisationType}
