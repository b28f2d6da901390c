"""Curation over HTTP: a curator grades and accepts a submission, which is then public with the
curator's grade (both grades kept) and the decision on its page; unauthorised attempts write
nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from rdflib import Graph, Literal, Namespace, URIRef

from api.settings import ApiSettings
from graph.keys import Scope
from tests.helpers import (
    CURATOR_GRADE,
    SUBMISSION,
    accept,
    bindings,
    fingerprint,
    make_key,
    problem,
    submit,
)

CG = Namespace("https://w3id.org/connects-graph/def#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SPARQL_JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def served_data(everything: object) -> object:
    return everything


@pytest.fixture(scope="module")
def app_settings(settings: ApiSettings) -> ApiSettings:
    return settings.model_copy(update={"submission_rate_per_minute": 0})


@pytest.fixture(scope="module")
def curator(settings: ApiSettings, everything: object) -> str:
    return make_key(settings, Scope.CURATE, organisation="socitm")


@pytest.fixture(scope="module")
def accepted(client: TestClient, curator: str) -> dict[str, Any]:
    """One submission, accepted with the curator's (lower) grade."""
    receipt = submit(client).json()["receipt"]
    response = accept(client, curator, receipt)
    assert response.status_code == 200, response.text
    return {"receipt": receipt, **response.json()}


def _services(client: TestClient) -> dict[str, Any]:
    rows = client.get("/evidence", params={"outcome": "services", "limit": 200}).json()["items"]
    return {row["id"]: row for row in rows}


def test_the_queue_lists_open_submissions_with_contacts(client: TestClient, curator: str) -> None:
    receipt = submit(client).json()["receipt"]
    queue = client.get("/curation/queue", headers={"Authorization": f"Bearer {curator}"}).json()
    mine = [item for item in queue["items"] if item["receipt"] == receipt]
    assert mine[0]["contact"]["email"] == SUBMISSION["contact"]["email"]
    assert queue["total"] >= 1


def test_accepted_it_is_public_with_the_curators_grade(
    client: TestClient, accepted: dict[str, Any]
) -> None:
    study = accepted["case_study"]
    row = _services(client)[study]
    [claim] = row["claims"]
    assert claim["evidence_type"] == "internal-evaluation"  # the submitter said independent
    assert claim["level"] == "connects-level-2"
    assert claim["strength"] == 2
    works = client.get("/what-works", params={"outcome": "services", "limit": 200}).json()
    studies = {s["id"] for a in works["items"] for s in a["case_studies"]}
    assert study in studies
    gap = client.get("/evidence/gap-map", params={"outcome": "services"}).json()
    cell = next(
        c for c in gap["cells"] if c["row"] == "tec-remote-monitoring" and c["col"] == "services"
    )
    assert cell["case_studies"] >= 1
    assert client.get(f"/submissions/{accepted['receipt']}").json()["case_study"] == study


def test_both_grades_and_the_decision_are_on_the_page_and_in_the_rdf(
    client: TestClient, accepted: dict[str, Any], settings: ApiSettings
) -> None:
    study = accepted["case_study"]
    page = client.get(f"/doc/case-study/{study}", headers={"Accept": "text/html"}).text
    assert "Accepted by a curator" in page
    assert "Checked against the report." in page
    # Recorded in the one spelling of evidence types (their ids), whichever the submitter used.
    assert "independent-evaluation" in page  # the submitter's claim, kept
    assert "internal-evaluation" in page  # the curator's grade, published
    turtle = client.get(f"/doc/case-study/{study}.ttl").text
    graph = Graph().parse(data=turtle, format="turtle")
    base = settings.public_base_uri.rstrip("/")
    load = URIRef(f"{base}/id/load/{accepted['load_id']}")
    assert (load, PROV.generated, URIRef(f"{base}/id/case-study/{study}")) in graph
    assert (load, CG.reason, Literal("Checked against the report.")) in graph
    assert (load, PROV.wasAssociatedWith, URIRef(f"{base}/id/organisation/socitm")) in graph
    decisions = client.get(f"/nodes/{study}/decisions").json()
    assert decisions[0]["curator_grades"]
    assert decisions[0]["submitter_claims"]


def test_accepted_it_is_in_sparql_with_the_curators_grade(
    client: TestClient, accepted: dict[str, Any]
) -> None:
    query = f"""PREFIX cg: <https://w3id.org/connects-graph/def#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?level WHERE {{
  ?study dcterms:identifier "{accepted["case_study"]}" ; cg:hasClaim ?claim .
  ?claim cg:evidenceLevel ?l . ?l dcterms:identifier ?level }}"""
    response = client.get("/sparql", params={"query": query}, headers=SPARQL_JSON)
    assert [b["level"] for b in bindings(response)] == ["connects-level-2"]


def test_a_decided_submission_cannot_be_decided_again(
    client: TestClient, accepted: dict[str, Any], curator: str
) -> None:
    problem(accept(client, curator, accepted["receipt"]), 409, "conflict")


def test_request_changes_and_decline_tell_the_submitter(client: TestClient, curator: str) -> None:
    auth = {"Authorization": f"Bearer {curator}"}
    receipt = submit(client).json()["receipt"]
    asked = {"decision": "request_changes", "message": "Please link the evaluation report."}
    response = client.post(f"/submissions/{receipt}/decisions", json=asked, headers=auth)
    assert response.json()["status"] == "changes_requested"
    declined = {"decision": "decline", "reason": "Outside our scope.", "note": "secret note"}
    client.post(f"/submissions/{receipt}/decisions", json=declined, headers=auth)
    status = client.get(f"/submissions/{receipt}")
    assert status.json()["status"] == "declined"
    assert [m["text"] for m in status.json()["messages"]] == [
        "Please link the evaluation report.",
        "Outside our scope.",
    ]
    assert "secret note" not in status.text


@pytest.mark.parametrize("who", ["none", "contribute", "revoked", "junk"])
def test_curation_without_a_curate_key_is_refused_and_writes_nothing(
    client: TestClient, settings: ApiSettings, sync_driver: Driver, curator: str, who: str
) -> None:
    receipt = submit(client).json()["receipt"]
    headers = {}
    if who == "contribute":
        headers = {"Authorization": f"Bearer {make_key(settings, Scope.CONTRIBUTE)}"}
    elif who == "revoked":
        key = make_key(settings, Scope.CURATE)
        sync_driver.execute_query(
            "MATCH (k:ApiKey {id: $id}) SET k.revoked_at = '2020-01-01'",
            id=key.split("_")[1],
            database_=settings.database,
        )
        headers = {"Authorization": f"Bearer {key}"}
    elif who == "junk":
        headers = {"Authorization": "Bearer cgk_nosuch_secret"}
    before = fingerprint(sync_driver, settings)
    decision = {"decision": "decline", "reason": "no"}
    response = client.post(f"/submissions/{receipt}/decisions", json=decision, headers=headers)
    problem(
        response,
        403 if who == "contribute" else 401,
        "forbidden" if who == "contribute" else "unauthorised",
    )
    problem(
        client.get("/curation/queue", headers=headers),
        response.status_code,
        response.json()["type"].split("/")[-1],
    )
    assert fingerprint(sync_driver, settings) == before


def test_grades_that_do_not_fit_are_refused_located_and_nothing_is_written(
    client: TestClient, curator: str, settings: ApiSettings, sync_driver: Driver
) -> None:
    receipt = submit(client).json()["receipt"]
    auth = {"Authorization": f"Bearer {curator}"}
    before = fingerprint(sync_driver, settings)
    none = {"decision": "accept", "reason": "ok", "grades": []}
    body = problem(
        client.post(f"/submissions/{receipt}/decisions", json=none, headers=auth), 422, "invalid"
    )
    assert body["errors"][0]["location"] == "body.grades"
    too_strong = {
        "decision": "accept",
        "reason": "ok",
        "grades": [{"evidence_type": "news_report", "level": "connects-level-5"}],
    }
    response = client.post(f"/submissions/{receipt}/decisions", json=too_strong, headers=auth)
    problem(response, 422, "invalid")
    assert fingerprint(sync_driver, settings) == before
    assert client.get(f"/submissions/{receipt}").json()["status"] == "submitted"


def test_a_planned_evaluation_is_published_without_claims_with_its_status(
    client: TestClient, curator: str
) -> None:
    planned = {**SUBMISSION, "evaluation_status": "planned", "expected_report_date": "2027-03-31"}
    receipt = submit(client, planned).json()["receipt"]
    auth = {"Authorization": f"Bearer {curator}"}
    graded = {"decision": "accept", "reason": "Registered.", "grades": [CURATOR_GRADE]}
    response = client.post(f"/submissions/{receipt}/decisions", json=graded, headers=auth)
    problem(response, 422, "invalid")
    registered = {"decision": "accept", "reason": "Registered.", "grades": []}
    response = client.post(f"/submissions/{receipt}/decisions", json=registered, headers=auth)
    assert response.status_code == 200, response.text
    study = response.json()["case_study"]
    assert study not in _services(client)  # no findings yet: nothing counts as evidence
    page = client.get(f"/doc/case-study/{study}", headers={"Accept": "text/html"}).text
    assert "Evaluation planned, report expected 2027-03-31" in page
