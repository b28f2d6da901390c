"""Every Cypher statement in the code is valid Neo4j 5 Cypher, by Neo4j's own parser."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import shutil
import subprocess
from enum import Enum
from types import ModuleType

import pytest

from graph import dialect, queries
from tests.helpers import ROOT

LINTER = ROOT / "tools" / "cypher-lint"


def statements(module: ModuleType) -> dict[str, str]:
    """Module-level constants holding Cypher: strings, tuples of them, and tables of them."""
    found: dict[str, str] = {}

    def cypher(value: object) -> bool:
        return isinstance(value, str) and not isinstance(value, Enum)

    for name, value in vars(module).items():
        if not name.isupper() or name.startswith("_"):
            continue  # private names are fragments, checked inside the statements using them
        if cypher(value):
            found[f"{module.__name__}.{name}"] = value
        elif isinstance(value, tuple):
            found |= {f"{module.__name__}.{name}[{i}]": v for i, v in enumerate(value) if cypher(v)}
        elif isinstance(value, dict):
            found |= {f"{module.__name__}.{name}[{k}]": v for k, v in value.items() if cypher(v)}
    return found


def statement_modules() -> list[ModuleType]:
    """Every module of the `graph.queries` package (found, not listed), and `graph.dialect`."""
    found = [
        importlib.import_module(f"{queries.__name__}.{info.name}")
        for info in pkgutil.iter_modules(queries.__path__)
    ]
    return [queries, *found, dialect]


def lint(named: dict[str, str]) -> dict[str, list[dict[str, object]]]:
    node = shutil.which("node")
    if node is None or not (LINTER / "node_modules").exists():
        pytest.fail(
            "Neo4j's Cypher parser is not installed: run `npm ci --prefix tools/cypher-lint`"
        )
    payload = json.dumps([{"name": k, "query": v} for k, v in named.items()])
    done = subprocess.run(  # noqa: S603 - fixed argv
        [node, str(LINTER / "lint.mjs")],
        input=payload,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,  # 200+ statements; minutes when the machine is shared
    )
    return {item["name"]: item["errors"] for item in json.loads(done.stdout)}


def test_every_statement_is_valid_neo4j_5_cypher() -> None:
    named: dict[str, str] = {}
    for module in statement_modules():
        named |= statements(module)
    assert len(named) > 100  # the per-kind, per-relationship and per-dimension tables too
    errors = {name: errs for name, errs in lint(named).items() if errs}
    assert errors == {}


def test_the_parser_rejects_what_neo4j_would() -> None:
    bad = {"typo": "MATCH (n:Entity) RETURN n LIMT 5", "open": "MATCH (n RETURN n"}
    assert all(lint(bad).values())


# `$x IS NULL OR ...` and `size($xs) = 0 OR ...` make a filter optional inside one statement, and
# turn the engine's index seek into a scan (36 ms against 0.84 ms at 100k nodes on the embedded
# engine): a statement is chosen by the filters a request has instead.
OPTIONAL_GUARD = re.compile(r"\$\w+\s+IS\s+NULL\s+OR|size\(\s*\$\w+\s*\)\s*=\s*0\s+OR", re.I)
GUARDED_ELSEWHERE = (
    "graph.queries.evidence.",
    "graph.queries.approaches.STUDIES",
    "graph.queries.evidence_index.PAGE",
)
"""The evidence filter: the evidence index answers it (graph/evidence_index.py), and these
statements are its reference and the path taken with no index; PAGE's guards only sort out the
claims of the page's case studies, already found by id, so no seek is at stake."""


def test_no_statement_makes_a_filter_optional_with_a_guard() -> None:
    named: dict[str, str] = {}
    for module in statement_modules():
        named |= statements(module)
    guarded = sorted(
        name
        for name, text in named.items()
        if OPTIONAL_GUARD.search(text) and not name.startswith(GUARDED_ELSEWHERE)
    )
    assert guarded == []


def test_the_guard_pattern_finds_both_forms() -> None:
    assert OPTIONAL_GUARD.search("WHERE $text IS NULL OR toLower(n.name) CONTAINS $text")
    assert OPTIONAL_GUARD.search("WHERE size($ids) = 0 OR i.id IN $ids")
    assert not OPTIONAL_GUARD.search("WHERE n.id IN $ids AND r IS NULL")


# A pattern comprehension that opens on a labelled node the row has not bound, e.g.
# `[(cs:CaseStudy)-[:APPLIES]->(i) | ...]`: the embedded engine reads every node of that label
# for each row instead of walking from `i` (24 s against 38 ms for 32 interventions at 100k).
UNANCHORED_COMPREHENSION = re.compile(r"\[\(\w+:\w+\)-")


def test_pattern_comprehensions_walk_from_a_node_the_row_has() -> None:
    named: dict[str, str] = {}
    for module in statement_modules():
        named |= statements(module)
    unanchored = sorted(n for n, text in named.items() if UNANCHORED_COMPREHENSION.search(text))
    assert unanchored == []


def test_the_comprehension_pattern_finds_an_unanchored_one() -> None:
    assert UNANCHORED_COMPREHENSION.search("size([(cs:CaseStudy)-[:APPLIES]->(i) | cs.id])")
    assert not UNANCHORED_COMPREHENSION.search("size([(i)<-[:APPLIES]-(cs:CaseStudy) | 1])")
