"""The `connects` command line, as a curator uses it."""

from __future__ import annotations

from pathlib import Path

import pytest
from neo4j import Driver
from typer.testing import CliRunner

from api.settings import ApiSettings
from cli.main import app
from tests.helpers import STRATEGY, STRATEGY_NODES, fingerprint, graph_env

runner = CliRunner()


@pytest.fixture
def env(settings: ApiSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in graph_env(settings).items():
        monkeypatch.setenv(name, value)


@pytest.mark.usefixtures("env")
def test_load_reports_counts_then_nothing_new(empty_graph: Driver) -> None:
    first = runner.invoke(app, ["load", str(STRATEGY)])
    assert first.exit_code == 0, first.output
    assert f"nodes {STRATEGY_NODES} created, 0 updated, 0 unchanged" in first.output
    second = runner.invoke(app, ["load", str(STRATEGY)])
    assert f"nodes 0 created, 0 updated, {STRATEGY_NODES} unchanged" in second.output


@pytest.mark.usefixtures("env")
def test_bad_file_exits_2_naming_file_line_and_field(
    empty_graph: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("nodes:\n  - {id: a, kind: Outcom, name: A, description: D, source: S}\n")
    before = fingerprint(empty_graph, settings)
    result = runner.invoke(app, ["load", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:2: nodes.0.kind: Must be one of" in result.output
    assert "nothing was written" in result.output
    assert fingerprint(empty_graph, settings) == before


@pytest.mark.usefixtures("env")
def test_db_status_and_export(empty_graph: Driver, tmp_path: Path) -> None:
    status = runner.invoke(app, ["db", "status"])
    assert status.exit_code == 0
    assert status.output.startswith("running")
    assert runner.invoke(app, ["load", str(STRATEGY)]).exit_code == 0
    target = tmp_path / "graph.nt"
    result = runner.invoke(app, ["export", "--format", "nt", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert "<http://data.test/id/outcome/inclusion>" in target.read_text()


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    for command in ("db", "load", "serve", "export", "mcp"):
        assert command in result.output
