"""CSVW metadata for every CSV output: the columns it describes are the CSV's header."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.collection import Collection

from loaders.report import LoadReport
from ontology.csvw import CONTEXT, LOCAL_CONTEXT
from tests.helpers import problem

CSVW = "http://www.w3.org/ns/csvw#"
CSV_OUTPUTS = [
    ("/evidence", {"format": "csv"}),
    ("/evidence", {"format": "csv", "outcome": "inclusion"}),
    ("/evidence/gap-map", {"format": "csv"}),
    ("/evidence/gap-map", {"format": "csv", "rows": "outcome", "cols": "region"}),
    ("/evidence/gap-map", {"format": "csv", "rows": "direction", "cols": "strength"}),
]


@pytest.fixture(scope="module")
def served_data(everything: LoadReport) -> LoadReport:
    """The module's `client` serves all the bundled data."""
    return everything


def described(client: TestClient, path: str, params: dict[str, str]) -> tuple[list[str], Any]:
    """The CSV's header, and the metadata its Link header points to."""
    response = client.get(path, params=params)
    assert response.status_code == 200
    header = next(csv.reader(io.StringIO(response.text)))
    links = response.links
    assert links["describedby"]["type"] == "application/csvm+json"
    metadata = client.get(links["describedby"]["url"])
    assert metadata.status_code == 200
    assert metadata.headers["content-type"] == "application/csvm+json"
    return header, metadata.json()


@pytest.mark.parametrize(("path", "params"), CSV_OUTPUTS)
def test_the_metadata_describes_the_header(
    client: TestClient, path: str, params: dict[str, str]
) -> None:
    header, metadata = described(client, path, params)
    assert metadata["@context"][0] == CONTEXT
    columns = metadata["tableSchema"]["columns"]
    assert [c["name"] for c in columns] == header
    assert [c["titles"] for c in columns] == header
    assert all(c["datatype"] in ("string", "integer", "anyURI") for c in columns)
    # A CSVW processor ignores metadata that names another table than the one it read.
    asked = client.get(path, params=params).url
    assert metadata["url"] == f"http://data.test{asked.path}?{asked.query.decode()}"


@pytest.mark.parametrize(("path", "params"), CSV_OUTPUTS)
def test_the_metadata_is_json_ld(client: TestClient, path: str, params: dict[str, str]) -> None:
    """Read with the terms of the CSVW context it names (kept here: no network)."""
    header, metadata = described(client, path, params)
    metadata["@context"] = [LOCAL_CONTEXT, *metadata["@context"][1:]]
    graph = Graph().parse(data=json.dumps(metadata), format="json-ld")
    (table,) = graph.subjects(URIRef(CSVW + "tableSchema"), None)
    schema = graph.value(table, URIRef(CSVW + "tableSchema"))
    first = graph.value(schema, URIRef(CSVW + "column"))
    assert first is not None
    columns = Collection(graph, first)
    names = [str(graph.value(column, URIRef(CSVW + "name"))) for column in columns]
    assert names == header


def test_ids_expand_to_uris_that_dereference(client: TestClient) -> None:
    response = client.get("/evidence", params={"format": "csv"})
    row = next(csv.DictReader(io.StringIO(response.text)))
    _, metadata = described(client, "/evidence", {"format": "csv"})
    (id_column,) = [c for c in metadata["tableSchema"]["columns"] if c["name"] == "id"]
    uri = id_column["valueUrl"].replace("{id}", row["id"])
    assert uri.startswith("http://data.test/id/case-study/")
    answer = client.get(uri.removeprefix("http://data.test"), follow_redirects=False)
    assert answer.status_code == 303


def test_gap_map_cells_name_their_concepts(client: TestClient) -> None:
    _, metadata = described(client, "/evidence/gap-map", {"format": "csv"})
    by_name = {c["name"]: c for c in metadata["tableSchema"]["columns"]}
    assert by_name["intervention"]["valueUrl"] == "http://data.test/id/intervention/{intervention}"
    assert by_name["outcome"]["valueUrl"] == "http://data.test/id/outcome/{outcome}"
    assert by_name["case_studies"]["datatype"] == "integer"


def test_metadata_for_a_dimension_that_does_not_exist_is_refused(client: TestClient) -> None:
    response = client.get("/evidence/gap-map/csv-metadata.json", params={"rows": "nosuch"})
    problem(response, 422, "invalid")


def test_metadata_for_one_dimension_twice_is_refused_as_the_map_is(client: TestClient) -> None:
    params = {"rows": "outcome", "cols": "outcome"}
    problem(client.get("/evidence/gap-map/csv-metadata.json", params=params), 422, "invalid")
    problem(client.get("/evidence/gap-map", params={**params, "format": "csv"}), 422, "invalid")


def test_metadata_names_only_a_table_of_its_own_endpoint(client: TestClient) -> None:
    sent = client.get("/evidence/csv-metadata.json", params={"table": "https://evil.example/x"})
    problem(sent, 422, "invalid")
