"""The explorer at /explore, driven in headless Chromium against the real API and sample data.

Every page is checked against the JSON the public API gives for the same question.
"""

from __future__ import annotations

import csv
import io
import re
from itertools import groupby

import httpx2
from playwright.sync_api import Page, expect

from tests.helpers import ids, json_of, query, screenshot

OUTCOME = "inclusion"
THEME = "theme-leadership-diversity-skills"


def test_search_shows_the_api_hits_grouped_by_kind(page: Page, api: httpx2.Client) -> None:
    page.goto("/explore")
    page.get_by_label("Search the graph").fill("inclusion")
    page.get_by_label("Search the graph").press("Enter")
    expect(page.locator("#results-heading")).to_contain_text("for “inclusion”")

    hits = json_of(api, "/search", q="inclusion", limit=200)
    expected = {
        kind: [h["node"]["id"] for h in group]
        for kind, group in groupby(
            sorted(hits, key=lambda h: h["node"]["kind"]), key=lambda h: h["node"]["kind"]
        )
    }
    shown = {
        kind: ids(page, f'section[data-kind="{kind}"] li')
        for kind in page.locator("section[data-kind]").evaluate_all(
            "els => els.map(e => e.dataset.kind)"
        )
    }
    assert {k: sorted(v) for k, v in shown.items()} == {k: sorted(v) for k, v in expected.items()}
    assert "Outcome" in shown
    # Claims repeat their study's words: they come last, folded away, and never first.
    assert list(shown)[0] != "EvidenceClaim"
    assert list(shown)[-1] == "EvidenceClaim"
    expect(page.locator('section[data-kind="EvidenceClaim"] details')).not_to_have_attribute(
        "open", ""
    )
    expect(page.locator('section[data-kind="EvidenceClaim"] li').first).to_be_hidden()
    assert query(page) == {"view": ["search"], "q": ["inclusion"]}
    screenshot(page, "1-search")


def test_search_shows_the_strength_of_case_studies_and_approaches(
    page: Page, api: httpx2.Client
) -> None:
    page.goto("/explore?q=inclusion")
    expect(page.locator("#results-heading")).to_contain_text("for “inclusion”")
    studies = {s["id"]: s for s in json_of(api, "/evidence", q="inclusion", limit=200)["items"]}
    listed = ids(page, 'section[data-kind="CaseStudy"] li')
    assert listed
    for study_id in listed:
        item = page.locator(f'section[data-kind="CaseStudy"] li[data-id="{study_id}"]')
        strength = studies[study_id]["strength"]
        expect(item.locator(".strength")).to_have_attribute("data-strength", str(strength))
        expect(item.locator(".strength-text")).to_contain_text(f"strength {strength} of 5")
    cards = {i["id"]: i["card"] for i in json_of(api, "/interventions", limit=200)["items"]}
    for approach in ids(page, 'section[data-kind="Intervention"] li'):
        item = page.locator(f'section[data-kind="Intervention"] li[data-id="{approach}"]')
        expect(item.locator(".rating-text")).to_have_text(
            f"Rated: {cards[approach]['rating']['name']}"
        )


def test_a_node_opens_with_its_links_and_neighbourhood(page: Page, api: httpx2.Client) -> None:
    page.goto("/explore?q=inclusion")
    page.locator('section[data-kind="Outcome"]').get_by_role("link", name="Inclusion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inclusion")
    assert query(page) == {"view": ["node"], "id": [OUTCOME]}

    detail = json_of(api, f"/nodes/{OUTCOME}")
    around = json_of(api, f"/graph/neighbourhood/{OUTCOME}", depth=1)
    graph = page.locator("#graph")
    expect(graph).to_have_attribute("data-nodes", str(len(around["nodes"])))
    expect(graph).to_have_attribute("data-edges", str(len(around["edges"])))
    panel = page.locator("aside.panel")
    expect(panel.get_by_role("heading", level=3)).to_have_text(f"Links ({detail['links_total']})")
    linked = panel.locator(".link-group li a").evaluate_all(
        "els => els.map(e => new URLSearchParams(e.getAttribute('href')).get('id'))"
    )
    assert sorted(linked) == sorted(link["node"]["id"] for link in detail["links"])
    # Nothing counted instead of drawn or listed: nothing says so.
    assert around["hubs"] == []
    assert not detail["links_truncated"]
    expect(page.locator("section.hubs")).to_have_count(0)
    expect(page.locator(".links-not-shown")).to_have_count(0)
    screenshot(page, "2-node")


def drawn_ids(page: Page) -> set[str]:
    return set(page.evaluate("() => window.explorer.graph.nodes().map(n => n.id())"))


def click_graph_node(page: Page, node_id: str) -> None:
    """A real mouse click where the node is drawn on the canvas."""
    position = page.evaluate(
        "id => window.explorer.graph.getElementById(id).renderedPosition()", node_id
    )
    box = page.locator("#graph").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + position["x"], box["y"] + position["y"])


def test_clicking_a_node_expands_the_graph(page: Page, api: httpx2.Client) -> None:
    page.goto(f"/explore?view=node&id={OUTCOME}")
    scheme = "digitalisation-outcomes"
    expect(page.locator("#graph")).to_have_attribute("data-nodes", re.compile(r"\d+"))
    before = drawn_ids(page)
    assert scheme in before

    click_graph_node(page, scheme)
    first = {n["data"]["id"] for n in json_of(api, f"/graph/neighbourhood/{OUTCOME}")["nodes"]}
    more = {n["data"]["id"] for n in json_of(api, f"/graph/neighbourhood/{scheme}")["nodes"]}
    expect(page.locator("#graph")).to_have_attribute("data-nodes", str(len(first | more)))
    assert drawn_ids(page) == first | more
    expect(page.locator("#panel-heading")).to_have_text("Local government digitalisation outcomes")
    assert query(page)["expand"] == [scheme]

    # The URL with the expansion is shareable: a fresh page draws the same graph.
    shared = page.url
    page.goto("/explore")
    page.goto(shared)
    expect(page.locator("#graph")).to_have_attribute("data-nodes", str(len(first | more)))
    screenshot(page, "3-node-expanded")


def test_depth_control_redraws_at_that_depth(page: Page, api: httpx2.Client) -> None:
    page.goto(f"/explore?view=node&id={OUTCOME}")
    page.get_by_label("Hops from this node").select_option("2")
    page.get_by_role("button", name="Redraw").click()
    two = json_of(api, f"/graph/neighbourhood/{OUTCOME}", depth=2)
    expect(page.locator("#graph")).to_have_attribute("data-nodes", str(len(two["nodes"])))
    assert query(page)["depth"] == ["2"]
    expect(page.get_by_label("Hops from this node")).to_be_focused()


def test_what_works_for_inclusion_matches_the_api(page: Page, api: httpx2.Client) -> None:
    page.goto("/explore?view=works")
    page.get_by_label("Outcome").select_option(label="Inclusion")
    page.get_by_role("button", name="Show what works").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What works for Inclusion")
    assert query(page) == {"view": ["works"], "outcome": [OUTCOME]}
    expect(page.locator("#approaches-heading")).to_be_focused()

    # The approach cards lead, in /what-works's order, each with its rating in words and rule.
    ranked = json_of(api, "/what-works", outcome=OUTCOME, limit=50)
    assert ids(page, ".approaches article.card") == [
        a["intervention"]["id"] for a in ranked["items"]
    ]
    for approach in ranked["items"]:
        card = page.locator(f'.approaches article.card[data-id="{approach["intervention"]["id"]}"]')
        expect(card.locator(".rating-text")).to_have_text(
            f"Rated: {approach['card']['rating']['name']}"
        )
        expect(card.locator(".rule")).to_have_text(f"Why this rating: {approach['card']['rule']}")
        expect(card).to_have_attribute("data-rating", approach["card"]["rating"]["id"])
    before = page.locator(".approaches").evaluate(
        "a => a.compareDocumentPosition(document.querySelector('.results'))"
    )
    assert before & 4  # the case studies follow the cards

    result = json_of(api, "/evidence", outcome=OUTCOME, limit=20)
    expect(page.locator("#results-heading")).to_have_text(
        f"{result['total']} case studies with evidence for Inclusion"
    )
    assert ids(page, "li.study") == [s["id"] for s in result["items"]]
    for study in result["items"]:
        card = page.locator(f'li.study[data-id="{study["id"]}"]')
        expect(card.locator(".strength-text")).to_contain_text(f"Strength {study['strength']} of 5")
        sources = card.locator(".sources a").evaluate_all("els => els.map(e => e.href)")
        assert sources == study["source_urls"]
    strengths = json_of(api, "/evidence/facets", outcome=OUTCOME, group_by="strength", zeros=True)
    shown = page.locator(".profile li").evaluate_all(
        "els => els.map(e =>"
        " [Number(e.dataset.strength), Number(e.querySelector('.count').textContent)])"
    )
    assert shown == [[b["key"], b["count"]] for b in strengths[0]["buckets"]]
    screenshot(page, "4-what-works")


def test_weak_evidence_looks_weak(page: Page, api: httpx2.Client) -> None:
    result = json_of(api, "/evidence", limit=200)
    strong = next(s for s in result["items"] if s["strength"] >= 4)
    weak = next(s for s in result["items"] if s["strength"] == 1)
    page.goto(f"/explore?view=works&q={strong['title']}")
    card = page.locator(f'li.study[data-id="{strong["id"]}"]')
    expect(card.locator(".strength-text")).to_contain_text("(strong evidence)")
    expect(card).to_have_css("border-left-style", "solid")
    page.goto(f"/explore?view=works&q={weak['title']}")
    card = page.locator(f'li.study[data-id="{weak["id"]}"]')
    expect(card.locator(".strength-text")).to_contain_text("(weak evidence)")
    expect(card).to_have_css("border-left-style", "dashed")
    expect(card.locator(".pip.on")).to_have_count(1)


def test_gap_map_matches_the_api_and_opens_a_cell(page: Page, api: httpx2.Client) -> None:
    page.goto("/explore?view=gaps&rows=outcome&cols=theme")
    gap_map = json_of(api, "/evidence/gap-map", rows="outcome", cols="theme")
    empty = [c for c in gap_map["cells"] if c["case_studies"] == 0]
    expect(page.locator("table.heatmap tbody td")).to_have_count(len(gap_map["cells"]))
    expect(page.locator("table.heatmap td.gap")).to_have_count(len(empty))
    expect(page.locator(".summary")).to_contain_text(
        f"{len(empty)} cells of {len(gap_map['cells'])} have no case studies"
    )
    counts = page.locator("table.heatmap td button").evaluate_all(
        "els => els.map(b => [b.dataset.cell, Number(b.querySelector('.count').textContent)])"
    )
    assert counts == [[f"{c['row']}|{c['col']}", c["case_studies"]] for c in gap_map["cells"]]

    page.locator(f'button[data-cell="{OUTCOME}|{THEME}"]').click()
    listed = json_of(api, "/evidence", outcome=OUTCOME, theme=THEME, limit=50)
    expect(page.locator("#cell-heading")).to_be_focused()
    expect(page.locator("#cell-heading")).to_contain_text(f"{listed['total']} case studies")
    assert ids(page, ".cell-studies li.study") == [s["id"] for s in listed["items"]]
    assert query(page)["cell"] == [f"{OUTCOME}|{THEME}"]
    screenshot(page, "5-gap-map")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the map as CSV").click()
    saved = download.value.path().read_text(encoding="utf-8")
    params = {"rows": "outcome", "cols": "theme", "format": "csv"}
    from_api = api.get("/evidence/gap-map", params=params).text
    assert list(csv.reader(io.StringIO(saved))) == list(csv.reader(io.StringIO(from_api)))


def test_gap_map_by_region_and_a_shared_cell(page: Page, api: httpx2.Client) -> None:
    gap_map = json_of(api, "/evidence/gap-map", rows="outcome", cols="region", min_strength=2)
    cell = max(gap_map["cells"], key=lambda c: c["case_studies"])
    key = f"{cell['row']}|{cell['col']}"
    page.goto(f"/explore?view=gaps&rows=outcome&cols=region&min_strength=2&cell={key}")
    expect(page.locator("table.heatmap tbody td")).to_have_count(len(gap_map["cells"]))
    expect(page.locator(f'button[data-cell="{key}"]')).to_have_attribute("aria-current", "true")
    listed = json_of(
        api, "/evidence", outcome=cell["row"], region=cell["col"], min_strength=2, limit=50
    )
    expect(page.locator(".cell-studies li.study")).to_have_count(len(listed["items"]))
    assert listed["total"] == cell["case_studies"]


def test_back_and_forward_move_between_views(page: Page) -> None:
    page.goto("/explore?q=leeds")
    page.get_by_label("Search the graph").fill("inclusion")
    page.get_by_label("Search the graph").press("Enter")
    expect(page.locator("#results-heading")).to_contain_text("for “inclusion”")
    page.go_back()
    expect(page.locator("#results-heading")).to_contain_text("for “leeds”")
    page.go_forward()
    expect(page.locator("#results-heading")).to_contain_text("for “inclusion”")
    page.locator('section[data-kind="Outcome"]').get_by_role("link", name="Inclusion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inclusion")
    page.go_back()
    expect(page.locator("#results-heading")).to_contain_text("for “inclusion”")
    page.go_forward()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inclusion")


def test_a_node_that_cannot_be_expanded_leaves_the_rest_drawn(page: Page) -> None:
    page.watch.expected.append("404")  # type: ignore[attr-defined]  # the missing node
    page.goto(f"/explore?view=node&id={OUTCOME}&expand=no-such-node")
    expect(page.get_by_role("alert")).to_contain_text("Part of this view could not be drawn")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inclusion")
    expect(page.locator("#graph")).to_have_attribute("data-nodes", re.compile(r"\d+"))


def test_keyboard_focus_stays_in_the_panel_after_expanding(page: Page) -> None:
    page.goto(f"/explore?view=node&id={OUTCOME}")
    expect(page.locator("#graph")).to_have_attribute("data-nodes", re.compile(r"\d+"))
    button = page.get_by_role("button", name="Add its neighbours to the graph")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#panel-heading")).to_be_focused()


def test_problems_from_the_api_are_shown(page: Page) -> None:
    page.watch.expected.append("404")  # type: ignore[attr-defined]  # what this test asks for
    page.goto("/explore?view=node&id=no-such-node")
    expect(page.get_by_role("alert")).to_contain_text("Not Found")


def test_a_slow_answer_never_overwrites_a_newer_choice(page: Page) -> None:
    # Hold back the first cell's case studies so that they answer after the second cell's.
    page.add_init_script(
        "const original = window.fetch;"
        "window.fetch = (url, options) => String(url).includes('theme-leadership')"
        " ? new Promise(wait => setTimeout(wait, 1500)).then(() => original(url, options))"
        " : original(url, options);"
    )
    page.goto("/explore?view=gaps&rows=outcome&cols=theme")
    second = "theme-regeneration"
    page.locator(f'button[data-cell="{OUTCOME}|{THEME}"]').click()
    page.locator(f'button[data-cell="{OUTCOME}|{second}"]').click()
    expect(page.locator("#cell-heading")).to_contain_text("Regeneration")
    page.wait_for_timeout(2000)  # past the held-back answer
    expect(page.locator("#cell-heading")).to_contain_text("Regeneration")
    assert query(page)["cell"] == [f"{OUTCOME}|{second}"]
    page.go_back()  # each chosen cell is a step back
    expect(page.locator(f'button[data-cell="{OUTCOME}|{THEME}"]')).to_have_attribute(
        "aria-current", "true"
    )


def test_names_in_a_shared_url_become_the_forms_choices(page: Page, api: httpx2.Client) -> None:
    page.goto("/explore?view=works&outcome=Inclusion")
    expect(page.get_by_role("heading", level=1)).to_have_text("What works for Inclusion")
    expect(page.get_by_label("Outcome")).to_have_value(OUTCOME)
    assert query(page)["outcome"] == [OUTCOME]
    total = json_of(api, "/evidence", outcome="Inclusion")["total"]
    expect(page.locator("#results-heading")).to_have_text(
        f"{total} case studies with evidence for Inclusion"
    )
    expect(page.locator("li.study")).to_have_count(min(total, 20))  # the first page


def test_refused_filters_are_explained_beside_the_form(page: Page) -> None:
    page.watch.expected.append("422")  # type: ignore[attr-defined]  # the refusal asked for
    page.goto("/explore?view=works")
    page.get_by_label("From year").fill("2024")
    page.get_by_label("To year").fill("2019")
    page.get_by_role("button", name="Show what works").click()
    assert "year_from" not in query(page)  # the browser stopped it: nothing was asked
    assert page.get_by_label("To year").evaluate("e => e.validationMessage") != ""

    page.goto("/explore?view=works&year_from=2024&year_to=2019")
    expect(page.get_by_role("alert")).to_contain_text("These filters cannot be used")
    expect(page.get_by_role("button", name="Show what works")).to_be_visible()


def test_the_api_calls_listed_follow_what_the_view_does(page: Page) -> None:
    page.goto("/explore?view=gaps&rows=outcome&cols=theme")
    calls = page.locator("#call-list code")
    expect(calls.filter(has_text="/evidence/gap-map")).to_have_count(1)
    page.locator(f'button[data-cell="{OUTCOME}|{THEME}"]').click()
    expect(calls.filter(has_text=f"GET /evidence?outcome={OUTCOME}&theme={THEME}")).to_have_count(1)


def test_the_gap_map_fits_a_phone(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/explore?view=gaps")
    expect(page.locator("#main")).to_have_attribute("aria-busy", "false")
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 390
    screenshot(page, "6-gap-map-phone")


HUB = "connects-level-1"
"""Hundreds of claims at this evidence level: a hub at a small cap (none is, at the API's own)."""


def test_a_neighbourhood_says_which_hubs_it_did_not_follow(page: Page, api: httpx2.Client) -> None:
    # The explorer asks at the API's cap; it is served the API's own answer at a small one.
    around = json_of(api, f"/graph/neighbourhood/{HUB}", depth=1, limit=10)
    assert around["hubs"]
    page.route(
        re.compile(rf"/graph/neighbourhood/{HUB}\?"), lambda route: route.fulfill(json=around)
    )
    page.goto(f"/explore?view=node&id={HUB}")
    expect(page.locator("#hubs-heading")).to_have_text("Not followed: too many links to draw")
    for hub in around["hubs"]:
        expect(page.locator(f'section.hubs li[data-id="{hub["id"]}"]')).to_contain_text(
            f"links not shown: {hub['links']:,}"
        )
    expect(page.locator("#graph")).to_have_attribute("data-nodes", str(len(around["nodes"])))
    drawn = page.evaluate(
        "() => window.explorer.graph.nodes('.hub').map(n => [n.id(), n.data('hub')])"
    )
    assert sorted(map(tuple, drawn)) == sorted((h["id"], h["links"]) for h in around["hubs"])
    screenshot(page, "2-node-hubs")


def test_a_node_with_more_links_than_listed_says_how_many_are_not_shown(
    page: Page, api: httpx2.Client
) -> None:
    detail = json_of(api, f"/nodes/{HUB}")
    # What the API answers for a node with more links than it lists: the count, no links.
    counted = detail | {"links": [], "links_truncated": True}
    page.route(re.compile(rf"/nodes/{HUB}$"), lambda route: route.fulfill(json=counted))
    # A small drawing: this test is about the panel.
    around = json_of(api, f"/graph/neighbourhood/{HUB}", depth=1, limit=10)
    page.route(
        re.compile(rf"/graph/neighbourhood/{HUB}\?"), lambda route: route.fulfill(json=around)
    )
    page.goto(f"/explore?view=node&id={HUB}")
    panel = page.locator("aside.panel")
    total = f"{detail['links_total']:,}"
    expect(panel.get_by_role("heading", level=3)).to_have_text(f"Links ({total})")
    expect(panel.locator(".links-not-shown")).to_have_text(
        f"Links not shown: {total}, too many to list here."
    )
    expect(panel.locator(".link-group")).to_have_count(0)
