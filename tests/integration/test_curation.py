"""Curation over HTTP: a curator grades and accepts a submission, which is then public with the
curator's grade (both grades kept) and the decision on its page; unauthorised attempts write
nothing."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from rdflib import Graph, Literal, Namespace, URIRef

from api.logs import JsonFormatter
from api.settings import ApiSettings
from graph import private
from graph.db import open_db
from graph.errors import Conflict
from graph.keys import ApiKey, Scope
from graph.private_labels import PrivateLabel
from loaders import curation, submissions
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


pytestmark = pytest.mark.member_workflow


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


def _loads(driver: Driver, settings: ApiSettings) -> int:
    records, _, _ = driver.execute_query(
        "MATCH (l:Load) RETURN count(l) AS n", database_=settings.database
    )
    return int(records[0]["n"])


def test_two_curators_accepting_at_once_write_one_load_and_the_other_gets_a_conflict(
    client: TestClient, settings: ApiSettings, sync_driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    receipt = submit(client).json()["receipt"]
    # The worst interleaving, made certain: both curators read the submission before either
    # writes, and their loads then run one after the other (at once, the engine's uniqueness
    # constraint would refuse the second study, hiding the race).
    real_get, real_load = private.get, submissions.load_record
    # Different grades, so neither load would be an idempotent repeat of the other's.
    decisions = [
        curation.Accept.model_validate(
            {
                "decision": "accept",
                "reason": "Checked.",
                "grades": [{**CURATOR_GRADE, "direction": direction}],
            }
        )
        for direction in ("positive", "mixed")
    ]
    curators = [
        ApiKey(id=f"k{i}", organisation=f"org-{i}", scope=Scope.CURATE, label="t", created_at="")
        for i in (1, 2)
    ]
    before = _loads(sync_driver, settings)

    async def both() -> list[curation.DecisionResult | BaseException]:
        read_both, one_load = asyncio.Barrier(2), asyncio.Lock()

        async def get(*args: Any, **kwargs: Any) -> Any:
            record = await real_get(*args, **kwargs)
            await read_both.wait()
            return record

        async def load(*args: Any, **kwargs: Any) -> Any:
            async with one_load:
                return await real_load(*args, **kwargs)

        monkeypatch.setattr(private, "get", get)
        monkeypatch.setattr("loaders.curation.load_record", load)
        async with open_db(settings) as db:
            return await asyncio.gather(
                *(
                    curation.decide(db, receipt, decision, key)
                    for decision, key in zip(decisions, curators, strict=True)
                ),
                return_exceptions=True,
            )

    outcomes = asyncio.run(both())
    monkeypatch.undo()
    won = [o for o in outcomes if isinstance(o, curation.DecisionResult)]
    lost = [o for o in outcomes if not isinstance(o, curation.DecisionResult)]
    assert len(won) == 1, outcomes
    assert [type(o) for o in lost] == [Conflict], outcomes
    assert _loads(sync_driver, settings) == before + 1  # the loser wrote nothing
    status = client.get(f"/submissions/{receipt}").json()
    assert status["status"] == "accepted"
    assert len(status["messages"]) == 1


def test_a_decision_cut_short_holds_its_claim_for_its_time_then_gives_it_back(
    client: TestClient, settings: ApiSettings, sync_driver: Driver, curator: str
) -> None:
    receipt = submit(client).json()["receipt"]

    async def claim_and_stop() -> None:  # a decision whose process stopped after its claim
        async with open_db(settings) as db:
            record = await private.get(db, PrivateLabel.SUBMISSION, receipt)
            await private.claim(db, PrivateLabel.SUBMISSION, record)

    asyncio.run(claim_and_stop())
    assert client.get(f"/submissions/{receipt}").json()["status"] == "submitted"
    problem(accept(client, curator, receipt), 409, "conflict")

    async def seen_as_abandoned() -> private.PrivateRecord:  # a stale view of a live claim
        async with open_db(settings) as db:
            record = await private.get(db, PrivateLabel.SUBMISSION, receipt)
            old = record.model_copy(update={"updated_at": "2020-01-01T00:00:00+00:00"})
            return await private.unclaimed(db, PrivateLabel.SUBMISSION, old)

    assert asyncio.run(seen_as_abandoned()).status == private.CLAIMED
    # Older than CLAIM_SECONDS: the next decision takes the submission back as it was.
    sync_driver.execute_query(
        f"MATCH (r:`{PrivateLabel.SUBMISSION}` {{id: $id}}) SET r.updated_at = $then",
        id=receipt,
        then="2020-01-01T00:00:00+00:00",
        database_=settings.database,
    )
    decided = accept(client, curator, receipt)
    assert decided.status_code == 200, decided.text
    status = client.get(f"/submissions/{receipt}").json()
    assert (status["status"], status["case_study"]) == ("accepted", decided.json()["case_study"])
    assert len(status["messages"]) == 1


def test_an_acceptance_stopped_as_it_records_its_load_publishes_nothing(
    client: TestClient,
    settings: ApiSettings,
    sync_driver: Driver,
    curator: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receipt = submit(client).json()["receipt"]
    auth = {"Authorization": f"Bearer {curator}"}
    queue = client.get("/curation/queue", params={"limit": 500}, headers=auth).json()["items"]
    study = next(item["case_study"]["id"] for item in queue if item["receipt"] == receipt)
    before = fingerprint(sync_driver, settings)
    real_move = private.move

    async def stopped(*args: Any, **kwargs: Any) -> None:
        # The process stops after the study's load has been written, as the decision is
        # recorded: the load and the record must stand or fall together.
        if kwargs["status"] == "accepted":
            raise RuntimeError("stopped")
        await real_move(*args, **kwargs)

    monkeypatch.setattr(private, "move", stopped)
    with pytest.raises(RuntimeError, match="stopped"):
        accept(client, curator, receipt)
    monkeypatch.undo()
    assert fingerprint(sync_driver, settings) == before
    problem(client.get(f"/nodes/{study}"), 404, "not-found")
    # Declined now, it stays unpublished (a load left behind would have stayed public).
    decline = {"decision": "decline", "reason": "Out of scope."}
    declined = client.post(f"/submissions/{receipt}/decisions", json=decline, headers=auth)
    assert declined.status_code == 200, declined.text
    assert client.get(f"/submissions/{receipt}").json()["status"] == "declined"
    problem(client.get(f"/nodes/{study}"), 404, "not-found")


def test_an_acceptance_whose_submission_moved_on_meanwhile_is_refused_with_its_load(
    client: TestClient,
    settings: ApiSettings,
    sync_driver: Driver,
    curator: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receipt = submit(client).json()["receipt"]
    auth = {"Authorization": f"Bearer {curator}"}
    queue = client.get("/curation/queue", params={"limit": 500}, headers=auth).json()["items"]
    study = next(item["case_study"]["id"] for item in queue if item["receipt"] == receipt)
    loads = _loads(sync_driver, settings)
    real_move = private.move

    async def moved_on_first(*args: Any, **kwargs: Any) -> None:
        # Between the load's writes and the record's move, the submission is decided elsewhere.
        sync_driver.execute_query(
            f"MATCH (r:`{PrivateLabel.SUBMISSION}` {{id: $id}}) SET r.status = 'declined'",
            id=receipt,
            database_=settings.database,
        )
        await real_move(*args, **kwargs)

    monkeypatch.setattr(private, "move", moved_on_first)
    problem(accept(client, curator, receipt), 409, "conflict")
    monkeypatch.undo()
    assert _loads(sync_driver, settings) == loads
    problem(client.get(f"/nodes/{study}"), 404, "not-found")


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
    cell = ("tec-remote-monitoring", "services")
    before = _cell(client, *cell)
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
    # The gap map shows its cell as being filled, with its evidence as it was.
    after = _cell(client, *cell)
    assert after["planned_evaluations"] == before["planned_evaluations"] + 1
    assert after["first_report_due"] <= "2027-03-31"
    assert after["being_filled"].startswith("being filled: ")
    assert after["case_studies"] == before["case_studies"]
    assert after["strength_distribution"] == before["strength_distribution"]


def _cell(client: TestClient, row: str, col: str) -> dict[str, Any]:
    gap = client.get("/evidence/gap-map", params={"outcome": col}).json()
    return next(c for c in gap["cells"] if (c["row"], c["col"]) == (row, col))


def test_a_curators_key_leaves_no_trace_in_the_logs(
    client: TestClient, curator: str, caplog: pytest.LogCaptureFixture
) -> None:
    """What the explorer's sign-in, queue and decisions send (the key in a header), and a key
    pasted into a URL by mistake: the log names the key by its id, never its secret."""
    _, key_id, secret = curator.split("_", 2)
    auth = {"Authorization": f"Bearer {curator}"}
    receipt = submit(client).json()["receipt"]
    with caplog.at_level(logging.INFO):
        assert client.get("/curation/queue", params={"limit": 1}, headers=auth).status_code == 200
        assert client.get("/curation/reports", headers=auth).status_code == 200
        bad = {"decision": "accept", "reason": "No grades.", "grades": []}
        refused = client.post(f"/submissions/{receipt}/decisions", json=bad, headers=auth)
        assert refused.status_code == 422
        # Refused (an unknown parameter) before the key is checked: logged, the key unnamed.
        assert client.get("/curation/queue", params={"key": curator}).status_code == 422
    # The server's records; the test client logs the URLs it fetched (which is why a key must
    # never be put in one: every client, proxy and browser history keeps them).
    server = [r for r in caplog.records if not r.name.startswith("httpx")]
    lines = [JsonFormatter().format(r) for r in server]
    assert len(lines) == 4
    assert sum(f'"key": "{key_id}"' in line for line in lines) == 3  # named by its id
    for line in lines:
        assert secret not in line
        assert curator not in line
