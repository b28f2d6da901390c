"""Keyboard use, focus order and WCAG 2.1 AA checks (axe-core) for every view of the explorer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.helpers import AXE, needed, screenshot

VIEWS = {
    "search": "/explore?q=digital",
    "node": "/explore?view=node&id=inclusion",
    "what-works": "/explore?view=works&outcome=inclusion",
    "what-works-security": "/explore?view=works&outcome=security-and-resilience",
    "intervention": "/explore?view=intervention&id=cyber-security-resilience",
    "case-study": "/explore?view=node&id=kent-medway-digital-care-homes-2020",
    "gap-map": "/explore?view=gaps&cell=device-data-provision|inclusion",
    "gap-map-themes": "/explore?view=gaps&rows=outcome&cols=theme"
    "&cell=inclusion|theme-leadership-diversity-skills",
    "share-your-story": "/explore?view=share",
    "curator-sign-in": "/explore?view=curate",
    "report-a-problem": "/explore?view=report&statement=kent-medway-digital-care-homes-2020",
}


def focused(page: Page) -> str:
    """The focused element, as `tag#id "text"`, for readable failures."""
    return str(
        page.evaluate(
            "() => { const e = document.activeElement;"
            " const text = (e.textContent || '').trim().slice(0, 40);"
            " return `${e.tagName.toLowerCase()}#${e.id} ${text}`; }"
        )
    )


def tab_to(page: Page, text: str, most: int = 40) -> None:
    """Press Tab until the focused element's text starts with `text`."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if focused(page).split(" ", 1)[1].startswith(text):
            return
    pytest.fail(f"Tab never reached {text!r}; last focus: {focused(page)}")


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_passes_axe(page: Page, view: str) -> None:
    needed(AXE, "axe-core")
    page.goto(VIEWS[view])
    expect(page.locator("#main")).to_have_attribute("aria-busy", "false")
    text = page.inner_text("main")
    assert not re.search(r"\bnull\b|\bundefined\b|\[object |\bNaN\b", text), "a value leaked"
    # Evaluated through the browser's debugging protocol, which the page's strict content
    # security policy (no inline scripts) does not govern.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values:"
        " ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
    ]
    assert problems == []
    assert len(result["passes"]) > 10  # axe really looked at the page
    screenshot(page, f"axe-{view}")


def test_keyboard_alone_answers_what_works_and_where_the_gaps_are(page: Page) -> None:
    page.goto("/explore")
    page.keyboard.press("Tab")
    assert focused(page).startswith("a# Skip to content")
    tab_to(page, "What works")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_focused()

    tab_to(page, "Any outcome")  # the outcome select, showing its current choice
    page.keyboard.type("Inclusion")
    tab_to(page, "Show what works")
    page.keyboard.press("Enter")
    expect(page.locator("#approaches-heading")).to_be_focused()
    expect(page.locator("#approaches-heading")).to_contain_text("rated for Inclusion")

    tab_to(page, "Evidence gaps", most=1500)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Evidence and gap map")
    cells = page.locator("tbody tr")
    for _ in range(40):  # the grid's one Tab stop, its first cell
        page.keyboard.press("Tab")
        if active_cell(page):
            break
    assert active_cell(page) == cells.nth(0).locator("button").first.get_attribute("data-cell")
    page.keyboard.press("Enter")
    expect(page.locator("#cell-heading")).to_be_focused()

    for _ in range(5):  # back into the grid, at the chosen cell
        page.keyboard.press("Shift+Tab")
        if active_cell(page):
            break
    assert active_cell(page) == cells.nth(0).locator("button").first.get_attribute("data-cell")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    target = cells.nth(1).locator("button").nth(1)
    assert active_cell(page) == target.get_attribute("data-cell")
    page.keyboard.press("Enter")
    row = cells.nth(1).locator("th").inner_text()
    expect(page.locator("#cell-heading")).to_contain_text(f": {row} × ")
    expect(page.locator("#cell-heading")).to_be_focused()


def active_cell(page: Page) -> str | None:
    """The gap-map cell with the focus, if any."""
    cell: str | None = page.evaluate("() => document.activeElement.dataset.cell ?? null")
    return cell


def test_focus_is_visible(page: Page) -> None:
    page.goto("/explore")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_the_graph_has_a_text_alternative(page: Page) -> None:
    page.goto("/explore?view=node&id=inclusion")
    graph = page.get_by_role("img", name="Graph of")
    expect(graph).to_have_attribute("aria-label", re.compile(r"^Graph of \d+ nodes"))
    # The links the drawing shows are in the panel as ordinary links.
    expect(page.locator("aside.panel .link-group a").first).to_be_visible()
