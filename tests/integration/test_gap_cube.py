"""The evidence-and-gap map as an RDF Data Cube, checked with the Data Cube integrity
constraints (https://www.w3.org/TR/vocab-data-cube/#wf-rules), as the spec writes them.

They run in pyoxigraph: IC-12 compares every pair of observations, which took rdflib minutes on
the bundled map's hundreds of cells."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import QB, RDF

from loaders.report import LoadReport
from tests.helpers import problem

BASE = "http://data.test"
CG = "https://w3id.org/connects-graph/def#"

# The normalisation the constraints assume (phase 1, the component-property closure).
NORMALISE = """PREFIX qb: <http://purl.org/linked-data/cube#>
INSERT { ?cs qb:componentProperty ?p . ?p a qb:DimensionProperty } WHERE { ?cs qb:dimension ?p };
INSERT { ?cs qb:componentProperty ?p . ?p a qb:MeasureProperty } WHERE { ?cs qb:measure ?p };
INSERT { ?cs qb:componentProperty ?p . ?p a qb:AttributeProperty } WHERE { ?cs qb:attribute ?p }
"""
CONSTRAINTS = {
    "IC-1 unique data set": """ASK {
      { ?obs a qb:Observation . FILTER NOT EXISTS { ?obs qb:dataSet ?dataset1 . } } UNION
      { ?obs a qb:Observation ; qb:dataSet ?dataset1, ?dataset2 . FILTER (?dataset1 != ?dataset2) }
    }""",
    "IC-2 unique DSD": """ASK {
      { ?dataset a qb:DataSet . FILTER NOT EXISTS { ?dataset qb:structure ?dsd . } } UNION
      { ?dataset a qb:DataSet ; qb:structure ?dsd1, ?dsd2 . FILTER (?dsd1 != ?dsd2) }
    }""",
    "IC-11 all dimensions required": """ASK {
      ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
      ?dim a qb:DimensionProperty;
      FILTER NOT EXISTS { ?obs ?dim [] }
    }""",
    "IC-12 no duplicate observations": """ASK {
      FILTER( ?allEqual )
      { SELECT (MIN(?equal) AS ?allEqual) WHERE {
          ?obs1 qb:dataSet ?dataset .
          ?obs2 qb:dataSet ?dataset .
          FILTER (?obs1 != ?obs2)
          ?dataset qb:structure/qb:component/qb:componentProperty ?dim .
          ?dim a qb:DimensionProperty .
          ?obs1 ?dim ?value1 .
          ?obs2 ?dim ?value2 .
          BIND( ?value1 = ?value2 AS ?equal)
        } GROUP BY ?obs1 ?obs2 }
    }""",
}


@pytest.fixture(scope="module")
def served_data(everything: LoadReport) -> LoadReport:
    """The module's `client` serves all the bundled data."""
    return everything


@pytest.fixture(scope="module")
def cube(client: TestClient) -> Graph:
    response = client.get("/evidence/gap-map", params={"format": "ttl"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    return Graph().parse(data=response.text, format="turtle")


@pytest.fixture(scope="module")
def gap_map(client: TestClient) -> dict[str, Any]:
    answer: dict[str, Any] = client.get("/evidence/gap-map").json()
    return answer


def violated(cube: Graph) -> list[str]:
    """The integrity constraints `cube` breaks, checked on a normalised copy."""
    store = ox.Store()
    store.load(cube.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    store.update(NORMALISE)
    prefix = f"PREFIX qb: <{QB}>\n"
    return [name for name, ask in CONSTRAINTS.items() if bool(store.query(prefix + ask))]


def test_the_cube_keeps_the_integrity_constraints(cube: Graph) -> None:
    assert violated(cube) == []


def test_the_constraints_catch_a_missing_dimension_and_a_duplicate(cube: Graph) -> None:
    broken = Graph()
    for triple in cube:
        broken.add(triple)
    first, second, third, *_ = sorted(str(o) for o in broken.subjects(RDF.type, QB.Observation))
    broken.remove((URIRef(first), URIRef(CG + "gapOutcome"), None))
    for predicate in (URIRef(CG + "gapIntervention"), URIRef(CG + "gapOutcome")):
        broken.remove((URIRef(second), predicate, None))
    # The second cell now has the third's dimensions: two observations of one cell.
    for term, value in cube.predicate_objects(URIRef(third)):
        broken.add((URIRef(second), term, value))
    assert violated(broken) == ["IC-11 all dimensions required", "IC-12 no duplicate observations"]


def test_one_observation_per_cell_as_the_map_counts(cube: Graph, gap_map: dict[str, Any]) -> None:
    observations = set(cube.subjects(RDF.type, QB.Observation))
    assert len(observations) == len(gap_map["cells"]) > 100
    by_cell = {}
    for obs in observations:
        row = str(cube.value(obs, URIRef(CG + "gapIntervention"))).rsplit("/", 1)[-1]
        col = str(cube.value(obs, URIRef(CG + "gapOutcome"))).rsplit("/", 1)[-1]
        by_cell[(row, col)] = obs
    for cell in gap_map["cells"]:
        key = (cell["row"] or "def#gapNotStated", cell["col"] or "def#gapNotStated")
        obs = by_cell[key]
        count = cube.value(obs, URIRef(CG + "caseStudyCount"))
        assert count == Literal(cell["case_studies"]), key
        best = cube.value(obs, URIRef(CG + "bestStrength"))
        # An empty cell has no best strength at all, not a 0 that reads as a rating.
        assert best == (None if cell["best_strength"] is None else Literal(cell["best_strength"]))
        # Every direction said, as the map says it: a cell of failures never reads as support.
        for direction, measure in DIRECTION_MEASURES.items():
            said = cube.value(obs, URIRef(CG + measure))
            assert said == Literal(cell["directions"].get(direction, 0)), (key, direction)
        planned = cube.value(obs, URIRef(CG + "plannedEvaluationCount"))
        assert planned == Literal(cell["planned_evaluations"]), key
    against = [
        c for c in gap_map["cells"] if c["case_studies"] and not c["directions"].get("positive")
    ]
    assert against  # the bundled data has cells where nothing reported it worked


DIRECTION_MEASURES = {
    "positive": "positiveCount",
    "mixed": "mixedCount",
    "negative": "negativeCount",
    "no_effect": "noEffectCount",
    "not_stated": "notStatedCount",
}


def test_a_filtered_cube_says_its_filters_and_is_named_from_the_public_base(
    client: TestClient,
) -> None:
    sent = client.get(
        "/evidence/gap-map",
        params={"direction": "positive", "min_strength": "2"},
        headers={"Accept": "text/turtle", "Host": "evil.example"},
    )
    assert sent.status_code == 200, sent.text
    filtered = Graph().parse(data=sent.text, format="turtle")
    (dataset,) = filtered.subjects(RDF.type, QB.DataSet)
    assert str(dataset).startswith(f"{BASE}/evidence/gap-map?"), dataset
    assert "evil.example" not in sent.text
    title = str(filtered.value(dataset, URIRef("http://purl.org/dc/terms/title")))
    assert "only those matching direction=positive&min_strength=2" in title


def test_the_structure_travels_with_the_data(cube: Graph) -> None:
    (dataset,) = cube.subjects(RDF.type, QB.DataSet)
    structure = cube.value(dataset, QB.structure)
    assert structure == URIRef(CG + "gapMapStructure")
    assert (structure, RDF.type, QB.DataStructureDefinition) in cube
    dimensions = {cube.value(c, QB.dimension) for c in cube.objects(structure, QB.component)}
    assert dimensions - {None} == {URIRef(CG + "gapIntervention"), URIRef(CG + "gapOutcome")}
    assert cube.value(dataset, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")) is not None


@pytest.mark.parametrize(
    ("accept", "media_type", "parser"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
    ],
)
def test_the_gap_map_negotiates_the_cube(
    client: TestClient, cube: Graph, accept: str, media_type: str, parser: str
) -> None:
    response = client.get("/evidence/gap-map", headers={"Accept": accept})
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]
    graph = Graph().parse(data=response.text, format=parser)
    assert len(set(graph.subjects(RDF.type, QB.Observation))) == len(
        set(cube.subjects(RDF.type, QB.Observation))
    )


def test_json_stays_the_default(client: TestClient) -> None:
    response = client.get("/evidence/gap-map", headers={"Accept": "*/*"})
    assert response.headers["content-type"] == "application/json"


def test_a_map_by_other_dimensions_has_no_cube(client: TestClient) -> None:
    response = client.get("/evidence/gap-map", params={"rows": "theme", "format": "ttl"})
    body = problem(response, 422, "invalid")
    assert "intervention and outcome" in str(body)
