"""Issue 16's targets as requests: each endpoint with the values it rotates over, and the same
question for the floor (`bench/floor.py`) with a check that both answered alike.

Values come from the corpus itself (its places, organisations and studies), so every request
finds something at every size. Each target rotates over several values, so no response cache
can answer a request it has just seen; where a filter has fewer values than samples (four
directions, four minimum strengths) the report says how many requests were distinct.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench import generate
from bench.floor import PAGE, Filter, Floor

Answer = Any
Check = Callable[[Answer, Answer], str | None]
"""API JSON and the floor's answer -> None when they agree, else what differs."""

EVIDENCE_GROUP = "`/evidence` first page, any single filter"
FACETS = "/evidence/facets?outcome=Inclusion&group_by=region&group_by=evidence_type"
GAP_MAP = "/evidence/gap-map?rows=outcome&cols=theme"
SERVICES = (
    "school meals",
    "waste collection",
    "parking permits",
    "libraries",
    "highways",
    "council tax",
    "benefits",
    "housing repairs",
    "planning",
    "adult social care",
)


@dataclass(frozen=True)
class Ask:
    path: str
    floor: Callable[[Floor], Answer] | None
    """None: the floor has no answer to time (paths)."""
    check: Check | None = None


@dataclass(frozen=True)
class Target:
    name: str
    group: str
    """The row of issue 16's targets table it answers."""
    target_ms: float | None
    asks: list[Ask]


@dataclass(frozen=True)
class Corpus:
    """What the requests ask about, taken from the generated CSV."""

    places: list[str]
    rare_places: list[str]
    organisations: list[str]
    studies: list[str]

    @classmethod
    def read(cls, path: Path, count: int = 12) -> Corpus:
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        places = Counter(r["place"] for r in rows)
        orgs = Counter(r["organisation"] for r in rows)
        common = [p for p, _ in places.most_common()]
        step = max(1, len(rows) // count)
        return cls(
            places=_spread(common, count),
            # Search for a place few studies name: a selective term.
            rare_places=[p for p in reversed(common) if " " not in p][:count],
            organisations=_spread([o for o, _ in orgs.most_common()], count),
            studies=[rows[i * step]["id"] for i in range(count)],
        )


def _spread(values: list[str], count: int) -> list[str]:
    """`count` values from across a list ranked by frequency: busy ones and quiet ones."""
    step = max(1, len(values) // count)
    return values[::step][:count]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def evidence_targets(floor: Floor, corpus: Corpus) -> list[Target]:
    """The first page of `/evidence` for each single filter, rotating over its values."""
    by_name = floor.ids_by_name()
    kinds: list[tuple[str, list[tuple[str, Filter]]]] = [
        ("outcome", [(o, Filter(outcomes=[by_name[o]])) for o in generate.OUTCOMES]),
        ("theme", [(t, Filter(themes=[by_name[t]])) for t in generate.THEMES]),
        ("region", [(r, Filter(regions=[by_name[r]])) for r in generate.REGIONS]),
        ("place", [(p, Filter(places=[f"locality-{slug(p)}"])) for p in corpus.places]),
        (
            "organisation",
            [(o, Filter(organisations=[floor.organisation_id(o)])) for o in corpus.organisations],
        ),
        (
            "evidence_type",
            [(t, Filter(evidence_types=[t.replace("_", "-")])) for t, _ in generate.EVIDENCE_TYPES],
        ),
        ("direction", [(d, Filter(directions=[d])) for d, _ in generate.DIRECTIONS]),
        ("min_strength", [(str(s), Filter(min_strength=s)) for s in (2, 3, 4, 5)]),
        ("q", [(s, Filter(text=s)) for s in SERVICES]),
    ]
    targets = [
        Target(
            f"evidence: {kind}",
            EVIDENCE_GROUP,
            50,
            [
                Ask(f"/evidence?{kind}={quote(value)}", _evidence(f), _same_page)
                for value, f in values
            ],
        )
        for kind, values in kinds
    ]
    years = [
        Ask(f"/evidence?year_from={y}&year_to={y}", _evidence(Filter(year_from=y, year_to=y)))
        for y in range(2015, 2026)
    ]
    targets.insert(-1, Target("evidence: year", EVIDENCE_GROUP, 50, _checked(years)))
    return targets


def _checked(asks: list[Ask]) -> list[Ask]:
    return [Ask(a.path, a.floor, _same_page) for a in asks]


def _evidence(f: Filter) -> Callable[[Floor], Answer]:
    return lambda floor: floor.evidence(f)


def _same_page(api: Answer, floor: Answer) -> str | None:
    ids = [item["id"] for item in api["items"]]
    if api["total"] == floor["total"] and ids == floor["ids"]:
        return None
    return f"total {api['total']} vs {floor['total']}; first ids {ids[:3]} vs {floor['ids'][:3]}"


def other_targets(floor: Floor, corpus: Corpus, max_nodes: int) -> list[Target]:
    """What works, search, neighbourhood, node detail (and paths, which has no target)."""
    by_name = floor.ids_by_name()
    studies = corpus.studies
    return [
        Target(
            "what works: outcome",
            "`/what-works` for an outcome",
            100,
            [
                Ask(
                    f"/what-works?outcome={quote(o)}",
                    lambda fl, o=by_name[o]: fl.what_works(o),  # type: ignore[misc]
                    _same_approaches,
                )
                for o in generate.OUTCOMES
            ],
        ),
        Target(
            "search: selective term",
            "`/search`, a selective term",
            20,
            [
                # The floor's FTS5 answers the full-text ranking alone; hybrid search (by
                # meaning too) is measured by bench/search_recall.py.
                Ask(
                    f"/search?q={quote(p)}&mode=keyword",
                    lambda fl, p=p: fl.search(p),  # type: ignore[misc]
                    _same_hits,
                )
                for p in corpus.rare_places
            ],
        ),
        *[
            Target(
                f"neighbourhood: depth {depth}",
                "`/graph/neighbourhood` depth 1 and 2",
                50,
                [
                    Ask(
                        f"/graph/neighbourhood/{s}?depth={depth}",
                        lambda fl, s=s, d=depth: fl.neighbourhood(s, d, max_nodes),  # type: ignore[misc]
                        _same_neighbourhood,
                    )
                    for s in studies
                ],
            )
            for depth in (1, 2)
        ],
        Target(
            "node detail",
            "node detail",
            5,
            [
                Ask(f"/nodes/{s}", lambda fl, s=s: fl.node(s), _same_links)  # type: ignore[misc]
                for s in studies
            ],
        ),
        Target(
            "paths",
            "(no target)",
            None,
            [Ask(f"/graph/paths?from={s}&to=inclusion", None) for s in studies],
        ),
    ]


def _same_approaches(api: Answer, floor: Answer) -> str | None:
    mine = sorted(item["intervention"]["id"] for item in api["items"])
    theirs = sorted(row[0] for row in floor)
    if api["total"] == len(floor) and (api["total"] > len(mine) or mine == theirs):
        return None
    return f"approaches {api['total']} vs {len(floor)}"


def _same_hits(api: Answer, floor: Answer) -> str | None:
    mine = sorted(hit["node"]["id"] for hit in api)
    if len(mine) == len(floor) == PAGE:
        return None  # a full page: the two rankings (name first, BM25) may keep different hits
    return None if mine == sorted(floor) else f"hits {mine[:3]} vs {sorted(floor)[:3]}"


def _same_neighbourhood(api: Answer, floor: Answer) -> str | None:
    if api["truncated"]:
        return None  # which nodes a capped walk keeps depends on order: compare only whole ones
    mine = sorted(n["data"]["id"] for n in api["nodes"])
    if mine == floor["nodes"] and len(api["edges"]) == len(floor["edges"]):
        return None
    return f"nodes {len(mine)} vs {len(floor['nodes'])}, edges {len(api['edges'])} vs " + str(
        len(floor["edges"])
    )


def _same_links(api: Answer, floor: Answer) -> str | None:
    if floor is not None and api["links_total"] == floor["total"]:
        return None
    return f"links {api['links_total']} vs {floor and floor['total']}"


def facets_ask() -> Ask:
    f = Filter(outcomes=["inclusion"])
    return Ask(FACETS, lambda fl: fl.facets(f, ["region", "evidence_type"]), _same_facets)


def gap_map_ask() -> Ask:
    return Ask(GAP_MAP, lambda fl: fl.gap_map(Filter()), _same_cells)


def _same_facets(api: Answer, floor: Answer) -> str | None:
    for facet in api:
        counts = {b["key"]: b["count"] for b in facet["buckets"] if b["count"]}
        if counts != floor[facet["dimension"]]:
            theirs = floor[facet["dimension"]]
            changed = sorted(
                str(k) for k in set(counts) | set(theirs) if counts.get(k) != theirs.get(k)
            )
            return f"{facet['dimension']}: {len(changed)} values differ, e.g. {changed[:3]}"
    return None


def _same_cells(api: Answer, floor: Answer) -> str | None:
    cells = {
        (c["row"], c["col"]): {int(s): n for s, n in c["strength_distribution"].items() if n}
        for c in api["cells"]
        if c["case_studies"]
    }
    if cells == floor:
        return None
    return f"{len(cells)} non-empty cells vs {len(floor)}"
