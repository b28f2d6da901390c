"""The production image leaves the embedded engine out (`pip install .`, no `[embedded]`)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from api.main import create_app
from api.settings import ApiSettings
from graph import engine
from graph.errors import EngineError


@pytest.fixture
def no_embedded_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry in sys.modules is how Python itself marks a module as not importable.
    monkeypatch.setitem(sys.modules, "arcadedb_embedded", None)


@pytest.mark.usefixtures("no_embedded_engine")
def test_the_api_is_built_for_a_server_without_the_embedded_engine() -> None:
    settings = ApiSettings(uri="neo4j://graph.internal:7687", password="a-real-password")  # noqa: S106
    assert create_app(settings).title


@pytest.mark.usefixtures("no_embedded_engine")
def test_starting_the_missing_embedded_engine_says_how_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match=r"connects-graph\[embedded\].*CONNECTS_URI"):
        engine.start(ApiSettings(data_dir=tmp_path / "engine"))
