"""What works: evidence for outcomes, its facets, the evidence-and-gap map, and the path models
(the search itself is graph.path_search).

Weak evidence is returned as weak: every row carries its strength on the common 1-5 scale,
and nothing is left out for being weak unless the caller asks for a minimum strength.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from graph import evidence_tally as tally
from graph.db import Db
from graph.evidence_store import EvidenceStore
from graph.model import Kind
from graph.queries import evidence as q
from graph.queries import evidence_index as index_q
from graph.queries import nodes as nodes_q
from graph.queries.evidence import Dimension
from graph.rating_rule import STRENGTH_NAMES

DIRECTION_WORDS = {
    "positive": "positive effect reported",
    "mixed": "mixed effect reported",
    "negative": "negative effect reported",
    "no_effect": "no effect found",
    "not_stated": "direction not stated",
}
"""Each direction in words: a claim whose source did not say is never shown as positive."""


class EvidenceFilter(BaseModel):
    """Which evidence to consider. Lists mean 'any of'; empty lists mean 'no restriction'."""

    outcomes: list[str] = Field(default_factory=list)
    themes: list[str] = Field(default_factory=list)
    organisations: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    places: list[str] = Field(default_factory=list)
    evidence_types: list[str] = Field(default_factory=list)
    directions: list[str] = Field(default_factory=list)
    min_strength: int = Field(default=1, ge=1, le=5)
    year_from: int | None = None
    year_to: int | None = None
    text: str | None = None

    def params(self) -> dict[str, Any]:
        values = self.model_dump()
        values["text"] = self.text.strip().lower() if self.text and self.text.strip() else None
        return values


class NodeRef(BaseModel):
    """A node a case study names (an organisation, theme, place or region): its id and name."""

    id: str
    name: str


class Claim(BaseModel):
    """One evidence claim: that the case study advances an outcome, and how strongly."""

    id: str
    outcome: str
    outcome_name: str
    strength: int = Field(description="On the common 1-5 scale.")
    strength_name: str
    level: str
    level_name: str | None
    evidence_type: str
    type_name: str | None
    direction: str = Field(
        description="positive, mixed, negative, no_effect, or not_stated: the source did not "
        "say (never assumed positive)."
    )
    source: str | None
    graded_by: str | None = Field(
        default=None,
        description="The organisation whose contribution graded this claim; none for the "
        "bundled evidence.",
    )


class EvidenceRow(BaseModel):
    """A case study with the evidence that matched, its strongest claim and why it matched."""

    id: str
    title: str
    summary: str
    year_start: int | None
    year_end: int | None
    strength: int = Field(description="The strongest matching claim, on the common 1-5 scale.")
    claims: list[Claim]
    lead: list[NodeRef]
    partners: list[NodeRef]
    themes: list[NodeRef]
    places: list[NodeRef]
    regions: list[NodeRef]
    interventions: list[NodeRef] = Field(description="The approaches it applied.")
    reported_results: list[str]
    source_urls: list[str]
    matched: list[str] = Field(description="Why this case study matched the query.")


class EvidencePage(BaseModel):
    """One page of case studies, strongest evidence first, with the total that matched."""

    items: list[EvidenceRow]
    total: int
    limit: int
    offset: int


class Bucket(BaseModel):
    """One value of a dimension and how many case studies have it."""

    key: str | int | None
    name: str
    count: int


class Facet(BaseModel):
    """Case-study counts for one dimension, one bucket per value."""

    dimension: Dimension
    buckets: list[Bucket]


class Strongest(BaseModel):
    """The case study with the strongest evidence in a gap-map cell."""

    id: str
    name: str
    strength: int


class AxisValue(BaseModel):
    """One value along a gap map's rows or columns."""

    key: str | int | None = Field(description="None: the source did not say (e.g. no region).")
    name: str


class GapCell(BaseModel):
    """One rows x columns cell of the gap map: how many case studies, and how strong."""

    row: str | int | None
    col: str | int | None
    case_studies: int
    strength_distribution: dict[str, int]
    best_strength: int | None = Field(description="The strongest evidence in the cell, 1-5.")
    directions: dict[str, int] = Field(
        description="Case studies by the direction their claims in the cell report (mixed if "
        "they disagree; not_stated if none says, never counted as positive)."
    )
    strongest: Strongest | None
    planned_evaluations: int = Field(
        default=0,
        description="Planned or ongoing evaluations of the cell, accepted by a curator: gaps "
        "being filled. Not evidence: never in case_studies, strengths or directions.",
    )
    first_report_due: str | None = Field(
        default=None, description="The earliest date those evaluations expect to report."
    )
    being_filled: str | None = Field(
        default=None,
        examples=["being filled: 2 planned or ongoing evaluations, first report due 2027-03"],
    )


class GapMap(BaseModel):
    """An evidence-and-gap map: every rows x columns cell, empty ones included."""

    rows: Dimension
    cols: Dimension
    row_values: list[AxisValue]
    col_values: list[AxisValue]
    cells: list[GapCell] = Field(description="Every row x column pair, empty cells included.")


class PathNode(BaseModel):
    """A node on a path, with its source."""

    id: str
    name: str
    kind: Kind
    source: str | None


class PathRelationship(BaseModel):
    """A relationship on a path, with the file and load it came from."""

    type: str
    from_id: str
    to_id: str
    source: str | None = Field(description="The file the relationship was loaded from.")
    load: str | None = Field(description="The load that last wrote it.")


class EvidencePath(BaseModel):
    """A chain of relationships between two nodes, with the provenance of each step."""

    length: int
    nodes: list[PathNode]
    relationships: list[PathRelationship]


async def what_works(
    db: Db,
    evidence: EvidenceFilter,
    *,
    limit: int,
    offset: int,
    store: EvidenceStore | None = None,
) -> EvidencePage:
    """Case studies with matching evidence, strongest first, then most recent.

    With a `store`, its index picks the page and only those rows are read from the graph, and
    the page is kept for the load (a repeat is a lookup); without one (or with a graph too
    large to index), the Cypher statements do it all.
    """
    index = await store.index(db) if store is not None else None
    params = {**evidence.params(), "limit": limit, "offset": offset}
    if index is None:
        rows = await db.read(q.WHAT_WORKS, **params)
        [found] = await db.read(q.WHAT_WORKS_TOTAL, **params)
        total = int(found["total"])
        return _page(rows, evidence, total, limit, offset)
    request = evidence.model_dump_json()
    key = ("page", index.version, request, limit, offset)
    if store is not None and (kept := store.answer(key)) is not None:
        return kept  # type: ignore[no-any-return]
    matches = store.matches(index, evidence, request) if store is not None else None
    ids, total = index.page(evidence, limit=limit, offset=offset, matches=matches)
    rows = await db.read(index_q.PAGE, **params, ids=ids) if ids else []
    page = _page(rows, evidence, total, limit, offset)
    if store is not None:
        store.keep(key, page)
    return page


def _page(
    rows: list[dict[str, Any]], evidence: EvidenceFilter, total: int, limit: int, offset: int
) -> EvidencePage:
    items = [_row(r, evidence) for r in rows]
    return EvidencePage(items=items, total=total, limit=limit, offset=offset)


def _row(record: dict[str, Any], evidence: EvidenceFilter) -> EvidenceRow:
    study = record["study"]
    claims = sorted(
        (Claim(**c, strength_name=STRENGTH_NAMES[c["strength"]]) for c in record["claims"]),
        key=lambda c: (-c.strength, c.outcome_name),
    )
    refs = {
        key: [NodeRef(**r) for r in record[key]]
        for key in ("leads", "partners", "themes", "places", "regions", "interventions")
    }
    row = EvidenceRow(
        id=study["id"],
        title=study["name"],
        summary=study["description"],
        year_start=study.get("year_start"),
        year_end=study.get("year_end"),
        strength=int(record["best"]),
        claims=claims,
        lead=refs["leads"],
        partners=refs["partners"],
        themes=refs["themes"],
        places=refs["places"],
        regions=refs["regions"],
        interventions=sorted(refs["interventions"], key=lambda r: r.name),
        reported_results=study.get("reported_results") or [],
        source_urls=study.get("source_urls") or [],
        matched=[],
    )
    row.matched = _why(row, evidence)
    return row


def _why(row: EvidenceRow, f: EvidenceFilter) -> list[str]:
    reasons = [
        f"{c.strength_name} evidence (strength {c.strength}/5, {c.type_name or c.evidence_type})"
        f" on {c.outcome_name}: {DIRECTION_WORDS.get(c.direction, DIRECTION_WORDS['not_stated'])}"
        for c in row.claims
    ]
    named = [
        (f.themes, row.themes, "addresses the theme"),
        (f.organisations, row.lead, "led by"),
        (f.organisations, row.partners, "with the partner"),
        (f.regions, row.regions, "in the region"),
        (f.places, row.places, "in"),
    ]
    for wanted, refs, phrase in named:
        reasons += [f"{phrase} {ref.name}" for ref in refs if wanted and ref.id in wanted]
    if f.text and f.text.strip():
        reasons.append(f"its title or summary mentions {f.text.strip()!r}")
    if f.year_from is not None or f.year_to is not None:
        reasons.append(f"reported for {row.year_end or row.year_start}")
    return reasons


async def facets(
    db: Db,
    evidence: EvidenceFilter,
    dimensions: list[Dimension],
    *,
    zeros: bool,
    store: EvidenceStore | None = None,
) -> list[Facet]:
    """Case-study counts grouped by each dimension, one bounded query per dimension.

    With `zeros`, every possible value is listed, with 0 where nothing matches. With a
    `store`, the counts come from its index, and the answer is kept for the same request.
    """
    index = await store.index(db) if store is not None else None
    key = ("facets", index and index.version, evidence.model_dump_json(), *dimensions, zeros)
    if store is not None and index is not None and (kept := store.answer(key)) is not None:
        return list(kept)
    out = []
    for dimension in dimensions:
        if index is None:
            rows = await db.read(q.FACETS[dimension], **evidence.params())
            counts = {r["key"]: int(r["count"]) for r in rows}
        else:
            counts = tally.facet_counts(index, evidence, dimension)
        values = await _values(db, dimension, counts, evidence)
        buckets = [
            Bucket(key=key, name=name, count=counts.get(key, 0))
            for key, name in values
            if zeros or counts.get(key, 0)
        ]
        if dimension in (Dimension.YEAR, Dimension.STRENGTH):
            buckets.sort(key=lambda b: (b.key is None, b.key if b.key is not None else 0))
        else:
            buckets.sort(key=lambda b: -b.count)
        out.append(Facet(dimension=dimension, buckets=buckets))
    if store is not None and index is not None:
        store.keep(key, tuple(out))
    return out


async def _values(
    db: Db,
    dimension: Dimension,
    counts: dict[Any, int],
    evidence: EvidenceFilter,
) -> list[tuple[Any, str]]:
    """Every value of a dimension with its name (plus any unnamed value that has counts)."""
    if dimension is Dimension.STRENGTH:
        values: list[tuple[Any, str]] = list(STRENGTH_NAMES.items())
    elif dimension is Dimension.DIRECTION:
        values = list(DIRECTION_WORDS.items())
    elif dimension is Dimension.YEAR:
        years = [y for y in counts if y is not None]
        low = evidence.year_from or min(years, default=None)
        high = evidence.year_to or max(years, default=None)
        span = range(low, high + 1) if low is not None and high is not None else range(0)
        values = [(year, str(year)) for year in span]
    else:
        rows = await db.read(q.DIMENSION_VALUES[dimension])
        values = [(r["key"], r["name"]) for r in rows]
    known = {key for key, _ in values}
    values += [
        (key, "Not stated" if key is None else str(key)) for key in counts if key not in known
    ]
    return values


async def gap_map(
    db: Db,
    evidence: EvidenceFilter,
    rows: Dimension,
    cols: Dimension,
    store: EvidenceStore | None = None,
) -> GapMap:
    """A rows x columns evidence-and-gap map, from one bounded query, with empty cells.

    A cell's strongest case study is the most recent of those with its best strength. With a
    `store`, the cells come from its index, and the map is kept for the same request.
    """
    index = await store.index(db) if store is not None else None
    if index is None:
        found = await db.read(q.GAP_MAP[(rows, cols)], **evidence.params())
        planned_statement = q.GAP_MAP_PLANNED.get((rows, cols))
        planned = (
            []
            if planned_statement is None
            else await db.read(planned_statement, **evidence.params())
        )
    else:
        key = ("gap-map", index.version, evidence.model_dump_json(), rows, cols)
        if store is not None and (kept := store.answer(key)) is not None:
            return kept  # type: ignore[no-any-return]
        found = tally.gap_rows(index, evidence, rows, cols)
        planned = tally.planned_rows(index, evidence, rows, cols)
    # Keys that occur (None for "not stated") join the dimension's named values.
    row_values = await _values(db, rows, _keys([*found, *planned], "row_key"), evidence)
    col_values = await _values(db, cols, _keys([*found, *planned], "col_key"), evidence)
    being_filled = {(r["row_key"], r["col_key"]): r for r in planned}
    by_cell: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for r in found:
        by_cell.setdefault((r["row_key"], r["col_key"]), []).append(r)
    best = {
        cell: max(hits, key=lambda r: (r["strength"], r["newest"]))
        for cell, hits in by_cell.items()
    }
    tops = {cell: r["newest"].split(" ", 1)[1] for cell, r in best.items()}
    names = await _names(db, list(tops.values()))
    cells = []
    for row_key, _ in row_values:
        for col_key, _ in col_values:
            hits = by_cell.get((row_key, col_key), [])
            top = best.get((row_key, col_key))
            cell = _cell(row_key, col_key, hits, top, names)
            if filling := being_filled.get((row_key, col_key)):
                _being_filled(cell, int(filling["planned"]), filling["first_due"])
            cells.append(cell)
    answer = GapMap(
        rows=rows,
        cols=cols,
        row_values=[AxisValue(key=k, name=n) for k, n in row_values],
        col_values=[AxisValue(key=k, name=n) for k, n in col_values],
        cells=cells,
    )
    if store is not None and index is not None:
        store.keep(("gap-map", index.version, evidence.model_dump_json(), rows, cols), answer)
    return answer


def _cell(
    row: Any,
    col: Any,
    hits: list[dict[str, Any]],
    top: dict[str, Any] | None,
    names: dict[str, str],
) -> GapCell:
    strengths = dict.fromkeys(STRENGTH_NAMES, 0)
    directions = dict.fromkeys(DIRECTION_WORDS, 0)
    for r in hits:
        strengths[r["strength"]] += int(r["count"])
        directions[r["direction"]] += int(r["count"])
    strongest = None
    if top is not None:
        top_id = top["newest"].split(" ", 1)[1]
        strongest = Strongest(id=top_id, name=names.get(top_id, top_id), strength=top["strength"])
    return GapCell(
        row=row,
        col=col,
        case_studies=sum(strengths.values()),
        strength_distribution={str(s): n for s, n in strengths.items()},
        best_strength=top["strength"] if top else None,
        directions=directions,
        strongest=strongest,
    )


def _being_filled(cell: GapCell, planned: int, first_due: str | None) -> None:
    cell.planned_evaluations = planned
    cell.first_report_due = first_due
    due = f", first report due {first_due[:7]}" if first_due else ""
    plural = "s" if planned != 1 else ""
    cell.being_filled = f"being filled: {planned} planned or ongoing evaluation{plural}{due}"


def _keys(rows: list[dict[str, Any]], column: str) -> dict[Any, int]:
    return {r[column]: 1 for r in rows}


async def _names(db: Db, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = await db.read(nodes_q.NODE_SUMMARIES, ids=ids)
    return {r["id"]: r["name"] for r in rows}
