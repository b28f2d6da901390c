"""Members' submissions over HTTP: validated like a curator's file, bounded, kept private."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from api.settings import ApiSettings
from tests.helpers import SUBMISSION, app_client, fingerprint, problem, submit

pytestmark = pytest.mark.member_workflow


def test_a_submission_gets_a_receipt_and_a_status_page(client: TestClient) -> None:
    response = submit(client)
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert receipt["status"] == "submitted"
    assert response.headers["location"] == receipt["status_url"]
    status = client.get(receipt["status_url"]).json()
    assert status["status"] == "submitted"
    assert status["title"] == SUBMISSION["case_study"]["title"]
    assert "contact" not in status
    assert "pat@testshire" not in str(status)
    page = client.get(receipt["status_url"], headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert "submitted" in page.text
    assert "pat@testshire" not in page.text


def test_a_csv_row_is_accepted_too(client: TestClient) -> None:
    csv = (
        "title,organisation,summary,outcomes,interventions,evidence_type,source_url,"
        "contact_name,contact_email\n"
        "Hubs,Anytown Council,Help in libraries,Inclusion,tec-remote-monitoring,"
        "internal_evaluation,https://example.org/hubs,A. Officer,officer@anytown.example\n"
    )
    response = client.post("/submissions", content=csv, headers={"Content-Type": "text/csv"})
    assert response.status_code == 201, response.text


def test_nothing_submitted_is_public(client: TestClient) -> None:
    submit(client)
    title = SUBMISSION["case_study"]["title"]
    assert title not in client.get("/search", params={"q": "Testshire"}).text
    assert "Testshire" not in client.get("/export", params={"format": "nt"}).text
    assert "Testshire" not in client.get("/evidence", params={"limit": 200}).text
    assert "Testshire" not in client.get("/nodes", params={"kind": "CaseStudy", "limit": 200}).text
    query = "SELECT ?s WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), 'Testshire')) }"
    sparql = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert sparql.json()["results"]["bindings"] == []


def _with(path: list[str | int], value: Any) -> dict[str, Any]:
    body = copy.deepcopy(SUBMISSION)
    target: Any = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return body


BAD = [
    (["case_study", "title"], "", "body.case_study.title"),
    (["case_study", "source_urls"], ["not a url"], "body.case_study.source_urls.0"),
    (["case_study", "interventions"], ["no such approach"], "body.case_study.interventions"),
    (["case_study", "evidence", 0, "outcome"], "Servces", "body.case_study.evidence"),
    (
        ["case_study", "evidence", 0, "evidence_type"],
        "rumour",
        "body.case_study.evidence.0.evidence_type",
    ),
    (["case_study", "id"], "my-own-id", "body.case_study.id"),
    (["contact", "email"], "not-an-address", "body.contact.email"),
    (["evaluation_status"], "planned", "body.expected_report_date"),
    (["surprise"], 1, "body.surprise"),
]


@pytest.mark.parametrize(("path", "value", "location"), BAD)
def test_a_bad_submission_is_refused_located_and_nothing_is_stored(
    client: TestClient,
    sync_driver: Driver,
    settings: ApiSettings,
    path: list[str | int],
    value: Any,
    location: str,
) -> None:
    before = fingerprint(sync_driver, settings)
    body = problem(submit(client, _with(path, value)), 422, "invalid-submission")
    assert any(e["location"].startswith(location) for e in body["errors"]), body
    assert fingerprint(sync_driver, settings) == before


def test_every_problem_is_located_in_one_answer(client: TestClient) -> None:
    body = _with(["contact", "email"], "not-an-address")
    body["case_study"] = {**body["case_study"], "title": "", "year": "next year"}
    errors = problem(submit(client, body), 422, "invalid-submission")["errors"]
    located = {e["location"] for e in errors}
    assert {"body.contact.email", "body.case_study.title", "body.case_study.year"} <= located


def test_a_filled_honeypot_is_refused_and_nothing_is_stored(
    client: TestClient, sync_driver: Driver, settings: ApiSettings
) -> None:
    before = fingerprint(sync_driver, settings)
    body = problem(submit(client, {**SUBMISSION, "website": "http://spam"}), 400, "honeypot")
    assert body["errors"][0]["location"] == "body.website"
    assert fingerprint(sync_driver, settings) == before


def test_an_oversize_or_foreign_body_is_refused(
    client: TestClient, sync_driver: Driver, settings: ApiSettings
) -> None:
    before = fingerprint(sync_driver, settings)
    huge = _with(["case_study", "summary"], "x" * (settings.submission_max_bytes + 1))
    problem(submit(client, huge), 413, "too-large")
    problem(
        client.post("/submissions", content=b"<x/>", headers={"Content-Type": "text/xml"}),
        415,
        "unsupported-media-type",
    )
    problem(
        client.post("/submissions", content=b"{", headers={"Content-Type": "application/json"}),
        422,
        "invalid-submission",
    )
    assert fingerprint(sync_driver, settings) == before


def test_submissions_are_rate_limited_per_address(
    settings: ApiSettings, sync_driver: Driver
) -> None:
    with app_client(settings, submission_rate_per_minute=1, submission_rate_burst=1) as client:
        assert submit(client).status_code == 201
        before = fingerprint(sync_driver, settings)
        response = submit(client)
        problem(response, 429, "rate-limited")
        assert int(response.headers["retry-after"]) >= 1
        assert fingerprint(sync_driver, settings) == before


def test_an_unknown_receipt_is_404(client: TestClient) -> None:
    problem(client.get("/submissions/snosuch"), 404, "not-found")


@pytest.mark.parametrize(
    "statement",
    [
        "MATCH (s:Submission) RETURN s",
        "MATCH (r:ErrorReport) RETURN r",
        "MATCH (n) WHERE NOT n:Entity RETURN n",
        "MATCH (n) WHERE n.doc IS NOT NULL RETURN n.doc AS d",
    ],
)
def test_researchers_cypher_cannot_read_submissions(client: TestClient, statement: str) -> None:
    submit(client)
    response = client.post("/cypher", json={"query": statement})
    assert response.status_code in (200, 403, 422), response.text
    assert "pat@testshire" not in response.text
    assert SUBMISSION["case_study"]["title"] not in response.text


def _sent_back(client: TestClient, curator: str) -> dict[str, Any]:
    """A new submission's receipt (with its edit token), sent back for changes."""
    receipt = submit(client).json()
    asked = {"decision": "request_changes", "message": "Please link the evaluation report."}
    response = client.post(
        f"/submissions/{receipt['receipt']}/decisions",
        json=asked,
        headers={"Authorization": f"Bearer {curator}"},
    )
    assert response.json()["status"] == "changes_requested", response.text
    return dict(receipt)


def _revise(client: TestClient, receipt: str, body: Any, token: str | None) -> Any:
    headers = {} if token is None else {"X-Edit-Token": token}
    return client.put(f"/submissions/{receipt}", json=body, headers=headers)


def test_a_submission_sent_back_is_revised_with_its_token_and_returns_to_the_queue(
    client: TestClient, curator: str
) -> None:
    sent = _sent_back(client, curator)
    revised = copy.deepcopy(SUBMISSION)
    revised["case_study"]["title"] = "Remote monitoring pilot in Testshire, with its report"
    revised["case_study"]["source_urls"].append("https://example.org/testshire-report")
    response = _revise(client, sent["receipt"], revised, sent["edit_token"])
    assert response.status_code == 200, response.text
    status = client.get(sent["status_url"]).json()
    assert status["status"] == "submitted"
    assert status["title"] == revised["case_study"]["title"]
    assert [m["text"] for m in status["messages"]] == ["Please link the evaluation report."]
    assert len(status["revised_at"]) == 1
    assert "edit_token" not in response.text  # given once, with the receipt
    queue = client.get("/curation/queue", headers={"Authorization": f"Bearer {curator}"}).json()
    [item] = [i for i in queue["items"] if i["receipt"] == sent["receipt"]]
    [replaced] = item["revisions"]
    assert replaced["case_study"]["title"] == SUBMISSION["case_study"]["title"]
    assert replaced["case_study"]["id"] == item["case_study"]["id"]  # the study keeps its id
    assert item["case_study"]["source_urls"][-1] == "https://example.org/testshire-report"
    # Back in the queue, it cannot be revised again until the curators send it back again.
    again = _revise(client, sent["receipt"], revised, sent["edit_token"])
    assert problem(again, 409, "not-revisable")["errors"][0]["location"] == "path.receipt"


@pytest.mark.parametrize("case", ["no token", "receipt as token", "other token", "bad body"])
def test_a_refused_revision_is_located_and_writes_nothing(
    client: TestClient, curator: str, settings: ApiSettings, sync_driver: Driver, case: str
) -> None:
    sent = _sent_back(client, curator)
    other = submit(client).json()["edit_token"]
    token = {
        "no token": None,
        "receipt as token": sent["receipt"],  # the receipt alone, from a status page's URL
        "other token": other,
    }.get(case, sent["edit_token"])
    body = copy.deepcopy(SUBMISSION)
    if case == "bad body":
        body["case_study"]["evidence"][0]["outcome"] = "no such outcome at all"
    before = fingerprint(sync_driver, settings)
    response = _revise(client, sent["receipt"], body, token)
    if case == "bad body":
        errors = problem(response, 422, "invalid-submission")["errors"]
        assert errors[0]["location"].startswith("body.case_study")
    else:
        errors = problem(response, 403, "edit-token-refused")["errors"]
        assert errors[0]["location"] == "header.X-Edit-Token"
    assert fingerprint(sync_driver, settings) == before
    assert client.get(sent["status_url"]).json()["status"] == "changes_requested"


def test_a_submission_not_sent_back_cannot_be_revised(client: TestClient, curator: str) -> None:
    sent = submit(client).json()
    response = _revise(client, sent["receipt"], SUBMISSION, sent["edit_token"])
    body = problem(response, 409, "not-revisable")
    assert "submitted" in body["detail"]
    problem(_revise(client, "snosuchreceipt", SUBMISSION, sent["edit_token"]), 404, "not-found")
