"""The explorer's files: the vendored library is npm's build, imports resolve, nothing remote."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from api.main import create_app
from api.routes.explore import ASSETS, PAGE
from api.settings import ApiSettings
from tests.helpers import ROOT, needed

NPM = ROOT / "tools" / "explorer-assets"
OWN_FILES = [PAGE] + [
    p for p in ASSETS.rglob("*") if p.suffix in {".js", ".css"} and "vendor" not in p.parts
]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_vendored_cytoscape_is_the_locked_npm_build() -> None:
    built = NPM / "node_modules" / "cytoscape" / "dist" / "cytoscape.esm.min.mjs"
    needed(built, "tools/explorer-assets/node_modules")
    assert digest(ASSETS / "vendor" / "cytoscape.esm.min.js") == digest(built)
    locked = json.loads((NPM / "package-lock.json").read_text())
    version = locked["packages"]["node_modules/cytoscape"]["version"]
    assert f'version="{version}"' in (ASSETS / "vendor" / "cytoscape.esm.min.js").read_text()


@pytest.mark.parametrize("path", OWN_FILES, ids=lambda p: p.name)
def test_relative_imports_resolve_and_nothing_is_fetched_from_elsewhere(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for target in re.findall(r"""^import .* from '(\.[^']+)';""", text, flags=re.MULTILINE):
        assert (path.parent / target).resolve().is_file(), f"{path.name} imports {target}"
    assert not re.search(r"""(src|href)=["']https?://""", text)
    assert not re.search(r"""(fetch|import)\(\s*['"`]https?://""", text)


def test_the_client_calls_only_documented_endpoints() -> None:
    paths = create_app(ApiSettings()).openapi()["paths"]
    source = (ASSETS / "js" / "api.js").read_text()
    called = [path for _, path in re.findall(r"(?:get|apiUrl)\((['`])(/.*?)\1", source)]
    assert len(called) >= 8
    for path in called:
        pattern = re.sub(r"\$\{[^}]+\}", "{x}", path)
        assert any(re.sub(r"\{[^}]+\}", "{x}", p) == pattern for p in paths), path
