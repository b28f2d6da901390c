"""The `connects` command line, as a curator uses it."""

from __future__ import annotations

from pathlib import Path

import pytest
from neo4j import Driver
from typer.testing import CliRunner

from api.settings import ApiSettings
from cli.main import app
from tests.helpers import CONTRIBUTION, STRATEGY, STRATEGY_NODES, fingerprint, graph_env

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


def _embedded(driver: Driver, settings: ApiSettings) -> int:
    records, _, _ = driver.execute_query(
        "MATCH (n:Entity) WHERE n.embedding IS NOT NULL RETURN count(n) AS c",
        database_=settings.database,
    )
    count: int = records[0]["c"]
    return count


@pytest.mark.usefixtures("env")
def test_no_embed_leaves_the_embeddings_due_and_the_next_load_computes_them(
    empty_graph: Driver, settings: ApiSettings
) -> None:
    skipped = runner.invoke(app, ["load", "--no-embed", str(STRATEGY)])
    assert skipped.exit_code == 0, skipped.output
    assert "Embedded 0 node(s)" in skipped.output
    assert _embedded(empty_graph, settings) == 0
    # Nothing new to load, but the embeddings still due are computed: a catch-up.
    again = runner.invoke(app, ["load", str(STRATEGY)])
    assert f"nodes 0 created, 0 updated, {STRATEGY_NODES} unchanged" in again.output
    caught_up = _embedded(empty_graph, settings)
    assert caught_up > 0
    assert f"Embedded {caught_up} node(s)" in again.output


@pytest.mark.usefixtures("env")
def test_contributor_attributes_the_load_to_the_organisation(
    linkable_graph: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    # The base URI comes from the settings, as `connects export` writes it: the contribution's
    # IRIs are under it (http://data.test), not under the default.
    partner = tmp_path / "partner.ttl"
    partner.write_text(CONTRIBUTION, encoding="utf-8")
    result = runner.invoke(app, ["load", "--contributor", "lga", "--no-embed", str(partner)])
    assert result.exit_code == 0, result.output
    records, _, _ = linkable_graph.execute_query(
        "MATCH (n:Entity {id: 'partner-study'}) RETURN n.contributed_by AS by",
        database_=settings.database,
    )
    assert [r["by"] for r in records] == ["lga"]


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
