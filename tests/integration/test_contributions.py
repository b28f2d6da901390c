"""Writes need a key: API keys, and partner RDF contributions over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from neo4j import Driver
from rdflib import Graph, Literal, URIRef
from typer.testing import CliRunner

from api.main import create_app
from api.settings import ApiSettings
from cli.main import app as cli
from graph.keys import Scope
from tests.helpers import (
    CONTRIBUTION,
    ROOT,
    contribute,
    fingerprint,
    graph_env,
    make_key,
    problem,
)


def _env(settings: ApiSettings) -> dict[str, str]:
    return graph_env(settings)


pytestmark = pytest.mark.usefixtures("linkable_graph")  # each test writes to a graph of its own


@pytest.fixture(scope="module")
def served_data() -> None:
    """Nothing for the module: each test loads its own graph (`linkable_graph`)."""


def test_a_contribution_is_loaded_and_attributed_to_the_key(
    client: TestClient, settings: ApiSettings
) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    response = client.post(
        "/contributions",
        content=CONTRIBUTION.encode(),
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["counts"]["nodes_created"] == 2
    doc = client.get("/doc/case-study/partner-study", headers={"Accept": "application/json"})
    assert doc.json()["properties"]["contributed_by"] == "lga"


@pytest.mark.parametrize(
    "authorization", [None, "Bearer", "Basic abc", "Bearer cgk_nosuch_secret", "Bearer junk"]
)
def test_no_valid_key_is_401(
    client: TestClient, empty_graph: Driver, settings: ApiSettings, authorization: str | None
) -> None:
    before = fingerprint(empty_graph, settings)
    headers = {"Content-Type": "text/turtle"}
    if authorization:
        headers["Authorization"] = authorization
    response = client.post("/contributions", content=CONTRIBUTION.encode(), headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"
    assert fingerprint(empty_graph, settings) == before


def test_a_revoked_key_stops_working(client: TestClient, settings: ApiSettings) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    key_id = key.split("_")[1]
    runner = CliRunner()
    env = _env(settings)
    assert runner.invoke(cli, ["keys", "revoke", key_id], env=env).exit_code == 0
    listed = runner.invoke(cli, ["keys", "list"], env=env).output
    assert key_id in listed
    assert "revoked" in listed
    assert key.split("_", 2)[2] not in listed  # the secret is never shown again
    headers = {"Content-Type": "text/turtle", "Authorization": f"Bearer {key}"}
    assert client.post("/contributions", content=b"", headers=headers).status_code == 401


def test_the_wrong_scope_is_403(client: TestClient, settings: ApiSettings) -> None:
    contributor = make_key(settings, Scope.CONTRIBUTE)
    admin = make_key(settings, Scope.ADMIN)
    denied = client.get("/admin/keys", headers={"Authorization": f"Bearer {contributor}"})
    assert denied.status_code == 403
    listed = client.get("/admin/keys", headers={"Authorization": f"Bearer {admin}"}).json()
    assert {k["scope"] for k in listed} == {"contribute", "admin"}
    assert all("secret" not in str(k) for k in listed)


def test_a_non_conforming_contribution_is_422_with_every_violation(
    client: TestClient, empty_graph: Driver, settings: ApiSettings
) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    before = fingerprint(empty_graph, settings)
    broken = CONTRIBUTION.replace(
        "    cg:forOutcome <http://data.test/id/outcome/inclusion> ;\n", ""
    ).replace('cg:direction "positive"', 'cg:direction "great"')
    response = client.post(
        "/contributions",
        content=broken.encode(),
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 422
    locations = [e["location"] for e in response.json()["errors"]]
    claim = "<http://data.test/id/evidence-claim/partner-claim>"
    assert f"{claim} cg:forOutcome" in locations
    assert f"{claim} cg:direction" in locations
    assert fingerprint(empty_graph, settings) == before


def test_unsupported_and_oversized_bodies(
    client: TestClient, empty_graph: Driver, settings: ApiSettings
) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    auth = {"Authorization": f"Bearer {key}"}
    headers = {**auth, "Content-Type": "text/csv"}
    csv = client.post("/contributions", content=b"a,b", headers=headers)
    assert csv.status_code == 415
    small = settings.model_copy(update={"max_upload_bytes": 100})
    with TestClient(create_app(small)) as limited:
        big = limited.post(
            "/contributions",
            content=CONTRIBUTION.encode(),
            headers={**auth, "Content-Type": "text/turtle"},
        )
    assert big.status_code == 413


HIJACK = """
<http://data.test/id/outcome/inclusion> a <https://w3id.org/connects-graph/def#Outcome> ;
    <http://purl.org/dc/terms/identifier> "inclusion" ;
    <http://www.w3.org/2004/02/skos/core#prefLabel> "HIJACKED"@en ;
    <http://www.w3.org/2004/02/skos/core#definition> "x"@en ;
    <http://www.w3.org/2004/02/skos/core#inScheme>
        <http://data.test/id/scheme/digitalisation-outcomes> .
"""


def test_a_contributor_cannot_change_the_framework(
    client: TestClient, empty_graph: Driver, settings: ApiSettings
) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    before = fingerprint(empty_graph, settings)
    response = contribute(client, key, HIJACK)
    assert response.status_code == 422
    messages = [e["message"] for e in response.json()["errors"]]
    assert any("describe case studies and evidence claims" in m for m in messages)
    assert any("not contributed by you" in m for m in messages)
    assert fingerprint(empty_graph, settings) == before


def test_a_contributor_cannot_change_another_contributors_study(
    client: TestClient, settings: ApiSettings
) -> None:
    first = contribute(client, make_key(settings, Scope.CONTRIBUTE, "lga"), CONTRIBUTION)
    assert first.status_code == 201, first.text
    assert first.json()["counts"]["nodes_created"] == 2
    doc = client.get("/doc/case-study/partner-study", headers={"Accept": "application/json"})
    assert doc.json()["properties"]["contributed_by"] == "lga"
    other = make_key(settings, Scope.CONTRIBUTE, "solace")
    response = contribute(client, other, CONTRIBUTION.replace("What the", "Rewritten: what the"))
    assert response.status_code == 422
    again = contribute(client, make_key(settings, Scope.CONTRIBUTE, "lga"), CONTRIBUTION)
    assert again.status_code == 201  # the owner may update


def test_weak_evidence_cannot_be_inflated(client: TestClient, settings: ApiSettings) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    inflated = CONTRIBUTION.replace("connects-level-4", "connects-level-1")
    response = contribute(client, key, inflated)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (
        "cg:strength 4 does not match its level 'connects-level-1' (strength 1)" in error["message"]
    )
    without = inflated.replace("    cg:strength 4 ;\n", "")
    assert contribute(client, key, without).status_code == 201
    rows = client.get("/evidence", params={"outcome": "inclusion"}).json()["items"]
    assert [r["strength"] for r in rows if r["id"] == "partner-study"] == [1]


def test_a_region_in_a_contribution_is_accepted(client: TestClient, settings: ApiSettings) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    with_region = CONTRIBUTION.replace(
        "    cg:hasClaim",
        "    cg:inRegion <http://data.test/id/region/wales> ;\n    cg:hasClaim",
    )
    response = contribute(client, key, with_region, dry_run="true")
    assert response.status_code == 200, response.text
    assert client.get("/nodes/partner-study").status_code == 404  # a dry run writes nothing
    assert contribute(client, key, with_region).status_code == 201
    rows = client.get("/evidence", params={"region": "Wales", "outcome": "inclusion"}).json()
    assert "partner-study" in [r["id"] for r in rows["items"]]


def test_uri_ids_must_be_valid_and_match_the_identifier(
    client: TestClient, settings: ApiSettings
) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    odd = CONTRIBUTION.replace("case-study/partner-study>", "case-study/Weird.ID>")
    assert contribute(client, key, odd).status_code == 422
    mismatch = CONTRIBUTION.replace('"partner-study"', '"something-else"')
    response = contribute(client, key, mismatch)
    assert response.status_code == 422
    assert "differs from the URI's id" in response.text


def test_provenance_names_the_contribution_not_a_temporary_file(
    client: TestClient, settings: ApiSettings
) -> None:
    response = contribute(client, make_key(settings, Scope.CONTRIBUTE), CONTRIBUTION)
    [info] = response.json()["files"]
    assert info["path"] == "contribution.ttl from lga"
    exported = client.get("/export", params={"format": "nt"}).text
    assert "/contribution-" not in exported  # the upload's temporary folder
    assert str(ROOT) not in exported  # nor the server's own paths


def test_instances_share_nothing_but_the_graph(client: TestClient, settings: ApiSettings) -> None:
    """Stateless workers: what one instance writes, another serves; a key revoked by staff
    stops working on both at once."""
    key = make_key(settings, Scope.CONTRIBUTE)
    with TestClient(create_app(settings)) as other:
        response = client.post(
            "/contributions",
            content=CONTRIBUTION.encode(),
            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {key}"},
        )
        assert response.status_code == 201, response.text
        assert other.get("/nodes/partner-study").status_code == 200
        key_id = key.split("_")[1]
        revoked = CliRunner().invoke(cli, ["keys", "revoke", key_id], env=_env(settings))
        assert revoked.exit_code == 0, revoked.output
        for instance in (client, other):
            again = instance.post(
                "/contributions?dry_run=true",
                content=CONTRIBUTION.encode(),
                headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {key}"},
            )
            assert again.status_code == 401


CLAIM = "<http://data.test/id/evidence-claim/partner-claim>"
STUDY = "<http://data.test/id/case-study/partner-study>"


def _errors(response: Response) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = problem(response, 422, "invalid-contribution")["errors"]
    return errors


def test_a_news_report_cannot_be_graded_peer_reviewed(
    client: TestClient, empty_graph: Driver, settings: ApiSettings
) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    before = fingerprint(empty_graph, settings)
    inflated = (
        CONTRIBUTION.replace("independent-evaluation", "news-report")
        .replace("connects-level-4", "connects-level-5")
        .replace("    cg:strength 4 ;\n", "")
    )
    [error] = _errors(contribute(client, key, inflated))
    assert error["location"] == f"{CLAIM} cg:evidenceLevel"
    assert "more than 'news-report' evidence supports: at most strength 1" in error["message"]
    assert error["value"] == "connects-level-5"
    assert fingerprint(empty_graph, settings) == before
    honest = inflated.replace("connects-level-5", "connects-level-1")
    assert contribute(client, key, honest).status_code == 201


def test_a_study_cannot_take_another_organisations_claim(
    client: TestClient, empty_graph: Driver, settings: ApiSettings
) -> None:
    assert contribute(client, make_key(settings, Scope.CONTRIBUTE), CONTRIBUTION).status_code == 201
    solace = make_key(settings, Scope.CONTRIBUTE, "solace")
    before = fingerprint(empty_graph, settings)
    borrowed = CONTRIBUTION.split("<http://data.test/id/evidence-claim/partner-claim> a")[0]
    borrowed = borrowed.replace("partner-study", "solace-study").replace(
        "organisation/lga", "organisation/solace"
    )
    [error] = _errors(contribute(client, solace, borrowed))
    assert error["focus"] == "http://data.test/id/case-study/solace-study"
    assert error["path"] == "cg:hasClaim"
    assert "which is not yours" in error["message"]
    assert fingerprint(empty_graph, settings) == before


def test_properties_the_service_owns_are_refused(
    client: TestClient, empty_graph: Driver, settings: ApiSettings
) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    before = fingerprint(empty_graph, settings)
    owned = CONTRIBUTION.replace(
        "    cg:hasClaim",
        '    cg:strength 5 ;\n    cg:sourceFile "official.yaml" ;\n'
        "    <http://www.w3.org/ns/prov#wasAttributedTo> <http://data.test/id/organisation/lga> ;"
        "\n    cg:hasClaim",
    )
    errors = _errors(contribute(client, key, owned))
    assert sorted(e["location"] for e in errors) == [
        f"{STUDY} cg:sourceFile",
        f"{STUDY} cg:strength",
        f"{STUDY} prov:wasAttributedTo",
    ]
    assert fingerprint(empty_graph, settings) == before


def test_who_graded_a_claim_is_recorded(client: TestClient, settings: ApiSettings) -> None:
    assert contribute(client, make_key(settings, Scope.CONTRIBUTE), CONTRIBUTION).status_code == 201
    rows = client.get("/evidence", params={"outcome": "inclusion"}).json()["items"]
    [claim] = next(r["claims"] for r in rows if r["id"] == "partner-study")
    assert claim["graded_by"] == "lga"
    exported = client.get("/export", params={"format": "nt"}).text
    assert (
        "<http://data.test/id/evidence-claim/partner-claim> "
        "<http://www.w3.org/ns/prov#wasAttributedTo> <http://data.test/id/organisation/lga> ."
    ) in exported


@pytest.mark.parametrize(
    ("triple", "path", "value"),
    [
        ('cg:costYear "2023-05"^^xsd:gYearMonth', "cg:costYear", "2023-05"),
        ('cg:yearStart "abc"^^xsd:integer', "cg:yearStart", "abc"),
        ("cg:yearEnd 2023.5", "cg:yearEnd", "2023.5"),
        ("cg:yearEnd 99999999999999999999", "cg:yearEnd", "99999999999999999999"),
    ],
)
def test_a_value_of_the_wrong_type_is_a_located_422(
    client: TestClient,
    empty_graph: Driver,
    settings: ApiSettings,
    triple: str,
    path: str,
    value: str,
) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    before = fingerprint(empty_graph, settings)
    body = "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n" + CONTRIBUTION.replace(
        "    cg:hasClaim", f"    {triple} ;\n    cg:hasClaim"
    )
    errors = _errors(contribute(client, key, body))
    assert {"location": f"{STUDY} {path}", "value": value} in [
        {"location": e["location"], "value": e.get("value")} for e in errors
    ]
    assert "rdflib" not in str(errors)
    assert fingerprint(empty_graph, settings) == before


def test_a_claim_strength_that_is_not_a_whole_number_is_a_located_422(
    client: TestClient, settings: ApiSettings
) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    response = contribute(client, key, CONTRIBUTION.replace("cg:strength 4", "cg:strength 1.0"))
    assert any(
        e["location"] == f"{CLAIM} cg:strength" and e.get("value") == "1.0"
        for e in _errors(response)
    )


@pytest.mark.parametrize(
    "extra",
    [
        '<http://data.test/id/case-study/untyped> <http://purl.org/dc/terms/description> "x" .',
        "<http://data.test/id/outcome/inclusion> "
        '<http://www.w3.org/2004/02/skos/core#prefLabel> "Renamed"@en .',
        '[] <http://purl.org/dc/terms/description> "a blank node" .',
    ],
)
def test_triples_that_would_be_ignored_are_a_located_422(
    client: TestClient, empty_graph: Driver, settings: ApiSettings, extra: str
) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    before = fingerprint(empty_graph, settings)
    errors = _errors(contribute(client, key, CONTRIBUTION + extra))
    assert any("nothing would be read from it" in e["message"] for e in errors)
    assert fingerprint(empty_graph, settings) == before
    alone = contribute(client, key, extra)
    assert alone.status_code == 422  # never a silent 201 with nothing written


def test_a_partial_record_does_not_silently_remove_claims(
    client: TestClient, empty_graph: Driver, settings: ApiSettings
) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    assert contribute(client, key, CONTRIBUTION).status_code == 201
    before = fingerprint(empty_graph, settings)
    study_only = CONTRIBUTION.split("<http://data.test/id/evidence-claim/partner-claim> a")[0]
    study_only = study_only.replace(
        "    cg:hasClaim <http://data.test/id/evidence-claim/partner-claim> .", "    ."
    ).replace("theme-regeneration> ;\n    .", "theme-regeneration> .")
    [error] = _errors(contribute(client, key, study_only))
    assert error["location"] == f"{STUDY} cg:hasClaim"
    assert "partner-claim" in error["message"]
    assert fingerprint(empty_graph, settings) == before


def test_a_dry_run_answers_200_with_what_the_real_run_does(
    client: TestClient, empty_graph: Driver, settings: ApiSettings
) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    before = fingerprint(empty_graph, settings)
    dry = contribute(client, key, CONTRIBUTION, dry_run="true")
    assert dry.status_code == 200, dry.text
    assert dry.json()["load_id"] is None
    assert fingerprint(empty_graph, settings) == before
    real = contribute(client, key, CONTRIBUTION)
    assert real.status_code == 201
    assert dry.json()["counts"] == real.json()["counts"]
    assert real.json()["counts"]["nodes_created"] == 2
    # A new claim in place of the old: the old one's link and node go, and the dry run says so.
    replaced = CONTRIBUTION.replace("partner-claim", "partner-claim-2")
    middle = fingerprint(empty_graph, settings)
    dry = contribute(client, key, replaced, dry_run="true")
    assert fingerprint(empty_graph, settings) == middle
    real = contribute(client, key, replaced)
    assert dry.json()["counts"] == real.json()["counts"]
    assert real.json()["counts"]["links_removed"] == 1
    assert real.json()["counts"]["nodes_removed"] == 1


def test_shape_violations_name_focus_path_and_value_as_fields(
    client: TestClient, settings: ApiSettings
) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    broken = CONTRIBUTION.replace('cg:direction "positive"', 'cg:direction "great"')
    errors = _errors(contribute(client, key, broken))
    direction = next(e for e in errors if e["location"] == f"{CLAIM} cg:direction")
    assert direction["focus"] == CLAIM[1:-1]
    assert direction["path"] == "cg:direction"
    assert direction["value"] == "great"
    orphan = CONTRIBUTION.replace(
        "    cg:hasClaim <http://data.test/id/evidence-claim/partner-claim> .", "    ."
    ).replace("theme-regeneration> ;\n    .", "theme-regeneration> .")
    errors = _errors(contribute(client, key, orphan))
    assert any(e.get("path") == "^cg:hasClaim" for e in errors), errors
    assert "rdflib" not in str(errors)
    assert "URIRef" not in str(errors)


def test_a_refused_contribution_is_a_shacl_report_on_request(
    client: TestClient, settings: ApiSettings
) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    broken = CONTRIBUTION.replace('cg:direction "positive"', 'cg:direction "great"')
    response = client.post(
        "/contributions",
        content=broken.encode(),
        headers={
            "Content-Type": "text/turtle",
            "Accept": "text/turtle",
            "Authorization": f"Bearer {key}",
        },
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/turtle")
    report = Graph().parse(data=response.text, format="turtle")
    rows = report.query(
        """PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT ?focus ?path ?value WHERE {
            ?report a sh:ValidationReport ; sh:conforms false ; sh:result ?r .
            ?r a sh:ValidationResult ; sh:focusNode ?focus ; sh:resultPath ?path ;
               sh:value ?value ; sh:resultMessage ?message .
        }"""
    )
    assert (
        URIRef(CLAIM[1:-1]),
        URIRef("https://w3id.org/connects-graph/def#direction"),
        Literal("great"),
    ) in {(r[0], r[1], r[2]) for r in rows}  # type: ignore[index]
