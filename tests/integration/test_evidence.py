"""'What works' over the bundled sample data, through the API, against the real engine."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.settings import ApiSettings
from graph.evidence import DIRECTION_WORDS
from loaders.report import LoadReport
from tests.helpers import DATA, INCLUSION_STUDIES, load, without_dump_record


@pytest.fixture(scope="module")
def served_data(everything: LoadReport) -> LoadReport:
    """The module's `client` serves all the bundled data."""
    return everything


def test_bundled_data_loads_and_reloads_unchanged(
    settings: ApiSettings, everything: LoadReport
) -> None:
    assert everything.counts.nodes_created > 400
    again = load(settings, DATA)
    c = again.counts
    assert (c.nodes_created, c.nodes_updated, c.links_created, c.links_removed) == (0, 0, 0, 0)


def test_what_works_for_inclusion_strongest_first(client: TestClient) -> None:
    body = client.get("/evidence", params={"outcome": "Inclusion", "limit": 50}).json()
    assert body["total"] == INCLUSION_STUDIES == len(body["items"])
    keys = [(-row["strength"], -(row["year_end"] or 0)) for row in body["items"]]
    assert keys == sorted(keys)
    for row in body["items"]:
        assert [c["outcome"] for c in row["claims"]] == ["inclusion"]
        assert row["matched"][0].split(" on Inclusion: ")[1] in DIRECTION_WORDS.values()
        assert row["claims"][0]["strength_name"]


def test_weak_evidence_is_shown_as_weak(client: TestClient) -> None:
    rows = client.get("/evidence", params={"outcome": "inclusion", "limit": 50}).json()["items"]
    news = [r for r in rows if r["claims"][0]["evidence_type"] == "news-report"]
    assert news
    assert all(r["strength"] == 1 and r["claims"][0]["level_name"] == "Reported" for r in news)


def test_minimum_strength_filters_on_the_common_scale(client: TestClient) -> None:
    rows = client.get("/evidence", params={"min_strength": 3}).json()["items"]
    assert rows
    assert all(row["strength"] >= 3 for row in rows)
    assert rows[0]["strength"] == 5  # the peer-reviewed studies in the sample


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"theme": "Regeneration"}, "addresses the theme Regeneration, sustainability and"),
        ({"region": "north west"}, "in the region North West"),
        ({"organisation": "Greater Manchester Combined Authority"}, "Greater Manchester"),
        ({"q": "robots"}, "mentions 'robots'"),
        ({"year_from": 2021, "year_to": 2023}, "reported for 202"),
    ],
)
def test_each_filter_narrows_and_says_why(
    client: TestClient, params: dict[str, str | int], reason: str
) -> None:
    everything = client.get("/evidence", params={"limit": 200}).json()["total"]
    body = client.get("/evidence", params={**params, "limit": 200}).json()
    assert 0 < body["total"] < everything
    for row in body["items"]:
        assert any(reason in why for why in row["matched"]), row["matched"]
        if "year_from" in params:
            assert (
                params["year_from"] <= (row["year_end"] or row["year_start"]) <= params["year_to"]
            )


@pytest.mark.parametrize(
    ("params", "location"),
    [
        ({"place": "Caerfilly"}, "query.place"),
        ({"year_from": 2022, "year_to": 2020}, "query.year_to"),
    ],
)
def test_impossible_filters_are_422_not_empty(
    client: TestClient, params: dict[str, str | int], location: str
) -> None:
    response = client.get("/evidence", params=params)
    assert response.status_code == 422
    assert [e["location"] for e in response.json()["errors"]] == [location]


def test_empty_filter_values_are_ignored(client: TestClient) -> None:
    everything = client.get("/evidence").json()["total"]
    assert (
        client.get("/evidence", params={"region": "", "outcome": " "}).json()["total"] == everything
    )


def test_unknown_names_list_the_valid_choices(client: TestClient) -> None:
    response = client.get("/evidence", params={"outcome": "Inclusoin"})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["location"] == "query.outcome"
    assert "Valid choices: Connectivity; Data;" in error["message"]


def test_a_repeated_filter_means_any_of(client: TestClient) -> None:
    def total(*pairs: tuple[str, str]) -> int:
        params: list[tuple[str, str | int | float | bool | None]] = list(pairs)
        response = client.get("/evidence", params=params)
        assert response.status_code == 200
        return int(response.json()["total"])

    inclusion, data = total(("outcome", "inclusion")), total(("outcome", "data"))
    both = total(("outcome", "inclusion"), ("outcome", "data"))
    assert max(inclusion, data) < both <= inclusion + data
    positive = total(("outcome", "inclusion"), ("direction", "positive"))
    assert total(("outcome", "inclusion"), ("direction", "positive"), ("direction", "mixed")) >= (
        positive
    )


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/evidence", {"outcom": "Inclusion"}),
        ("/evidence/facets", {"outcome": "Inclusion", "groupby": "region"}),
        ("/evidence/gap-map", {"row": "theme"}),
    ],
)
def test_an_unknown_parameter_is_422_naming_it(
    client: TestClient, path: str, params: dict[str, str]
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 422
    misspelt = next(name for name in params if name not in ("outcome",))
    assert [e["location"] for e in response.json()["errors"]] == [f"query.{misspelt}"]


def test_each_route_takes_its_own_parameters_beside_the_filters(client: TestClient) -> None:
    filters: dict[str, str | int] = {"outcome": "inclusion", "min_strength": 1}
    assert client.get("/evidence", params={**filters, "limit": 1, "offset": 1}).status_code == 200
    facets = client.get("/evidence/facets", params={**filters, "group_by": "region"})
    assert facets.status_code == 200
    gap_map = client.get("/evidence/gap-map", params={**filters, "rows": "region", "cols": "theme"})
    assert gap_map.status_code == 200
    assert client.get("/evidence", params={"zeros": "true"}).status_code == 422  # facets' own


def test_facets_count_the_current_filter_with_zero_buckets(client: TestClient) -> None:
    params: list[tuple[str, str | int | float | bool | None]] = [
        ("outcome", "inclusion"),
        ("group_by", "strength"),
        ("group_by", "region"),
        ("zeros", "true"),
    ]
    strength, region = client.get("/evidence/facets", params=params).json()
    assert [b["key"] for b in strength["buckets"]] == [1, 2, 3, 4, 5]
    # One claim per case study and outcome: the strengths share out the case studies.
    assert sum(b["count"] for b in strength["buckets"]) == INCLUSION_STUDIES
    assert len(region["buckets"]) >= 12
    assert any(b["count"] == 0 for b in region["buckets"])
    without = client.get("/evidence/facets", params=params[:-1]).json()
    assert all(b["count"] > 0 for facet in without for b in facet["buckets"])


def test_gap_map_has_every_cell_and_agrees_with_the_list(client: TestClient) -> None:
    gap = client.get("/evidence/gap-map", params={"rows": "outcome", "cols": "theme"}).json()
    assert len(gap["row_values"]) == 12
    assert len(gap["col_values"]) == 5
    assert len(gap["cells"]) == 60
    empty = [c for c in gap["cells"] if c["case_studies"] == 0]
    assert empty
    assert all(c["strongest"] is None for c in empty)
    for cell in gap["cells"]:
        assert sum(cell["strength_distribution"].values()) == cell["case_studies"]
    cell = next(c for c in gap["cells"] if c["case_studies"] > 0)
    listed = client.get(
        "/evidence", params={"outcome": cell["row"], "theme": cell["col"], "limit": 200}
    ).json()
    assert listed["total"] == cell["case_studies"]
    assert listed["items"][0]["strength"] == cell["strongest"]["strength"]


def test_gap_map_keeps_case_studies_without_a_region(
    client: TestClient, settings: ApiSettings, tmp_path: Path
) -> None:
    path = tmp_path / "no-region.csv"
    path.write_text(
        "id,title,organisation,summary,outcomes,evidence_type,source_url\n"
        "no-region-study,T,C,S.,Inclusion,news_report,https://e.org\n"
    )
    load(settings, path)
    total = client.get("/evidence", params={"outcome": "inclusion"}).json()["total"]
    gap = client.get("/evidence/gap-map", params={"rows": "outcome", "cols": "region"}).json()
    inclusion = [c for c in gap["cells"] if c["row"] == "inclusion"]
    assert sum(c["case_studies"] for c in inclusion) == total
    assert {"key": None, "name": "Not stated"} in gap["col_values"]


def test_gap_map_as_csv(client: TestClient) -> None:
    response = client.get(
        "/evidence/gap-map", params={"rows": "outcome", "cols": "region", "format": "csv"}
    )
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    grid = client.get("/evidence/gap-map", params={"rows": "outcome", "cols": "region"}).json()
    assert len(rows) == len(grid["row_values"]) * len(grid["col_values"]) >= 12 * 12
    assert {r["outcome_name"] for r in rows} >= {"Inclusion", "Value"}
    assert any(r["case_studies"] == "0" for r in rows)


def test_gap_map_needs_two_dimensions(client: TestClient) -> None:
    response = client.get("/evidence/gap-map", params={"rows": "theme", "cols": "theme"})
    assert response.status_code == 422


def test_paths_between_a_partner_and_an_outcome(client: TestClient) -> None:
    paths = client.get(
        "/graph/paths",
        params={"from": "greater-manchester-combined-authority", "to": "inclusion"},
    ).json()
    assert paths
    shortest = paths[0]
    assert shortest["nodes"][0]["id"] == "greater-manchester-combined-authority"
    assert shortest["nodes"][-1]["id"] == "inclusion"
    assert shortest["length"] == len(shortest["relationships"]) == len(shortest["nodes"]) - 1
    for rel in shortest["relationships"]:
        assert rel["source"] == "case-studies.csv"
        assert rel["load"].startswith("load-")


def test_the_path_from_a_node_to_itself_is_that_node(client: TestClient) -> None:
    # Neo4j refuses a shortest path whose start and end are one node: it is never asked.
    response = client.get("/graph/paths", params={"from": "inclusion", "to": "inclusion"})
    assert response.status_code == 200, response.text
    [path] = response.json()
    assert (path["length"], path["relationships"]) == (0, [])
    assert [(n["id"], n["kind"]) for n in path["nodes"]] == [("inclusion", "Outcome")]
    assert client.get("/graph/paths", params={"from": "nosuch", "to": "nosuch"}).status_code == 404


def test_paths_to_an_unknown_node_is_404(client: TestClient) -> None:
    response = client.get("/graph/paths", params={"from": "nosuch", "to": "inclusion"})
    assert response.status_code == 404


def test_search_finds_a_phrase_from_a_summary(client: TestClient) -> None:
    hits = client.get("/search", params={"q": "free school meal applications"}).json()
    assert hits[0]["node"]["id"] == "caerphilly-digital-workers-school-meals"


def test_the_whole_dataset_exports_as_rdf_that_parses_back(client: TestClient) -> None:
    from rdflib import Graph, URIRef
    from rdflib.compare import isomorphic
    from rdflib.namespace import RDF

    nt = client.get("/export", params={"format": "nt"}).text
    ttl = client.get("/export", params={"format": "ttl"}).text
    ntriples = Graph().parse(data=nt, format="nt")
    assert len(ntriples) == len([line for line in nt.splitlines() if line.strip()])
    turtle = Graph().parse(data=ttl, format="turtle")
    assert isomorphic(without_dump_record(ntriples), without_dump_record(turtle))
    claim = URIRef(
        "http://data.test/id/evidence-claim/claim-caerphilly-digital-workers-school-meals-inclusion"
    )
    assert (
        claim,
        RDF.type,
        URIRef("https://w3id.org/connects-graph/def#EvidenceClaim"),
    ) in ntriples
