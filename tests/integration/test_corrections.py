"""Reports of errors and their resolution over HTTP: a curator corrects a claim's grade by a load
with provenance, and the page says what changed, when and why; refusals write nothing; a backup
keeps keys, submissions, decisions and reports."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from rdflib import Graph
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from api.settings import ApiSettings
from cli.main import app as cli
from graph import private
from graph.db import Db, open_db
from graph.errors import Conflict
from graph.keys import ApiKey, Scope
from graph.private_labels import PrivateLabel
from loaders import corrections, submissions
from tests.helpers import (
    SUBMISSION,
    accept,
    app_client,
    clear,
    fingerprint,
    graph_env,
    make_key,
    problem,
    submit,
    without_dump_record,
)

pytestmark = pytest.mark.member_workflow


@pytest.fixture(scope="module")
def published(client: TestClient, curator: str) -> dict[str, Any]:
    receipt = submit(client).json()["receipt"]
    decided = accept(client, curator, receipt).json()
    return {"receipt": receipt, "study": decided["case_study"], "claim": decided["changed"][1]}


def _report(client: TestClient, **fields: Any) -> Any:
    return client.post("/reports", json={"message": "This looks wrong.", **fields})


def _claim(client: TestClient, study: str) -> dict[str, Any]:
    rows = client.get("/evidence", params={"outcome": "services", "limit": 200}).json()["items"]
    [claim] = next(r for r in rows if r["id"] == study)["claims"]
    return dict(claim)


def test_a_report_on_a_claim_is_corrected_and_the_page_says_so(
    client: TestClient, curator: str, published: dict[str, Any]
) -> None:
    claim = published["claim"]
    assert _claim(client, published["study"])["direction"] == "positive"
    response = _report(
        client, statement=claim, aspect="direction", suggested_value="mixed", contact="a@b.example"
    )
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["status"] == "open"
    assert "contact" not in report
    auth = {"Authorization": f"Bearer {curator}"}
    listed = client.get("/curation/reports", headers=auth).json()["items"]
    assert any(r["report"]["id"] == report["id"] and r["contact"] for r in listed)
    fix = {
        "resolution": "corrected",
        "reason": "The report says results were mixed.",
        "value": "mixed",
    }
    resolved = client.post(f"/reports/{report['id']}/resolution", json=fix, headers=auth)
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "corrected"
    assert _claim(client, published["study"])["direction"] == "mixed"
    page = client.get(f"/doc/case-study/{published['study']}", headers={"Accept": "text/html"})
    assert "Correction" in page.text
    assert "The report says results were mixed." in page.text
    assert "direction: positive → mixed" in page.text
    assert client.get(f"/reports/{report['id']}").json()["resolution"]["reason"] == fix["reason"]
    problem(
        client.post(f"/reports/{report['id']}/resolution", json=fix, headers=auth), 409, "conflict"
    )


def test_a_report_kept_says_why(
    client: TestClient, curator: str, published: dict[str, Any]
) -> None:
    report = _report(client, statement=published["study"], field="title").json()
    kept = {"resolution": "kept", "reason": "The title is the council's own."}
    auth = {"Authorization": f"Bearer {curator}"}
    resolved = client.post(f"/reports/{report['id']}/resolution", json=kept, headers=auth).json()
    assert resolved["status"] == "kept"
    assert resolved["resolution"]["reason"] == kept["reason"]


def test_two_corrections_of_one_study_at_once_do_not_undo_each_other(
    client: TestClient, curator: str, published: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    study = published["study"]
    auth = {"Authorization": f"Bearer {curator}"}
    title = _report(client, statement=study, field="title").json()
    summary = _report(client, statement=study, field="summary").json()
    new_title = {"resolution": "corrected", "reason": "The council's title.", "value": "Homes"}
    new_summary = {"resolution": "corrected", "reason": "As reported.", "value": "Sensors."}
    # The second correction comes while the first is loading, with the study as it was read.
    meanwhile: list[Exception] = []
    load_record = submissions.load_record

    async def loading(db: Db, *args: Any, **kwargs: Any) -> str | None:
        if not meanwhile:
            meanwhile.append(AssertionError("the second correction went through"))
            other = ApiKey(
                id="k", organisation="socitm", scope=Scope.CURATE, label="t", created_at="now"
            )
            body = corrections.Resolution.model_validate(new_summary)
            try:
                await corrections.resolve(db, summary["id"], body, other)
            except Conflict as e:
                meanwhile[0] = e
        return await load_record(db, *args, **kwargs)

    monkeypatch.setattr(corrections, "load_record", loading)
    resolved = client.post(f"/reports/{title['id']}/resolution", json=new_title, headers=auth)
    assert resolved.status_code == 200, resolved.text
    [refused] = meanwhile
    assert isinstance(refused, Conflict), refused
    assert "being changed by another curator" in str(refused)
    monkeypatch.undo()
    # Refused, the second report is open again; resolved now, it keeps the first's change.
    assert client.get(f"/reports/{summary['id']}").json()["status"] == "open"
    resolved = client.post(f"/reports/{summary['id']}/resolution", json=new_summary, headers=auth)
    assert resolved.status_code == 200, resolved.text
    node = client.get(f"/nodes/{study}").json()["properties"]
    assert (node["name"], node["description"]) == ("Homes", "Sensors.")
    assert client.get(f"/submissions/{published['receipt']}").json()["case_study"] == study


def test_a_resolution_cut_short_holds_its_claim_for_its_time_then_gives_it_back(
    client: TestClient,
    curator: str,
    published: dict[str, Any],
    settings: ApiSettings,
    sync_driver: Driver,
) -> None:
    report = _report(client, statement=published["study"], field="title").json()

    async def claim_and_stop() -> None:  # a resolution whose process stopped after its claim
        async with open_db(settings) as db:
            record = await private.get(db, PrivateLabel.REPORT, report["id"])
            await private.claim(db, PrivateLabel.REPORT, record)

    asyncio.run(claim_and_stop())
    kept = {"resolution": "kept", "reason": "The title is the council's own."}
    auth = {"Authorization": f"Bearer {curator}"}
    url = f"/reports/{report['id']}/resolution"
    problem(client.post(url, json=kept, headers=auth), 409, "conflict")
    assert client.get(f"/reports/{report['id']}").json()["status"] == "open"
    sync_driver.execute_query(
        f"MATCH (r:`{PrivateLabel.REPORT}` {{id: $id}}) SET r.updated_at = $then",
        id=report["id"],
        then="2020-01-01T00:00:00+00:00",
        database_=settings.database,
    )
    resolved = client.post(url, json=kept, headers=auth)
    assert resolved.status_code == 200, resolved.text
    assert client.get(f"/reports/{report['id']}").json()["status"] == "kept"


def test_a_correction_stopped_as_it_records_its_load_changes_nothing(
    client: TestClient,
    curator: str,
    published: dict[str, Any],
    settings: ApiSettings,
    sync_driver: Driver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    study = published["study"]
    report = _report(client, statement=study, field="title").json()
    fix = {"resolution": "corrected", "reason": "The council's title.", "value": "Renamed"}
    before = fingerprint(sync_driver, settings)
    real_move = private.move

    async def stopped(db: Any, label: PrivateLabel, *args: Any, **kwargs: Any) -> None:
        # The process stops after the corrected study and its submission are written, as the
        # report is resolved: the three stand or fall together.
        if label is PrivateLabel.REPORT:
            raise RuntimeError("stopped")
        await real_move(db, label, *args, **kwargs)

    monkeypatch.setattr(private, "move", stopped)
    auth = {"Authorization": f"Bearer {curator}"}
    url = f"/reports/{report['id']}/resolution"
    with pytest.raises(RuntimeError, match="stopped"):
        client.post(url, json=fix, headers=auth)
    monkeypatch.undo()
    assert fingerprint(sync_driver, settings) == before
    assert client.get(f"/nodes/{study}").json()["properties"]["name"] != "Renamed"
    assert client.get(f"/reports/{report['id']}").json()["status"] == "open"
    resolved = client.post(url, json=fix, headers=auth)
    assert resolved.status_code == 200, resolved.text
    assert client.get(f"/nodes/{study}").json()["properties"]["name"] == "Renamed"


def test_bundled_data_is_corrected_in_its_files_not_here(
    client: TestClient, curator: str, settings: ApiSettings, sync_driver: Driver
) -> None:
    study = "gloucester-ransomware-recovery-2021"
    report = _report(client, statement=study, field="year").json()
    before = fingerprint(sync_driver, settings)
    fix = {"resolution": "corrected", "reason": "r", "value": 2022}
    auth = {"Authorization": f"Bearer {curator}"}
    problem(
        client.post(f"/reports/{report['id']}/resolution", json=fix, headers=auth), 409, "conflict"
    )
    assert fingerprint(sync_driver, settings) == before


BAD_REPORTS = [
    ({"statement": "no-such-node", "field": "title"}, "body.statement"),
    ({"statement": "gloucester-ransomware-recovery-2021", "field": "colour"}, "body.field"),
    ({"statement": "gloucester-ransomware-recovery-2021", "aspect": "level"}, "body.field"),
    ({"statement": "Not A Slug", "field": "title"}, "body.statement"),
    ({"statement": "gloucester-ransomware-recovery-2021", "field": "title", "x": 1}, "body.x"),
]


@pytest.mark.parametrize(("fields", "location"), BAD_REPORTS)
def test_a_bad_report_is_refused_located_and_nothing_is_stored(
    client: TestClient,
    settings: ApiSettings,
    sync_driver: Driver,
    fields: dict[str, Any],
    location: str,
) -> None:
    before = fingerprint(sync_driver, settings)
    response = _report(client, **fields)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["location"] == location
    assert fingerprint(sync_driver, settings) == before


def test_reports_have_a_honeypot_and_a_rate_limit(
    client: TestClient, settings: ApiSettings, sync_driver: Driver
) -> None:
    study = "gloucester-ransomware-recovery-2021"
    before = fingerprint(sync_driver, settings)
    trap = _report(client, statement=study, field="title", website="x")
    problem(trap, 400, "honeypot")
    assert fingerprint(sync_driver, settings) == before
    with app_client(settings, submission_rate_per_minute=1, submission_rate_burst=1) as limited:
        assert _report(limited, statement=study, field="title").status_code == 201
        before = fingerprint(sync_driver, settings)
        problem(_report(limited, statement=study, field="title"), 429, "rate-limited")
        assert fingerprint(sync_driver, settings) == before


def test_resolving_needs_a_curate_key(
    client: TestClient, settings: ApiSettings, sync_driver: Driver
) -> None:
    report = _report(client, statement="gloucester-ransomware-recovery-2021", field="title").json()
    contributor = {"Authorization": f"Bearer {make_key(settings, Scope.CONTRIBUTE)}"}
    before = fingerprint(sync_driver, settings)
    kept = {"resolution": "kept", "reason": "no"}
    url = f"/reports/{report['id']}/resolution"
    problem(client.post(url, json=kept), 401, "unauthorised")
    problem(client.post(url, json=kept, headers=contributor), 403, "forbidden")
    problem(client.get("/curation/reports", headers=contributor), 403, "forbidden")
    assert fingerprint(sync_driver, settings) == before


def _private(driver: Driver, settings: ApiSettings) -> list[str]:
    """Every key and private record, exactly as stored."""
    records, _, _ = driver.execute_query(
        "MATCH (n) WHERE n:ApiKey OR n:Submission OR n:ErrorReport "
        "RETURN labels(n) AS l, properties(n) AS p",
        database_=settings.database,
    )
    return sorted(json.dumps(r.data(), sort_keys=True) for r in records)


def _public(client: TestClient) -> Graph:
    """The published graph, decisions' provenance included."""
    text = client.get("/export", params={"format": "nt"}).text
    return without_dump_record(Graph().parse(data=text, format="nt"))


def test_a_backup_keeps_keys_submissions_decisions_and_reports(
    client: TestClient,
    curator: str,
    published: dict[str, Any],
    settings: ApiSettings,
    sync_driver: Driver,
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    _report(client, statement=published["study"], field="summary")
    # A planned evaluation, accepted: its status, date and planned outcomes are kept too.
    planned = {**SUBMISSION, "evaluation_status": "planned", "expected_report_date": "2027-03-31"}
    registered = {"decision": "accept", "reason": "Registered.", "grades": []}
    response = client.post(
        f"/submissions/{submit(client, planned).json()['receipt']}/decisions",
        json=registered,
        headers={"Authorization": f"Bearer {curator}"},
    )
    assert response.status_code == 200, response.text
    gap = client.get("/evidence/gap-map", params={"outcome": "services"}).json()
    assert any(c["planned_evaluations"] for c in gap["cells"])
    before = _private(sync_driver, settings), _public(client)
    decided = client.get(f"/nodes/{published['study']}/decisions").json()
    target = tmp_path / "graph.nt"
    assert runner.invoke(cli, ["backup", str(target)], env=graph_env(settings)).exit_code == 0
    assert "pat@testshire" in (tmp_path / "graph.nt.private.jsonl").read_text()
    clear(sync_driver, settings)
    result = runner.invoke(cli, ["restore", str(target)], env=graph_env(settings))
    assert result.exit_code == 0, result.output
    assert _private(sync_driver, settings) == before[0]
    assert isomorphic(_public(client), before[1])
    assert client.get(f"/nodes/{published['study']}/decisions").json() == decided
    assert client.get("/evidence/gap-map", params={"outcome": "services"}).json() == gap
    # The restored key still works; the restored submission and its decision are still there.
    auth = {"Authorization": f"Bearer {curator}"}
    assert client.get("/curation/reports", headers=auth).status_code == 200
    status = client.get(f"/submissions/{published['receipt']}").json()
    assert status["status"] == "accepted"
    decisions = client.get(f"/nodes/{published['study']}/decisions").json()
    assert decisions[0]["activity"] == "curation-decision"
