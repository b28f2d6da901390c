"""Issue 17's "done when", in a real browser against the real engine: a member shares a case
study through the explorer's form; it is not public until a curator, signed in with a key,
grades and accepts it; then it is everywhere (evidence, what works, the gap map, RDF, SPARQL)
with the curator's grade and the decision on its page; someone reports an error in one claim,
the curator corrects it, the page says so, `as_of` still answers with the old grade, and the
Atom feed lists both events. Bad submissions and refused keys write nothing.

The browser does what people do; httpx checks what is not about the page.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2
import pytest
from neo4j import Driver
from playwright.sync_api import Page, expect
from rdflib import Graph, Namespace, URIRef

from api.settings import ApiSettings
from graph.keys import Scope
from tests.helpers import AXE, bindings, fingerprint, make_key, needed, screenshot

CG = Namespace("https://w3id.org/connects-graph/def#")
ATOM = "{http://www.w3.org/2005/Atom}"
TITLE = "Falls sensors in Browsershire"
SPARQL_JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def live_settings(settings: ApiSettings) -> ApiSettings:
    # One flow sends several stories and reports from one address: the limit has its own tests.
    return settings.model_copy(update={"submission_rate_per_minute": 0})


@pytest.fixture(scope="module")
def curator_key(live_api: str, settings: ApiSettings) -> str:
    # Playwright's sync API holds this thread's event loop; the key is made on another thread.
    with ThreadPoolExecutor(1) as staff:
        return staff.submit(make_key, settings, Scope.CURATE, "socitm").result()


def fill_story(page: Page, *, title: str = TITLE, email: str = "pat@browsershire.example") -> None:
    """What a council officer types into "Share your story"."""
    page.goto("/explore?view=share")
    expect(page.get_by_role("heading", level=1)).to_have_text("Share your story")
    page.get_by_label("A short title").fill(title)
    page.get_by_label("What did you do, and why?").fill(
        "Sensors in 150 homes told carers when someone had fallen."
    )
    # An approach, chosen from the graph's own list.
    page.get_by_label("Technology-enabled care and remote monitoring").check()
    page.get_by_label("The organisation that led it").fill("Browsershire County Council")
    page.get_by_label("Who worked with you").fill("Browsershire NHS Trust")
    page.get_by_label("Where", exact=True).fill("Browsershire")
    page.get_by_label("The year it started").fill("2024")
    page.get_by_label("Which outcome did it advance?").select_option(label="Services")
    page.get_by_label("How was it evaluated? (your own view)").select_option(
        "independent-evaluation"
    )
    page.get_by_label("What did you find?").select_option("positive")
    page.get_by_label("Results, in your own words and figures").fill("40% fewer long lies")
    page.get_by_label("Sources", exact=True).fill("https://example.org/browsershire-falls")
    page.get_by_label("Your name").fill("Pat Officer")
    page.get_by_label("Your email").fill(email)


def as_json(api: httpx2.Client, path: str, **params: Any) -> Any:
    response = api.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def services(api: httpx2.Client, **params: Any) -> dict[str, Any]:
    rows = as_json(api, "/evidence", outcome="services", limit=200, **params)["items"]
    return {row["id"]: row for row in rows}


def sign_in(page: Page, key: str) -> None:
    page.goto("/explore?view=curate")
    page.get_by_label("Your curator key").fill(key)
    page.get_by_role("button", name="Sign in").click()


def test_a_story_is_shared_graded_published_reported_and_corrected(
    page: Page,
    api: httpx2.Client,
    curator_key: str,
    settings: ApiSettings,
    sync_driver: Driver,
) -> None:
    # A member shares a story: a receipt and a status page, and nothing public.
    fill_story(page)
    page.get_by_role("button", name="Send your story").click()
    expect(page.locator("#receipt-heading")).to_be_focused()
    receipt = page.locator(".receipt-id").inner_text()
    assert re.fullmatch(r"s[0-9a-f]{20}", receipt)
    page.get_by_role("link", name="Its status page").click()
    expect(page.locator("main")).to_contain_text("submitted")
    expect(page.locator("main")).to_contain_text("Nothing you submit is public")
    page.go_back()
    assert TITLE not in api.get("/evidence", params={"q": "Browsershire"}).text
    assert as_json(api, "/search", q="Browsershire", mode="keyword") == []
    queued = api.get("/curation/queue", headers={"Authorization": f"Bearer {curator_key}"})
    study = next(i for i in queued.json()["items"] if i["receipt"] == receipt)["case_study"]["id"]
    page.watch.expected.append("404")  # type: ignore[attr-defined]
    assert api.get(f"/nodes/{study}").status_code == 404
    assert api.get(f"/doc/case-study/{study}").status_code == 404

    # A curator signs in (the key in a header only), grades the claim lower, and accepts.
    sign_in(page, curator_key)
    expect(page.get_by_role("heading", level=1)).to_have_text("Curators’ work")
    assert axe_problems(page) == []
    page.locator(f'[data-receipt="{receipt}"] a').click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".submitter-claim")).to_contain_text("Independent evaluation")
    assert axe_problems(page) == []
    page.get_by_label("Type of evidence (your grade)").select_option("internal-evaluation")
    page.get_by_label("Level (your grade)").select_option("connects-level-2")
    page.get_by_label("Direction (your grade)").select_option("positive")
    page.get_by_label("Why (public, shown with the case study)").fill(
        "The council's own evaluation, not an independent one."
    )
    page.get_by_role("button", name="Accept and publish").click()
    expect(page.locator("#decided-heading")).to_have_text("Accepted and published")
    expect(page.locator("#decided-heading")).to_be_focused()
    accepted_load = as_json(api, f"/nodes/{study}/decisions")[0]["load_id"]

    # Public now, everywhere, with the curator's grade.
    [claim] = services(api)[study]["claims"]
    assert (claim["evidence_type"], claim["level"], claim["strength"]) == (
        "internal-evaluation",
        "connects-level-2",
        2,
    )
    works = as_json(api, "/what-works", outcome="services", limit=200)
    assert study in {s["id"] for a in works["items"] for s in a["case_studies"]}
    gap = as_json(api, "/evidence/gap-map", outcome="services")
    cell = next(
        c for c in gap["cells"] if c["row"] == "tec-remote-monitoring" and c["col"] == "services"
    )
    assert cell["case_studies"] >= 1
    base = settings.public_base_uri.rstrip("/")
    turtle = api.get(f"/doc/evidence-claim/{claim['id']}.ttl").text
    rdf = Graph().parse(data=turtle, format="turtle")
    claim_uri = URIRef(f"{base}/id/evidence-claim/{claim['id']}")
    level_2 = URIRef(f"{base}/id/evidence-level/connects-level-2")
    assert (claim_uri, CG.evidenceLevel, level_2) in rdf
    assert sparql_level(api, study) == ["connects-level-2"]
    page.goto(f"/doc/case-study/{study}")
    expect(page.locator("main")).to_contain_text("Accepted by a curator")
    expect(page.locator("main")).to_contain_text("not an independent one")
    expect(page.locator("main")).to_contain_text("internal-evaluation, connects-level-2, positive")

    # Someone reports an error in the claim, from the case study's page in the explorer.
    page.goto(f"/explore?view=node&id={study}")
    expect(page.locator(".decisions")).to_contain_text("Accepted by a curator")
    page.get_by_role("link", name="Report a problem with this claim").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.get_by_label("What is wrong with this claim?").select_option("level")
    page.get_by_label("What is wrong, in your words").fill(
        "The report is the service's own account: it is self-reported."
    )
    page.get_by_label("What it should say (if you know)").fill("connects-level-1")
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator("#sent-heading")).to_be_focused()
    report = page.locator(".report-id").inner_text()

    # The curator corrects it (still signed in, in this tab).
    page.goto("/explore?view=curate")
    item = page.locator(f'[data-report="{report}"]')
    expect(item).to_contain_text("self-reported")
    item.get_by_label("Corrected: publish the new value").check()
    expect(item.get_by_label("The new value (for a correction)")).to_have_value("connects-level-1")
    item.get_by_label("Why (public)").fill("Its only source is the council's own account.")
    item.get_by_role("button", name="Resolve").click()
    expect(item.locator(".change")).to_contain_text("level: connects-level-2 → connects-level-1")

    # The page says what changed, when and why; the past still answers with the old grade.
    page.goto(f"/doc/case-study/{study}")
    notice = page.locator("p.corrected")
    expect(notice).to_contain_text("Corrected on")
    expect(notice).to_contain_text("level: connects-level-2 → connects-level-1")
    expect(notice).to_contain_text("Its only source is the council's own account.")
    report_link = page.get_by_role("link", name="Report a problem with this page")
    expect(report_link).to_have_attribute("href", f"/explore?view=report&statement={study}")
    page.goto(f"/explore?view=node&id={study}")
    expect(page.locator(".corrected-note")).to_contain_text("connects-level-1")
    expect(page.locator("#main")).to_have_attribute("aria-busy", "false")
    assert axe_problems(page) == []
    assert services(api)[study]["claims"][0]["strength"] == 1
    assert services(api, as_of=accepted_load)[study]["claims"][0]["strength"] == 2
    past = as_json(api, f"/nodes/{claim['id']}", as_of=accepted_load)
    assert past["properties"]["strength"] == 2
    assert as_json(api, f"/nodes/{claim['id']}")["properties"]["strength"] == 1
    assert sparql_level(api, study) == ["connects-level-1"]

    # The feed lists both events.
    corrected_load = as_json(api, f"/reports/{report}")["resolution"]["load_id"]
    feed = ET.fromstring(api.get("/changes.atom").content)  # noqa: S314 - our own response
    entry_ids = {e.findtext(f"{ATOM}id") for e in feed.findall(f"{ATOM}entry")}
    assert f"{base}/changes/{accepted_load}/{study}" in entry_ids
    assert f"{base}/changes/{corrected_load}/{claim['id']}" in entry_ids

    # The key never reached a URL the page asked for.
    assert not [u for u in page.watch.requests if curator_key in u]  # type: ignore[attr-defined]
    screenshot(page, "share-corrected-case-study")


def sparql_level(api: httpx2.Client, study: str) -> list[str]:
    query = f"""PREFIX cg: <https://w3id.org/connects-graph/def#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?level WHERE {{
  ?study dcterms:identifier "{study}" ; cg:hasClaim ?claim .
  ?claim cg:evidenceLevel ?l . ?l dcterms:identifier ?level }}"""
    response = api.get("/sparql", params={"query": query}, headers=SPARQL_JSON)
    return [b["level"] for b in bindings(response)]


def test_a_bad_story_shows_located_errors_and_writes_nothing(
    page: Page, api: httpx2.Client, settings: ApiSettings, sync_driver: Driver
) -> None:
    page.watch.expected.append("422")  # type: ignore[attr-defined]
    before = fingerprint(sync_driver, settings)
    fill_story(page, title="", email="not an email")
    page.get_by_label("The year it started").fill("next year")
    page.get_by_role("button", name="Send your story").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Your story was not sent")
    for label in ("A short title", "Your email", "The year it started"):
        control = page.get_by_label(label)
        expect(control).to_have_attribute("aria-invalid", "true")
        # The error is read with its control, and the summary links to it.
        error_id = control.get_attribute("aria-describedby").split()[-1]  # type: ignore[union-attr]
        expect(page.locator(f"#{error_id}")).to_have_class("field-error")
        expect(summary.locator(f'a[href="#{control.get_attribute("id")}"]')).to_be_visible()
    summary.get_by_role("link", name=re.compile("^Your email")).click()
    expect(page.get_by_label("Your email")).to_be_focused()
    assert axe_problems(page) == []  # the errors, as shown, are accessible too
    assert fingerprint(sync_driver, settings) == before
    expect(page.locator(".receipt")).to_have_count(0)


def test_a_planned_evaluation_needs_its_report_date_and_then_fills_its_cell(
    page: Page, api: httpx2.Client, curator_key: str
) -> None:
    page.watch.expected.append("422")  # type: ignore[attr-defined]
    fill_story(page, title="A planned evaluation in Browsershire")
    page.get_by_label("An evaluation is planned").check()
    page.get_by_role("button", name="Send your story").click()
    expected = page.get_by_label("When is the evaluation report expected?")
    expect(expected).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field.invalid .field-error")).to_contain_text("planned")
    page.keyboard.press("Tab")  # from the focused summary, to its one link
    page.keyboard.press("Enter")
    expect(expected).to_be_focused()
    expected.fill("2027-03-31")
    page.get_by_role("button", name="Send your story").click()
    expect(page.locator("#receipt-heading")).to_be_focused()
    receipt = page.locator(".receipt-id").inner_text()

    # Accepted (no findings, so no grades), it fills its cell without counting as evidence.
    key = {"Authorization": f"Bearer {curator_key}"}
    cell = 'button[data-cell="tec-remote-monitoring|services"]'
    page.goto("/explore?view=gaps")
    counted = page.locator(cell).locator(".count").inner_text()
    decision = {"decision": "accept", "reason": "A planned evaluation.", "grades": []}
    accepted = api.post(f"/submissions/{receipt}/decisions", json=decision, headers=key)
    assert accepted.status_code == 200, accepted.text
    page.reload()
    expect(page.locator(cell).locator(".filling")).to_have_text(re.compile(r"^\d+ planned$"))
    expect(page.locator(cell).locator(".count")).to_have_text(counted)
    page.locator(cell).click()
    expect(page.locator(".filling-note")).to_have_text(
        re.compile(r"^Being filled: \d+ planned or ongoing evaluations?, first report due 20\d\d")
    )
    expect(page.locator(".filling-note")).to_contain_text("not counted as evidence")


def test_a_wrong_key_is_refused_and_writes_nothing(
    page: Page, settings: ApiSettings, sync_driver: Driver, live_api: str
) -> None:
    page.watch.expected.append("401")  # type: ignore[attr-defined]
    before = fingerprint(sync_driver, settings)
    made_up = "cgk_0123456789ab_NotARealSecretAtAll"
    sign_in(page, made_up)
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("You are not signed in")
    expect(page.get_by_label("Your curator key")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Your curator key")).to_have_value("")
    assert axe_problems(page) == []
    assert page.evaluate("() => sessionStorage.getItem('connects-curator-key')") is None
    assert not [u for u in page.watch.requests if made_up in u]  # type: ignore[attr-defined]
    assert made_up not in page.url
    assert fingerprint(sync_driver, settings) == before


def test_the_honeypot_is_hidden_from_people_and_screen_readers(page: Page) -> None:
    page.goto("/explore?view=share")
    trap = page.locator(".trap")
    expect(trap).to_have_attribute("aria-hidden", "true")
    expect(trap.locator("input")).to_have_attribute("tabindex", "-1")
    box = trap.bounding_box()
    assert box is not None
    assert box["x"] < -1000  # off screen, not merely small
    expect(page.get_by_role("textbox", name="Leave this empty")).to_have_count(0)


def axe_problems(page: Page) -> list[str]:
    """WCAG 2.1 AA violations axe-core finds on the page as it stands."""
    needed(AXE, "axe-core")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values:"
        " ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    assert len(result["passes"]) > 10  # axe really looked at the page
    return [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
    ]
