"""Issue 14 in the explorer: approach cards, the intervention page, and the gap map coloured by
strength, each checked against the public API's JSON for the same question."""

from __future__ import annotations

import re
from typing import Any

import httpx2
from playwright.sync_api import Page, expect

from tests.helpers import ids, json_of, query, screenshot

OUTCOME = "inclusion"
SECURITY = "security-and-resilience"


def card_of(page: Page, approach: str) -> Any:
    return page.locator(f'.approaches article.card[data-id="{approach}"]')


def test_weak_approach_cards_are_drawn_weak(page: Page, api: httpx2.Client) -> None:
    page.goto(f"/explore?view=works&outcome={OUTCOME}")
    ranked = json_of(api, "/what-works", outcome=OUTCOME, limit=50)["items"]
    weak = [a for a in ranked if a["card"]["best_strength"]["strength"] <= 2]
    assert weak, "the bundled data has weak approaches for Inclusion"
    for approach in weak:
        card = card_of(page, approach["intervention"]["id"])
        best = approach["card"]["best_strength"]
        expect(card).to_have_attribute("data-weak", "true")
        expect(card).to_have_class(re.compile(r"\bweak\b"))
        expect(card).to_have_css("border-left-style", "dashed")
        expect(card.locator(".card-head .strength")).to_have_attribute(
            "data-strength", str(best["strength"])
        )
        expect(card.locator(".card-head .strength-text")).to_contain_text("(weak evidence)")
        expect(card.locator(".card-head .pip.on")).to_have_count(best["strength"])
        expect(card.locator(".card-head .pip:not(.on)")).to_have_count(5 - best["strength"])
    # A direction the source did not state is counted in words, never read as positive.
    for approach in ranked:
        tally = card_of(page, approach["intervention"]["id"]).locator(".tally")
        unstated = approach["card"]["directions"]["not_stated"]
        expect(tally.locator('li[data-direction="not_stated"]')).to_have_text(
            f"{unstated} direction not stated"
        )
    screenshot(page, "7-what-works-cards")


def test_mixed_or_negative_is_marked_and_never_green(page: Page, api: httpx2.Client) -> None:
    page.goto(f"/explore?view=works&outcome={SECURITY}")
    ranked = json_of(api, "/what-works", outcome=SECURITY, limit=50)["items"]
    mixed = [a for a in ranked if a["card"]["rating"]["id"] == "mixed"]
    assert mixed
    for approach in mixed:
        card = card_of(page, approach["intervention"]["id"])
        expect(card.locator(".rating-text")).to_have_text("Rated: Mixed or negative")
        expect(card.locator(".rating-mark")).to_be_visible()
        colours = card.locator(".rating, .pip.on, .strength-text").evaluate_all(
            "els => els.map(e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor])"
        )
        green = "rgb(26, 112, 72)"  # --strong
        assert all(green not in pair for pair in colours)


def test_security_lists_what_did_not_work(page: Page, api: httpx2.Client) -> None:
    page.goto(f"/explore?view=works&outcome={SECURITY}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "What works for Security and resilience"
    )
    ranked = json_of(api, "/what-works", outcome=SECURITY, limit=50)["items"]
    against = [a for a in ranked if a["card"]["did_not_work_total"]]
    assert against
    for approach in against:
        section = card_of(page, approach["intervention"]["id"]).locator(".did-not-work")
        expect(section).to_be_visible()  # never folded away
        expect(section.locator("li")).to_have_count(len(approach["card"]["did_not_work"]))
        assert ids(
            page, f'article.card[data-id="{approach["intervention"]["id"]}"] .did-not-work li'
        ) == [s["case_study_id"] for s in approach["card"]["did_not_work"]]
    listed = page.locator(".did-not-work li").all_inner_texts()
    ransomware = [t for t in listed if "ransomware" in t.lower()]
    assert ransomware, "the ransomware studies are among what did not work"
    assert all(
        "negative effect reported" in t or "mixed effect reported" in t or "no effect" in t
        for t in ransomware
    )
    screenshot(page, "8-security-did-not-work")


def test_the_intervention_page(page: Page, api: httpx2.Client) -> None:
    approach = "cyber-security-resilience"
    page.goto(f"/explore?view=works&outcome={SECURITY}")
    card_of(page, approach).locator(".card-title a").click()
    assert query(page) == {"view": ["intervention"], "id": [approach]}
    detail = json_of(api, f"/interventions/{approach}")
    expect(page.get_by_role("heading", level=1)).to_have_text(detail["intervention"]["name"])
    overall = page.locator(".overall article.card")
    expect(overall.locator(".rating-text")).to_contain_text(
        f"Rated: {detail['card']['rating']['name']}"
    )
    expect(overall.locator(".rule")).to_have_text(f"Why this rating: {detail['card']['rule']}")
    expect(overall.locator(".robustness")).to_have_attribute(
        "data-badge", detail["card"]["robustness"]["badge"]
    )
    assert ids(page, ".by-outcome article.card") == [o["outcome"]["id"] for o in detail["outcomes"]]
    for each in detail["outcomes"]:
        card = page.locator(f'.by-outcome article.card[data-id="{each["outcome"]["id"]}"]')
        expect(card).to_have_attribute("data-rating", each["card"]["rating"]["id"])
    assert ids(page, ".behind .entries li") == [s["id"] for s in detail["case_studies"]]
    for study in detail["case_studies"]:
        entry = page.locator(f'.behind .entries li[data-id="{study["id"]}"]')
        expect(entry.locator(".direction")).to_have_text(study["direction_words"])
    screenshot(page, "9-intervention")


def best(cell: dict[str, Any]) -> int:
    return int(cell["best_strength"] or 0)


def test_gap_map_is_approaches_by_outcomes_coloured_by_strength(
    page: Page, api: httpx2.Client
) -> None:
    page.goto("/explore?view=gaps")
    expect(page.locator("#main")).to_have_attribute("aria-busy", "false")
    assert query(page)["rows"] == ["intervention"]
    assert query(page)["cols"] == ["outcome"]
    gap_map = json_of(api, "/evidence/gap-map", rows="intervention", cols="outcome")
    expect(page.locator("table.heatmap tbody td")).to_have_count(len(gap_map["cells"]))
    shown = page.locator("table.heatmap tbody td").evaluate_all(
        "els => els.map(td => [td.querySelector('button').dataset.cell,"
        " Number(td.dataset.bestStrength), Number(td.querySelector('.count').textContent)])"
    )
    assert shown == [
        [f"{c['row']}|{c['col']}", best(c), c["case_studies"]] for c in gap_map["cells"]
    ]
    empty = [c for c in gap_map["cells"] if c["case_studies"] == 0]
    expect(page.locator("table.heatmap td.gap")).to_have_count(len(empty))
    hatched = page.locator("table.heatmap td.gap").first.evaluate(
        "td => getComputedStyle(td).backgroundImage"
    )
    assert "repeating-linear-gradient" in hatched
    legend = page.locator(".map-legend")
    expect(legend).to_contain_text("Colour = the strongest evidence in the cell")
    expect(legend).to_contain_text("number = how many case studies")
    expect(legend.locator("li")).to_have_count(6)
    # The most studied cell is coloured by its best strength, not its count.
    busiest = max(gap_map["cells"], key=lambda c: c["case_studies"])
    cell = page.locator(f'td:has(button[data-cell="{busiest["row"]}|{busiest["col"]}"])')
    expect(cell).to_have_class(re.compile(rf"\bstrength-{best(busiest)}\b"))
    # Colour is strength, not success: every cell whose studies found no effect, a negative or
    # a mixed result says how many in the cell, strong evidence against included.
    against = page.locator("table.heatmap tbody td").evaluate_all(
        "els => els.map(td => [td.querySelector('button').dataset.cell, Number(td.dataset.against),"
        " td.querySelector('.against')?.textContent ?? null])"
    )
    expected = []
    for c in gap_map["cells"]:
        n = sum(c["directions"].get(d, 0) for d in ("negative", "no_effect", "mixed"))
        expected.append([f"{c['row']}|{c['col']}", n, f"{n} against" if n else None])
    assert against == expected
    assert any(n and best(c) >= 4 for (_, n, _), c in zip(against, gap_map["cells"], strict=True))
    screenshot(page, "10-gap-map-approaches")


def test_gap_map_dimensions_include_approach_and_direction(page: Page, api: httpx2.Client) -> None:
    page.goto("/explore?view=gaps")
    page.get_by_label("Rows").select_option("outcome")
    page.get_by_label("Columns").select_option("direction")
    page.get_by_role("button", name="Show the map").click()
    expect(page.locator("#map-heading")).to_have_text(
        "Outcomes × Directions (what the studies found)"
    )
    gap_map = json_of(api, "/evidence/gap-map", rows="outcome", cols="direction")
    headings = page.locator("table.heatmap thead th").all_inner_texts()
    assert headings == [v["name"] for v in gap_map["col_values"]]
    assert "direction not stated" in headings  # never shown as positive


def test_a_case_study_page_shows_its_claims_strength(page: Page, api: httpx2.Client) -> None:
    study = "kent-medway-digital-care-homes-2020"
    page.goto(f"/explore?view=node&id={study}")
    detail = json_of(api, f"/nodes/{study}")
    claims = [link["node"]["id"] for link in detail["links"] if link["type"] == "HAS_CLAIM"]
    expect(page.locator(".case-evidence li")).to_have_count(len(claims))
    for claim_id in claims:
        claim = json_of(api, f"/nodes/{claim_id}")["properties"]
        item = page.locator(f'.case-evidence li[data-id="{claim_id}"]')
        expect(item.locator(".strength")).to_have_attribute("data-strength", str(claim["strength"]))
        words = (
            "direction not stated" if claim.get("direction", "not_stated") == "not_stated" else ""
        )
        expect(item.locator(".direction")).to_contain_text(words)
    panel = page.locator("aside.panel .facts")
    expect(panel.locator("dt")).to_contain_text(["Sources"])
    assert "Source urls" not in panel.inner_text()
    assert "Year start" not in panel.inner_text()
    screenshot(page, "11-case-study")
