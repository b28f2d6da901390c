"""The vendored Swagger UI is npm's build of the locked version, byte for byte."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from api.docs import DOCS_ASSETS
from tests.helpers import ROOT, needed

NPM = ROOT / "tools" / "docs-assets"
DIST = NPM / "node_modules" / "swagger-ui-dist"
VENDORED = {
    "swagger-ui-bundle.js": "swagger-ui-bundle.js",
    "swagger-ui.css": "swagger-ui.css",
    "swagger-ui.LICENSE": "LICENSE",
    "swagger-ui.NOTICE": "NOTICE",
}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(("vendored", "built"), VENDORED.items())
def test_vendored_swagger_ui_is_the_locked_npm_build(vendored: str, built: str) -> None:
    needed(DIST, "tools/docs-assets/node_modules")
    assert digest(DOCS_ASSETS / vendored) == digest(DIST / built)


def test_the_installed_build_is_the_locked_version() -> None:
    needed(DIST, "tools/docs-assets/node_modules")
    locked = json.loads((NPM / "package-lock.json").read_text())
    version = locked["packages"]["node_modules/swagger-ui-dist"]["version"]
    assert json.loads((DIST / "package.json").read_text())["version"] == version
    assert version.startswith("5.")  # 4.x cannot read the OpenAPI 3.1 FastAPI writes


def test_nothing_else_is_vendored() -> None:
    assert sorted(p.name for p in DOCS_ASSETS.iterdir()) == sorted(VENDORED)
