"""The evidence index gives the answers of the Cypher statements, and follows the graph's loads.

The Cypher statements in graph/queries/evidence.py are the reference: for hundreds of seeded
random filter combinations over the bundled data plus a generated corpus (bench.generate), the
index must give the same pages, totals, facets and gap maps, on the real embedded engine.
"""

from __future__ import annotations

import asyncio
import csv
import gc
import json
import random
import weakref
from collections.abc import Awaitable, Callable
from itertools import permutations
from pathlib import Path
from typing import Any, Literal, TypeVar

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from api.main import create_app
from api.settings import ApiSettings
from bench import generate
from bench.queries import recording
from graph import approaches, changes, evidence, evidence_patch
from graph.db import Db, open_db
from graph.evidence import EvidenceFilter
from graph.evidence_store import EvidenceStore
from graph.keys import Scope
from graph.queries import evidence_index as index_q
from graph.queries import loads as loads_q
from graph.queries.evidence import GAP_MAP_DIMENSIONS, Dimension
from tests.helpers import CONTRIBUTION, DATA, clear, contribute, load, make_key

T = TypeVar("T")
CASES = 250


@pytest.fixture(scope="module")
def corpus(
    settings: ApiSettings, sync_driver: Driver, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The bundled data plus a generated S corpus (1,000 case studies) and a few planned or
    ongoing evaluations; the generated CSV's path."""
    clear(sync_driver, settings)
    load(settings, DATA)
    folder = tmp_path_factory.mktemp("corpus")
    path = generate.write(folder, generate.SIZES["S"])
    load(settings, path)
    planned = folder / "planned.json"
    planned.write_text(json.dumps({"case_studies": PLANNED}), encoding="utf-8")
    load(settings, planned)
    return path


def _planned(n: int, status: str, due: str, outcomes: list[str], **more: Any) -> dict[str, Any]:
    return {
        "id": f"planned-evaluation-{n}",
        "title": f"Planned evaluation {n} of council data work",
        "summary": "An evaluation under way, registered before its report.",
        "organisation": "Testshire County Council",
        "source_urls": [f"https://example.org/planned-{n}"],
        "evaluation_status": status,
        "expected_report_date": due,
        "planned_outcomes": outcomes,
        **more,
    }


PLANNED = [
    _planned(1, "planned", "2027-03-31", ["Services", "Data"], interventions=["rpa-automation"]),
    _planned(
        2,
        "ongoing",
        "2026-11-30",
        ["Services"],
        region="Wales",
        year=2025,
        themes=["Service design and transformation"],
        interventions=["rpa-automation", "cyber-security-resilience"],
    ),
    _planned(3, "planned", "2028-01-15", ["Inclusion"], region="North East", year=2026),
    _planned(4, "ongoing", "2027-06-30", [], themes=["Service design and transformation"]),
]
"""Planned and ongoing evaluations: in the gap map's cells as being filled, never evidence."""


def run(settings: ApiSettings, work: Callable[[Db], Awaitable[T]]) -> T:
    async def go() -> T:
        async with open_db(settings) as db:
            return await work(db)

    return asyncio.run(go())


def values(sync_driver: Driver, settings: ApiSettings) -> dict[str, list[Any]]:
    """What filters can name, as the graph holds them (plus one value nothing has)."""

    def ids(statement: str) -> list[Any]:
        records, _, _ = sync_driver.execute_query(statement, database_=settings.database)
        return sorted({r["v"] for r in records if r["v"] is not None}, key=str) + ["nothing"]

    return {
        "outcomes": ids("MATCH (o:Outcome) RETURN o.id AS v"),
        "themes": ids("MATCH (t:PolicyTheme) RETURN t.id AS v"),
        "organisations": ids(
            "MATCH (:CaseStudy)-[:LED_BY|WITH_PARTNER]->(g:Entity) RETURN DISTINCT g.id AS v"
        ),
        "regions": ids("MATCH (r:Region) RETURN r.id AS v"),
        "places": ids("MATCH (:CaseStudy)-[:LOCATED_IN]->(p) RETURN DISTINCT p.id AS v"),
        "evidence_types": ids("MATCH (c:EvidenceClaim) RETURN DISTINCT c.evidence_type AS v"),
        "directions": ["positive", "mixed", "negative", "no_effect", "not_stated"],
        "text": ["council", "digital", "school meals", "SANDFORD", "  data ", "zzz"],
    }


def random_filter(rnd: random.Random, choices: dict[str, list[Any]]) -> EvidenceFilter:
    """A filter with each condition present now and then; often one, sometimes several."""
    given: dict[str, Any] = {}
    for name in ("outcomes", "themes", "organisations", "regions", "places"):
        if rnd.random() < 0.25:
            given[name] = rnd.sample(choices[name], rnd.choice([1, 1, 1, 2]))
    for name in ("evidence_types", "directions"):
        if rnd.random() < 0.2:
            given[name] = rnd.sample(choices[name], rnd.choice([1, 1, 2]))
    if rnd.random() < 0.25:
        given["min_strength"] = rnd.randint(1, 5)
    if rnd.random() < 0.15:
        given["year_from"] = rnd.randint(2015, 2024)
    if rnd.random() < 0.15:
        given["year_to"] = rnd.randint(2016, 2026)
    if rnd.random() < 0.15:
        given["text"] = rnd.choice(choices["text"])
    return EvidenceFilter(**given)


def test_the_index_gives_the_cypher_answers_for_random_filters(
    settings: ApiSettings, sync_driver: Driver, corpus: Path
) -> None:
    choices = values(sync_driver, settings)
    rnd = random.Random(16)  # noqa: S311 - seeded on purpose, to be replayed
    store = EvidenceStore(max_claims=1_000_000)

    async def compare(db: Db) -> int:
        nonempty = 0
        for _ in range(CASES):
            f = random_filter(rnd, choices)
            limit, offset = rnd.choice([(20, 0), (20, 0), (7, 0), (20, 20), (50, 3)])
            kept = await evidence.what_works(db, f, limit=limit, offset=offset, store=store)
            fresh = await evidence.what_works(db, f, limit=limit, offset=offset)
            assert kept == fresh, f
            nonempty += kept.total > 0
            dimensions = rnd.sample(list(Dimension), rnd.choice([1, 2]))
            zeros = rnd.random() < 0.5
            kept_facets = await evidence.facets(db, f, dimensions, zeros=zeros, store=store)
            fresh_facets = await evidence.facets(db, f, dimensions, zeros=zeros)
            assert kept_facets == fresh_facets, (f, dimensions)
            if rnd.random() < 0.4:
                rows, cols = rnd.sample(GAP_MAP_DIMENSIONS, 2)
                kept_map = await evidence.gap_map(db, f, rows, cols, store=store)
                assert kept_map == await evidence.gap_map(db, f, rows, cols), (f, rows, cols)
        return nonempty

    assert run(settings, compare) > CASES // 3  # most filters match something
    assert store.builds == 1


UNUSUAL_TEXT = ["%", "'", "\\", "é", "ß", "a", ".", "council tax", "\x00", "(", "  x"]


def many_valued_filter(rnd: random.Random, choices: dict[str, list[Any]]) -> EvidenceFilter:
    """The index's own paths: year ranges, text with unusual characters, many values."""
    given: dict[str, Any] = {}
    for name in ("outcomes", "themes", "organisations", "regions", "places", "evidence_types"):
        if rnd.random() < 0.2:
            given[name] = rnd.sample(choices[name], min(len(choices[name]), rnd.randint(2, 6)))
    if rnd.random() < 0.5:
        given["year_from"] = rnd.randint(2012, 2026)
    if rnd.random() < 0.5:
        given["year_to"] = rnd.randint(2012, 2026)
    if rnd.random() < 0.5:
        given["text"] = rnd.choice([*choices["text"], *UNUSUAL_TEXT])
    if rnd.random() < 0.2:
        given["min_strength"] = rnd.randint(2, 5)
    return EvidenceFilter(**given)


def test_the_index_pages_agree_for_years_text_many_values_and_deep_offsets(
    settings: ApiSettings, sync_driver: Driver, corpus: Path
) -> None:
    choices = values(sync_driver, settings)
    rnd = random.Random(1617)  # noqa: S311 - seeded on purpose, to be replayed
    store = EvidenceStore(max_claims=1_000_000)
    pages = [(20, 0), (20, 0), (5, 17), (20, 400), (20, 990), (10, 5000)]

    async def compare(db: Db) -> int:
        nonempty = 0
        for _ in range(CASES):
            f = many_valued_filter(rnd, choices)
            limit, offset = rnd.choice(pages)
            kept = await evidence.what_works(db, f, limit=limit, offset=offset, store=store)
            assert kept == await evidence.what_works(db, f, limit=limit, offset=offset), f
            nonempty += bool(kept.items)
        return nonempty

    assert run(settings, compare) > CASES // 5
    assert store.builds == 1


def test_year_and_text_conditions_are_not_tested_study_by_study(
    settings: ApiSettings, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EvidenceStore(max_claims=1_000_000)

    def refuse(*_: Any) -> bool:
        raise AssertionError("a case study tested one by one")

    async def check(db: Db) -> None:
        index = await store.index(db)
        assert index is not None
        monkeypatch.setattr(index, "_passes", refuse)
        for f in (EvidenceFilter(year_from=2019, year_to=2020), EvidenceFilter(text="council")):
            _, total = index.page(f, limit=20, offset=0)
            assert total > 0

    run(settings, check)


def test_planned_evaluations_fill_gap_map_cells_in_both_paths_and_are_never_evidence(
    settings: ApiSettings, corpus: Path
) -> None:
    store = EvidenceStore(max_claims=1_000_000)

    async def check(db: Db) -> None:
        async def both(f: EvidenceFilter, rows: Dimension, cols: Dimension) -> evidence.GapMap:
            kept = await evidence.gap_map(db, f, rows, cols, store=store)
            assert kept == await evidence.gap_map(db, f, rows, cols), (f, rows, cols)
            return kept

        everything = EvidenceFilter()
        cells = {
            (c.row, c.col): c
            for c in (await both(everything, Dimension.OUTCOME, Dimension.INTERVENTION)).cells
        }
        services = cells[("services", "rpa-automation")]
        assert services.planned_evaluations == 2
        assert services.first_report_due == "2026-11-30"
        assert services.being_filled == (
            "being filled: 2 planned or ongoing evaluations, first report due 2026-11"
        )
        data = cells[("data", "rpa-automation")]
        assert (data.planned_evaluations, data.first_report_due) == (1, "2027-03-31")
        assert cells[("services", "cyber-security-resilience")].planned_evaluations == 1
        assert sum(c.planned_evaluations for c in cells.values()) == 4
        # Never evidence: the case studies of the cells are those with claims only.
        ids = {p["id"] for p in PLANNED}
        page = await evidence.what_works(db, everything, limit=2000, offset=0, store=store)
        assert not ids & {row.id for row in page.items}
        by_theme = await both(everything, Dimension.THEME, Dimension.INTERVENTION)
        # Evaluation 2 in its theme under each of its two approaches; 4 applies none.
        assert sum(c.planned_evaluations for c in by_theme.cells) == 2
        wales = EvidenceFilter(regions=["wales"], outcomes=["services"])
        filled = (await both(wales, Dimension.OUTCOME, Dimension.REGION)).cells
        assert [(c.row, c.col) for c in filled if c.planned_evaluations] == [("services", "wales")]
        for f in (EvidenceFilter(min_strength=2), EvidenceFilter(directions=["positive"])):
            gap = await both(f, Dimension.OUTCOME, Dimension.INTERVENTION)
            assert not any(c.planned_evaluations for c in gap.cells)
        by_type = await both(everything, Dimension.OUTCOME, Dimension.EVIDENCE_TYPE)
        assert not any(c.planned_evaluations for c in by_type.cells)

    run(settings, check)


def test_every_gap_map_and_facet_of_the_whole_graph_agrees(
    settings: ApiSettings, corpus: Path
) -> None:
    store = EvidenceStore(max_claims=1_000_000)
    everything = EvidenceFilter()

    async def compare(db: Db) -> None:
        facets = await evidence.facets(db, everything, list(Dimension), zeros=True, store=store)
        assert facets == await evidence.facets(db, everything, list(Dimension), zeros=True)
        for rows in GAP_MAP_DIMENSIONS:
            for cols in GAP_MAP_DIMENSIONS:
                if rows != cols:
                    kept = await evidence.gap_map(db, everything, rows, cols, store=store)
                    assert kept == await evidence.gap_map(db, everything, rows, cols)

    run(settings, compare)


def test_repeated_facets_and_gap_maps_are_kept_for_the_load(
    settings: ApiSettings, corpus: Path
) -> None:
    store = EvidenceStore(max_claims=1_000_000)
    f = EvidenceFilter(outcomes=["inclusion"])

    async def twice(db: Db) -> None:
        axes = (Dimension.INTERVENTION, Dimension.OUTCOME)
        first = await evidence.gap_map(db, f, *axes, store=store)
        again = await evidence.gap_map(db, f, *axes, store=store)
        assert again is first  # from the cache, not computed again
        facets = await evidence.facets(db, f, [Dimension.REGION], zeros=False, store=store)
        assert await evidence.facets(db, f, [Dimension.REGION], zeros=False, store=store) == facets

    run(settings, twice)


def test_concurrent_first_requests_share_one_build(settings: ApiSettings, corpus: Path) -> None:
    store = EvidenceStore(max_claims=1_000_000)

    async def together(db: Db) -> None:
        found = await asyncio.gather(*(store.index(db) for _ in range(8)))
        assert all(index is found[0] for index in found)

    run(settings, together)
    assert store.builds == 1


def test_a_graph_over_the_claim_bound_is_answered_by_cypher(
    settings: ApiSettings, corpus: Path
) -> None:
    store = EvidenceStore(max_claims=100)
    f = EvidenceFilter(outcomes=["inclusion"])

    async def bounded(db: Db) -> None:
        assert await store.index(db) is None
        kept = await evidence.what_works(db, f, limit=20, offset=0, store=store)
        assert kept == await evidence.what_works(db, f, limit=20, offset=0)
        assert kept.total > 0

    run(settings, bounded)
    assert store.builds == 1  # not built again for the same load


def test_a_load_is_answered_at_once_and_patches_the_index(
    settings: ApiSettings, corpus: Path, tmp_path: Path
) -> None:
    store = EvidenceStore(max_claims=1_000_000)
    with corpus.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    weak = next(r for r in rows if r["evidence_type"] == "news-report")
    everything = EvidenceFilter()
    studies = EvidenceFilter(text=weak["title"].lower())

    async def strength(db: Db) -> int:
        page = await evidence.what_works(db, studies, limit=200, offset=0, store=store)
        assert page == await evidence.what_works(db, studies, limit=200, offset=0)
        return next(row.strength for row in page.items if row.id == weak["id"])

    before = run(settings, strength)
    stronger = tmp_path / "case-studies.csv"
    with stronger.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(weak))
        writer.writeheader()
        writer.writerow({**weak, "evidence_type": "peer-reviewed"})
    load(settings, stronger)
    assert run(settings, strength) > before  # the next request sees the load
    assert (store.builds, store.patches) == (1, 1)

    store.changed()  # no load since: nothing to read again
    run(settings, lambda db: evidence.what_works(db, everything, limit=1, offset=0, store=store))
    assert (store.builds, store.patches) == (1, 2)


def test_the_first_gap_map_after_a_small_load_is_patched_counts_in_few_statements(
    settings: ApiSettings, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EvidenceStore(max_claims=1_000_000)
    with corpus.open(newline="", encoding="utf-8") as f:
        row = next(csv.DictReader(f))
    axes = (Dimension.OUTCOME, Dimension.THEME)
    everything = EvidenceFilter()

    async def gap_map(db: Db) -> tuple[evidence.GapMap, Any]:
        found = await evidence.gap_map(db, everything, *axes, store=store)
        index = await store.index(db)
        assert index is not None
        assert index.tallies is not None
        return found, index.tallies.kept()[("gap-map", everything.model_dump_json(), *axes)]

    before, tally = run(settings, gap_map)
    load(settings, _one_row(tmp_path / "one", {**row, "id": "one-more", "title": "One more"}))
    with recording() as sent:
        after, same = run(settings, gap_map)
    assert same is tally  # the kept counts were patched, not counted again
    assert after != before
    assert after == run(settings, lambda db: evidence.gap_map(db, everything, *axes))
    # What the loads stamped, in one statement (it was 24, then one more for the case studies of
    # the claims); before the version check, opening the handle ensured the schema.
    queries = [s.query for s in sent]
    patch = queries[queries.index(loads_q.LOAD_VERSION) : queries.index(index_q.STUDY_ROWS) + 1]
    assert patch == [
        loads_q.LOAD_VERSION,
        loads_q.LOADS,
        index_q.STAMPED,
        index_q.STUDY_ROWS,
    ]
    assert store.patches == 1

    # More case studies changed than are worth following: the counts are made afresh.
    monkeypatch.setattr(evidence_patch, "FOLLOWED_STUDIES", 0)
    load(settings, _one_row(tmp_path / "two", {**row, "id": "two-more", "title": "Two more"}))
    again, recounted = run(settings, gap_map)
    assert recounted is not same
    assert again == run(settings, lambda db: evidence.gap_map(db, everything, *axes))
    assert store.patches == 2


def _one_row(folder: Path, row: dict[str, str]) -> Path:
    folder.mkdir()
    path = folder / "case-studies.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    return path


def test_approach_cards_from_the_index_are_the_cypher_ones(
    settings: ApiSettings, sync_driver: Driver, corpus: Path
) -> None:
    choices = values(sync_driver, settings)
    rnd = random.Random(1616)  # noqa: S311 - seeded on purpose, to be replayed
    store = EvidenceStore(max_claims=1_000_000)

    async def compare(db: Db) -> None:
        for _ in range(60):
            f = random_filter(rnd, choices)
            kept = await approaches.what_works(db, f, limit=20, offset=0, store=store)
            assert kept == await approaches.what_works(db, f, limit=20, offset=0), f
            sort: Literal["family", "rating"] = rnd.choice(["family", "rating"])
            kept_page = await approaches.interventions(
                db, f, sort=sort, limit=50, offset=0, store=store
            )
            fresh_page = await approaches.interventions(db, f, sort=sort, limit=50, offset=0)
            assert kept_page == fresh_page, f
            one = rnd.choice(kept_page.items).id
            kept_one = await approaches.intervention(db, one, f, store)
            assert kept_one == await approaches.intervention(db, one, f), (one, f)

    run(settings, compare)


def test_an_approach_scope_looks_only_at_case_studies_applying_an_approach(
    settings: ApiSettings, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The generated corpus applies no approach: its claims are most of those of an outcome.
    store = EvidenceStore(max_claims=1_000_000)
    index = run(settings, store.index)
    assert index is not None
    checked: list[int] = []
    passes = index.claim_passes

    def counted(claim: int, f: EvidenceFilter) -> bool:
        checked.append(claim)
        return passes(claim, f)

    monkeypatch.setattr(index, "claim_passes", counted)
    applying = {n for n, found in enumerate(index.interventions) if found}
    assert index.scope(EvidenceFilter(), [])
    assert checked
    assert {index.claim_study[claim] for claim in checked} <= applying
    # Fewer claims reached than those of the case studies applying an approach: those claims.
    checked.clear()
    assert index.scope(EvidenceFilter(outcomes=["inclusion"]), [])
    assert len(checked) <= len(index.claims_by["outcome"]["inclusion"])


def test_a_scope_too_large_is_refused_by_both_paths(
    settings: ApiSettings, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(approaches, "MAX_STUDY_ROWS", 5)
    store = EvidenceStore(max_claims=1_000_000)

    async def refused(db: Db) -> None:
        for given in (store, None):
            with pytest.raises(approaches.ScopeTooLarge):
                await approaches.what_works(db, EvidenceFilter(), limit=5, offset=0, store=given)

    run(settings, refused)


def test_a_contribution_is_in_the_index_at_once(settings: ApiSettings, corpus: Path) -> None:
    key = make_key(settings, Scope.CONTRIBUTE)
    app = create_app(settings)
    with TestClient(app) as client:
        store = app.state.evidence_store
        assert client.get("/evidence", params={"q": "a partner's study"}).json()["total"] == 0
        assert store.builds == 1
        assert contribute(client, key, CONTRIBUTION).status_code == 201
        found = client.get("/evidence", params={"q": "a partner's study"}).json()
        assert [row["id"] for row in found["items"]] == ["partner-study"]
        assert (store.builds, store.patches) == (1, 1)


def test_once_built_a_page_reads_only_its_rows_and_a_repeat_nothing(
    settings: ApiSettings, corpus: Path
) -> None:
    store = EvidenceStore(max_claims=1_000_000)
    f = EvidenceFilter(outcomes=["inclusion"], min_strength=2)
    axes = (Dimension.INTERVENTION, Dimension.OUTCOME)

    async def requests(db: Db) -> None:
        await store.index(db)
        await evidence.gap_map(db, f, *axes, store=store)
        with recording() as sent:
            page = await evidence.what_works(db, f, limit=20, offset=0, store=store)
            await evidence.gap_map(db, f, *axes, store=store)
        assert page.items
        # One round trip checks the version, then the page by id; the repeat: the check only.
        assert [s.query for s in sent] == [loads_q.LOAD_VERSION, index_q.PAGE, loads_q.LOAD_VERSION]
        assert sent[1].params["ids"] == [row.id for row in page.items]

    run(settings, requests)


NEW_OUTCOME = """nodes:
  - id: patched-outcome-{step}
    kind: Outcome
    name: "Patched outcome {step}"
    description: An outcome no case study had before this load.
    source: "A test of the evidence index's patches"
    links:
      - {{rel: IN_SCHEME, to: digitalisation-outcomes}}
"""


def _changed_rows(rnd: random.Random, rows: list[dict[str, str]], step: int) -> dict[str, Any]:
    """One random load: its CSV rows (and a YAML file, for a new outcome), and what it does."""
    change = rnd.choice(["new", "claims", "links", "moved", "outcome", "removal"])
    row = dict(rnd.choice(rows))
    themes = ["Leadership, diversity and skills", "Service design and transformation"]
    if change == "new":
        found = [
            {**r, "id": f"patched-{step}-{i}"}
            for i, r in enumerate(generate.rows(3, seed=9_000 + step))
        ]
    elif change == "claims":
        types = ["peer-reviewed", "news-report", "audit-or-inspection", "self-reported"]
        found = [
            {
                **row,
                "evidence_type": rnd.choice(types),
                "direction": rnd.choice(["positive", "mixed", "negative", ""]),
            }
        ]
    elif change == "links":  # added only: no link goes
        found = [{**row, "themes": ";".join(dict.fromkeys([*row["themes"].split(";"), *themes]))}]
        found[0]["partners"] = ";".join(filter(None, [row["partners"], f"Partner {step} Ltd"]))
    elif change == "moved":
        found = [{**row, "place": f"Newtown {step}", "region": rnd.choice(["Wales", "London"])}]
    elif change == "outcome":
        found = [{**row, "outcomes": ";".join([row["outcomes"], f"Patched outcome {step}"])}]
    else:  # a theme dropped: a removal, which leaves no stamp
        found = [{**row, "themes": themes[0] if row["themes"] != themes[0] else themes[1]}]
    return {"change": change, "rows": found}


def test_a_patched_index_answers_as_one_built_afresh_after_random_loads(
    settings: ApiSettings, sync_driver: Driver, corpus: Path, tmp_path: Path
) -> None:
    """After each of a seeded run of loads, the index patched from the loads' stamps gives what
    one built from the whole graph gives; it is built afresh instead whenever a load removed
    something."""
    rnd = random.Random(1717)  # noqa: S311 - seeded on purpose, to be replayed
    with corpus.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    store = EvidenceStore(max_claims=1_000_000)
    run(settings, store.index)
    removed: list[int] = []
    followed = {"facets": 0, "gap-map": 0}
    for step in range(14):
        kept = _kept_tallies(settings, store)
        load_ = _changed_rows(rnd, rows, step)
        folder = tmp_path / f"load-{step}"
        folder.mkdir()
        paths = [folder / "case-studies.csv"]
        if load_["change"] == "outcome":
            (folder / "outcome.yaml").write_text(NEW_OUTCOME.format(step=step), encoding="utf-8")
            paths.insert(0, folder / "outcome.yaml")
        with paths[-1].open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=fields)
            writer.writeheader()
            writer.writerows({k: r.get(k, "") for k in fields} for r in load_["rows"])
        report = load(settings, *paths)
        assert report.ok, report.issues
        patches = store.patches
        choices = values(sync_driver, settings)
        for key in _same_tallies(settings, store, kept):  # first: it makes the patch
            followed[key[0]] += 1
        _same_answers(settings, rnd, choices, store)
        removed.append(report.counts.links_removed)
        # Removals too are found from the stamps: never built afresh (but a load that found
        # everything as it was records no load: nothing to patch).
        assert store.builds == 1, (step, load_["change"])
        assert store.patches == patches + report.counts.changed, (step, load_["change"])
    assert store.patches >= 10
    assert sum(removed) > 0  # some loads removed links, and were patched
    # Every patch followed the kept facet counts; gap maps too, but for a cell whose newest
    # case study changed (counted afresh when next asked).
    assert followed["facets"] == len(TALLIED_FILTERS) * len(Dimension) * 14
    assert followed["gap-map"] > len(TALLIED_FILTERS) * 42 * 14 * 3 // 4


TALLIED_FILTERS = (EvidenceFilter(), EvidenceFilter(directions=["positive"], min_strength=2))
"""Filters with claim conditions only, whose counts the index keeps across patches."""


def _kept_tallies(settings: ApiSettings, store: EvidenceStore) -> dict[tuple[Any, ...], Any]:
    """Every facet and gap map of the tallied filters asked, so the index keeps their counts;
    the kept tallies."""

    async def ask(db: Db) -> dict[tuple[Any, ...], Any]:
        for f in TALLIED_FILTERS:
            await evidence.facets(db, f, list(Dimension), zeros=False, store=store)
            for rows, cols in permutations(GAP_MAP_DIMENSIONS, 2):
                await evidence.gap_map(db, f, rows, cols, store=store)
        index = await store.index(db)
        assert index is not None
        assert index.tallies is not None
        asked = {f.model_dump_json() for f in TALLIED_FILTERS}
        return {key: t for key, t in index.tallies.kept().items() if key[1] in asked}

    return run(settings, ask)


def _same_tallies(
    settings: ApiSettings, store: EvidenceStore, before: dict[tuple[Any, ...], Any]
) -> list[tuple[Any, ...]]:
    """Every facet and gap map of the tallied filters from the patched index against one
    built afresh; the keys of the tallies the patch brought up to date (not dropped)."""

    async def compare(db: Db) -> list[tuple[Any, ...]]:
        index = await store.index(db)
        assert index is not None
        assert index.tallies is not None
        after = index.tallies.kept()
        followed = [key for key, tally in before.items() if after.get(key) is tally]
        fresh = EvidenceStore(max_claims=1_000_000)
        for f in TALLIED_FILTERS:
            for given in (store, fresh):
                await given.index(db)
            kept = await evidence.facets(db, f, list(Dimension), zeros=True, store=store)
            assert kept == await evidence.facets(db, f, list(Dimension), zeros=True, store=fresh)
            for rows, cols in permutations(GAP_MAP_DIMENSIONS, 2):
                kept_map = await evidence.gap_map(db, f, rows, cols, store=store)
                assert kept_map == await evidence.gap_map(db, f, rows, cols, store=fresh), (
                    f,
                    rows,
                    cols,
                )
        return followed

    return run(settings, compare)


def _same_answers(
    settings: ApiSettings, rnd: random.Random, choices: dict[str, list[Any]], store: EvidenceStore
) -> None:
    async def compare(db: Db) -> None:
        fresh = EvidenceStore(max_claims=1_000_000)
        for _ in range(30):
            f = random_filter(rnd, choices)
            for given in (store, fresh):
                await given.index(db)
            limit, offset = rnd.choice([(20, 0), (7, 0), (20, 20), (200, 0)])
            page = await evidence.what_works(db, f, limit=limit, offset=offset, store=store)
            assert page == await evidence.what_works(
                db, f, limit=limit, offset=offset, store=fresh
            ), f
            dimensions = rnd.sample(list(Dimension), rnd.choice([1, 2, 3]))
            kept = await evidence.facets(db, f, dimensions, zeros=False, store=store)
            assert kept == await evidence.facets(db, f, dimensions, zeros=False, store=fresh)
            rows, cols = rnd.sample(GAP_MAP_DIMENSIONS, 2)
            kept_map = await evidence.gap_map(db, f, rows, cols, store=store)
            assert kept_map == await evidence.gap_map(db, f, rows, cols, store=fresh), f
            cards = [await _cards(db, f, given) for given in (store, fresh)]
            assert cards[0] == cards[1], f

    run(settings, compare)


async def _cards(db: Db, f: EvidenceFilter, store: EvidenceStore) -> Any:
    try:
        return await approaches.what_works(db, f, limit=20, offset=0, store=store)
    except approaches.ScopeTooLarge:
        return "too large"


def test_an_index_is_built_afresh_where_a_patch_would_not_be_exact(
    settings: ApiSettings, sync_driver: Driver, corpus: Path
) -> None:
    """A load recorded without stamping its removals (made before loads did), a load gone,
    a restore's stamps: the index is built from the whole graph again, and answers right."""
    store = EvidenceStore(max_claims=1_000_000)
    run(settings, store.index)
    legacy = (
        "CREATE (l:Load {id: 'legacy-load', started_at: '2999-01-01T00:00:00',"
        " links_removed: 1, nodes_removed: 0})"
    )
    steps = [
        legacy,
        "MATCH (l:Load {id: 'legacy-load'}) DELETE l",  # a load gone: a restore or a clear
        "MATCH (:CaseStudy)-[r:ADDRESSES]->() WITH r LIMIT 1 SET r.load = 'restore'",
    ]
    for number, statement in enumerate(steps, start=2):
        sync_driver.execute_query(statement, database_=settings.database)
        if "restore" in statement:  # a restore's stamps are seen when a load comes next
            sync_driver.execute_query(
                legacy.replace("links_removed: 1", "links_removed: 0"),
                database_=settings.database,
            )
        choices = values(sync_driver, settings)
        _same_answers(settings, random.Random(number), choices, store)  # noqa: S311
        assert (store.builds, store.patches) == (number, 0), statement
    sync_driver.execute_query(
        "MATCH ()-[r]->() WHERE r.load = 'restore' SET r.load = 'legacy-load' WITH 1 AS done "
        "MATCH (l:Load {id: 'legacy-load'}) DELETE l",
        database_=settings.database,
    )


def test_the_load_version_is_the_load_states(
    settings: ApiSettings, corpus: Path, tmp_path: Path
) -> None:
    async def versions(db: Db) -> tuple[Any, Any]:
        return await changes.load_version(db), (await changes.load_state(db)).version

    one, other = run(settings, versions)
    assert one == other
    with corpus.open(newline="", encoding="utf-8") as f:
        row = next(csv.DictReader(f))
    row["title"] += " (revised)"  # a real change: a load that changes nothing is not recorded
    changed = tmp_path / "case-studies.csv"
    with changed.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    load(settings, changed)
    again, other = run(settings, versions)
    assert again == other
    assert again[0] == one[0] + 1


def test_a_request_checks_the_load_version_once_and_a_repeat_reads_no_page(
    settings: ApiSettings, corpus: Path
) -> None:
    with TestClient(create_app(settings)) as client:
        client.get("/evidence").raise_for_status()  # the index is built
        asked: dict[str, str | int] = {"outcome": "Inclusion", "limit": 7}
        with recording() as first:
            page = client.get("/evidence", params=asked).json()
        with recording() as again:
            assert client.get("/evidence", params=asked).json() == page
    # Resolving the name and picking the page share one check; the repeat is kept for the load.
    assert [s.query for s in first] == [loads_q.LOAD_VERSION, index_q.PAGE]
    assert [s.query for s in again] == [loads_q.LOAD_VERSION]
    assert page["items"]


def test_later_pages_of_a_filter_are_slices_of_its_kept_matches(
    settings: ApiSettings, sync_driver: Driver, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    choices = values(sync_driver, settings)
    filters = [
        EvidenceFilter(),
        EvidenceFilter(outcomes=[choices["outcomes"][0]]),
        EvidenceFilter(regions=[choices["regions"][0]]),
        EvidenceFilter(themes=[choices["themes"][0]], min_strength=2),
        EvidenceFilter(year_from=2019, year_to=2021),
        EvidenceFilter(text="council"),
    ]
    store = EvidenceStore(max_claims=1_000_000, kept_matches=50)

    def refuse(*_: Any) -> Any:
        raise AssertionError("the ranking walked again for a page within the kept matches")

    async def page_through(db: Db) -> None:
        index = await store.index(db)
        assert index is not None
        for number, f in enumerate(filters, start=1):
            with monkeypatch.context() as patched:
                for offset in (0, 20, 30, 60):  # 60: past the 50 kept, walked for that page
                    kept = await evidence.what_works(db, f, limit=20, offset=offset, store=store)
                    assert kept == await evidence.what_works(db, f, limit=20, offset=offset), f
                    if offset == 0:
                        assert kept.total > 20, f  # deep enough to page past what is kept
                        patched.setattr(index, "ranking", refuse)
                    if offset == 30:
                        patched.undo()
            assert store.walks == number  # once per filter, whatever the pages asked

    run(settings, page_through)


def test_a_built_index_is_left_out_of_the_collectors_generations(
    settings: ApiSettings, corpus: Path
) -> None:
    # A full collection would otherwise walk every container of the index, again and again.
    first = EvidenceStore(max_claims=1_000_000)
    index = run(settings, first.index)
    assert index is not None
    assert not any(tracked is index.by_position for tracked in gc.get_objects())
    built_before = weakref.ref(index)
    del first, index
    assert run(settings, EvidenceStore(max_claims=1_000_000).index) is not None
    assert built_before() is None  # frozen by its build, still collected once dropped
