"""Imports point one way: api -> loaders, ontology -> graph; and test modules share only
tests/helpers.py (fixtures come from the conftest.py files, which pytest finds by itself)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ROOT

TESTS = ROOT / "tests"
FORBIDDEN = {
    "graph": {"api", "loaders", "ontology", "cli"},
    "loaders": {"api", "cli"},
    "ontology": {"api", "cli"},
}
"""Each package, and the packages above it that it must not import."""


def imported(path: Path) -> Iterator[str]:
    """Every module `path` imports, absolute, whether at the top, in a function, or for typing."""
    package = ".".join(path.relative_to(ROOT).parent.parts)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                yield f"{base}.{node.module}" if node.module else base
            else:
                yield node.module or ""


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_package_imports_a_layer_above_it(package: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in imported(path)
        if name.split(".")[0] in FORBIDDEN[package]
    ]
    assert wrong == []


def test_no_test_module_imports_another() -> None:
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted(TESTS.rglob("*.py"))
        for name in imported(path)
        if name.split(".")[0] == "tests" and name not in {"tests", "tests.helpers"}
    ]
    assert wrong == []


def test_the_checks_see_imports() -> None:
    """The scans above would notice a violation: they read this very module's imports."""
    assert "tests.helpers" in set(imported(Path(__file__)))
    assert "pathlib" in set(imported(Path(__file__)))
