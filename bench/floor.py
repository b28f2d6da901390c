"""The floor: the benchmark's questions answered in-process by SQLite over the same rows.

Bench-only, never product code. The rows are the graph's, read the cheapest honest way: the
generated corpus straight from its CSV (mapped to nodes and links exactly as the raw-driver
baseline `bench/raw_load.py` maps it), and everything else (the bundled data) read once from
the graph. They go into an in-memory SQLite database with the indexes a careful hand would add
(claims by outcome, type and direction; links both ways; study regions and places; FTS5 for
search), and each question is one or two indexed statements plus the page's expansion, so a
ratio to the floor says how far an endpoint is from what this machine can do with the data.

What the floor leaves out is listed in docs/benchmarks.md: the API's JSON, HTTP and
validation; what-works cards are counted and ranked by strength, not rated by the rule.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import raw_load
from graph.db import Db
from graph.dialect import search_words
from graph.model import Kind, Rel

PAGE = 20

# Everything the graph holds that the generated corpus did not write: the bundled data, and
# the organisations and places the corpus shares with it (skipped when the CSV is mapped).
NOT_GENERATED = """
MATCH (n:Entity)
WHERE NOT n.id STARTS WITH 'synthetic-' AND NOT n.id STARTS WITH 'claim-synthetic-'
RETURN n {.*} AS props, labels(n) AS labels
"""
NOT_GENERATED_LINKS = """
MATCH (a:Entity)-[r]->(b:Entity)
WHERE NOT a.id STARTS WITH 'synthetic-' AND NOT a.id STARTS WITH 'claim-synthetic-'
RETURN a.id AS source, type(r) AS type, b.id AS target
"""

SCHEMA = """
CREATE TABLE node (id TEXT PRIMARY KEY, kind TEXT, name TEXT, description TEXT, props TEXT);
CREATE TABLE link (source TEXT, type TEXT, target TEXT);
CREATE TABLE study (id TEXT PRIMARY KEY, name TEXT, description TEXT, year_start INTEGER,
                    year_end INTEGER, recency INTEGER);
CREATE TABLE claim (id TEXT PRIMARY KEY, study TEXT, outcome TEXT, strength INTEGER,
                    level TEXT, evidence_type TEXT, direction TEXT, source TEXT,
                    graded_by TEXT);
CREATE TABLE study_region (study TEXT, region TEXT);
CREATE TABLE study_place (study TEXT, place TEXT);
"""

INDEXES = """
CREATE INDEX link_source ON link (source, type, target);
CREATE INDEX link_target ON link (target, type, source);
CREATE INDEX claim_study ON claim (study, strength);
CREATE INDEX claim_outcome ON claim (outcome, strength, study);
CREATE INDEX claim_type ON claim (evidence_type, strength, study);
CREATE INDEX claim_direction ON claim (direction, strength, study);
CREATE INDEX claim_strength ON claim (strength, study);
CREATE INDEX study_rank ON study (recency, name, id);
CREATE INDEX study_region_region ON study_region (region, study);
CREATE INDEX study_place_place ON study_place (place, study);
CREATE VIRTUAL TABLE node_text USING fts5 (name, description, content='node',
                                           content_rowid='rowid');
INSERT INTO node_text (rowid, name, description) SELECT rowid, name, description FROM node;
"""

DERIVE = """
INSERT INTO study
SELECT id, name, coalesce(description, ''), props ->> 'year_start', props ->> 'year_end',
       coalesce(props ->> 'year_end', props ->> 'year_start', 0)
FROM node WHERE kind = 'CaseStudy';
INSERT INTO claim
SELECT c.id, h.source, f.target, c.props ->> 'strength', c.props ->> 'level',
       c.props ->> 'evidence_type', coalesce(c.props ->> 'direction', 'not_stated'),
       c.props ->> 'source', c.props ->> 'contributed_by'
FROM node c
JOIN link h ON h.target = c.id AND h.type = 'HAS_CLAIM'
JOIN link f ON f.source = c.id AND f.type = 'FOR_OUTCOME'
WHERE c.kind = 'EvidenceClaim';
INSERT INTO study_region SELECT s.id, r.value FROM node s, json_each(s.props, '$.region_ids') r
WHERE s.kind = 'CaseStudy';
INSERT INTO study_place SELECT s.id, p.value FROM node s, json_each(s.props, '$.place_ids') p
WHERE s.kind = 'CaseStudy';
"""


@dataclass
class Filter:
    """One evidence filter, as the API's query parameters name it (ids, not names)."""

    outcomes: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    evidence_types: list[str] = field(default_factory=list)
    directions: list[str] = field(default_factory=list)
    min_strength: int = 1
    year_from: int | None = None
    year_to: int | None = None
    text: str | None = None

    def where(self) -> tuple[str, list[Any]]:
        """SQL conditions on `c` (claim) and `s` (study) for only the filters given."""
        parts: list[str] = ["c.strength >= ?"]
        args: list[Any] = [self.min_strength]
        for column, values in (
            ("c.outcome", self.outcomes),
            ("c.evidence_type", self.evidence_types),
            ("c.direction", self.directions),
        ):
            if values:
                parts.append(f"{column} IN ({','.join('?' * len(values))})")
                args += values
        for table, column, values in (
            ("study_region", "region", self.regions),
            ("study_place", "place", self.places),
        ):
            if values:
                marks = ",".join("?" * len(values))
                # Table and column names come from the tuple above, never from a request.
                parts.append(f"c.study IN (SELECT study FROM {table} WHERE {column} IN ({marks}))")  # noqa: S608
                args += values
        for types, values in (
            ("'ADDRESSES'", self.themes),
            ("'LED_BY', 'WITH_PARTNER'", self.organisations),
        ):
            if values:
                marks = ",".join("?" * len(values))
                parts.append(
                    f"c.study IN (SELECT source FROM link WHERE type IN ({types}) "  # noqa: S608
                    f"AND target IN ({marks}))"
                )
                args += values
        if self.year_from is not None:
            parts.append("coalesce(s.year_end, s.year_start) >= ?")
            args.append(self.year_from)
        if self.year_to is not None:
            parts.append("coalesce(s.year_start, s.year_end) <= ?")
            args.append(self.year_to)
        if self.text and self.text.strip():
            parts.append("(instr(lower(s.name), ?) > 0 OR instr(lower(s.description), ?) > 0)")
            args += [self.text.strip().lower()] * 2
        return " AND ".join(parts), args


@dataclass
class Floor:
    """The rows in SQLite, and the benchmark's questions as SQL."""

    db: sqlite3.Connection = field(default_factory=lambda: sqlite3.connect(":memory:"))

    def __post_init__(self) -> None:
        self.db.executescript(SCHEMA)

    def add(
        self,
        nodes: Iterable[tuple[str, str, dict[str, Any]]],
        links: Iterable[tuple[str, str, str]],
    ) -> None:
        """Nodes as (id, kind, properties) and links as (source, type, target)."""
        self.db.executemany(
            "INSERT OR IGNORE INTO node VALUES (?, ?, ?, ?, ?)",
            ((i, kind, p.get("name"), p.get("description"), json.dumps(p)) for i, kind, p in nodes),
        )
        self.db.executemany("INSERT INTO link VALUES (?, ?, ?)", links)

    def finish(self) -> Floor:
        """Derive the evidence tables and build the indexes; call once, after every `add`."""
        self.db.executescript(DERIVE + INDEXES)
        self.db.execute("ANALYZE")
        return self

    # --- the questions -------------------------------------------------------------------

    def evidence(self, f: Filter, limit: int = PAGE) -> dict[str, Any]:
        """The first page, ranked as the API ranks it, with the total and the page expanded."""
        where, args = f.where()
        ranked = self.db.execute(
            f"""SELECT c.study, max(c.strength) AS best, s.recency, s.name,
                       count(*) OVER () AS total
                FROM claim c JOIN study s ON s.id = c.study
                WHERE {where} GROUP BY c.study
                ORDER BY best DESC, s.recency DESC, s.name, s.id LIMIT ?""",  # noqa: S608
            [*args, limit],
        ).fetchall()
        total = ranked[0][4] if ranked else 0
        ids = [r[0] for r in ranked]
        return {"total": total, "ids": ids, "items": self._expand(ids, where, args)}

    def _expand(self, ids: list[str], where: str, args: list[Any]) -> list[dict[str, Any]]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        claims: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for row in self.db.execute(
            f"""SELECT c.study, c.id, c.outcome, o.name, c.strength, c.level, c.evidence_type,
                       c.direction FROM claim c JOIN study s ON s.id = c.study
                JOIN node o ON o.id = c.outcome
                WHERE c.study IN ({marks}) AND {where}""",  # noqa: S608
            [*ids, *args],
        ):
            claims[row[0]].append(row[1:])
        refs: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for source, rel, target, name in self.db.execute(
            f"""SELECT l.source, l.type, l.target, n.name FROM link l JOIN node n ON n.id = l.target
                WHERE l.source IN ({marks}) AND l.type IN
                ('LED_BY', 'WITH_PARTNER', 'ADDRESSES', 'LOCATED_IN', 'APPLIES')""",  # noqa: S608
            ids,
        ):
            refs[source].append((rel, target, name))
        return [{"id": i, "claims": claims[i], "refs": refs[i]} for i in ids]

    def what_works(self, outcome: str) -> list[tuple[str, int, int]]:
        """Approaches with case studies for an outcome: (id, studies, best strength), best
        first. The API also rates each card by the rule; the floor only counts and ranks."""
        return self.db.execute(
            """SELECT a.target, count(DISTINCT c.study) AS studies, max(c.strength) AS best
               FROM claim c JOIN link a ON a.source = c.study AND a.type = 'APPLIES'
               WHERE c.outcome = ? GROUP BY a.target
               ORDER BY best DESC, studies DESC, a.target""",
            [outcome],
        ).fetchall()

    def facets(self, f: Filter, dimensions: list[str]) -> dict[str, dict[Any, int]]:
        """Case studies per value of each dimension (region, evidence_type, outcome, theme)."""
        where, args = f.where()
        key = {
            "outcome": ("c.outcome", ""),
            "evidence_type": ("c.evidence_type", ""),
            # A study with no region counts under None, as the API's `[null]` does.
            "region": ("r.region", "LEFT JOIN study_region r ON r.study = c.study"),
            "theme": ("t.target", "JOIN link t ON t.source = c.study AND t.type = 'ADDRESSES'"),
        }
        out = {}
        for dimension in dimensions:
            column, join = key[dimension]
            rows = self.db.execute(
                f"""SELECT {column}, count(DISTINCT c.study) FROM claim c
                    JOIN study s ON s.id = c.study {join}
                    WHERE {where} GROUP BY {column}""",  # noqa: S608
                args,
            ).fetchall()
            out[dimension] = dict(rows)
        return out

    def gap_map(self, f: Filter) -> dict[tuple[str, str], dict[int, int]]:
        """Outcome x theme cells: case studies by their best strength in the cell."""
        where, args = f.where()
        rows = self.db.execute(
            f"""SELECT o, t, best, count(*) FROM (
                  SELECT c.outcome AS o, l.target AS t, c.study, max(c.strength) AS best
                  FROM claim c JOIN study s ON s.id = c.study
                  JOIN link l ON l.source = c.study AND l.type = 'ADDRESSES'
                  WHERE {where} GROUP BY c.outcome, l.target, c.study)
                GROUP BY o, t, best""",  # noqa: S608
            args,
        ).fetchall()
        cells: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
        for row, col, best, count in rows:
            cells[(row, col)][best] = count
        return dict(cells)

    def search(self, text: str, limit: int = PAGE) -> list[str]:
        """Ids of the nodes whose name or description has every word (as a prefix), by BM25."""
        words = search_words(text)
        if not words:
            return []
        match = " AND ".join('"' + w.replace('"', '""') + '"*' for w in words)
        rows = self.db.execute(
            """SELECT n.id FROM node_text JOIN node n ON n.rowid = node_text.rowid
               WHERE node_text MATCH ? ORDER BY bm25(node_text), n.name, n.id LIMIT ?""",
            [match, limit],
        ).fetchall()
        return [r[0] for r in rows]

    def neighbourhood(self, node_id: str, depth: int, max_nodes: int) -> dict[str, Any]:
        """Nodes within `depth` hops (breadth first, capped) and the edges among them."""
        seen, frontier = {node_id}, [node_id]
        for _ in range(depth):
            marks = ",".join("?" * len(frontier))
            rows = self.db.execute(
                f"""SELECT target FROM link WHERE source IN ({marks})
                    UNION SELECT source FROM link WHERE target IN ({marks})
                    ORDER BY 1 LIMIT ?""",  # noqa: S608
                [*frontier, *frontier, max_nodes * 4],
            ).fetchall()
            frontier = [r[0] for r in rows if r[0] not in seen][: max_nodes - len(seen)]
            seen.update(frontier)
            if not frontier:
                break
        marks = ",".join("?" * len(seen))
        edges = self.db.execute(
            f"""SELECT source, type, target FROM link
                WHERE source IN ({marks}) AND target IN ({marks})""",  # noqa: S608
            [*seen, *seen],
        ).fetchall()
        return {"nodes": sorted(seen), "edges": edges}

    def node(self, node_id: str, link_limit: int = 500) -> dict[str, Any] | None:
        """A node's properties and its links both ways, by type, name and id."""
        found = self.db.execute("SELECT kind, props FROM node WHERE id = ?", [node_id]).fetchone()
        if found is None:
            return None
        links = self.db.execute(
            """SELECT l.type, 1, n.id, n.name FROM link l JOIN node n ON n.id = l.target
               WHERE l.source = ?
               UNION ALL
               SELECT l.type, 0, n.id, n.name FROM link l JOIN node n ON n.id = l.source
               WHERE l.target = ? ORDER BY 1, 4, 3""",
            [node_id, node_id],
        ).fetchall()
        return {
            "kind": found[0],
            "props": json.loads(found[1]),
            "links": links[:link_limit],
            "total": len(links),
        }

    def organisation_id(self, name: str) -> str:
        """The id of the organisation with this name (the API resolves names the same way)."""
        found = self.db.execute(
            "SELECT id FROM node WHERE name = ? AND kind IN ('Organisation', 'ResearchInstitute')",
            [name],
        ).fetchone()
        return str(found[0]) if found else name

    def ids_by_name(self) -> dict[str, str]:
        """The ids of the outcomes, themes and regions by name, as the API resolves them."""
        rows = self.db.execute(
            "SELECT name, id FROM node WHERE kind IN ('Outcome', 'PolicyTheme', 'Region')"
        ).fetchall()
        return dict(rows)


async def from_graph(db: Db, corpus: Path | None) -> Floor:
    """The floor over what the graph holds: `corpus` (the generated CSV it was loaded from)
    mapped as the raw baseline maps it, the rest read from the graph."""
    floor = Floor()
    # The raw driver on purpose: bench-only reads, like bench/raw_load.py.
    records, _, _ = await db.driver.execute_query(NOT_GENERATED, database_=db.database)
    seen = {r["props"]["id"] for r in records}
    floor.add(
        ((r["props"]["id"], Kind.from_label(r["labels"]).value, r["props"]) for r in records), ()
    )
    records, _, _ = await db.driver.execute_query(NOT_GENERATED_LINKS, database_=db.database)
    floor.add((), ((r["source"], r["type"], r["target"]) for r in records))
    if corpus is not None:
        records, _, _ = await db.driver.execute_query(raw_load.NAMES, database_=db.database)
        add_csv(floor, corpus, records, seen)
    return floor.finish()


def add_csv(floor: Floor, corpus: Path, names: list[Any], seen: set[str]) -> None:
    """The generated corpus's rows, mapped to nodes and links as `bench/raw_load.py` does."""
    ids = {r["name"]: r["id"] for r in names}
    levels = {r["id"]: (r["level"], r["strength"]) for r in names if r["level"]}
    with corpus.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            nodes: raw_load.Rows = defaultdict(list)
            links: raw_load.Rows = defaultdict(list)
            raw_load.map_row(row, ids, levels, seen, nodes, links)
            floor.add(
                (
                    (item["props"]["id"], kind.value, item["props"])
                    for kind, items in nodes.items()
                    for item in items
                ),
                (
                    (item["from_id"], Rel(rel).value, item["to_id"])
                    for rel, items in links.items()
                    for item in items
                ),
            )
